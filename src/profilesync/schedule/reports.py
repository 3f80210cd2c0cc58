"""The report archive of scheduled runs: ``reports/<timestamp>.json`` and ``.md``, plus ``latest.*``.

Every file is written atomically (temporary file + ``os.replace``), the timestamped pair first and
``latest.*`` last, so a reader of ``latest.json`` always sees one whole report. Only the
``keep_reports`` newest timestamped pairs are kept; ``latest.*`` and files that are not ours are
never deleted.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from profilesync.errors import Problem, UserError
from profilesync.snapshots import atomic_write_text

log = logging.getLogger(__name__)

# 2026-11-28T060000Z, optionally -2, -3 ... when two runs start in the same second.
STAMP_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{6}Z)(-\d+)?$")
LATEST = "latest"


@dataclass(frozen=True)
class ArchivedReport:
    """Where one run's report went."""

    json_path: Path
    markdown_path: Path
    latest_json: Path
    latest_markdown: Path
    removed: tuple[Path, ...] = ()


def stamp(moment: datetime) -> str:
    """A file-name-safe UTC timestamp that sorts in time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")


def _free_stem(directory: Path, base: str) -> str:
    stem, n = base, 1
    while (directory / f"{stem}.json").exists() or (directory / f"{stem}.md").exists():
        n += 1
        stem = f"{base}-{n}"
    return stem


def archived_stems(directory: Path) -> list[str]:
    """Stems of the timestamped reports in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    stems = {p.stem for p in directory.iterdir() if p.suffix in (".json", ".md") and STAMP_RE.match(p.stem)}

    def order(stem: str) -> tuple[str, int]:
        match = STAMP_RE.match(stem)
        assert match is not None
        return match.group(1), int((match.group(2) or "-1")[1:])

    return sorted(stems, key=order)


def read_latest(directory: Path) -> Mapping[str, Any] | None:
    """The previous run's JSON report, or None when there is none or it is unreadable."""
    try:
        data = json.loads((directory / f"{LATEST}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_reports(directory: Path, moment: datetime, json_text: str, markdown_text: str, keep: int) -> ArchivedReport:
    """Write one run's reports and prune the archive to ``keep`` runs.

    Raises ``UserError`` when the report directory cannot be written (naming it).
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        stem = _free_stem(directory, stamp(moment))
        json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
        atomic_write_text(json_path, json_text)
        atomic_write_text(md_path, markdown_text)
        latest_json, latest_md = directory / f"{LATEST}.json", directory / f"{LATEST}.md"
        atomic_write_text(latest_json, json_text)
        atomic_write_text(latest_md, markdown_text)
    except OSError as exc:
        raise UserError(
            [Problem(str(directory), None, f"cannot write the run's report: {exc.strerror or exc}", "check schedule.report_dir: it must be a writable directory")]
        ) from None
    removed: list[Path] = []
    stems = archived_stems(directory)
    for old in stems[: max(0, len(stems) - max(1, keep))]:
        for suffix in (".json", ".md"):
            path = directory / f"{old}{suffix}"
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("could not remove the old report %s: %s", path, exc.strerror)
    return ArchivedReport(json_path, md_path, latest_json, latest_md, tuple(removed))


def change_ids(report: Mapping[str, Any] | None) -> frozenset[str]:
    """The identities of a report's changes (the ``id`` fingerprint, else kind/source/key)."""
    if not report:
        return frozenset()
    out = set()
    for change in report.get("changes") or ():
        if isinstance(change, Mapping):
            out.add(str(change.get("id") or (change.get("kind"), change.get("source"), change.get("cv_key"), change.get("field"))))
    return frozenset(out)
