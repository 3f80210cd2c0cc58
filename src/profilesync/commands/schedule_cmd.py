"""`profilesync schedule`: run the configured job on its timer, once, or print a snippet instead."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import TYPE_CHECKING

from profilesync.errors import ExitStatus

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.schedule.job import JobContext, JobOutcome

DESCRIPTION = """\
Run the scheduled job: pull every enabled source (each within its sources.<name>.timeout_s),
compare, and write the report to <schedule.report_dir>/<timestamp>.md and .json and to
latest.md / latest.json (keeping the newest schedule.keep_reports). With schedule.push_cv: true
(or policy.auto_apply: strong) strong-tier changes are applied to the CV. When the report differs
from the previous one, schedule.on_change runs with the report's path as its last argument (no
shell). The whole job ends by schedule.deadline_s: a pull still running then is stopped, and the
report says which sources did not finish. Two runs never overlap (cache/schedule.lock); a lock
left by a run that died is taken over. Every run is recorded; `profilesync status` shows them.

Without options, runs the job on schedule.cron in schedule.timezone until stopped (Ctrl-C,
SIGTERM). --once runs it now and exits with its status. --print writes a snippet that runs this
same job (`profilesync schedule --once`) from cron, a systemd timer or GitHub Actions instead.

Exit status (--once): 0 in sync, 1 differences found, 2 bad config/CV or another run holds the
lock, 3 a source failed or the run was stopped at its deadline.

Examples:
  profilesync schedule --once
  profilesync schedule --print systemd
  profilesync schedule                    # stays in the foreground; run it under a supervisor
"""


def configure(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run the job now, once, and exit with its status")
    mode.add_argument("--print", dest="snippet", choices=("cron", "systemd", "github-actions"), help="print a cron line, a systemd service+timer, or a GitHub Actions workflow")


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    if args.snippet:
        return _print_snippet(args.snippet, app)
    if args.once:
        return _once(app)
    return _serve(app)


def _print_snippet(kind: str, app: App) -> ExitStatus:
    from profilesync.schedule.cron import cron_spec, schedule_timezone
    from profilesync.schedule.snippets import SnippetKind, install_spec, render

    config = app.config
    spec = cron_spec(config)
    schedule_timezone(config)  # an unknown zone is a config error here too
    snippet = SnippetKind(kind)
    app.env.stdout.write(render(snippet, config, spec, config.schedule.timezone, app.env.now()))
    if snippet is SnippetKind.GITHUB_ACTIONS and install_spec(config).spec is None:
        app.info("note: the workflow's install step needs schedule.pip_spec (see the EDIT comment in it)")
    return ExitStatus.OK


def job_context(app: App) -> JobContext:
    """The scheduled job's inputs, from the command line's profile."""
    from profilesync.schedule.job import JobContext
    from profilesync.schedule.worker import WorkerJob

    config = app.config
    worker = WorkerJob(
        config_path=str(config.path),
        cache_dir=str(config.cache_dir) if app.cache_dir_arg else None,
        cwd=str(app.env.cwd),
        quiet=app.quiet,
        verbose=app.verbose,
    )
    return JobContext(config=config, load_cv=app.load_cv, clock=app.env.clock, environ=app.env.environ, worker=worker)


def _once(app: App) -> ExitStatus:
    from profilesync.schedule.cron import cron_spec, schedule_timezone
    from profilesync.schedule.job import ScheduledJob

    if app.config.schedule.cron:
        # A schedule that could never run is a config error even when running by hand.
        cron_spec(app.config)
        schedule_timezone(app.config)
    outcome = ScheduledJob(job_context(app), progress=app.info).run()
    _print_outcome(app, outcome)
    return outcome.exit_status


_MEANING = {
    ExitStatus.OK: "in sync",
    ExitStatus.DIFFERENCES: "differences found",
    ExitStatus.ERROR: "failed",
    ExitStatus.SOURCE_FAILED: "incomplete",
}


def _print_outcome(app: App, outcome: JobOutcome) -> None:
    status = outcome.exit_status
    app.out(f"run of {outcome.started_at:%Y-%m-%d %H:%M:%S} UTC: {_MEANING.get(status, 'ended')} (exit {int(status)}) in {outcome.elapsed_s:.1f} s")
    if outcome.error:
        app.out(f"  error: {outcome.error}")
    report = outcome.report or {}
    for name, entry in (report.get("sources") or {}).items():
        works = f"{entry['works']:>4} works" if entry.get("works") is not None else "          "
        error = f"  {entry['error']}" if entry.get("error") else ""
        app.out(f"  {name:<8} {entry.get('status', '?'):<8} {works}{error}")
    if outcome.cut is not None:
        app.out(f"  stopped: {outcome.cut.reason()}")
    if outcome.archive is not None:
        kind = "" if outcome.markdown_renderer == "markdown" else " (text format: no Markdown renderer in this build)"
        app.out(f"  report: {outcome.archive.markdown_path}{kind} and .json; {len(report.get('changes') or ())} changes" + ("" if outcome.changed else ", same as the last run"))
    if outcome.push is not None:
        app.out(f"  CV push: {outcome.push.detail}")
    if outcome.hook is not None:
        app.out(f"  {outcome.hook.describe()}")


def _serve(app: App) -> ExitStatus:
    from profilesync.schedule.cron import build_scheduler, cron_spec, next_runs, schedule_timezone
    from profilesync.schedule.job import ScheduledJob
    from profilesync.schedule.lock import RunInProgress

    config = app.config
    spec = cron_spec(config)
    zone = schedule_timezone(config)
    app.load_cv()  # fail now on a broken CV, not at the first run
    job = ScheduledJob(job_context(app), progress=app.info)

    def tick() -> None:
        try:
            outcome = job.run()
        except RunInProgress as exc:
            app.info(f"skipped: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - one failed run must not end the scheduler
            app.info(f"the run failed: {exc}")
            return
        _print_outcome(app, outcome)
        upcoming = next_runs(spec, zone, app.env.now(), 1)
        if upcoming:
            app.info(f"next run: {upcoming[0]:%Y-%m-%d %H:%M %Z}")

    scheduler = build_scheduler(spec, zone, tick)
    previous = None
    if threading.current_thread() is threading.main_thread():
        # systemd and supervisors stop services with SIGTERM: end like Ctrl-C, killing a pull in progress.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        upcoming = ", ".join(f"{t:%a %Y-%m-%d %H:%M %Z}" for t in next_runs(spec, zone, app.env.now(), 3))
        app.info(f'profilesync schedule: "{spec.expression}" in {config.schedule.timezone}; next runs: {upcoming}. Ctrl-C stops.')
        scheduler.start()
    except KeyboardInterrupt:
        job.stop()
        if scheduler.running:  # the signal may arrive while the scheduler is still starting
            scheduler.shutdown(wait=False)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return ExitStatus.OK


def _raise_interrupt(signum, frame) -> None:  # noqa: ANN001
    raise KeyboardInterrupt
