"""The HTML report: one self-contained page (inline CSS and SVG, no script, no network).

Sections: a summary, the sources and their freshness, Scholar's metrics with citations per year
and the history of total citations and h-index as charts, the changes grouped by kind, and a
coverage matrix of every work against the CV, DBLP, ORCID, Scholar and GitHub. Rendered from the
JSON report dict, like every other format.
"""

from __future__ import annotations

from html import escape
from typing import Any

from profilesync.diff.changes import KIND_ORDER
from profilesync.model import parse_time
from profilesync.report.json import verdict
from profilesync.report.markdown import SOURCE_COLUMNS
from profilesync.report.svg import Point, bar_chart, line_chart
from profilesync.report.text import HEADINGS

_CSS = """
:root { --ok:#1a7f37; --warn:#9a6700; --bad:#cf222e; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --accent:#0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:#1f2328; margin:0; background:#fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 10px; border-bottom:1px solid var(--line); padding-bottom:6px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
.meta { color: var(--muted); margin: 0 0 14px; }
.pills { display:flex; flex-wrap:wrap; gap:8px; margin: 10px 0; }
.pill { background: var(--bg); border:1px solid var(--line); border-radius: 999px; padding: 3px 12px; font-size: 13px; }
.pill b { font-size: 14px; }
.banner { border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.banner.ok { background:#dafbe1; } .banner.warn { background:#fff8c5; } .banner.info { background:#ddf4ff; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; } .status.ok { color: var(--ok); } .status.stale { color: var(--warn); } .status.failed { color: var(--bad); } .status.disabled { color: var(--muted); }
.tier { display:inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; }
.tier.strong { background:#dafbe1; color: var(--ok); } .tier.probable { background:#fff8c5; color: var(--warn); } .tier.none { background: var(--bg); color: var(--muted); }
.why { color: var(--muted); font-size: 13px; }
.old { color: var(--bad); text-decoration: line-through; } .new { color: var(--ok); }
.cards { display:flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 4px; }
.card { border:1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px; }
.card .n { font-size: 26px; font-weight: 700; } .card .l { color: var(--muted); font-size: 13px; }
.charts { display:flex; flex-wrap: wrap; gap: 16px; }
svg.chart { border:1px solid var(--line); border-radius: 8px; background:#fff; max-width: 100%; height: auto; }
svg .chart-title { font: 600 13px sans-serif; fill:#1f2328; } svg .tick { font: 11px sans-serif; fill: var(--muted); }
svg .value { font: 600 11px sans-serif; fill:#1f2328; } svg .grid { stroke:#eaeef2; } svg .bar { fill: var(--accent); }
svg .line { fill:none; stroke: var(--accent); stroke-width: 2.5; } svg .dot { fill:#fff; stroke: var(--accent); stroke-width: 2; }
table.coverage td.mark, table.coverage th.mark { text-align:center; width: 74px; font-weight: 700; }
td.yes { background:#dafbe1; color: var(--ok); } td.no { background:#ffebe9; color: var(--bad); }
tr.not-in-cv .title { font-style: italic; } th[scope=row] { background: none; font-weight: 400; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg); padding: 1px 4px; border-radius: 4px; }
details { color: var(--muted); font-size: 13px; } footer { margin-top: 36px; color: var(--muted); font-size: 13px; }
a { color: var(--accent); } .links a { white-space: nowrap; }
/* A wide table scrolls inside its box instead of widening the page; long DOIs and titles wrap. */
.scroll { overflow-x: auto; max-width: 100%; }
td { overflow-wrap: break-word; }
@media (max-width: 600px) {
  main { padding: 14px 10px 32px; } h1 { font-size: 21px; }
  table { font-size: 13px; } th, td { padding: 4px 5px; }
  table.coverage td.mark, table.coverage th.mark { width: 30px; }
  .card { min-width: 96px; padding: 8px 10px; } .card .n { font-size: 21px; }
}
"""


