"""The Markdown report: for an e-mail, a pull request or an issue.

Rendered from the JSON report dict (``report.model.Report.to_json()``), so it says exactly what the
JSON says. GitHub-flavoured tables; ``|`` and line breaks in values are escaped so a title can
never break a table.
"""

from __future__ import annotations

import re
from typing import Any

from profilesync.diff.changes import KIND_ORDER
from profilesync.report.json import verdict
from profilesync.report.text import HEADINGS

SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (("cv", "CV"), ("dblp", "DBLP"), ("orcid", "ORCID"), ("scholar", "Scholar"), ("github", "GitHub"))
_MD_META = re.compile(r"[\\`*_\[\]()!|~]")
STATUS_MARK = {"ok": "✅ ok", "stale": "⚠️ stale", "failed": "❌ failed", "disabled": "⏸ disabled"}


def cell(value: Any) -> str:
    """A value made safe for one Markdown table cell."""
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        return "; ".join(f"{cell(k)}: {cell(v)}" for k, v in value.items())
    text = str(value).replace("\r", " ").replace("\n", " ")
    # Backslash-escape every character that could start a link, an image, emphasis, code or a
    # table cell break, so "[x](javascript:...)" and "![](https://...)" stay text; no raw HTML.
    return _MD_META.sub(r"\\\g<0>", text).replace("<", "&lt;")


def subject(change: dict[str, Any]) -> str:
    """What a change is about, for a person: the CV key, or the work's title."""
    if change.get("cv_key"):
        return f"`{change['cv_key']}`"
    work = change.get("work") or {}
    if work.get("title"):
        return f"*{cell(work['title'])}*" + (f" ({work['year']})" if work.get("year") else "")
    return cell(change.get("field"))


def _match(change: dict[str, Any]) -> str:
    match = change.get("match") or {}
    tier = match.get("tier", "none")
    if tier == "none":
        return "new" if change["kind"] == "missing_in_cv" else "–"
    explanation = match.get("explanation") or match.get("by") or ""
    return f"**{tier}**" + (f": {cell(explanation)}" if explanation else "")


def _sources_table(report: dict[str, Any]) -> list[str]:
    lines = ["| source | status | fetched | works | note |", "|---|---|---|---:|---|"]
    for name, info in report.get("sources", {}).items():
        note = info.get("error") or ("sample data" if info.get("sample") else "")
        lines.append(f"| {name} | {STATUS_MARK.get(info.get('status', ''), info.get('status', ''))} | {cell((info.get('fetched_at') or '')[:10])} | {info.get('works', '–')} | {cell(note)} |")
    return lines


