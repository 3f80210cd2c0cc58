"""`profilesync diff`: the change report."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from profilesync.config import SOURCE_NAMES
from profilesync.errors import ExitStatus, Problem, UserError

if TYPE_CHECKING:
    from profilesync.app import App

FORMATS = ("text", "json", "markdown", "html")

DESCRIPTION = """\
Compare the CV with each source's cached snapshot and report every difference, grouped by kind,
with why it was found (the match explanation). The text report opens with a summary, lists the
changes that ask for a decision, then the values the CV lacks (pages, DOIs, arXiv ids, code links)
one line per CV work; its lines fit 120 columns. --explain lists every change in full.

Nothing is written except --output (and the snapshot of a source that had never been pulled,
which diff fetches first).

Network: diff reads the cache and says how old each snapshot is; it fetches only a source that
was never pulled. --refresh pulls every enabled source first (what a scheduled job runs);
--offline never touches the network.

Exit status: 0 in sync, 1 differences found, 2 bad config/CV/arguments, 3 a source failed
(its last good snapshot was used and the report marks it stale), or nothing could be compared.

A snapshot is used only for the id it was pulled for (sources.<name>.id, else the CV's
person.ids): after changing an id, diff pulls that source again (--offline reports it failed).
A corrupt snapshot or one dated in the future marks its source stale.

Examples:
  profilesync diff
  profilesync diff --format json --output report.json
  profilesync diff --refresh --format markdown --output report.md
  profilesync diff --explain          every change in full: whole reason, match, feature scores
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", "-s", action="append", choices=SOURCE_NAMES, metavar="NAME", help="compare only with this source (repeatable)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--refresh", action="store_true", help="pull every selected source first")
    mode.add_argument("--offline", action="store_true", help="never touch the network, even for a source never pulled")
    parser.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--explain", action="store_true", help="text format: list every change in full (whole reason, match explanation, feature scores), not fitted to 120 columns")


def render(report: dict, fmt: str, *, colour: bool = False, explain: bool = False) -> str:
    if fmt == "json":
        from profilesync.report.json import render_json

        return render_json(report)
    if fmt == "markdown":
        from profilesync.report.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from profilesync.report.html import render_html

        return render_html(report)
    from profilesync.report.text import render_text

    return render_text(report, colour=colour, explain=explain)


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    from profilesync.snapshots import atomic_write_text

    outcome = app.diff(sources=args.source, refresh=args.refresh, offline=args.offline, progress=app.info)
    report = outcome.report.to_json()
    text = render(report, args.format, colour=app.colour and not args.output, explain=args.explain)
    if args.output:
        path = app.env.resolve(args.output)
        try:
            atomic_write_text(path, text, keep_mode=True)  # a published report keeps its permissions
        except OSError as exc:
            raise UserError([Problem(args.output, None, f"cannot write the report: {exc.strerror}", "choose a writable path")]) from None
        app.info(f"wrote {args.output} ({len(report['changes'])} changes)")
    else:
        app.env.stdout.write(text)
    return outcome.exit_status  # 3 also when nothing was compared: no result is not "in sync"
