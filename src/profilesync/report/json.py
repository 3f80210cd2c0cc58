"""The JSON report: the public contract other tools read (``schemas/diff.schema.json``).

``report.model.Report.to_json()`` turns a comparison into plain data; every other format (text,
Markdown, HTML) renders from this dict, so all of them say the same thing.
"""

from __future__ import annotations

import json
from typing import Any

try:  # a compiled encoder: a 3,000-work report is ~6 MB, 0.16 s with json, 0.01 s with orjson
    import orjson
except ImportError:  # pragma: no cover - orjson has no wheel for this interpreter (e.g. PyPy)
    orjson = None

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


# The text ``json.dumps(indent=2, ensure_ascii=False, default=str)`` writes (only a float under
# 1e-4 is spelt differently, 0.00001 for 1e-05, the same number): dates and datetimes go through
# ``str`` as before (orjson's own datetime has a "T"), and a key that is not a string becomes one.
_ORJSON_OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS) if orjson else 0


def render_json(report: dict[str, Any]) -> str:
    if orjson is not None:
        try:
            return orjson.dumps(report, default=str, option=_ORJSON_OPTIONS).decode("utf-8")
        except (TypeError, ValueError):  # an integer past 64 bits, a lone surrogate: the slow path words it
            pass
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
