"""``profilesync import scholar FILE``: a source's own export file becomes its snapshot.

For researchers whom Scholar blocks: the export they download from their profile (BibTeX or
CSV) replaces ``cache/snapshots/scholar.json``, and ``diff`` works from it as from a pull. The
file is read completely before anything is written; a bad file exits 2 with the line at fault.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from profilesync.app import App
from profilesync.errors import ExitStatus, UserError
from profilesync.model import Snapshot, format_time

DESCRIPTION = """\
Read a source's own export file into that source's snapshot (cache/snapshots/<source>.json).

Google Scholar blocks automated reads often. When `profilesync pull --source scholar` reports
Scholar as blocked, export your list instead: open your Scholar profile, tick the box above
the list to select every publication (click "Show more" first until all are listed), then
Export -> BibTeX or CSV. Then:

  profilesync import scholar citations.bib
  profilesync import scholar citations.csv

The format is recognised from the content. The export has no citation counts or h-index, so
the report shows none for Scholar until the next successful pull. Nothing is written when the
file cannot be read; the error names the line.
"""

Reader = Callable[[Path, str, datetime], Snapshot]


def _read_scholar(path: Path, label: str, now: datetime) -> Snapshot:
    from profilesync.connectors.scholar_import import read_scholar_export

    return read_scholar_export(path, label, now=now)


# Which sources have an export we can read. A source adds one reader and one line here.
READERS: dict[str, Reader] = {"scholar": _read_scholar}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", choices=sorted(READERS), help="the source the file was exported from")
    parser.add_argument("file", metavar="FILE", help="the exported file (Scholar: BibTeX or CSV)")


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    from profilesync.snapshots import SnapshotStore

    path = app.env.resolve(args.file)
    label = _label(app, path)
    snapshot = READERS[args.source](path, label, app.env.now())
    store = SnapshotStore(app.config.snapshot_dir)
    try:
        previous = store.load(args.source)
    except UserError:
        previous = None  # a corrupt old snapshot is exactly what an import may replace
    written = store.save(snapshot)
    if previous is not None:
        app.info(f"replaced the {args.source} snapshot of {format_time(previous.fetched_at)} ({len(previous.works)} works)")
    app.out(f"imported {len(snapshot.works)} works from {label} into {_label(app, written)}")
    for note in snapshot.notes:
        app.info(f"note: {note}")
    return ExitStatus.OK


def _label(app: App, path: Path) -> str:
    try:
        return str(path.relative_to(app.env.cwd))
    except ValueError:
        return str(path)