def _e(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    return escape(str(value))


def _table(columns: list[tuple[str, str]], rows: list[str], css_class: str = "") -> list[str]:
    """A table with a ``<thead>`` of column headers (``scope="col"``) inside a box that scrolls
    sideways on a narrow screen. ``columns``: (label, class) pairs; ``rows``: ``<tr>`` strings."""
    head = "".join(f'<th scope="col"{f" class={chr(34)}{c}{chr(34)}" if c else ""}>{label}</th>' for label, c in columns)
    table_class = f' class="{css_class}"' if css_class else ""
    return ['<div class="scroll">', f"<table{table_class}>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *rows, "</tbody>", "</table>", "</div>"]


def _links(ids: Any) -> str:
    """Links to the record's pages (DOI, arXiv, DBLP record, Scholar entry, code, its own page)."""
    from profilesync.export.common import identifier_links

    if not isinstance(ids, dict):
        return ""
    links = identifier_links(ids)
    return '<span class="links">' + " · ".join(f'<a href="{escape(url, quote=True)}">{escape(label)}</a>' for label, url in links) + "</span>" if links else ""


def _value_link(field: Any, value: Any) -> str:
    """A DOI, arXiv id or repository URL proposed in a field change, as a link to what it names."""
    from profilesync.export.common import identifier_links

    if not isinstance(value, str) or not value:
        return _e(value)
    kind = {"doi": "doi", "arxiv": "arxiv"}.get(str(field))
    if kind:
        links = identifier_links({kind: value})
    elif field == "code":
        links = identifier_links({"url": value})
    else:
        return _e(value)
    return f'<a href="{escape(links[0][1], quote=True)}">{escape(value)}</a>' if links else _e(value)


def _subject(change: dict[str, Any]) -> str:
    if change.get("cv_key"):
        return f"<code>{escape(change['cv_key'])}</code>"
    work = change.get("work") or {}
    if work.get("title"):
        return f"<i>{escape(work['title'])}</i>" + (f" ({escape(str(work['year']))})" if work.get("year") else "")
    return _e(change.get("field"))


def _tier(change: dict[str, Any]) -> str:
    match = change.get("match") or {}
    tier = match.get("tier", "none")
    label = "new work" if tier == "none" and change["kind"] == "missing_in_cv" else tier
    explanation = match.get("explanation") or match.get("by") or ""
    return f'<span class="tier {escape(tier)}">{escape(label)}</span>' + (f'<div class="why">{escape(explanation)}</div>' if explanation else "")


def _origin(change: dict[str, Any]) -> str:
    return escape(", ".join([change["source"], *change.get("also_in", [])]))


def _header(report: dict[str, Any]) -> list[str]:
    summary = report.get("summary") or {}
    out = [f"<h1>profilesync report: {escape(report.get('profile', {}).get('name', ''))}</h1>", f'<p class="meta">Generated {escape(report.get("generated_at", ""))}</p>']
    said = verdict(report)
    if said is not None:
        agrees, label, sentence = said
        out.append(f'<div class="banner {"ok" if agrees else "warn"}"><b>{escape(label)}:</b> {escape(sentence)}</div>')
    else:
        pills = "".join(f'<span class="pill"><b>{summary[k.value]}</b> {escape(HEADINGS[k.value])}</span>' for k in KIND_ORDER if summary.get(k.value))
        out.append(f'<div class="pills">{pills}</div>')
    if report.get("incomplete"):
        out.append('<div class="banner warn"><b>Incomplete:</b> a source failed or has no usable snapshot; a stale one\'s last good snapshot was used.</div>')
    if any(s.get("sample") for s in report.get("sources", {}).values()):
        out.append('<div class="banner info">Some snapshots are <b>sample data</b> (the bundled demo), not live pulls.</div>')
    return out


def _sources(report: dict[str, Any]) -> list[str]:
    rows = []
    for name, info in report.get("sources", {}).items():
        status = info.get("status", "")
        note = escape(info.get("error") or "")
        if info.get("notes"):
            note += "<details><summary>notes</summary>" + "<br>".join(escape(n) for n in info["notes"]) + "</details>"
        rows.append(
            f'<tr><th scope="row">{escape(name)}</th><td class="status {escape(status)}">{escape(status)}</td><td>{_e((info.get("fetched_at") or "")[:10])}</td>'
            f'<td class="num">{_e(info.get("works"))}</td><td>{note or "–"}</td></tr>'
        )
    return ["<h2>Sources</h2>", *_table([("source", ""), ("status", ""), ("fetched", ""), ("works", "num"), ("note", "")], rows)]


def history_points(report: dict[str, Any], source: str, metric: str) -> list[Point]:
    """The metric at each recorded pull, plus the current snapshot's value if it is newer."""
    points: list[Point] = []
    seen: set[str] = set()
    for entry in report.get("history", {}).get(source) or []:
        stamp = str(entry.get("fetched_at") or "")
        if entry.get(metric) is None or not stamp or stamp in seen:
            continue
        seen.add(stamp)
        points.append(Point(stamp[:10], parse_time(stamp).timestamp(), float(entry[metric])))
    current = (report.get("metrics") or {}).get(source, {}).get(metric)
    stamp = str((report.get("sources") or {}).get(source, {}).get("fetched_at") or "")
    if current is not None and stamp and stamp not in seen and (not points or parse_time(stamp).timestamp() > points[-1].x):
        points.append(Point(stamp[:10], parse_time(stamp).timestamp(), float(current)))
    return sorted(points, key=lambda p: p.x)


def _metrics(report: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for source, values in (report.get("metrics") or {}).items():
        cards = "".join(
            f'<div class="card"><div class="n">{escape(str(values[k]))}</div><div class="l">{label}</div></div>'
            for k, label in (("citations", "citations"), ("h_index", "h-index"), ("i10_index", "i10-index"))
            if k in values
        )
        since = values.get("recent_since")
        if "citations_recent" in values and since:
            cards += f'<div class="card"><div class="n">{escape(str(values["citations_recent"]))}</div><div class="l">citations since {escape(str(since))}</div></div>'
        charts = []
        per_year = values.get("citations_per_year") or {}
        if per_year:
            charts.append(bar_chart([Point(str(y), float(i), float(per_year[y])) for i, y in enumerate(sorted(per_year))], "Citations per year"))
        for metric, title in (("citations", "Total citations at each pull"), ("h_index", "h-index at each pull")):
            points = history_points(report, source, metric)
            if points:
                charts.append(line_chart(points, title))
        out += [f"<h2>Metrics ({escape(source)})</h2>", f'<div class="cards">{cards}</div>']
        if charts:
            out.append('<div class="charts">' + "".join(charts) + "</div>")
    return out


def _change_table(kind: str, group: list[dict[str, Any]]) -> list[str]:
    if kind == "metric_changed":
        # The value before is the last pull's, not the CV's.
        columns = [("source", ""), ("metric", ""), ("before", "num"), ("now", "num")]
        rows = [
            f'<tr><td>{escape(c["source"])}</td><td>{_e(c.get("field"))}</td><td class="num">{_e(c.get("cv_value"))}</td><td class="num">{_e(c.get("source_value"))}</td></tr>'
            for c in group
        ]
    elif kind in ("field_differs", "profile_differs"):
        columns = [("subject", ""), ("field", ""), ("CV", ""), ("source says", ""), ("from", ""), ("match", "")]
        rows = [
            f'<tr><td>{_subject(c)}</td><td>{_e(c.get("field"))}</td>'
            f'<td class="old">{_e(c.get("cv_value"))}</td><td class="new">{_value_link(c.get("field"), c.get("source_value"))}</td>'
            f"<td>{_origin(c)}<br>{_links((c.get('work') or {}).get('ids'))}</td><td>{_tier(c)}</td></tr>"
            for c in group
        ]
    elif kind == "missing_in_cv":
        columns = [("work", ""), ("venue, year", ""), ("authors", ""), ("links", ""), ("listed on", "")]
        rows = []
        for c in group:
            work = c.get("work") or {}
            rows.append(
                f'<tr><td><i>{_e(work.get("title"))}</i></td><td>{_e(", ".join(str(x) for x in (work.get("venue"), work.get("year")) if x))}</td>'
                f'<td>{_e(work.get("authors"))}</td><td>{_links(work.get("ids")) or "–"}</td><td>{_origin(c)}</td></tr>'
            )
    else:
        columns = [("subject", ""), ("what", ""), ("from", ""), ("match", "")]
        rows = [
            f"<tr><td>{_subject(c)}</td><td>{_e(c.get('reason'))}"
            + (f"<br>{_links((c.get('work') or {}).get('ids'))}" if _links((c.get("work") or {}).get("ids")) else "")
            + f"</td><td>{_origin(c)}</td><td>{_tier(c)}</td></tr>"
            for c in group
        ]
    return [f"<h3>{escape(HEADINGS.get(kind, kind))} ({len(group)})</h3>", *_table(columns, rows)]


def _changes(report: dict[str, Any]) -> list[str]:
    changes = report.get("changes") or []
    if not changes:
        return []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_kind.setdefault(change["kind"], []).append(change)
    out = ["<h2>Changes</h2>"]
    for kind in (k.value for k in KIND_ORDER):
        if by_kind.get(kind):
            out += _change_table(kind, by_kind[kind])
    return out


def _coverage(report: dict[str, Any]) -> list[str]:
    rows = report.get("coverage") or []
    if not rows:
        return []
    columns = [(key, label) for key, label in SOURCE_COLUMNS if any(key in r.get("in", {}) for r in rows)]
    body = []
    for row in sorted(rows, key=lambda r: (-(r.get("year") or 0), str(r.get("title", "")).lower())):
        found = row.get("in", {})
        title = (f"<code>{escape(row['key'])}</code> " if row.get("key") else "") + escape(str(row.get("title", "")))
        marks = "".join(
            f'<td class="mark yes" title="on {label}">✓</td>' if found.get(key) else f'<td class="mark no" title="missing on {label}">✗</td>' for key, label in columns
        )
        body.append(f'<tr class="{"in-cv" if found.get("cv") else "not-in-cv"}"><th scope="row" class="title">{title}</th><td class="num">{_e(row.get("year"))}</td>{marks}</tr>')
    return [
        "<h2>Coverage</h2>",
        f'<p class="meta">Each work against the CV and every source: ✓ listed, ✗ missing. {len(rows)} works; {sum(1 for r in rows if not r.get("in", {}).get("cv"))} not in the CV (in italics).</p>',
        *_table([("work", ""), ("year", "num"), *((label, "mark") for _, label in columns)], body, "coverage"),
    ]


def render_html(report: dict[str, Any]) -> str:
    """The whole report as one HTML page (UTF-8, no external resources)."""
    from profilesync.report.escape import visible_report

    report = visible_report(report)  # control and bidi characters shown, never passed on
    name = escape(report.get("profile", {}).get("name", ""))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>profilesync report: {name}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        *_header(report),
        *_sources(report),
        *_metrics(report),
        *_changes(report),
        *_coverage(report),
        f"<footer>Generated by profilesync from the JSON report (schema version {escape(str(report.get('schema_version', '')))}).</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"
