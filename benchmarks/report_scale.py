"""How the text report reads at scale: line count, widest line, and where the additions start.

Renders one report with the text renderer of the working tree (compact and --explain) and,
with ``--baseline REV``, with the renderer of an earlier git revision, and prints for each:

- lines: how many lines the report has;
- widest: the widest line in display columns; over: how many lines exceed 120 columns;
- last change / first addition: the line of the last change that is not an addition (a value the
  CV lacks) and of the first addition; the report reads well when the first is above the second;
  unfound: changes whose entry was not recognised (should be 0).

The report comes from ``--json FILE`` (what ``profilesync diff --format json`` wrote) or from
``--page FILE``: a DBLP person page (XML, optionally gzipped) turned into a report of its first
250 records with ten planted differences and the DOIs/pages a CV lacks (``tests/report_profile``).

    python benchmarks/report_scale.py --json report.json --baseline 3f4845c
    python benchmarks/report_scale.py --page tests/fixtures/report/PAGE.xml.gz --baseline 3f4845c
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wcwidth import width

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from profilesync.report.text import WIDTH, is_addition, render_text  # noqa: E402

Renderer = Callable[..., str]


def baseline_renderer(rev: str) -> Renderer:
    """``render_text`` as it was at git revision ``rev`` (loaded from ``git show``, not checked out)."""
    source = subprocess.run(["git", "show", f"{rev}:src/profilesync/report/text.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location("baseline_text", handle.name)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render_text


def _entry_patterns(change: dict[str, Any]) -> list[re.Pattern[str]]:
    """How a change's entry starts, in the old layout, the --explain layout and the compact one."""
    source, key, kind = re.escape(change["source"]), re.escape(str(change.get("cv_key"))), change["kind"]
    tier, field = re.escape(change["match"].get("tier", "none")), re.escape(str(change.get("field")))
    if kind == "field_differs":
        compact = rf"^  {key}\s+\+ " if is_addition(change) else rf"^  - {key}  {source}\b"
        return [re.compile(rf"- {source} {key} \[{tier}\] {field}$"), re.compile(compact)]
    if kind == "new_version":
        return [re.compile(rf"- {source} {key} \["), re.compile(rf"^  - {key}  {source}\b")]
    if kind == "missing_in_source":
        return [re.compile(rf"^  - {source}\s+{key}$"), re.compile(rf"^  - {source}\s+{key}  ")]
    title = re.escape(str((change.get("work") or {}).get("title", ""))[:30])
    return [re.compile(rf"^  - {source}\b.*{title}")]


def _first_line(lines: list[str], patterns: list[re.Pattern[str]]) -> int | None:
    return next((i + 1 for i, line in enumerate(lines) if any(p.search(line) for p in patterns)), None)


def measure(text: str, report: dict[str, Any]) -> dict[str, Any]:
    lines = text.splitlines()
    changes = [c for c in report["changes"] if c["kind"] != "metric_changed"]
    differences = [_first_line(lines, _entry_patterns(c)) for c in changes if not is_addition(c)]
    additions = [_first_line(lines, _entry_patterns(c)) for c in changes if is_addition(c)]
    return {
        "lines": len(lines),
        "widest": max((width(line) for line in lines), default=0),
        "over": sum(1 for line in lines if width(line) > WIDTH),
        "last change": max((n for n in differences if n), default=None),
        "first addition": min((n for n in additions if n), default=None),
        "unfound": sum(1 for n in differences + additions if n is None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--json", type=Path, help="a report written by `profilesync diff --format json`")
    given.add_argument("--page", type=Path, help="a DBLP person page (XML or XML.gz) with at least 250 records")
    parser.add_argument("--records", type=int, default=250, help="records of --page to use (default 250)")
    parser.add_argument("--baseline", metavar="REV", help="also render with the text renderer of this git revision")
    args = parser.parse_args(argv)

    if args.json:
        report = json.loads(args.json.read_text(encoding="utf-8"))
    else:
        import report_profile

        report, _, _ = report_profile.build(args.page, records=args.records)
    rows: list[tuple[str, dict[str, Any]]] = []
    if args.baseline:
        old = baseline_renderer(args.baseline)
        rows.append((f"{args.baseline[:10]}", measure(old(report), report)))
        rows.append((f"{args.baseline[:10]} --explain", measure(old(report, explain=True), report)))
    rows.append(("now", measure(render_text(report), report)))
    rows.append(("now --explain", measure(render_text(report, explain=True), report)))
    counts = {"changes": len(report["changes"]), "additions": sum(1 for c in report["changes"] if is_addition(c))}
    print(f"{counts['changes']} changes, {counts['additions']} of them additions")
    columns = ["lines", "widest", "over", "last change", "first addition", "unfound"]
    print(f"{'renderer':<22}" + "".join(f"{c:>16}" for c in columns))
    for name, row in rows:
        print(f"{name:<22}" + "".join(f"{'-' if row[c] is None else row[c]:>16}" for c in columns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
