"""`profilesync pull`: fetch sources into the cache and print a one-screen summary."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from profilesync.config import SOURCE_NAMES
from profilesync.errors import ExitStatus, UserError
from profilesync.report.escape import visible

if TYPE_CHECKING:
    from profilesync.app import App

DESCRIPTION = """\
Fetch each enabled source (or only those named with --source) and store its snapshot in
cache/snapshots/<source>.json. A source that fails keeps its last good snapshot; the summary
says why it failed, and the exit status is 3.

HTTP responses are cached on disk and revalidated with ETag/Last-Modified, so pulling again soon
costs little. --refresh revalidates every cached response now.

Examples:
  profilesync pull --source dblp
  profilesync pull --refresh
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", "-s", action="append", choices=SOURCE_NAMES, metavar="NAME", help=f"a source to pull ({', '.join(SOURCE_NAMES)}); repeatable; default: all enabled")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--refresh", action="store_true", help="revalidate every cached HTTP response")
    mode.add_argument("--offline", action="store_true", help="touch no network: only show what the cache holds")


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    from profilesync.pipeline import SourceState, pull_sources, selected_sources
    from profilesync.snapshots import SnapshotStore

    config = app.config
    names = selected_sources(config, args.source)
    if not names:
        raise UserError(f"no source is enabled in {config.path.name}; add one under sources:")
    if args.offline:
        from profilesync.pipeline import pulled_for, researcher

        store = SnapshotStore(config.snapshot_dir)
        try:
            person = researcher(config, app.load_cv())
        except UserError:
            person = researcher(config, None)  # the CV only lends its ids; showing the cache does not need it
        unusable = False
        for name in names:
            checked = store.check(name, pulled_for(person, name), app.env.now())
            snapshot = checked.snapshot
            unusable = unusable or (checked.issue is not None and snapshot is None)
            if checked.message:
                app.out(visible(f"{name:<8} {checked.message}"))  # corrupt, another person's, or dated in the future
            elif snapshot is None:
                app.out(f"{name:<8} no snapshot yet")
            if snapshot is not None:
                sample = " [sample data]" if snapshot.sample else ""
                app.out(f"{name:<8} {len(snapshot.works):>3} works, fetched {snapshot.fetched_at:%Y-%m-%d %H:%M} UTC (from cache){sample}")
        return ExitStatus.SOURCE_FAILED if unusable else ExitStatus.OK
    try:
        cv = app.load_cv()
    except UserError:
        cv = None  # pulling does not need the CV; it only lends coauthors for name resolution
    statuses = pull_sources(config, names, clock=app.env.clock, environ=app.env.environ, refresh=args.refresh, cv=cv, progress=app.info)
    failed = False
    for name, status in statuses.items():
        if status.state is SourceState.OK:
            origin = f"network, {status.requests} requests" if status.from_network else "HTTP cache"
            new = "" if status.new_works is None else f", {status.new_works} new since last pull"
            app.out(f"{name:<8} ok      {status.works:>3} works{new} ({origin})")
        else:
            failed = True
            kept = f"kept the last snapshot ({status.works} works, {status.fetched_at:%Y-%m-%d})" if status.fetched_at else "no snapshot to fall back on"
            app.out(visible(f"{name:<8} {status.state.value.upper():<7} {status.error}"))
            app.out(f"{'':<8}         {kept}")
        for note in status.notes:
            app.out(visible(f"{'':<8}         note: {note}"))
    return ExitStatus.SOURCE_FAILED if failed else ExitStatus.OK
