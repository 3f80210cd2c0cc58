"""The scheduled job: one unattended run for a profile.

One job is: pull every enabled source (each within its own ``timeout_s``), diff, write the report
(``<report_dir>/<timestamp>.json`` and ``.md``, and ``latest.*``), optionally apply strong-tier
changes to the CV (``schedule.push_cv`` or ``policy.auto_apply: strong``), and run the optional
``schedule.on_change`` command with the report's path when something changed. Every run is
recorded in the state database's ``runs`` table, which ``profilesync status`` reads.

The pull and diff run in a worker process (``schedule/worker.py``) that answers with the typed
``RunResult`` over a pipe, and is killed at ``schedule.deadline_s``: then the report is built
from the cache (offline) and says which sources did not finish (those whose end the worker had
not announced).

"Something changed" means: the set of proposed changes, or a source's status, differs from the
previous run's ``latest.json`` (on the first run: there is any change, or a source failed). A
weekly job whose report says the same as last week does not trigger the hook again.

Nothing here prints: progress goes to the ``progress`` callback the command passes in.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from profilesync.config import AutoApply
from profilesync.errors import ExitStatus, ProfileSyncError, UserError
from profilesync.model import format_time
from profilesync.schedule.hook import HookResult, run_hook
from profilesync.schedule.lock import RunLock
from profilesync.schedule.reports import ArchivedReport, change_ids, read_latest, write_reports
from profilesync.schedule.worker import WorkerJob, WorkerOutcome, kill_tree, run_worker

if TYPE_CHECKING:
    from profilesync.config import Config
    from profilesync.cv.record import CvRecord
    from profilesync.diff.changes import Change
    from profilesync.pipeline import RunResult
    from profilesync.report.model import Report

log = logging.getLogger(__name__)

# The on_change command gets at least this long, and at most HOOK_MAX_S, within the job deadline.
HOOK_MIN_S = 10.0
HOOK_MAX_S = 300.0

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


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
    report: Mapping[str, Any] | None = None  # the JSON report (``model.to_json()``)
    model: Report | None = field(default=None, repr=False)
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


@dataclass(frozen=True)
class JobContext:
    """What a scheduled run reads, as plain values (the command builds it; no App here)."""

    config: Config
    load_cv: Callable[[], CvRecord]  # called at every run: a long-running scheduler sees CV edits
    clock: Callable[[], datetime]
    environ: Mapping[str, str]
    worker: WorkerJob  # how the worker process finds the same profile

    def diff_offline(self) -> RunResult:
        """The comparison from the cache alone (after a stopped worker; again before a CV push
        when the CV changed meanwhile)."""
        from profilesync import pipeline

        return pipeline.run(pipeline.RunRequest(config=self.config, cv=self.load_cv(), clock=self.clock, environ=self.environ, offline=True))


class ScheduledJob:
    """The scheduled job for one profile. ``run()`` does one run; ``stop()`` (another thread,
    e.g. at shutdown) kills a pull that is in progress."""

    def __init__(self, context: JobContext, progress: Progress | None = None, command: str = "schedule"):
        self.context = context
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
        context = self.context
        config = context.config
        context.load_cv()  # a CV that does not validate stops the run before anything is written
        started_at = context.clock()
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
            kill_tree(child)

    # -- steps ----------------------------------------------------------------------------------

    def _run_locked(self, config: Config, started_at: datetime, t0: float) -> JobOutcome:
        deadline = config.schedule.deadline_s
        wall_start = time.time()
        worker = self._run_worker(config, deadline)
        notes: list[str] = []
        cut: Cut | None = None
        for line in worker.stderr.splitlines():
            if line.strip():
                self.progress(f"  {line}")
        log_lines = tuple(worker.stderr.splitlines())
        if worker.failure is not None and worker.failure.exit_status is ExitStatus.ERROR:
            error = "; ".join(worker.failure.problems) or _tail(worker.stderr) or "the diff ended with exit status 2"
            return JobOutcome(ExitStatus.ERROR, started_at, time.monotonic() - t0, error=error, child_log=log_lines)
        result = worker.result
        if worker.stopped or result is None:
            _remove_torn_temp_files(config, wall_start)
            names = config.enabled_sources()
            finished = tuple(n for n in names if n in worker.pulled)
            unfinished = tuple(n for n in names if n not in finished)
            if worker.stopped:
                cut = Cut(deadline, worker.elapsed_s, finished, unfinished)
                self.progress(cut.reason())
                reason = cut.source_error()
            else:
                said = "; ".join(worker.failure.problems) if worker.failure is not None else _tail(worker.stderr)
                reason = f"the pull process ended without a report (exit status {worker.exit_code}: {said or 'no message'})"
                notes.append(reason)
                self.progress(reason)
            model = self.context.diff_offline().report.unfinished(unfinished, reason)
            status = ExitStatus.SOURCE_FAILED
        else:
            model = result.report
            status = result.exit_status
        push = self._maybe_push(config, started_at, model.changes) if cut is None else None
        if push is None and cut is not None and _push_allowed(config):
            push = PushSummary(False, detail="not run: the run was stopped at its deadline")
        report = model.to_json()
        previous = read_latest(config.report_dir) if config.report_dir else None
        changed = _changed(previous, report)
        outcome = JobOutcome(status, started_at, time.monotonic() - t0, report=report, model=model, changed=changed, cut=cut, push=push, notes=tuple(notes))
        json_text, markdown_text, renderer = self._render(outcome)
        assert config.report_dir is not None
        try:
            archive = write_reports(config.report_dir, started_at, json_text, markdown_text, config.schedule.keep_reports)
        except UserError as exc:
            failed = JobOutcome(ExitStatus.ERROR, started_at, time.monotonic() - t0, report=report, model=model, changed=changed, cut=cut, push=push, error=str(exc), notes=tuple(notes))
            self._log_run(config, failed)
            raise
        hook = None
        if changed and config.schedule.on_change:
            remaining = deadline - (time.monotonic() - t0)
            hook = run_hook(config, config.schedule.on_change, archive.markdown_path, self.context.environ, min(HOOK_MAX_S, max(HOOK_MIN_S, remaining)))
            self.progress(hook.describe())
        return JobOutcome(
            status,
            started_at,
            time.monotonic() - t0,
            report=report,
            model=model,
            archive=archive,
            changed=changed,
            cut=cut,
            push=push,
            hook=hook,
            notes=tuple(notes),
            markdown_renderer=renderer,
            child_log=log_lines,
        )

    def _run_worker(self, config: Config, budget_s: float) -> WorkerOutcome:
        def started(process: subprocess.Popen) -> None:
            with self._guard:
                self._child = process
                self.last_child_pid = process.pid

        try:
            return run_worker(self.context.worker, environ=self.context.environ, budget_s=max(0.5, budget_s), say=lambda text: self.progress(f"  {text}"), started=started)
        finally:
            with self._guard:
                self._child = None

    def _maybe_push(self, config: Config, now: datetime, changes: tuple[Change, ...]) -> PushSummary | None:
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
            # The changes are the report's (the worker's comparison). Like `push --to cv`: the write
            # happens under the CV's write lock, and if a manual push wrote the CV after the
            # worker read it, the diff is made again (under the lock) on its result.
            digest = file_digest(config.cv_path)

            def diff_now() -> tuple[Any, Any]:
                return self.context.diff_offline().changes, State(config.cache_dir).decisions()

            decisions = State(config.cache_dir).decisions()
            result = push_to_cv(
                config, changes, decisions, now=now, take_strong=True, dry_run=False, expected_digest=digest, recompute=diff_now, lock_timeout_s=lock_timeout(self.context.environ)
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


