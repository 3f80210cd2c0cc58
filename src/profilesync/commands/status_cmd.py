"""`profilesync status`: the last runs, each source's freshness and failures, cache size, tokens."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from profilesync.errors import ExitStatus
from profilesync.report.escape import visible

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.schedule.status import StatusReport

DESCRIPTION = """\
Show how the profile stands, from what the runs left behind (nothing is fetched or written):
the last runs (scheduled ones with their outcome), each source's snapshot age and last failure,
whether a run is in progress, the cache size, the next scheduled run, and whether each token
variable the config names is set (only "set" or "not set": no part of a token is shown).

Examples:
  profilesync status
  profilesync status --format json
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    from profilesync.schedule.status import gather_status

    report = gather_status(app.config, load_cv=app.load_cv, now=app.env.now(), environ=app.env.environ)
    if args.format == "json":
        app.env.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        app.env.stdout.write(render_text(report))
    return ExitStatus.OK


def _age(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


_EXIT_MEANING = {0: "in sync", 1: "differences found", 2: "error", 3: "incomplete", 130: "interrupted"}


def render_text(report: StatusReport) -> str:
    lines = [f"profile: {report.config_path}"]
    if report.running:
        lines.append(f"running now: {report.running}")
    if report.runs:
        last = report.runs[0]
        meaning = _EXIT_MEANING.get(last.exit_code or 0, "ended") if last.exit_code is not None else "unfinished"
        lines.append(f"last run: {last.command} at {last.started_at}: {meaning} (exit {last.exit_code})")
        summary = last.summary
        if summary.get("cut"):
            lines.append(f"  stopped: {summary['cut'].get('reason')}")
        if summary.get("report"):
            lines.append(f"  report: {summary['report']} ({summary.get('changes', 0)} changes)")
        if summary.get("on_change"):
            hook = summary["on_change"]
            lines.append(f"  on_change: {'ok' if hook.get('ok') else hook.get('error') or 'exit ' + str(hook.get('exit_code'))}")
        if summary.get("error"):
            lines.append(f"  error: {summary['error']}")
        for older in report.runs[1:]:
            lines.append(f"  earlier: {older.command} at {older.started_at} (exit {older.exit_code})")
    else:
        lines.append("last run: none recorded (`profilesync schedule --once` records one)")
    if report.schedule:
        when = f"; next run {report.next_run:%Y-%m-%d %H:%M %Z}" if report.next_run else ""
        lines.append(f'schedule: "{report.schedule}"{when}')
    lines.append("sources:")
    for source in report.sources:
        parts = [f"  {source.name:<8} {source.state.value:<12}"]
        if source.works is not None:
            parts.append(f"{source.works:>4} works, snapshot {_age(source.age_s)}")
        if source.sample:
            parts.append("(sample data)")
        lines.append(" ".join(parts).rstrip())
        if source.error and source.state.value not in ("corrupt", "not yours", "future-dated"):  # those are listed as problems
            lines.append(f"  {'':<8} last pull {source.last_attempt_at or ''} failed: {source.error}")
    lines.append(f"cache: {_size(report.cache_bytes)} in {report.cache_dir}" + ("" if not report.cache_parts else " (" + ", ".join(f"{k} {_size(v)}" for k, v in report.cache_parts.items()) + ")"))
    if report.latest_report:
        lines.append(f"latest report: {report.latest_report}")
    for token in report.tokens:
        lines.append(f"token {token.variable} ({token.source}): {'set' if token.is_set else 'not set'}")
    for problem in report.problems:
        lines.append(f"problem: {problem}")
    # Errors and file names quote what servers and files said: no control sequence reaches the terminal.
    return "\n".join(visible(line) for line in lines) + "\n"
