"""The JSON report: the public contract other tools read (``schemas/diff.schema.json``).

``report.model.Report.to_json()`` turns a comparison into plain data; every other format (text,
Markdown, HTML) renders from this dict, so all of them say the same thing.
"""

from __future__ import annotations

from typing import Any

from profilesync.fastjson import dumps_indented

# The JSON form of one change and one work lives with the model; named here too, where the
# renderers and tests have always found them.
from profilesync.report.model import SCHEMA_VERSION, change_to_report, work_to_report

__all__ = ["SCHEMA_VERSION", "change_to_report", "render_json", "verdict", "work_to_report"]


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
    return dumps_indented(report)
