"""Wiring: pull sources into snapshots, then diff the CV against them.

``run(RunRequest) -> RunResult`` is the whole of it: the request carries the config, the CV, the
clock and the environment variables (no ``App``, no streams); the result carries typed source
statuses, the changes and the report model. ``pull_sources`` is the pull on its own (``pull``).
Nothing here prints or asks: progress goes to the request's callbacks.
A failing source never stops the run: its last good snapshot is used and its status is
``stale`` (or ``failed`` when there is none), with the reason, so the report can say so.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from profilesync.config import SOURCE_NAMES, Config
from profilesync.connectors.base import FetchContext
from profilesync.deadline import Clock as MonotonicClock
from profilesync.deadline import Deadline
from profilesync.errors import ExitStatus, ProfileSyncError, SourceError, UserError
from profilesync.model import Person, PersonIds, PulledFor, Snapshot, format_time, parse_time
from profilesync.normalize.names import same_person_name
from profilesync.normalize.sanitize import sanitize_snapshot
from profilesync.normalize.text import normalize_title
from profilesync.report.model import Report
from profilesync.snapshots import CheckedSnapshot, SnapshotIssue, SnapshotStore, atomic_write_text
from profilesync.source_status import SourceState, SourceStatus

if TYPE_CHECKING:
    from profilesync.cv.record import CvRecord
    from profilesync.diff.changes import Change
    from profilesync.diff.engine import DiffResult

__all__ = ["RunRequest", "RunResult", "SourceState", "SourceStatus", "pull_sources", "run"]

Clock = Callable[[], datetime]
Progress = Callable[[str], None]

log = logging.getLogger(__name__)

# Seconds a pull may run past its source's timeout_s (and its connector's declared overhead)
# before the pipeline stops waiting for it.
PULL_GRACE_S = 3.0


def researcher(config: Config, cv: CvRecord | None) -> Person:
    """The researcher as config and CV describe them together (ids from either)."""
    cv_person = cv.person if cv is not None else None
    ids = cv_person.ids if cv_person else PersonIds()
    from_config = {name: config.sources[name].id for name in config.sources if config.sources[name].id}
    aliases = list(config.aliases)
    for alias in cv_person.aliases if cv_person else ():
        if alias not in aliases:
            aliases.append(alias)
    return Person(
        name=config.name,
        aliases=tuple(aliases),
        ids=PersonIds(
            orcid=from_config.get("orcid") or ids.orcid,
            dblp=from_config.get("dblp") or ids.dblp,
            scholar=from_config.get("scholar") or ids.scholar,
            github=from_config.get("github") or ids.github,
        ),
        affiliation=cv_person.affiliation if cv_person else None,
        homepage=cv_person.homepage if cv_person else None,
    )


def pulled_for(person: Person, source: str) -> PulledFor:
    """The target a pull of ``source`` asks for: the id the connector reads (config first, then the
    CV, as ``researcher`` merges them), or the profile name when there is none (a DBLP search)."""
    return PulledFor(id=getattr(person.ids, source, None), name=person.name)


def coauthors_of(cv: CvRecord | None, person: Person, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The researcher's coauthors, most frequent first: evidence for namesake tests."""
    counts: Counter[str] = Counter(author.name for work in (cv.works if cv is not None else ()) for author in work.authors)
    for name in [n for n in counts if any(same_person_name(n, own) for own in person.all_names)]:
        del counts[name]  # once per distinct name: a long CV repeats the same coauthors
    ordered = [name for name, _ in counts.most_common()]
    for name in extra:
        if name not in ordered:
            ordered.append(name)
    return tuple(ordered)


# --- the per-source status file (last attempt of each source) -----------------------------------


def _status_path(config: Config):
    return config.cache_dir / "status.json"


def load_attempts(config: Config) -> dict[str, dict[str, Any]]:
    path = _status_path(config)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, OSError):
        log.warning("%s is unreadable; ignoring it", path)
        return {}
    return data if isinstance(data, dict) else {}


# Sources are pulled in parallel threads, and a scheduled run and a person's pull may run at the
# same time, each recording its attempts in the one status file: read-modify-write under a thread
# lock and an OS file lock, or one writer's record overwrites another's.
_ATTEMPTS_LOCK = threading.Lock()
# The critical section is a read and an atomic write of a small file; a holder that takes this
# long is hung, and the record is then written without the lock rather than never.
_ATTEMPTS_LOCK_WAIT_S = 10.0


