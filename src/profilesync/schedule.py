"""Unattended runs: the scheduled job, and the APScheduler loop that runs it on ``schedule.cron``.

One job is: pull every enabled source (each within its own ``timeout_s``), diff, write the report
(``<report_dir>/<timestamp>.json`` and ``.md``, and ``latest.*``), optionally apply strong-tier
changes to the CV (``schedule.push_cv`` or ``policy.auto_apply: strong``), and run the optional
``schedule.on_change`` command with the report's path when something changed. Every run is
recorded in the state database's ``runs`` table, which ``profilesync status`` reads.

Why the pull runs in a child process (``profilesync diff --refresh --format json``): the job must
end by ``schedule.deadline_s`` whatever a server does, and a thread cannot be stopped from outside
(a server dripping response headers one byte at a time defeats every socket timeout). A process can
be killed, with everything it started (it gets its own process group), and killing it cannot
corrupt anything: snapshots, ``status.json`` and reports are replaced atomically, and the HTTP
cache is SQLite. The child runs exactly the command the cron/systemd/CI snippets run, so all ways
of scheduling behave the same. When the child is stopped, the report is built from the cache
(offline) and says which sources did not finish.

"Something changed" means: the set of proposed changes, or a source's status, differs from the
previous run's ``latest.json`` (on the first run: there is any change, or a source failed). A
weekly job whose report says the same as last week does not trigger the hook again.

Nothing here prints: progress goes to the ``progress`` callback the command passes in.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from profilesync.config import AutoApply
from profilesync.errors import ExitStatus, Problem, ProfileSyncError, UserError
from profilesync.model import format_time
from profilesync.schedule_cron import CronSpec, parse_cron
from profilesync.schedule_lock import RunLock
from profilesync.schedule_reports import ArchivedReport, change_ids, read_latest, write_reports

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.config import Config

log = logging.getLogger(__name__)

# The on_change command gets at least this long, and at most HOOK_MAX_S, within the job deadline.
HOOK_MIN_S = 10.0
HOOK_MAX_S = 300.0
# Time a stopped child process gets to exit after SIGTERM before it is killed.
_TERM_GRACE_S = 2.0
_REAP_S = 5.0

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# --- settings -----------------------------------------------------------------------------------


def schedule_timezone(config: Config) -> ZoneInfo:
    """``schedule.timezone`` as a zone. Raises ``UserError`` naming the key when it is unknown."""
    name = config.schedule.timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(
            [Problem(config.path.name, "schedule.timezone", f'"{name}" is not a known time zone', 'use an IANA zone name such as "Europe/Berlin", "Asia/Shanghai" or "UTC"')]
        ) from None


def cron_spec(config: Config) -> CronSpec:
    """``schedule.cron`` parsed. Raises ``UserError`` naming the key when missing or invalid."""
    expression = config.schedule.cron
    if not expression:
        raise UserError([Problem(config.path.name, "schedule.cron", "no schedule is set", 'add schedule: {cron: "0 6 * * 1"} (minute hour day-of-month month day-of-week)')])
    try:
        return parse_cron(expression)
    except ValueError as exc:
        raise UserError(
            [Problem(config.path.name, "schedule.cron", f'"{expression}" is not a cron expression: {exc}', 'use five fields, e.g. "0 6 * * 1" for Mondays at 06:00')]
        ) from None


# --- outcome ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cut:
    """The job passed ``schedule.deadline_s`` and its pull/diff process was stopped."""

    deadline_s: float
    after_s: float
    finished: tuple[str, ...]
    unfinished: tuple[str, ...]

    def reason(self) -> str:
        head = f"the scheduled run was stopped after {self.after_s:.1f} s at its {self.deadline_s:g} s deadline (schedule.deadline_s)"
        if self.unfinished:
            return f"{head} while pulling: {', '.join(self.unfinished)} had not finished"
        return f"{head} after every source was pulled, while comparing"

    def source_error(self) -> str:
        return f"not pulled: {self.reason()}; the last good snapshot was used"

    def to_dict(self) -> dict[str, Any]:
        return {"deadline_s": self.deadline_s, "after_s": round(self.after_s, 2), "finished": list(self.finished), "unfinished": list(self.unfinished), "reason": self.reason()}


@dataclass(frozen=True)
class HookResult:
    """What the ``on_change`` command did."""

    argv: tuple[str, ...]
    exit_code: int | None
    timed_out: bool = False
    error: str | None = None
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and self.error is None

    def describe(self) -> str:
        if self.error:
            return f"on_change failed: {self.error}"
        if self.timed_out:
            return "on_change was stopped at its timeout"
        return f"on_change exited with {self.exit_code}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"command": self.argv[0] if self.argv else "", "exit_code": self.exit_code, "ok": self.ok}
        if self.timed_out:
            out["timed_out"] = True
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class PushSummary:
    """What the unattended CV push did (``applied`` edits), or why it did not run."""

    ran: bool
    applied: int = 0
    detail: str = ""
    backup: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ran": self.ran, "applied": self.applied, "detail": self.detail}
        if self.backup:
            out["backup"] = self.backup
        return out


@dataclass(frozen=True)
class JobOutcome:
    """One scheduled run: its exit status, report and everything it did besides."""

    exit_status: ExitStatus
    started_at: datetime
    elapsed_s: float
    report: Mapping[str, Any] | None = None
    archive: ArchivedReport | None = None
    changed: bool = False
    cut: Cut | None = None
    push: PushSummary | None = None
    hook: HookResult | None = None
    notes: tuple[str, ...] = ()
    error: str | None = None
    markdown_renderer: str = "markdown"
    child_log: tuple[str, ...] = field(default=(), repr=False)

    def summary(self) -> dict[str, Any]:
        """The compact record stored in the ``runs`` table (and shown by ``status``)."""
        out: dict[str, Any] = {"elapsed_s": round(self.elapsed_s, 2)}
        if self.report is not None:
            out["changes"] = len(self.report.get("changes") or ())
            out["sources"] = {name: entry.get("status") for name, entry in (self.report.get("sources") or {}).items()}
            failures = {name: entry.get("error") for name, entry in (self.report.get("sources") or {}).items() if entry.get("error")}
            if failures:
                out["errors"] = failures
        if self.archive is not None:
            out["report"] = str(self.archive.json_path)
        out["changed"] = self.changed
        if self.cut is not None:
            out["cut"] = self.cut.to_dict()
        if self.push is not None:
            out["push"] = self.push.to_dict()
        if self.hook is not None:
            out["on_change"] = self.hook.to_dict()
        if self.error:
            out["error"] = self.error
        if self.notes:
            out["notes"] = list(self.notes)
        return out


# --- the child process --------------------------------------------------------------------------


@dataclass(frozen=True)
class _ChildResult:
    exit_code: int | None  # None when it was stopped at the deadline
    report: dict[str, Any] | None
    stderr: str
    elapsed_s: float

    @property
    def stopped(self) -> bool:
        return self.exit_code is None


def _child_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The run's environment, with profilesync's own location first on the import path."""
    env = dict(environ)
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def _kill_tree(process: subprocess.Popen) -> None:
    """Stop the child and everything it started (the Scholar worker, for one)."""
    if os.name == "posix":
        for sig, grace in ((signal.SIGTERM, _TERM_GRACE_S), (signal.SIGKILL, _REAP_S)):
            try:
                os.killpg(process.pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            try:
                process.wait(grace)
                # The group may outlive its leader: one SIGKILL for the rest is harmless.
                if sig is signal.SIGTERM:
                    os.killpg(process.pid, signal.SIGKILL)
                break
            except subprocess.TimeoutExpired:
                continue
            except (ProcessLookupError, PermissionError):
                break
    else:  # pragma: no cover - exercised on Windows only
        process.kill()
    try:
        process.wait(_REAP_S)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be refused
        pass


class ScheduledJob:
    """The scheduled job for one profile. ``run()`` does one run; ``stop()`` (another thread,
    e.g. at shutdown) kills a pull that is in progress."""

    def __init__(self, app: App, progress: Progress | None = None, command: str = "schedule"):
        self.app = app
        self.progress = progress or _quiet
        self.command = command
        self._child: subprocess.Popen | None = None
        self._guard = threading.Lock()
        self.last_child_pid: int | None = None  # the last pull process (its process group id too)

    # -- public ---------------------------------------------------------------------------------

    def run(self) -> JobOutcome:
        """Run the job once, holding the profile's run lock.

        Raises ``UserError`` (config or CV invalid: nothing is written) and ``RunInProgress``
        (another run holds the lock). Every other failure ends in the outcome and the runs table.
        """
        app = self.app
        config = app.config
        app.load_cv()  # a CV that does not validate stops the run before anything is written
        started_at = app.env.now()
        with RunLock(config.cache_dir, started_at, self.command) as lock:
            if lock.recovered is not None:
                self.progress(f"recovered a stale run lock left by {lock.recovered.describe()}")
            outcome = self._run_locked(config, started_at, time.monotonic())
            self._log_run(config, outcome)
        return outcome

    def stop(self) -> None:
        with self._guard:
            child = self._child
        if child is not None and child.poll() is None:
            _kill_tree(child)

    # -- steps ----------------------------------------------------------------------------------

    def _run_locked(self, config: Config, started_at: datetime, t0: float) -> JobOutcome:
        from profilesync.pipeline import load_attempts

        deadline = config.schedule.deadline_s
        attempts_before = load_attempts(config)
        wall_start = time.time()
        with tempfile.TemporaryDirectory(prefix="profilesync-run-") as scratch:
            child = self._run_child(config, Path(scratch) / "report.json", deadline)
        notes: list[str] = []
        cut: Cut | None = None
        for line in child.stderr.splitlines():
            if line.strip() and not line.startswith("wrote "):  # the child's scratch report is ours to read
                self.progress(f"  {line}")
        if child.exit_code == ExitStatus.ERROR:
            problems = [line[len("error: ") :] for line in child.stderr.splitlines() if line.startswith("error: ")]
            error = "; ".join(problems) or _tail(child.stderr) or "the diff ended with exit status 2"
            return JobOutcome(ExitStatus.ERROR, started_at, time.monotonic() - t0, error=error, child_log=tuple(child.stderr.splitlines()))
        report = child.report
        status = ExitStatus(child.exit_code) if child.exit_code in (0, 1, 3) and report is not None else ExitStatus.SOURCE_FAILED
        if child.stopped or report is None:
            _remove_torn_temp_files(config, wall_start)
            attempts_after = load_attempts(config)
            names = config.enabled_sources()
            # A source finished if it recorded an attempt (status.json) during this run.
            finished = tuple(n for n in names if attempts_after.get(n) != attempts_before.get(n))
            unfinished = tuple(n for n in names if n not in finished)
            if child.stopped:
                cut = Cut(deadline, child.elapsed_s, finished, unfinished)
                self.progress(cut.reason())
                reason = cut.source_error()
            else:
                reason = f"the pull process ended without a report (exit status {child.exit_code}: {_tail(child.stderr) or 'no message'})"
                notes.append(reason)
                self.progress(reason)
            report = self._offline_report(unfinished, reason)
            status = ExitStatus.SOURCE_FAILED
        push = self._maybe_push(config, started_at) if cut is None else None
        if push is None and cut is not None and _push_allowed(config):
            push = PushSummary(False, detail="not run: the run was stopped at its deadline")
        previous = read_latest(config.report_dir) if config.report_dir else None
        changed = _changed(previous, report)
        outcome = JobOutcome(status, started_at, time.monotonic() - t0, report=report, changed=changed, cut=cut, push=push, notes=tuple(notes))
        json_text, markdown_text, renderer = self._render(outcome)
        assert config.report_dir is not None
        try:
            archive = write_reports(config.report_dir, started_at, json_text, markdown_text, config.schedule.keep_reports)
        except UserError as exc:
            failed = JobOutcome(ExitStatus.ERROR, started_at, time.monotonic() - t0, report=report, changed=changed, cut=cut, push=push, error=str(exc), notes=tuple(notes))
            self._log_run(config, failed)
            raise
        hook = None
        if changed and config.schedule.on_change:
            remaining = deadline - (time.monotonic() - t0)
            hook = run_hook(config, config.schedule.on_change, archive.markdown_path, self.app.env.environ, min(HOOK_MAX_S, max(HOOK_MIN_S, remaining)))
            self.progress(hook.describe())
        return JobOutcome(
            status,
            started_at,
            time.monotonic() - t0,
            report=report,
            archive=archive,
            changed=changed,
            cut=cut,
            push=push,
            hook=hook,
            notes=tuple(notes),
            markdown_renderer=renderer,
            child_log=tuple(child.stderr.splitlines()),
        )

    def _run_child(self, config: Config, output: Path, budget_s: float) -> _ChildResult:
        app = self.app
        argv = [sys.executable, "-m", "profilesync", "--config", str(config.path)]
        if app.cache_dir_arg:
            argv += ["--cache-dir", str(config.cache_dir)]
        if app.quiet:
            argv.append("-q")
        elif app.verbose:
            argv.append("-" + "v" * min(app.verbose, 2))
        argv += ["diff", "--refresh", "--format", "json", "--output", str(output)]
        started = time.monotonic()
        process = subprocess.Popen(
            argv,
            cwd=str(app.env.cwd),
            env=_child_env(app.env.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
        with self._guard:
            self._child = process
            self.last_child_pid = process.pid
        try:
            try:
                _, err = process.communicate(timeout=max(0.5, budget_s))
                code: int | None = process.returncode
            except subprocess.TimeoutExpired:
                _kill_tree(process)
                try:
                    _, err = process.communicate(timeout=_REAP_S)
                except (subprocess.TimeoutExpired, ValueError):
                    err = b""
                code = None
        except BaseException:
            _kill_tree(process)  # Ctrl-C in the scheduler: never leave the pull running behind us
            raise
        finally:
            with self._guard:
                self._child = None
        elapsed = time.monotonic() - started
        report = None
        if code is not None:
            try:
                data = json.loads(output.read_text(encoding="utf-8"))
                report = data if isinstance(data, dict) else None
            except (OSError, ValueError):
                report = None
        return _ChildResult(code, report, (err or b"").decode("utf-8", errors="replace"), elapsed)

    def _offline_report(self, unfinished: tuple[str, ...], reason: str) -> dict[str, Any]:
        """The report from the cache alone, with the sources that did not finish marked."""
        return self.app.diff(offline=True).report.unfinished(unfinished, reason).to_json()

    def _maybe_push(self, config: Config, now: datetime) -> PushSummary | None:
        if not _push_allowed(config):
            return None
        try:
            from profilesync.push.cv_push import push_to_cv
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("profilesync.push"):
                return PushSummary(False, detail="not run: the CV writer (profilesync.push.cv_push) is not in this installation")
            raise
        from profilesync.state import State
        from profilesync.writelock import file_digest, lock_timeout

        try:
            # The pull just saved the snapshots; this is the same comparison the report shows.
            # Like `push --to cv`: the write happens under the CV's write lock, and if a manual
            # push wrote the CV after this diff, the diff is made again (under the lock) on its result.
            digest = file_digest(config.cv_path)

            def diff_now() -> tuple[Any, Any]:
                return self.app.diff(offline=True).changes, State(config.cache_dir).decisions()

            changes, decisions = diff_now()
            result = push_to_cv(
                config, changes, decisions, now=now, take_strong=True, dry_run=False, expected_digest=digest, recompute=diff_now, lock_timeout_s=lock_timeout(self.app.env.environ)
            )
        except ProfileSyncError as exc:
            self.progress(f"push to the CV failed: {exc}")
            return PushSummary(False, detail=f"failed: {exc}")
        applied = len(result.applied.edits)
        backup = str(result.saved.backup) if result.saved is not None and result.saved.backup else None
        detail = f"applied {applied} strong-tier or accepted change(s) to {config.cv_path.name}" if applied else "nothing to apply"
        self.progress(f"push to the CV: {detail}")
        return PushSummary(True, applied=applied, detail=detail, backup=backup)

    def _render(self, outcome: JobOutcome) -> tuple[str, str, str]:
        from profilesync.report.json import render_json

        assert outcome.report is not None
        report = dict(outcome.report)
        report["run"] = run_record(outcome)
        markdown, renderer = render_markdown(report)
        return render_json(report), run_header(report["run"], renderer) + markdown, renderer

    def _log_run(self, config: Config, outcome: JobOutcome) -> None:
        from profilesync.state import State

        try:
            State(config.cache_dir).log_run(self.command, outcome.started_at, int(outcome.exit_status), json.dumps(outcome.summary(), sort_keys=True))
        except (ProfileSyncError, OSError) as exc:
            log.warning("could not record the run in the state database: %s", exc)


# --- pieces -------------------------------------------------------------------------------------


def _push_allowed(config: Config) -> bool:
    return config.schedule.push_cv or config.policy.auto_apply is AutoApply.STRONG


def _tail(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _remove_torn_temp_files(config: Config, since: float) -> None:
    """Temporary files a stopped child left behind mid-write (``atomic_write_text`` names them
    ``.<name>.<random>.tmp``); the files they were to replace are untouched."""
    for directory in (config.cache_dir, config.snapshot_dir, config.cache_dir / "history"):
        try:
            candidates = list(directory.glob(".*.tmp"))
        except OSError:
            continue
        for path in candidates:
            try:
                if path.stat().st_mtime >= since - 1:
                    path.unlink()
            except OSError:
                pass


def _statuses(report: Mapping[str, Any] | None) -> dict[str, Any]:
    return {name: (entry or {}).get("status") for name, entry in ((report or {}).get("sources") or {}).items()}


def _changed(previous: Mapping[str, Any] | None, report: Mapping[str, Any]) -> bool:
    if previous is None:
        return bool(report.get("changes")) or bool(report.get("incomplete"))
    return change_ids(previous) != change_ids(report) or _statuses(previous) != _statuses(report)


def run_record(outcome: JobOutcome) -> dict[str, Any]:
    """The ``run`` section added to a scheduled run's JSON report."""
    out: dict[str, Any] = {
        "command": "schedule",
        "started_at": format_time(outcome.started_at),
        "elapsed_s": round(outcome.elapsed_s, 2),
        "exit_code": int(outcome.exit_status),
        "changed": outcome.changed,
        "stopped": outcome.cut.to_dict() if outcome.cut else None,
    }
    if outcome.push is not None:
        out["push"] = outcome.push.to_dict()
    if outcome.notes:
        out["notes"] = list(outcome.notes)
    return out


def render_markdown(report: Mapping[str, Any]) -> tuple[str, str]:
    """The report in Markdown, or in the text format when this build has no Markdown renderer.

    Returns the text and the renderer used (``markdown`` or ``text``).
    """
    try:
        from profilesync.report.markdown import render_markdown as renderer
    except ModuleNotFoundError as exc:
        if exc.name != "profilesync.report.markdown":
            raise
        from profilesync.report.text import render_text

        return render_text(dict(report), colour=False), "text"
    return renderer(dict(report)), "markdown"


def run_header(run: Mapping[str, Any], renderer: str) -> str:
    """A few lines above the report saying when the run was and whether it was stopped."""
    lines = [f"Scheduled run of {run['started_at']}: exit status {run['exit_code']}, {run['elapsed_s']} s."]
    stopped = run.get("stopped")
    if stopped:
        lines.append(f"STOPPED: {stopped['reason']}.")
    push = run.get("push")
    if push:
        lines.append(f"CV push: {push['detail']}.")
    lines.extend(run.get("notes") or ())
    if renderer == "markdown":
        return "".join(f"> {line}\n>\n" for line in lines).rstrip(">\n") + "\n\n"
    return "\n".join(lines) + "\n\n"


# Token variables a hook never needs, whether or not the config names them (a user may export
# them for other tools, or for profilesync's defaults).
WELL_KNOWN_TOKEN_VARIABLES = frozenset({"ORCID_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"})


def hook_environment(config: Config, environ: Mapping[str, str]) -> dict[str, str]:
    """The run's environment without any token: every ``sources.*.token_env`` (enabled or not)
    and ``WELL_KNOWN_TOKEN_VARIABLES``. The hook is a notification (mail, a webhook, a git
    commit of the report); it must not be handed the ORCID write token or a GitHub token."""
    secret = set(WELL_KNOWN_TOKEN_VARIABLES)
    secret.update(source.token_env for source in config.sources.values() if source.token_env)
    return {name: value for name, value in environ.items() if name not in secret}


def run_hook(config: Config, command: str, report_path: Path, environ: Mapping[str, str], timeout_s: float) -> HookResult:
    """Run ``command`` (split like a shell would, but run without one) with the report path as
    its last argument, in the config's directory, for at most ``timeout_s`` seconds."""
    try:
        argv = [*shlex.split(command), str(report_path)]
    except ValueError as exc:
        return HookResult((), None, error=f"schedule.on_change cannot be split into words ({exc})")
    env = hook_environment(config, environ)
    env["PROFILESYNC_REPORT"] = str(report_path)
    try:
        process = subprocess.Popen(
            argv,
            cwd=str(config.path.parent),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        return HookResult(tuple(argv), None, error=f"cannot start {argv[0]!r}: {exc.strerror or exc}")
    try:
        out, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        return HookResult(tuple(argv), None, timed_out=True, error=f"{argv[0]} did not finish within {timeout_s:g} s and was stopped")
    return HookResult(tuple(argv), process.returncode, output=(out or b"").decode("utf-8", errors="replace")[-2000:])


# --- the long-running scheduler -----------------------------------------------------------------


JOB_ID = "profilesync"


def build_scheduler(spec: CronSpec, zone: ZoneInfo, func: Callable[[], object], scheduler_cls: type | None = None):  # noqa: ANN201 - an APScheduler scheduler
    """An APScheduler scheduler that calls ``func`` when ``spec`` fires in ``zone``.

    One run at a time (``max_instances=1``); runs missed while the machine slept are run once
    (``coalesce``) if less than an hour late.
    """
    if scheduler_cls is None:
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler_cls = BlockingScheduler
    scheduler = scheduler_cls(timezone=zone)
    scheduler.add_job(func, spec.trigger(zone), id=JOB_ID, name="profilesync scheduled diff", max_instances=1, coalesce=True, misfire_grace_time=3600)
    return scheduler


def next_runs(spec: CronSpec, zone: ZoneInfo, after: datetime, count: int = 3) -> list[datetime]:
    trigger = spec.trigger(zone)
    out: list[datetime] = []
    previous = None
    moment = after.astimezone(zone)
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        out.append(fire)
        previous = fire
        moment = fire + timedelta(seconds=1)
    return out
