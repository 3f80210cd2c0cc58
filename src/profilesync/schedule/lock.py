"""One scheduled run at a time per profile: an OS file lock plus a note of who holds it.

The exclusion itself is an OS lock (``filelock``: ``flock`` on POSIX, ``LockFileEx`` on Windows)
on ``cache/schedule.lock``. The OS releases it when the holding process dies, however it dies, so
a crashed or killed run can never leave a lock behind that blocks every later run, and a pid that
the system has since given to an unrelated process cannot keep a dead run's lock alive (the
weakness of a bare pid file).

Next to it, ``cache/schedule.lock.json`` records the holder (pid, host, start time). It is only
information: a second run uses it to say who is running, and a run that finds it left behind by a
process that is gone (checked by pid on this host) says it recovered a stale lock.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from profilesync.errors import ExitStatus, Problem, ProfileSyncError, UserError
from profilesync.model import format_time

log = logging.getLogger(__name__)

LOCK_NAME = "schedule.lock"
HOLDER_NAME = "schedule.lock.json"


@dataclass(frozen=True)
class Holder:
    """Who took the lock, as recorded in the holder note."""

    pid: int
    host: str
    started_at: str | None = None
    command: str | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Holder | None:
        if not isinstance(data, dict) or not isinstance(data.get("pid"), int):
            return None
        return cls(pid=int(data["pid"]), host=str(data.get("host") or ""), started_at=data.get("started_at"), command=data.get("command"))

    def describe(self) -> str:
        since = f", started {self.started_at}" if self.started_at else ""
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"pid {self.pid}{where}{since}"


class RunInProgress(ProfileSyncError):
    """Another run holds the lock; this one did nothing."""

    exit_status = ExitStatus.ERROR

    def __init__(self, lock_path: Path, holder: Holder | None):
        self.lock_path = lock_path
        self.holder = holder
        who = f" ({holder.describe()})" if holder else ""
        super().__init__(
            str(
                Problem(
                    str(lock_path),
                    None,
                    f"another profilesync run{who} holds the lock; this run was skipped and changed nothing",
                    "wait for it to finish; runs stop at schedule.deadline_s",
                )
            )
        )


def pid_alive(pid: int) -> bool:
    """True when a process with ``pid`` exists on this host (signal 0 only checks)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just not ours
    except OSError:
        return False
    return True


class RunLock:
    """``with RunLock(cache_dir, now): ...`` runs the body holding the profile's run lock.

    Raises ``RunInProgress`` at once when another live run holds it (no waiting: a scheduled run
    that finds its predecessor still busy is skipped, not queued). ``recovered`` is set when the
    previous holder's note was left by a process that is gone.
    """

    def __init__(self, directory: Path, now: datetime, command: str = "schedule"):
        self.lock_path = directory / LOCK_NAME
        self.holder_path = directory / HOLDER_NAME
        self.now = now
        self.command = command
        self.recovered: Holder | None = None
        self._lock: FileLock | None = None

    def read_holder(self) -> Holder | None:
        try:
            return Holder.from_dict(json.loads(self.holder_path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def acquire(self) -> None:
        """Take the lock. Raises ``RunInProgress``, or ``UserError`` when the cache directory
        cannot hold a lock file (not a directory, not writable)."""
        lock = FileLock(str(self.lock_path), timeout=0)
        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except Timeout:
            raise RunInProgress(self.lock_path, self.read_holder()) from None
        except OSError as exc:
            raise UserError(
                [Problem(str(self.lock_path.parent), None, f"cannot create the run lock there: {exc.strerror or exc}", "cache_dir must be a writable directory")]
            ) from None
        self._lock = lock
        previous = self.read_holder()
        if previous is not None and previous.pid != os.getpid():
            # We hold the OS lock, so the note's writer no longer does: it died without cleaning up.
            state = "no longer running" if not pid_alive(previous.pid) or previous.host != socket.gethostname() else "not holding the lock"
            log.warning("recovered a stale run lock left by %s (%s)", previous.describe(), state)
            self.recovered = previous
        note = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": format_time(self.now), "command": self.command}
        try:
            self.holder_path.write_text(json.dumps(note) + "\n", encoding="utf-8")
        except OSError as exc:  # the note is information only; the OS lock is what excludes
            log.warning("could not write %s: %s", self.holder_path, exc.strerror)

    def release(self) -> None:
        if self._lock is None:
            return
        try:
            holder = self.read_holder()
            if holder is not None and holder.pid == os.getpid():
                self.holder_path.unlink()
        except OSError:
            pass
        finally:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_state(directory: Path) -> str | None:
    """Who runs now ("pid 123, started ..."), or None when no run holds the lock. Reads only."""
    lock_path = directory / LOCK_NAME
    if not lock_path.exists():
        return None
    probe = FileLock(str(lock_path), timeout=0)
    try:
        probe.acquire()
    except Timeout:
        try:
            holder = Holder.from_dict(json.loads((directory / HOLDER_NAME).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            holder = None
        return holder.describe() if holder else "a process that left no note"
    except OSError:
        return None
    probe.release()
    return None
