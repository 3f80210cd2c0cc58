"""The last accepted state and the researcher's decisions, in SQLite under the cache directory.

The diff is three-way (vdirsyncer's idea): the CV, each source's snapshot, and what the researcher
saw and decided last time. A rejected or ignored change is not proposed again until the source's
value for it changes (its ``value_digest`` differs from the one decided on).
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from profilesync.errors import Problem, UserError
from profilesync.model import format_time


class Decision(str, enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IGNORED = "ignored"


@dataclass(frozen=True)
class DecisionRecord:
    fingerprint: str
    decision: Decision
    value_digest: str
    decided_at: str
    applied: bool = False


_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    fingerprint TEXT PRIMARY KEY,
    decision TEXT NOT NULL,
    value_digest TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    exit_code INTEGER,
    summary TEXT
);
"""


class State:
    """Open lazily; reading a missing database is not an error (nothing decided yet)."""

    def __init__(self, cache_dir: Path):
        self.path = cache_dir / "state.db"

    @contextmanager
    def _connect(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection in a transaction, always closed (``with conn`` only commits); None when
        the database does not exist and ``create`` is false. Raises ``UserError`` for a database
        that cannot be opened or read."""
        if not create and not self.path.exists():
            yield None
            return
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path)
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        except OSError as exc:
            raise UserError([Problem(str(self.path), None, f"cannot open the state database: {exc.strerror}", "check that the cache directory is writable")]) from None
        try:
            with conn:
                conn.executescript(_SCHEMA)
                yield conn
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        finally:
            conn.close()

    def _unreadable(self, exc: sqlite3.DatabaseError) -> UserError:
        return UserError([Problem(str(self.path), None, f"the state database is unreadable ({exc})", "move it aside; profilesync will start a new one (past decisions are lost)")])

    def decisions(self) -> dict[str, DecisionRecord]:
        with self._connect(create=False) as conn:
            if conn is None:
                return {}
            rows = conn.execute("SELECT fingerprint, decision, value_digest, decided_at, applied FROM decisions").fetchall()
        return {r[0]: DecisionRecord(r[0], Decision(r[1]), r[2], r[3], bool(r[4])) for r in rows}

    def record(self, items: Iterable[tuple[str, Decision, str]], now: datetime) -> None:
        """Store decisions as (fingerprint, decision, value_digest)."""
        with self._connect(create=True) as conn:
            assert conn is not None
            conn.executemany(
                "INSERT INTO decisions (fingerprint, decision, value_digest, decided_at, applied) VALUES (?, ?, ?, ?, 0) "
                "ON CONFLICT(fingerprint) DO UPDATE SET decision=excluded.decision, value_digest=excluded.value_digest, decided_at=excluded.decided_at, applied=0",
                [(f, d.value, v, format_time(now)) for f, d, v in items],
            )

    def mark_applied(self, fingerprints: Iterable[str]) -> None:
        with self._connect(create=True) as conn:
            assert conn is not None
            conn.executemany("UPDATE decisions SET applied = 1 WHERE fingerprint = ?", [(f,) for f in fingerprints])

    def log_run(self, command: str, started: datetime, exit_code: int, summary: str) -> None:
        with self._connect(create=True) as conn:
            assert conn is not None
            conn.execute("INSERT INTO runs (command, started_at, exit_code, summary) VALUES (?, ?, ?, ?)", (command, format_time(started), exit_code, summary))

    def last_runs(self, limit: int = 10) -> list[tuple[str, str, int | None, str | None]]:
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            return conn.execute("SELECT command, started_at, exit_code, summary FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
