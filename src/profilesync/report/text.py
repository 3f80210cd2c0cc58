"""The terminal report: grouped by kind, each change with its reason; colour only on a terminal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from profilesync.diff.changes import KIND_ORDER
from profilesync.model import parse_time

HEADINGS: dict[str, str] = {
    "new_version": "Preprints that were published",
    "missing_in_cv": "Works the CV lacks",
    "field_differs": "Fields that differ",
    "profile_differs": "Profile fields that differ",
    "missing_in_source": "CV works a source lacks",
    "foreign_work": "Works that are not the researcher's",
    "duplicate_in_source": "Works a source lists twice",
    "duplicate_in_cv": "Works the CV lists twice",
    "metric_changed": "Metrics that moved",
}

_COLOURS = {"bold": "\033[1m", "dim": "\033[2m", "red": "\033[31m", "green": "\033[32m", "yellow": "\033[33m", "cyan": "\033[36m", "reset": "\033[0m"}


class _Style:
    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        return "".join(_COLOURS[s] for s in styles) + text + _COLOURS["reset"]


def _age(fetched_at: str | None, now: datetime) -> str:
    if not fetched_at:
        return ""
    delta = now - parse_time(fetched_at)
    days = delta.days
    if days >= 2:
        return f"{days} days old"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h old" if hours >= 1 else "fresh"


def render_text(report: dict[str, Any], *, colour: bool = False, explain: bool = False) -> str:
    style = _Style(colour)
    now = parse_time(report["generated_at"])
    lines: list[str] = []
    lines.append(style(f"profilesync report for {report['profile']['name']}", "bold") + style(f"  ({report['generated_at']})", "dim"))
    lines.append("")
    lines.append(style("Sources", "bold"))
    for name, info in report["sources"].items():
        state = info["status"]
        mark = {"ok": style("ok   ", "green"), "stale": style("STALE", "yellow"), "failed": style("FAIL ", "red"), "disabled": style("off  ", "dim")}[state]
        parts = [f"  {mark} {name:<8}"]
        if "works" in info:
            parts.append(f"{info['works']:>3} works")
        if info.get("fetched_at"):
            parts.append(f"fetched {info['fetched_at'][:10]} ({_age(info['fetched_at'], now)})")
        if info.get("sample"):
            parts.append(style("[sample data]", "cyan"))
        lines.append("  ".join(parts))
        if info.get("error"):
            lines.append(style(f"           {info['error']}", "yellow" if state == "stale" else "red"))
    for name, values in report.get("metrics", {}).items():
        bits = [f"{label} {values[key]}" for key, label in (("citations", "citations"), ("h_index", "h-index"), ("i10_index", "i10-index")) if key in values]
        if bits:
            lines.append(style(f"  {name} metrics: " + ", ".join(bits), "dim"))
    lines.append("")
    changes = report["changes"]
    if not changes:
        lines.append(style("In sync: the CV and the sources agree.", "green", "bold"))
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_kind.setdefault(change["kind"], []).append(change)
    for kind in (k.value for k in KIND_ORDER):
        group = by_kind.get(kind)
        if not group:
            continue
        lines.append(style(f"{HEADINGS[kind]} ({len(group)})", "bold"))
        for change in group:
            lines.extend(_render_change(change, style, explain))
        lines.append("")
    summary = report.get("summary", {})
    if summary:
        lines.append(style("Summary: ", "bold") + ", ".join(f"{n} {k}" for k, n in summary.items()))
    if report.get("suppressed"):
        lines.append(style(f"({report['suppressed']} changes you decided on earlier are not shown)", "dim"))
    if report.get("incomplete"):
        lines.append(style("Incomplete: at least one source failed; its last good snapshot was used.", "yellow"))
    return "\n".join(lines).rstrip() + "\n"


def _render_change(change: dict[str, Any], style: _Style, explain: bool) -> list[str]:
    where = change["cv_key"] or (change.get("work") or {}).get("title") or change.get("field") or ""
    tier = change["match"].get("tier", "none")
    tag = "" if tier == "none" else style(f" [{tier}]", "cyan" if tier == "strong" else "yellow")
    head = f"  - {style(change['source'], 'dim')} {style(str(where), 'bold')}{tag}"
    if change["kind"] == "field_differs":
        head += f" {change['field']}"
    out = [head, f"      {change['reason']}"]
    if change["kind"] == "field_differs" and change["field"] in ("title", "venue", "year", "pages", "doi", "arxiv"):
        cv_value = change.get("cv_value")
        out.append(style(f"      CV:     {'(none)' if cv_value in (None, '') else cv_value}", "red"))
        out.append(style(f"      {change['source']}:{' ' * max(1, 7 - len(change['source']))}{change.get('source_value')}", "green"))
    match = change["match"]
    if explain and match.get("features"):
        details = ", ".join(f"{f['name']}={f['value']:.2f}x{f['weight']:g}" for f in match["features"])
        out.append(style(f"      match: {match.get('by')} score {match.get('score', 0):.2f} ({details})", "dim"))
    elif match.get("explanation") and tier != "none" and match.get("by") not in (None, "none") and match["explanation"] not in change["reason"]:
        out.append(style(f"      match: {match['explanation']}", "dim"))
    return out
