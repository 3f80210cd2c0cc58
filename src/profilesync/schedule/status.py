"""What ``profilesync status`` shows: the last runs, each source's freshness, the cache, the tokens.

Everything is read from files the runs leave behind, and nothing is written: the ``runs`` table
of the state database, ``cache/status.json`` (each source's last pull attempt), the snapshots,
the run lock, and the report directory. A file that is missing means "never happened"; a file
that is unreadable is reported as a problem, never a crash.

Tokens are reported as "set" or "not set" only: not even a masked fragment of the value is shown
(a prefix and suffix together say more about a short token than one would like).
"""

from __future__ import annotations

import enum
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profilesync.errors import ProfileSyncError
from profilesync.model import PulledFor, format_time, parse_time

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from profilesync.config import Config
    from profilesync.cv.record import CvRecord


class Freshness(str, enum.Enum):
    OK = "ok"  # the last pull worked (or the snapshot is the newest thing known)
    FAILING = "failing"  # the last pull failed; the last good snapshot is in use
    NEVER_PULLED = "never pulled"
    CORRUPT = "corrupt"  # the snapshot file cannot be read
    OTHER_PROFILE = "not yours"  # pulled for another id or name: diff does not use it
    FUTURE = "future-dated"  # fetched_at is ahead of the clock: used, but not fresh
    DISABLED = "disabled"


@dataclass(frozen=True)
class SourceFreshness:
    name: str
    state: Freshness
    snapshot_at: datetime | None = None
    works: int | None = None
    sample: bool = False
    age_s: float | None = None
    last_attempt_at: str | None = None
    error: str | None = None
    suspicious: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state.value}
        if self.snapshot_at is not None:
            out["snapshot_at"] = format_time(self.snapshot_at)
            out["age_s"] = round(self.age_s or 0.0)
        if self.works is not None:
            out["works"] = self.works
        if self.sample:
            out["sample"] = True
        if self.last_attempt_at:
            out["last_attempt_at"] = self.last_attempt_at
        if self.error:
            out["error"] = self.error
        if self.suspicious:
            out["suspicious"] = True
        return out


@dataclass(frozen=True)
class RunRecord:
    command: str
    started_at: str
    exit_code: int | None
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"command": self.command, "started_at": self.started_at, "exit_code": self.exit_code, **({"summary": self.summary} if self.summary else {})}


@dataclass(frozen=True)
class TokenState:
    source: str
    variable: str
    is_set: bool


@dataclass(frozen=True)
class StatusReport:
    config_path: Path
    cache_dir: Path
    generated_at: datetime
    runs: tuple[RunRecord, ...]
    sources: tuple[SourceFreshness, ...]
    cache_bytes: int
    cache_parts: dict[str, int]
    tokens: tuple[TokenState, ...]
    running: str | None  # who holds the run lock, when a run is in progress
    latest_report: Path | None
    schedule: str | None
    next_run: datetime | None
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": str(self.config_path),
            "generated_at": format_time(self.generated_at),
            "last_run": self.runs[0].to_dict() if self.runs else None,
            "runs": [r.to_dict() for r in self.runs],
            "sources": {s.name: s.to_dict() for s in self.sources},
            "cache": {"path": str(self.cache_dir), "bytes": self.cache_bytes, "parts": dict(self.cache_parts)},
            "tokens": {t.variable: {"source": t.source, "set": t.is_set} for t in self.tokens},
            "running": self.running,
            "latest_report": str(self.latest_report) if self.latest_report else None,
            "schedule": {"cron": self.schedule, "next_run": format_time(self.next_run) if self.next_run else None},
            "problems": list(self.problems),
        }


def _cache_sizes(cache_dir: Path) -> tuple[int, dict[str, int]]:
    """Total bytes under ``cache_dir`` and a split by part (snapshots, http, state, other)."""
    parts: dict[str, int] = {}
    total = 0
    if not cache_dir.is_dir():
        return 0, parts
    for root, _dirs, files in os.walk(cache_dir):
        rel = Path(root).relative_to(cache_dir).parts
        for name in files:
            try:
                size = os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
            total += size
            if rel:
                part = rel[0]
            elif name.startswith("state.db"):
                part = "state"
            else:
                part = "other"
            parts[part] = parts.get(part, 0) + size
    return total, dict(sorted(parts.items()))


# States whose message is a problem with the snapshot file itself, listed under "problem:".
_SNAPSHOT_PROBLEMS = frozenset({Freshness.CORRUPT, Freshness.OTHER_PROFILE, Freshness.FUTURE})


