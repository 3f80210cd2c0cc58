"""fastjson (issue 14): orjson where it writes and reads what the standard library does, the
standard library for the rest."""

from __future__ import annotations

import datetime
import json

from profilesync import fastjson
from profilesync.report.json import render_json


def test_the_json_report_is_what_json_dumps_writes():
    report = {
        "summary": {"n": 3, "score": 0.9731, "ratio": 1.0},
        "é": "naïve “quotes” \u2028 \x1b[31m",
        "when": datetime.date(2026, 12, 7),
        "at": datetime.datetime(2026, 12, 7, 10, 0),
        "nested": [{"a": None, "b": [True, False]}],
        7: "int key",
    }
    assert render_json(report) == json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


def test_what_orjson_cannot_write_takes_the_standard_path():
    big = {"n": 2**70, "s": "\ud800"}  # past 64 bits; a lone surrogate
    assert fastjson.dumps_indented(big) == json.dumps(big, indent=2, ensure_ascii=False, default=str) + "\n"
