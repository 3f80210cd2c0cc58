"""Write an edited CV back safely: validate, back up, replace atomically.

``save_document`` is the only place that writes the CV file. The new text is read back with the
format's own reader and validated against ``cv.schema.json`` before anything is written; no
publication may disappear; the file must not have changed on disk since it was read. The old
file is copied to a new backup (timestamp, pid and a random part: never overwritten; the last ``keep``
are kept), and the new one replaces it with ``os.replace``, so a crash at any moment leaves either
the old file or the new one. Callers that read, decide and write hold the CV's write lock
(``profilesync.writelock``) and pass the digest their changes were computed from.
"""

from __future__ import annotations

import difflib
import errno
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from profilesync.cv.formats.base import CvDocument
from profilesync.errors import Problem, UserError
from profilesync.snapshots import atomic_write_text
from profilesync.validation import check
from profilesync.writelock import file_digest

DEFAULT_KEEP_BACKUPS = 10


@dataclass(frozen=True)
class SaveResult:
    """What ``save_document`` did. ``backup`` is None when nothing was written."""

    path: Path
    written: bool
    backup: Path | None
    diff: str


# Above this many lines (both sides) the diff's line matching is textpatch's near-linear one:
# difflib's matcher slows down sharply on a long CV, whose lines "type: conference" or
# "year: 2019" repeat thousands of times. Below it the output is difflib's, as before.
_LINEAR_DIFF_LINES = 20_000


class _LinearLineMatcher(difflib.SequenceMatcher[str]):
    """difflib's grouping of changes around context, on textpatch's line opcodes."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._lines = (a, b)

    def get_opcodes(self) -> list[Any]:
        from profilesync.cv.formats.textpatch import line_opcodes

        return line_opcodes(*self._lines)


def _range(start: int, stop: int) -> str:
    """A hunk's line range as ``diff -u`` writes it."""
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start + 1 if length else start},{length}"


