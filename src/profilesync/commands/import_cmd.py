"""``profilesync import scholar FILE``: a source's own export file becomes its snapshot.

For researchers whom Scholar blocks: the export they download from their profile (BibTeX or
CSV) replaces ``cache/snapshots/scholar.json``, and ``diff`` works from it as from a pull. The
file is read completely before anything is written; a bad file exits 2 with the line at fault.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from profilesync.app import App
from profilesync.errors import ExitStatus, UserError
from profilesync.model import Metrics, Snapshot, format_time

DESCRIPTION = """\
Read a source's own export file into that source's snapshot (cache/snapshots/<source>.json).

Google Scholar blocks automated reads often. When `profilesync pull --source scholar` reports
Scholar as blocked, export your list instead: open your Scholar profile, tick the box above
the list to select every publication (click "Show more" first until all are listed), then
Export -> BibTeX or CSV. Then:

  profilesync import scholar citations.bib
  profilesync import scholar citations.csv

The format is recognised from the content. The export has no citation counts or h-index; copy
them from the "Cited by" box of your profile if you want them in reports until the next
successful pull:

  profilesync import scholar citations.bib --citations 1027 --h-index 12 --i10-index 14

Nothing is written when the file cannot be read; the error names the line.
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
    parser.add_argument("--citations", type=_count, metavar="N", help='total citations, as the profile\'s "Cited by" box shows')
    parser.add_argument("--h-index", type=_count, metavar="N", help="h-index, as the profile shows it")
    parser.add_argument("--i10-index", type=_count, metavar="N", help="i10-index, as the profile shows it")


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}")
    return int(text)


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    from profilesync.pipeline import pulled_for, researcher
    from profilesync.snapshots import SnapshotStore

    path = app.env.resolve(args.file)
    label = app.label(path)
    snapshot = READERS[args.source](path, label, app.env.now())
    typed = Metrics(citations=args.citations, h_index=args.h_index, i10_index=args.i10_index)
    if not typed.is_empty():
        # Numbers the user copied from the profile page: the export itself has none.
        snapshot = replace(snapshot, metrics=typed, notes=(*snapshot.notes, "metrics typed in at import from the profile page"))
    # The export is the configured researcher's own: record that target, as a pull does, so that
    # diff uses it (and stops using it once the configured id changes).
    try:
        cv = app.load_cv()
    except UserError:
        cv = None  # the import does not need the CV; only its person.ids fallback is lost
    snapshot = replace(snapshot, pulled_for=pulled_for(researcher(app.config, cv), args.source))
    store = SnapshotStore(app.config.snapshot_dir)
    try:
        previous = store.load(args.source)
    except UserError:
        previous = None  # a corrupt old snapshot is exactly what an import may replace
    written = store.save(snapshot)
    if previous is not None:
        app.info(f"replaced the {args.source} snapshot of {format_time(previous.fetched_at)} ({len(previous.works)} works)")
    app.out(f"imported {len(snapshot.works)} works from {label} into {app.label(written)}")
    for note in snapshot.notes:
        app.info(f"note: {note}")
    return ExitStatus.OK