def _record_attempt(config: Config, name: str, attempt: Mapping[str, Any]) -> None:
    from filelock import BaseFileLock, FileLock, Timeout  # here: only a pull records attempts

    path = _status_path(config)
    with _ATTEMPTS_LOCK:
        file_lock = FileLock(str(path.with_name(path.name + ".lock")), timeout=_ATTEMPTS_LOCK_WAIT_S)
        lock: BaseFileLock | None = file_lock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            file_lock.acquire()
        except (Timeout, OSError) as exc:
            log.warning("could not lock %s (%s); recording the %s attempt without it", path, exc, name)
            lock = None
        try:
            attempts = load_attempts(config)
            attempts[name] = dict(attempt)
            _save_attempts(config, attempts)
        finally:
            if lock is not None:
                lock.release()


def _save_attempts(config: Config, attempts: Mapping[str, Mapping[str, Any]]) -> None:
    try:
        atomic_write_text(_status_path(config), json.dumps(attempts, indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        log.warning("could not record source status in %s: %s", _status_path(config), exc.strerror)


# --- pull ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullRequest:
    sources: tuple[str, ...]
    refresh: bool = False
    now: datetime | None = None


def _identity(work) -> str:  # noqa: ANN001 - a Work
    for kind, value in work.ids.items():
        if kind != "url":
            return f"{kind}:{value}"
    return "t:" + normalize_title(work.title)


def _count_new(previous: Snapshot | None, current: Snapshot) -> int | None:
    if previous is None:
        return None
    before = {_identity(w) for w in previous.works} | {"t:" + normalize_title(w.title) for w in previous.works}
    return sum(1 for w in current.works if _identity(w) not in before and "t:" + normalize_title(w.title) not in before)


def _is_suspicious(previous: Snapshot | None, current: Snapshot, drop: float) -> bool:
    """Far fewer works than last time is more likely a broken source than deleted papers."""
    if previous is None or previous.sample or len(previous.works) < 5:
        return False
    return len(current.works) < (1.0 - drop) * len(previous.works)


def pull_one(
    config: Config, name: str, *, clock: Clock, environ: Mapping[str, str], refresh: bool, person: Person, coauthors: Sequence[str], deadline: Deadline | None = None
) -> SourceStatus:
    """Fetch one source within ``deadline`` and save its snapshot; never raises for a source failure."""
    from profilesync.connectors import registry

    store = SnapshotStore(config.snapshot_dir)
    now = clock()
    target = pulled_for(person, name)
    # A corrupt snapshot, or one of another person, must not stop a pull that will replace it, and
    # is never what a failed pull falls back on.
    checked = store.check(name, target, now)
    previous = checked.snapshot
    if checked.issue is not None:
        log.warning("%s", checked.message)
    connector = None
    try:
        connector = registry.create(config, name, environ, deadline=deadline)
        context = FetchContext(person=person, now=now, refresh=refresh, coauthors=tuple(coauthors), options=config.sources[name].options)
        # The one value boundary every connector's output passes (normalize/sanitize.py).
        snapshot = sanitize_snapshot(connector.fetch(context))
        requests = connector.http.requests_sent if connector.http is not None else None
    except SourceError as exc:
        _record_attempt(config, name, {"at": format_time(now), "ok": False, "error": exc.reason})
        return _fallback(name, previous, exc.reason, checked)
    except ModuleNotFoundError as exc:
        reason = f"connector unavailable ({exc})"
        _record_attempt(config, name, {"at": format_time(now), "ok": False, "error": reason})
        return _fallback(name, previous, reason, checked)
    finally:
        if connector is not None:
            connector.close()
    if _is_suspicious(previous, snapshot, config.policy.suspicious_drop):
        assert previous is not None
        reason = (
            f"returned {len(snapshot.works)} works where the last pull had {len(previous.works)}; "
            "kept the last snapshot and proposed no removals (run `profilesync pull --source "
            f"{name}` again, or delete cache/snapshots/{name}.json to accept it)"
        )
        _record_attempt(config, name, {"at": format_time(now), "ok": False, "error": reason, "suspicious": True})
        return replace(_fallback(name, previous, reason), suspicious=True)
    snapshot = replace(snapshot, pulled_for=target)
    store.save(snapshot)
    if checked.issue is SnapshotIssue.OTHER_TARGET:
        _set_aside_history(config, name, checked, now)
    _append_history(config, snapshot)
    _record_attempt(config, name, {"at": format_time(now), "ok": True, "works": len(snapshot.works)})
    return SourceStatus(
        name=name,
        state=SourceState.OK,
        fetched_at=snapshot.fetched_at,
        works=len(snapshot.works),
        from_network=bool(requests),
        new_works=_count_new(previous, snapshot),
        requests=requests,
        notes=snapshot.notes,
    )


def _set_aside_history(config: Config, name: str, checked: CheckedSnapshot, now: datetime) -> None:
    """The metrics history of the profile the cache held before (the demo's, after a new user put
    their own ids in the config) must not be compared with this profile's: it is moved aside,
    kept rather than deleted, and this profile's history starts with this pull."""
    from profilesync.history import history_path

    path = history_path(config.cache_dir, name)
    if not path.is_file():
        return
    aside = path.with_name(f"{path.stem}.other-profile-{format_time(now).replace(':', '')}.json")
    try:
        path.replace(aside)
    except OSError as exc:
        log.warning("could not move %s aside: %s", path, exc.strerror)
        return
    log.warning("%s held another profile's metrics (%s); moved it to %s", path, checked.message, aside.name)


def _append_history(config: Config, snapshot: Snapshot) -> None:
    if snapshot.metrics.is_empty():
        return
    from profilesync.history import append_history

    try:
        append_history(config.cache_dir, snapshot)
    except (OSError, ProfileSyncError) as exc:
        log.warning("could not record %s metrics history: %s", snapshot.source, exc)


def _fallback(name: str, previous: Snapshot | None, reason: str, checked: CheckedSnapshot | None = None) -> SourceStatus:
    if checked is not None and checked.issue in (SnapshotIssue.CORRUPT, SnapshotIssue.OTHER_TARGET):
        reason = f"{reason}; {checked.message}"
    if previous is None:
        # A corrupt file is a snapshot gone bad (stale, as diff --offline reports it); another
        # person's is no snapshot of this one at all (failed).
        corrupt = checked is not None and checked.issue is SnapshotIssue.CORRUPT
        return SourceStatus(name=name, state=SourceState.STALE if corrupt else SourceState.FAILED, error=reason)
    return SourceStatus(
        name=name,
        state=SourceState.STALE,
        fetched_at=previous.fetched_at,
        works=len(previous.works),
        error=reason,
        sample=previous.sample,
    )


def pull_sources(
    config: Config,
    names: Sequence[str],
    *,
    clock: Clock,
    environ: Mapping[str, str],
    refresh: bool,
    cv: CvRecord | None = None,
    progress: Progress | None = None,
    on_pulled: Callable[[SourceStatus], None] | None = None,
    monotonic: MonotonicClock = time.monotonic,
) -> dict[str, SourceStatus]:
    """Pull ``names`` concurrently (each within its own deadline, on ``monotonic``, and rate limit).

    ``clock`` is the wall clock that dates snapshots. ``on_pulled`` hears of each source as its
    pull ends (a scheduled run's worker tells its parent, which then knows which sources finished
    if it has to stop the worker)."""
    from profilesync.connectors import registry

    person = researcher(config, cv)
    dblp_coauthors = getattr(config.sources["dblp"].options, "coauthors", ()) if "dblp" in config.sources else ()
    coauthors = coauthors_of(cv, person, dblp_coauthors)
    results: dict[str, SourceStatus] = {}
    if progress:
        progress(f"pulling {', '.join(names)} ...")
    # One daemon thread per source, each waited for only until its own deadline (plus a grace
    # period): a server that keeps a connection alive by dripping header bytes defeats socket
    # timeouts, and must not hang a pull that a person or cron started. An abandoned thread can
    # at most finish later and save a complete snapshot (writes are atomic).
    boxes: dict[str, list[SourceStatus | BaseException]] = {name: [] for name in names}
    took: dict[str, float] = {}
    # Each source's budget starts here; its HTTP client spends it and this thread waits on it.
    deadlines = {name: Deadline.start(config.sources[name].timeout_s, monotonic) for name in names}

    def work(name: str) -> None:
        try:
            status = pull_one(config, name, clock=clock, environ=environ, refresh=refresh, person=person, coauthors=coauthors, deadline=deadlines[name])
        except BaseException as exc:  # handed to the caller's thread, which raises it
            boxes[name].append(exc)
            return
        finally:
            took[name] = deadlines[name].elapsed()
        boxes[name].append(status)
        if on_pulled is not None:
            on_pulled(status)  # as it ends, not when the caller's loop gets to it

    threads = {}
    for name in names:
        thread = threading.Thread(target=work, args=(name,), name=f"pull-{name}", daemon=True)
        thread.start()
        threads[name] = thread
    started = monotonic()
    waits = {name: deadlines[name].extended(PULL_GRACE_S + registry.connector_class(name).overhead_s) for name in names}
    for name in names:
        _join_saying_so(threads[name], waits[name], partial(_still_pulling, progress, name) if progress else None)
        if boxes[name]:
            outcome = boxes[name][0]
            if isinstance(outcome, BaseException):
                # A user error (config, unwritable cache, a full disk) ends the run: exit 2. The
                # other pulls are waited for first, each within its own deadline: a thread still
                # writing its snapshot when the process exits is killed between its temporary
                # file and the rename, and leaves the temporary file in the cache.
                for other in names:
                    _join_saying_so(threads[other], waits[other], None)
                raise outcome
            results[name] = outcome
        else:
            reason = f"no complete answer within the {config.sources[name].timeout_s:g} s deadline; gave up on it"
            _record_attempt(config, name, {"at": format_time(clock()), "ok": False, "error": reason})
            checked = SnapshotStore(config.snapshot_dir).check(name, pulled_for(person, name), clock())
            results[name] = _fallback(name, checked.snapshot, reason, checked)
            if on_pulled is not None:
                on_pulled(results[name])
        if progress:
            status = results[name]
            elapsed = f" in {took[name]:.1f} s" if name in took else ""
            progress(f"  {name}: {status.state.value}{elapsed}" + (f" ({status.error})" if status.error else ""))
    if progress and len(names) > 1:
        progress(f"pulled {len(names)} sources in {monotonic() - started:.1f} s")
    return results


# A pull can take minutes (Scholar's worker, a slow DBLP): say every so often that it is still on.
STILL_PULLING_EVERY_S = 15.0


def _still_pulling(progress: Progress, name: str, waited: float) -> None:
    progress(f"  still pulling {name} ({waited:.0f} s)")


def _join_saying_so(thread: threading.Thread, deadline: Deadline, say: Callable[[float], None] | None) -> None:
    """Wait for ``thread`` until ``deadline`` passes, reporting the wait every
    ``STILL_PULLING_EVERY_S`` through ``say``."""
    while thread.is_alive():
        left = deadline.remaining()
        if left <= 0:
            return
        thread.join(min(left, STILL_PULLING_EVERY_S))
        if thread.is_alive() and say is not None and not deadline.expired:
            say(deadline.elapsed())


# --- diff ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRequest:
    """One comparison to make: everything it reads is here, passed explicitly."""

    config: Config
    cv: CvRecord
    clock: Clock
    environ: Mapping[str, str]  # for the connectors' token variables and settings
    sources: tuple[str, ...] | None = None  # None: every enabled source
    refresh: bool = False  # pull every selected source first
    offline: bool = False  # never touch the network, not even for a source never pulled
    progress: Progress | None = field(default=None, compare=False)
    on_pulled: Callable[[SourceStatus], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RunResult:
    """What a comparison found: typed statuses and changes, the diff itself and the report model."""

    report: Report
    result: DiffResult
    snapshots: Mapping[str, Snapshot]

    @property
    def statuses(self) -> Mapping[str, SourceStatus]:
        return self.report.sources

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.result.changes

    @property
    def incomplete(self) -> bool:
        return self.report.incomplete

    @property
    def exit_status(self) -> ExitStatus:
        """3 when a source failed or nothing could be compared (no result is not "in sync"),
        else 1 with differences, 0 without."""
        if self.report.incomplete or not self.report.compared_expected:
            return ExitStatus.SOURCE_FAILED
        return ExitStatus.DIFFERENCES if self.report.changes else ExitStatus.OK


def selected_sources(config: Config, requested: Sequence[str] | None) -> tuple[str, ...]:
    enabled = config.enabled_sources()
    if not requested:
        return enabled
    problems = []
    for name in requested:
        if name not in SOURCE_NAMES:
            problems.append(f'unknown source "{name}" (known: {", ".join(SOURCE_NAMES)})')
        elif name not in config.sources:
            problems.append(f'source "{name}" is not configured in {config.path.name} (add sources.{name})')
    if problems:
        raise UserError("; ".join(problems))
    return tuple(n for n in SOURCE_NAMES if n in requested)


def _status_from_snapshot(name: str, snapshot: Snapshot, attempt: Mapping[str, Any] | None) -> SourceStatus:
    """A cached snapshot is ``ok`` unless a later pull of the source failed."""
    if attempt and not attempt.get("ok", True):
        try:
            failed_at = parse_time(str(attempt["at"]))
        except (KeyError, ValueError):
            failed_at = None
        if failed_at is None or failed_at >= snapshot.fetched_at:
            return SourceStatus(
                name=name,
                state=SourceState.STALE,
                fetched_at=snapshot.fetched_at,
                works=len(snapshot.works),
                error=str(attempt.get("error") or "the last pull failed"),
                sample=snapshot.sample,
                suspicious=bool(attempt.get("suspicious")),
            )
    return SourceStatus(name=name, state=SourceState.OK, fetched_at=snapshot.fetched_at, works=len(snapshot.works), sample=snapshot.sample, notes=snapshot.notes)


def _status_from_check(name: str, checked: CheckedSnapshot, attempt: Mapping[str, Any] | None, offline: bool) -> SourceStatus:
    """The status of a source that was not pulled in this run, from its cached file."""
    snapshot = checked.snapshot
    if checked.issue is SnapshotIssue.CORRUPT:
        # The file was there but is unreadable: stale (no good copy to show), not "never pulled".
        return SourceStatus(name=name, state=SourceState.STALE, error=checked.message)
    if checked.issue is SnapshotIssue.OTHER_TARGET:
        return SourceStatus(name=name, state=SourceState.FAILED, error=checked.message)
    if snapshot is None:
        hint = "offline and never pulled" if offline else "never pulled"
        return SourceStatus(name=name, state=SourceState.FAILED, error=f"no snapshot ({hint}); run `profilesync pull --source {name}`")
    status = _status_from_snapshot(name, snapshot, attempt)
    if checked.issue is SnapshotIssue.FUTURE:
        # Its data is used (it is this person's), but its age is unknown: never shown as fresh.
        return replace(status, state=SourceState.STALE, error=checked.message if status.state is SourceState.OK else f"{checked.message}; {status.error}")
    return status


def run(request: RunRequest) -> RunResult:
    """Compare the CV with every selected source's snapshot; pull only what ``refresh`` or a
    missing snapshot requires (never when ``offline``)."""
    from profilesync.diff.engine import DiffInput, compute
    from profilesync.match.matcher import load_params
    from profilesync.state import State

    config, cv, clock, offline, refresh = request.config, request.cv, request.clock, request.offline, request.refresh
    names = selected_sources(config, request.sources)
    store = SnapshotStore(config.snapshot_dir)
    person = researcher(config, cv)
    now = clock()
    checks = {name: store.check(name, pulled_for(person, name), now) for name in names}
    statuses: dict[str, SourceStatus] = {}
    # A source without a usable snapshot (none, corrupt, or another person's) is fetched first.
    to_pull = [n for n in names if refresh or (not offline and not checks[n].usable)]
    if to_pull and not offline:
        statuses.update(pull_sources(config, to_pull, clock=clock, environ=request.environ, refresh=refresh, cv=cv, progress=request.progress, on_pulled=request.on_pulled))
        checks.update({name: store.check(name, pulled_for(person, name), clock()) for name in to_pull})
    attempts = load_attempts(config)
    snapshots: dict[str, Snapshot] = {}
    for name in names:
        checked = checks[name]
        snapshot = checked.snapshot
        if snapshot is not None:
            # Again on reading: a snapshot file may have been edited by hand since the pull.
            snapshot = sanitize_snapshot(snapshot)
            snapshots[name] = snapshot
        if name in statuses:
            continue  # pulled in this run: the pull's status says what happened
        statuses[name] = _status_from_check(name, checked, attempts.get(name), offline)
    for name in SOURCE_NAMES:
        if name in config.sources and name not in names and not config.sources[name].enabled:
            statuses[name] = SourceStatus(name=name, state=SourceState.DISABLED)
    dblp_coauthors = getattr(config.sources["dblp"].options, "coauthors", ()) if "dblp" in config.sources else ()
    history = _load_history(config, snapshots)
    data = DiffInput(
        cv=cv,
        snapshots=snapshots,
        policy=config.policy,
        params=load_params(config.matching),
        person=person,
        coauthors=coauthors_of(cv, person, dblp_coauthors),
        decisions=State(config.cache_dir).decisions(),
        history=history,
        suspicious=frozenset(n for n, s in statuses.items() if s.suspicious),
    )
    result = compute(data)
    report = Report(
        generated_at=clock(),
        person=person,
        sources=statuses,
        changes=result.changes,
        compared=tuple(snapshots),
        metrics={name: snapshot.metrics for name, snapshot in snapshots.items() if not snapshot.metrics.is_empty()},
        coverage=result.coverage,
        history=history,
        suppressed=result.suppressed,
    )
    return RunResult(report=report, result=result, snapshots=snapshots)


def _load_history(config: Config, snapshots: Mapping[str, Snapshot]) -> dict[str, list[dict[str, Any]]]:
    """Each snapshot's source's metrics history, as plain report data (oldest first)."""
    from profilesync.history import load_history

    return {name: [entry.to_dict() for entry in load_history(config.cache_dir, name)] for name, snapshot in snapshots.items() if not snapshot.metrics.is_empty()}