def _metrics(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, values in report.get("metrics", {}).items():
        bits = [f"**{values[k]}** {label}" for k, label in (("citations", "citations"), ("h_index", "h-index"), ("i10_index", "i10-index")) if k in values]
        if bits:
            lines.append(f"- {name}: " + " · ".join(bits))
        per_year = values.get("citations_per_year") or {}
        if per_year:
            years = sorted(per_year)
            lines += ["", "| " + " | ".join(years) + " |", "|" + "---:|" * len(years), "| " + " | ".join(str(per_year[y]) for y in years) + " |", ""]
    for name, entries in report.get("history", {}).items():
        if entries:
            trail = " → ".join(f"{e.get('citations', '?')} ({str(e.get('fetched_at', ''))[:10]})" for e in entries)
            lines.append(f"- {name} citations over time: {trail}")
    return lines


def _work_line(change: dict[str, Any]) -> str:
    """A work the CV lacks: title, venue and year, identifiers, and where it is listed."""
    work = change.get("work") or {}
    where = ", ".join(str(x) for x in (work.get("venue"), work.get("year")) if x)
    ids = ", ".join(f"{k} {v}" for k, v in (work.get("ids") or {}).items() if k != "url")
    sources = ", ".join([change["source"], *change.get("also_in", [])])
    parts = [f"*{cell(work.get('title'))}*" + (f" ({cell(where)})" if where else "")]
    if work.get("authors"):
        parts.append(cell(", ".join(work["authors"])))
    if ids:
        parts.append(cell(ids))
    return "- " + " — ".join(parts) + f" _(on {sources})_"


def _change_rows(kind: str, group: list[dict[str, Any]]) -> list[str]:
    if kind == "missing_in_cv":
        return [_work_line(c) for c in group]
    if kind == "metric_changed":
        lines = ["| metric | before | now | source |", "|---|---:|---:|---|"]
        for c in group:
            lines.append(f"| {cell(str(c.get('field') or '').replace('_', '-'))} | {cell(c.get('cv_value'))} | {cell(c.get('source_value'))} | {c['source']} |")
        return lines
    if kind in ("field_differs", "profile_differs"):
        lines = ["| subject | field | CV | source says | from | match |", "|---|---|---|---|---|---|"]
        for c in group:
            origin = c["source"] + (f" (+{', '.join(c['also_in'])})" if c.get("also_in") else "")
            lines.append(f"| {subject(c)} | {cell(c.get('field'))} | {cell(c.get('cv_value'))} | {cell(c.get('source_value'))} | {origin} | {_match(c)} |")
        return lines
    lines = []
    for c in group:
        origin = c["source"] + (f", also {', '.join(c['also_in'])}" if c.get("also_in") else "")
        lines.append(f"- {subject(c)} — {cell(c.get('reason'))} _({origin}; {_match(c)})_")
    return lines


def _coverage(report: dict[str, Any]) -> list[str]:
    rows = report.get("coverage") or []
    if not rows:
        return []
    columns = [(key, label) for key, label in SOURCE_COLUMNS if any(key in r.get("in", {}) for r in rows)]
    lines = ["| work | year | " + " | ".join(label for _, label in columns) + " |", "|---|---:|" + ":-:|" * len(columns)]
    for row in sorted(rows, key=lambda r: (-(r.get("year") or 0), str(r.get("title", "")).lower())):
        name = f"`{row['key']}` {cell(row.get('title'))}" if row.get("key") else f"*{cell(row.get('title'))}*"
        marks = " | ".join("✓" if row.get("in", {}).get(key) else "✗" for key, _ in columns)
        lines.append(f"| {name} | {row.get('year') or '–'} | {marks} |")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """The whole report as GitHub-flavoured Markdown (ends with a newline)."""
    from profilesync.report.escape import visible_report

    report = visible_report(report)  # control and bidi characters shown, never passed on
    changes = report.get("changes") or []
    name = report.get("profile", {}).get("name", "")
    lines = [f"# profilesync report: {cell(name)}", "", f"Generated {report.get('generated_at', '')}."]
    if report.get("incomplete"):
        lines.append("**Incomplete:** a source failed or has no usable snapshot; a stale one's last good snapshot was used (see Sources).")
    summary = report.get("summary") or {}
    if changes:
        counts = ", ".join(f"{summary[k.value]} {k.value.replace('_', ' ').replace(' cv', ' CV')}" for k in KIND_ORDER if summary.get(k.value))
        lines += ["", f"**{len(changes)} differences:** {counts}."]
    else:
        said = verdict(report)
        assert said is not None
        lines += ["", f"**{said[1]}:** {said[2]}"]
    lines += ["", "## Sources", "", *_sources_table(report)]
    metrics = _metrics(report)
    if metrics:
        lines += ["", "## Metrics", "", *metrics]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_kind.setdefault(change["kind"], []).append(change)
    if changes:
        lines += ["", "## Changes"]
    for kind in (k.value for k in KIND_ORDER):
        group = by_kind.get(kind)
        if group:
            lines += ["", f"### {HEADINGS[kind]} ({len(group)})", "", *_change_rows(kind, group)]
    coverage = _coverage(report)
    if coverage:
        lines += ["", "## Coverage", "", "Where each work is listed (✓) and where it is missing (✗).", "", *coverage]
    return "\n".join(lines).rstrip() + "\n"
