"""The snapshot store: ``cache/snapshots/<source>.json``, written atomically.

A snapshot is replaced only by a complete new one (temporary file in the same directory, fsync,
``os.replace``), so a pull that fails half-way never leaves a torn file, and the last good
snapshot is what the report falls back to.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from profilesync.errors import Problem, UserError
from profilesync.model import PulledFor, Snapshot, format_time
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


# How far ahead of this machine's clock a snapshot's fetched_at may be before it is flagged: a
# pull on a machine whose clock runs a little fast is not an edited file.
FUTURE_TOLERANCE = timedelta(minutes=5)

# What each source's configured id is called in messages.
_ID_LABELS = {"dblp": "DBLP pid", "orcid": "ORCID iD", "scholar": "Scholar user", "github": "GitHub login"}


class SnapshotIssue(str, enum.Enum):
    CORRUPT = "corrupt"  # unreadable JSON or a wrong shape: no data
    OTHER_TARGET = "other_target"  # pulled for another id or name: no data
    FUTURE = "future"  # fetched_at ahead of the clock: data used, but not shown as fresh


@dataclass(frozen=True)
class CheckedSnapshot:
    """A snapshot as the diff may use it: ``snapshot`` is the data to compare with (None when there
    is no file or it is unusable), ``issue`` and ``message`` say what is wrong with the file."""

    snapshot: Snapshot | None
    issue: SnapshotIssue | None = None
    message: str | None = None

    @property
    def usable(self) -> bool:
        return self.snapshot is not None


class _Corrupt(Exception):
    pass


def _same_id(source: str, a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    if source == "orcid":
        from profilesync.normalize.identifiers import normalize_orcid

        return (normalize_orcid(a) or a.strip().upper()) == (normalize_orcid(b) or b.strip().upper())
    if source == "github":
        return a.strip().casefold() == b.strip().casefold()  # GitHub logins ignore case
    return a.strip() == b.strip()


def _same_name(a: str | None, b: str | None) -> bool:
    from profilesync.normalize.names import strip_dblp_suffix

    def key(name: str) -> str:
        return " ".join(strip_dblp_suffix(name).split()).casefold()

    return bool(a and b) and key(a) == key(b)  # type: ignore[arg-type]


def _describe(source: str, ident: str | None, name: str | None) -> str:
    label = _ID_LABELS.get(source, f"{source} id")
    if ident:
        return f"{label} {ident}" + (f" ({name})" if name else "")
    return f'a search for the name "{name}"' if name else "a profile that names no id or person"


def target_problem(snapshot: Snapshot, expected: PulledFor) -> str | None:
    """Why ``snapshot`` is not the profile ``expected`` names, or None when it is.

    A snapshot records the target it was pulled for (``pulled_for``). One written before that was
    recorded is trusted only when the source itself said whose profile it is and that agrees:
    its ``person.ids.<source>`` equals the configured id (or, with no id configured, its person's
    name is the profile name). Anything else is treated as another person's data.
    """
    source = snapshot.source
    held = snapshot.pulled_for
    person = snapshot.person
    reported_id = getattr(person.ids, source, None) if person is not None else None
    reported_name = person.name if person is not None else None
    label = _ID_LABELS.get(source, f"{source} id")
    wanted = f"the configured {label} {expected.id}" if expected.id else f'a search for the profile name "{expected.name}"'
    if held is not None:
        if expected.id:
            if _same_id(source, held.id, expected.id):
                return None
            if held.id is None and _same_id(source, reported_id, expected.id):
                return None  # found by a name search, and the search found the id now configured
            return f"was pulled for {_describe(source, held.id, held.name)}, not for {wanted}"
        if held.id is None and _same_name(held.name, expected.name):
            return None
        return f"was pulled for {_describe(source, held.id, held.name)}, not for {wanted}"
    # An older snapshot that does not record its target: only the source's own word counts.
    if expected.id and _same_id(source, reported_id, expected.id):
        return None
    if not expected.id and _same_name(reported_name, expected.name):
        return None
    return f"records no target (an older snapshot) and its profile, {_describe(source, reported_id, reported_name)}, is not {wanted}"


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
            return self._read(source)
        except _Corrupt as exc:
            raise UserError([Problem(str(path), None, f"the snapshot is corrupt ({exc})", f"delete it and run `profilesync pull --source {source}`")]) from None

    def _read(self, source: str) -> Snapshot | None:
        path = self.path_for(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as exc:
            raise _Corrupt(f"{exc.__class__.__name__}: {exc}") from None
        except OSError as exc:  # e.g. cache_dir is a file, or unreadable: the whole run's problem
            raise UserError([Problem(str(path), None, f"cannot read the snapshot: {exc.strerror or exc}", "check that cache_dir is a readable directory")]) from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise TypeError(f"expected a JSON object, found {type(data).__name__}")
            snapshot = Snapshot.from_dict(data)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise _Corrupt(f"{exc.__class__.__name__}: {exc}") from None
        if snapshot.source != source:
            raise _Corrupt(f'it is a snapshot of "{snapshot.source}", not of "{source}"')
        if snapshot.fetched_at.tzinfo is None:
            # An edited file without a zone: read it as UTC (what format_time writes) rather than
            # fail later comparing it with the aware clock.
            snapshot = replace(snapshot, fetched_at=snapshot.fetched_at.replace(tzinfo=timezone.utc))
        return snapshot

    def check(self, source: str, expected: PulledFor, now: datetime) -> CheckedSnapshot:
        """The snapshot of ``source`` if the diff may use it, else what is wrong with it.

        Never raises for a bad file (a corrupt one, another person's, a future date): one source's
        file must not stop the report on the others. An unreadable cache directory still raises.
        """
        path = self.path_for(source)
        pull = f"run `profilesync pull --source {source}`"
        try:
            snapshot = self._read(source)
        except _Corrupt as exc:
            return CheckedSnapshot(None, SnapshotIssue.CORRUPT, f"{path}: the snapshot is corrupt or truncated ({exc}); not used: {pull}")
        if snapshot is None:
            return CheckedSnapshot(None)
        problem = target_problem(snapshot, expected)
        if problem is not None:
            return CheckedSnapshot(None, SnapshotIssue.OTHER_TARGET, f"{path} {problem}; not used: {pull}")
        if snapshot.fetched_at > now + FUTURE_TOLERANCE:
            return CheckedSnapshot(
                snapshot,
                SnapshotIssue.FUTURE,
                f"{path}: fetched_at {format_time(snapshot.fetched_at)} is in the future (clock skew or edited file); {pull}",
            )
        return CheckedSnapshot(snapshot)

    def save(self, snapshot: Snapshot) -> Path:
        path = self.path_for(snapshot.source)
        text = json.dumps(snapshot.to_dict(), ensure_ascii=False, indent=1) + "\n"
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise UserError([Problem(str(path), None, f"cannot write the snapshot: {exc.strerror}", "check that the cache directory is writable and the disk is not full")]) from None
        return path