def _freshness(config: Config, name: str, attempt: dict[str, Any] | None, now: datetime, target: PulledFor) -> SourceFreshness:
    """How ``name`` stands, judging its snapshot as ``diff`` does (SnapshotStore.check): a file
    diff would not use is not shown as ok here either."""
    from profilesync.snapshots import SnapshotIssue, SnapshotStore

    source = config.sources[name]
    if not source.enabled:
        return SourceFreshness(name, Freshness.DISABLED)
    try:
        checked = SnapshotStore(config.snapshot_dir).check(name, target, now)
    except ProfileSyncError as exc:
        return SourceFreshness(name, Freshness.CORRUPT, error=str(exc))
    if checked.issue is SnapshotIssue.CORRUPT:
        return SourceFreshness(name, Freshness.CORRUPT, error=checked.message)
    if checked.issue is SnapshotIssue.OTHER_TARGET:
        return SourceFreshness(name, Freshness.OTHER_PROFILE, error=checked.message)
    snapshot = checked.snapshot
    attempt_at = str(attempt.get("at")) if attempt and attempt.get("at") else None
    failed = bool(attempt and not attempt.get("ok", True))
    error = str(attempt.get("error")) if attempt and failed and attempt.get("error") else None
    suspicious = bool(attempt and attempt.get("suspicious"))
    if snapshot is None:
        return SourceFreshness(name, Freshness.FAILING if failed else Freshness.NEVER_PULLED, last_attempt_at=attempt_at, error=error)
    if failed and attempt_at:
        try:
            failed = parse_time(attempt_at) >= snapshot.fetched_at
        except ValueError:
            pass
    if checked.issue is SnapshotIssue.FUTURE:
        return SourceFreshness(name, Freshness.FUTURE, snapshot_at=snapshot.fetched_at, works=len(snapshot.works), sample=snapshot.sample, error=checked.message)
    return SourceFreshness(
        name,
        Freshness.FAILING if failed else Freshness.OK,
        snapshot_at=snapshot.fetched_at,
        works=len(snapshot.works),
        sample=snapshot.sample,
        age_s=max(0.0, (now - snapshot.fetched_at).total_seconds()),
        last_attempt_at=attempt_at,
        error=error if failed else None,
        suspicious=suspicious and failed,
    )


def gather_status(config: Config, *, load_cv: Callable[[], CvRecord], now: datetime, environ: Mapping[str, str]) -> StatusReport:
    """Collect the status of the profile ``config`` describes. ``load_cv`` may raise: status works
    with a broken CV. Every unreadable file becomes a listed problem."""
    from profilesync.config import SOURCE_NAMES
    from profilesync.pipeline import load_attempts, pulled_for, researcher
    from profilesync.schedule.lock import lock_state
    from profilesync.state import State

    problems: list[str] = []
    runs: list[RunRecord] = []
    try:
        for command, started_at, exit_code, summary in State(config.cache_dir).last_runs(5):
            runs.append(RunRecord(command, started_at, exit_code, _summary(summary)))
    except ProfileSyncError as exc:
        problems.append(str(exc))
    attempts = load_attempts(config)
    status_file = config.cache_dir / "status.json"
    if status_file.exists() and not attempts:
        try:
            json.loads(status_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            problems.append(f"{status_file}: unreadable; the next pull rewrites it")
    try:
        cv = load_cv()
    except ProfileSyncError:
        cv = None  # status must work with a broken CV: the ids then come from the config alone
    person = researcher(config, cv)
    sources = tuple(
        _freshness(config, name, attempts.get(name) if isinstance(attempts.get(name), dict) else None, now, pulled_for(person, name))
        for name in SOURCE_NAMES
        if name in config.sources
    )
    problems.extend(s.error for s in sources if s.state in _SNAPSHOT_PROBLEMS and s.error)
    total, parts = _cache_sizes(config.cache_dir)
    tokens = tuple(
        TokenState(name, source.token_env, bool(environ.get(source.token_env)))
        for name, source in config.sources.items()
        if source.token_env
    )
    holder = lock_state(config.cache_dir)
    latest = config.report_dir / "latest.json" if config.report_dir else None
    schedule, next_run = config.schedule.cron, None
    if schedule:
        try:
            from profilesync.schedule.cron import cron_spec, next_runs, schedule_timezone

            upcoming = next_runs(cron_spec(config), schedule_timezone(config), now, 1)
            next_run = upcoming[0] if upcoming else None
        except ProfileSyncError as exc:
            problems.append(str(exc))
    return StatusReport(
        config_path=config.path,
        cache_dir=config.cache_dir,
        generated_at=now,
        runs=tuple(runs),
        sources=sources,
        cache_bytes=total,
        cache_parts=parts,
        tokens=tokens,
        running=holder,
        latest_report=latest if latest is not None and latest.is_file() else None,
        schedule=schedule,
        next_run=next_run,
        problems=tuple(problems),
    )


def _summary(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {"text": text}
    return data if isinstance(data, dict) else {"text": text}
