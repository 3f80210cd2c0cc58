"""The JSON report: the public contract other tools read (``schemas/diff.schema.json``).

``build_report`` turns a diff outcome into plain data; every other format (text, Markdown,
HTML) renders from this dict, so all of them say the same thing.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from profilesync.model import format_time
from profilesync.normalize.names import strip_dblp_suffix
from profilesync.normalize.text import clean_title

if TYPE_CHECKING:
    from profilesync.diff.changes import Change
    from profilesync.model import Work
    from profilesync.pipeline import DiffOutcome

SCHEMA_VERSION = 1


def work_to_report(work: Work) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": clean_title(work.title),
        "authors": [strip_dblp_suffix(a.name) for a in work.authors],
        "year": work.year,
        "venue": work.venue_acronym or work.venue,
        "type": work.type.value,
        "ids": {k: v for k, v in work.ids.to_dict().items()},
    }
    if work.venue and work.venue_acronym and work.venue != work.venue_acronym:
        out["venue_full"] = work.venue
    if work.pages:
        out["pages"] = work.pages
    if work.citations is not None:
        out["citations"] = work.citations
    if work.url:
        out["url"] = work.url
    return out


def change_to_report(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": change.kind.value, "source": change.source, "cv_key": change.cv_key}
    if change.field:
        out["field"] = change.field
    if change.cv_value is not None or change.field:
        out["cv_value"] = change.cv_value
    if change.source_value is not None:
        out["source_value"] = change.source_value
    if change.work is not None:
        out["work"] = work_to_report(change.work)
    out["match"] = change.match.to_dict() if change.match is not None else {"tier": "none"}
    if change.also_in:
        out["also_in"] = list(change.also_in)
    out["reason"] = change.reason
    out["id"] = change.fingerprint
    return out


def build_report(outcome: DiffOutcome) -> dict[str, Any]:
    changes = [change_to_report(c) for c in outcome.result.changes]
    summary = Counter(c["kind"] for c in changes)
    metrics: dict[str, Any] = {}
    for name, snapshot in outcome.snapshots.items():
        if not snapshot.metrics.is_empty():
            metrics[name] = snapshot.metrics.to_dict()
    # Only a comparison with data from every enabled source can say "in sync": with no data (a
    # first run offline, every pull failed) there is nothing the CV was found to agree with.
    expected = [name for name, status in outcome.statuses.items() if status.to_dict()["status"] != "disabled"]
    compared = [name for name in expected if name in outcome.snapshots]
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": format_time(outcome.generated_at),
        "profile": {"name": outcome.person.name, **({"ids": outcome.person.ids.to_dict()} if outcome.person.ids.to_dict() else {})},
        "sources": {name: status.to_dict() for name, status in outcome.statuses.items()},
        "changes": changes,
        "metrics": metrics,
        "summary": dict(sorted(summary.items())),
        "coverage": [row.to_dict() for row in outcome.result.coverage],
        "history": {name: list(entries) for name, entries in outcome.history.items()},
        "in_sync": not changes and bool(expected) and len(compared) == len(expected),
        "compared": compared,
        "incomplete": outcome.incomplete,
    }
    if outcome.result.suppressed:
        report["suppressed"] = outcome.result.suppressed
    return report


def verdict(report: dict[str, Any]) -> tuple[bool, str, str] | None:
    """(agrees, label, sentence) for a report that lists no change, so every format says the same;
    None when there are changes."""
    if report.get("changes"):
        return None
    if report.get("in_sync"):
        return True, "In sync", "the CV and the sources agree."
    compared = list(report.get("compared") or [])
    lacking = [name for name, info in report.get("sources", {}).items() if info.get("status") != "disabled" and name not in compared]
    if not compared:
        return False, "Nothing was compared", "no source has data (see Sources); run `profilesync pull` and diff again."
    return False, "Not fully compared", f"no differences with {', '.join(compared)}, but {', '.join(lacking)} had no data."


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