def _linear_unified_diff(a: list[str], b: list[str], fromfile: str, tofile: str, context: int = 3) -> list[str]:
    out: list[str] = []
    matcher = _LinearLineMatcher(a, b)
    for group in matcher.get_grouped_opcodes(context):
        if not out:
            out += [f"--- {fromfile}\n", f"+++ {tofile}\n"]
        out.append(f"@@ -{_range(group[0][1], group[-1][2])} +{_range(group[0][3], group[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            if tag in ("replace", "delete"):
                out += ["-" + line for line in a[i1:i2]]
            if tag in ("replace", "insert"):
                out += ["+" + line for line in b[j1:j2]]
    return out


def unified_diff(document: CvDocument, new_text: str) -> str:
    """A ``diff -u`` of the CV file, as ``push --dry-run`` prints it."""
    name = document.label
    a, b = document.original_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
    if len(a) + len(b) > _LINEAR_DIFF_LINES:
        return "".join(_linear_unified_diff(a, b, f"a/{name}", f"b/{name}"))
    return "".join(difflib.unified_diff(a, b, fromfile=f"a/{name}", tofile=f"b/{name}"))


def check_new_text(document: CvDocument, new_text: str) -> None:
    """Read ``new_text`` back and validate it. Raises ``UserError`` (nothing is written) if the
    result is not a valid CV, or if a publication would be lost."""
    try:
        reread = document.reopen(new_text)
        data = reread.to_data()
    except UserError as exc:
        raise UserError([Problem(document.label, p.where, f"the edited CV would not read back: {p.what}", "report this as a bug; the file was not changed") for p in exc.problems]) from None
    problems = check(data, "cv.schema.json", document.label)
    if problems:
        raise UserError([Problem(p.file, p.where, f"the edited CV would be invalid: {p.what}", p.fix or "the file was not changed") for p in problems])
    before = document.initial_keys
    after = {e.get("key") for e in reread.publications()}
    lost = [k for k in before if k not in after] if document.stable_keys else []
    if len(after) < len(before):
        lost = lost or [f"{len(before) - len(after)} publication(s)"]
    if lost:
        raise UserError([Problem(document.label, None, f"the edit would remove {', '.join(map(str, lost))}", "profilesync never deletes CV entries; the file was not changed")])
    keys = [e.get("key") for e in reread.publications()]
    dupes = sorted({str(k) for k in keys if keys.count(k) > 1})
    if dupes:
        raise UserError([Problem(document.label, None, f"the edit would duplicate the key(s) {', '.join(dupes)}", "the file was not changed")])
    reread.record()  # the record builder must accept it too


def backup_path(directory: Path, cv_path: Path, now: datetime) -> Path:
    """A fresh backup name: ``<name>.<timestamp>-<pid>-<random>.bak``.

    The stamp keeps backups in time order by name (``prune_backups`` relies on it); the pid and a
    random part make two pushes in the same second (or with the same injected clock) pick
    different names. ``_write_backup`` creates it exclusively, so even a clash never overwrites.
    """
    stamp = now.strftime("%Y%m%dT%H%M%S")
    return directory / f"{cv_path.name}.{stamp}-{os.getpid()}-{secrets.token_hex(3)}.bak"


def _write_backup(directory: Path, cv_path: Path, now: datetime, text: str) -> Path:
    """Write ``text`` to a new backup file (never over an existing one) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    for _ in range(8):
        path = backup_path(directory, cv_path, now)
        try:
            with path.open("x", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            continue
        except BaseException:
            path.unlink(missing_ok=True)  # a half-written backup is worse than none
            raise
        return path
    raise FileExistsError(errno.EEXIST, "no free backup name", str(directory))


def prune_backups(directory: Path, cv_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``cv_path``; returns the deleted paths."""
    backups = sorted(directory.glob(f"{cv_path.name}.*.bak"))
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _replace_atomically(path: Path, text: str) -> None:
    """Replace ``path`` atomically, keeping its line endings as written and its permissions."""
    atomic_write_text(path, text, newline="", keep_mode=True)


def save_document(
    document: CvDocument,
    *,
    backup_dir: Path,
    now: datetime,
    keep: int = DEFAULT_KEEP_BACKUPS,
    expected_digest: str | None = None,
) -> SaveResult:
    """Validate the edited document and write it over the CV file.

    ``expected_digest`` (``writelock.file_digest`` of the bytes the changes were computed from) is
    compared with the file's digest just before the replace: the caller holds the CV's write lock,
    so no profilesync run can write between that check and the replace, and anything else that
    wrote the file since the diff (an editor, a run of another profile) is caught. Without it, the
    text read by ``open_document`` is compared instead.

    Returns a ``SaveResult``; raises ``UserError`` (and writes nothing) when the result would be
    invalid, when the file changed on disk since it was read, or when a write fails. A symlinked
    CV stays a symlink: its target is backed up and replaced.
    """
    new_text = document.render()
    diff = unified_diff(document, new_text)
    if new_text == document.original_text:
        return SaveResult(document.path, False, None, diff)
    check_new_text(document, new_text)
    try:
        on_disk = document.path.read_text(encoding="utf-8")
        digest = file_digest(document.path) if expected_digest is not None else None
    except OSError as exc:
        raise UserError([Problem(document.label, None, f"cannot read it again before writing: {exc}")]) from None
    if on_disk != document.original_text or digest != expected_digest:
        raise UserError(
            [
                Problem(
                    document.label,
                    None,
                    "the CV changed on disk since the diff was computed (another push, the scheduled run or an editor wrote it); nothing was written",
                    "run `profilesync diff` again, then push again",
                )
            ]
        )
    try:
        backup = _write_backup(backup_dir, document.path, now, document.original_text)
        _replace_atomically(document.path, new_text)
    except OSError as exc:
        raise UserError([Problem(document.label, None, f"cannot write: {exc.strerror or exc}", "check that the file and the backup directory are writable; the CV was not changed")]) from None
    prune_backups(backup_dir, document.path, keep)
    return SaveResult(document.path, True, backup, diff)
