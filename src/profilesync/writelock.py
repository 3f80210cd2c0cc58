"""One writer at a time per file profilesync rewrites: the CV, and each export target.

``push --to cv``, the scheduled push (``schedule.push_cv``) and ``export --output`` read a file,
decide, and replace it. Two of them at once lost updates: both read the same CV, both wrote, the
second write dropped the first one's changes, and both marked their decisions applied. Now:

- the writer notes the file's digest (``file_digest``) before it reads the file to decide;
- it takes ``write_lock(cache_dir, target)`` before writing, and holds it through the replace
  (and, for the push, through recording the decisions);
- under the lock it compares the digest again, and ``cv.writer.save_document`` compares it once
  more just before ``os.replace``. A file that changed since it was read is never overwritten: an
  unattended push diffs again under the lock (so both runs' changes land), an export re-renders
  on the file as it is, and an interactive push refuses ("the CV changed since the diff").

The lock is taken only when there is something to write, so a run that writes nothing leaves no
lock file behind, and the lock is never held while the user reads a diff at a prompt.

The lock is an OS lock (``filelock``: ``flock`` on POSIX, ``LockFileEx`` on Windows), released by
the OS however the holder dies, so a killed push never leaves a lock that blocks later ones.

Where the lock file lives: ``<cache_dir>/locks/<name>.<digest of the real path>.lock``, not next
to the target. The target's directory is the user's (a Git repository, a website's source), and a
lock file left there would show up in ``git status`` or be published by the site generator (filelock
leaves the file in place on POSIX, by design). The cache directory is profilesync's own, and the
push already writes its backups and decisions there. The name is derived from the *resolved* path,
so a symlink and its target, or two spellings of one path, share one lock. The cost: two profiles
with different cache directories that write the same file are not excluded by the lock; for them
the digest check just before the replace still refuses stale changes, except in the instant
between that check and the rename.

Waiting is bounded (``DEFAULT_TIMEOUT_S``, or ``PROFILESYNC_LOCK_TIMEOUT_S``): a run that cannot
get the lock stops with ``LockBusy`` (exit 2) and writes nothing, so an unattended run never hangs.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from profilesync.errors import Problem, UserError

DEFAULT_TIMEOUT_S = 30.0
TIMEOUT_VARIABLE = "PROFILESYNC_LOCK_TIMEOUT_S"


class LockBusy(UserError):
    """Another process held the target's write lock for longer than the timeout; nothing was written."""

    def __init__(self, label: str, lock_path: Path, timeout_s: float):
        self.lock_path = lock_path
        super().__init__(
            [
                Problem(
                    label,
                    None,
                    f"another profilesync run is writing this file and did not finish within {timeout_s:g} s (lock {lock_path}); nothing was written",
                    f"run the command again when the other run has finished; {TIMEOUT_VARIABLE}=SECONDS waits longer",
                )
            ]
        )


def real_path(path: Path) -> Path:
    """The file a write to ``path`` must replace: ``path``, or the end of its chain of symlinks.

    Replacing the symlink itself would leave the real file (the CV under version control, the site's
    copy) unchanged while the run reports success. Raises ``OSError(ELOOP)`` for a symlink loop.
    """
    if not path.is_symlink():
        return path
    try:
        resolved = path.resolve(strict=False)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None
    if resolved.is_symlink():  # resolve() gives up on a loop and returns a link in it
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    return resolved


def file_digest(path: Path) -> str | None:
    """SHA-256 of the file's bytes (through symlinks), read in blocks; None when it does not exist
    or cannot be read (the reader that follows reports why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def lock_timeout(environ: Mapping[str, str]) -> float:
    """The wait for a busy lock, from ``PROFILESYNC_LOCK_TIMEOUT_S`` or the default."""
    value = environ.get(TIMEOUT_VARIABLE)
    if not value:
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(value)
        if not 0 <= seconds < 86400:
            raise ValueError(value)
    except ValueError:
        raise UserError([Problem(None, TIMEOUT_VARIABLE, f"{value!r} is not a number of seconds", f"set e.g. {TIMEOUT_VARIABLE}=60, or unset it")]) from None
    return seconds


def lock_path_for(cache_dir: Path, target: Path) -> Path:
    try:
        real = real_path(target.absolute())
    except OSError:
        real = target.absolute()
    digest = hashlib.sha256(os.fsencode(os.path.normpath(real))).hexdigest()[:16]
    return cache_dir / "locks" / f"{real.name}.{digest}.lock"


@contextmanager
def write_lock(cache_dir: Path, target: Path, label: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[Path]:
    """Hold the write lock of ``target`` for the body; yields the lock file's path.

    Other processes and threads wait up to ``timeout_s`` and then get ``LockBusy``; the same
    thread may take it again inside the body. ``UserError`` when the cache directory cannot hold
    the lock file.
    """
    from filelock import FileLock, Timeout  # here: importing it costs a read-only command 10 ms

    path = lock_path_for(cache_dir, target)
    # is_singleton: one FileLock per path in this process, so a nested take (e.g. an export whose
    # target is the CV file a push in the same process holds) counts up instead of deadlocking
    # on a second flock of the same file.
    lock = FileLock(str(path), is_singleton=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=timeout_s)
    except Timeout:
        raise LockBusy(label, path, timeout_s) from None
    except OSError as exc:
        raise UserError([Problem(str(path.parent), None, f"cannot create the write lock there: {exc.strerror or exc}", "cache_dir must be a writable directory")]) from None
    try:
        yield path
    finally:
        lock.release()
