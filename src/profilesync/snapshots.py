"""The snapshot store: ``cache/snapshots/<source>.json``, written atomically.

A snapshot is replaced only by a complete new one (temporary file in the same directory, fsync,
``os.replace``), so a pull that fails half-way never leaves a torn file, and the last good
snapshot is what the report falls back to.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from profilesync.errors import Problem, UserError
from profilesync.model import Snapshot
from profilesync.writelock import real_path

log = logging.getLogger(__name__)


_UMASK_LOCK = threading.Lock()


def _current_umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str, *, newline: str = "\n", keep_mode: bool = False) -> None:
    """Write ``text`` to ``path`` so readers see either the old file or the whole new one.

    A temporary file in the same directory is fsynced and then ``os.replace``d over ``path``.
    ``newline=""`` writes line endings exactly as they are in ``text`` (a CV keeps its CRLFs);
    ``keep_mode`` gives the new file the old one's permissions.

    A symlink is followed, as ``open(path, "w")`` would: the file it points to is replaced (the
    temporary file goes in *that* directory, so the rename stays on one filesystem) and the link
    is kept. Replacing the link itself would leave the real file unchanged while the caller
    reports success (a symlinked cv.yaml, a homepage file linked into a site).
    """
    path = real_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_mode and path.exists():
            shutil.copymode(path, tmp)
        else:
            # mkstemp makes the file 0600; a report or homepage file is meant to be read by
            # others (a web server), so give it the mode a plain open() would: 0666 less umask.
            os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class SnapshotStore:
    def __init__(self, directory: Path):
        self.directory = directory

    def path_for(self, source: str) -> Path:
        return self.directory / f"{source}.json"

    def exists(self, source: str) -> bool:
        return self.path_for(source).is_file()

    def load(self, source: str) -> Snapshot | None:
        """The last snapshot of ``source``, or None. A corrupt file is reported, not trusted."""
        path = self.path_for(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:  # e.g. cache_dir is a file, or unreadable
            raise UserError([Problem(str(path), None, f"cannot read the snapshot: {exc.strerror or exc}", "check that cache_dir is a readable directory")]) from None
        try:
            return Snapshot.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(
                [Problem(str(path), None, f"the snapshot is corrupt ({exc.__class__.__name__}: {exc})", f"delete it and run `profilesync pull --source {source}`")]
            ) from None

    def save(self, snapshot: Snapshot) -> Path:
        path = self.path_for(snapshot.source)
        text = json.dumps(snapshot.to_dict(), ensure_ascii=False, indent=1) + "\n"
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise UserError([Problem(str(path), None, f"cannot write the snapshot: {exc.strerror}", "check that the cache directory is writable and the disk is not full")]) from None
        return path
