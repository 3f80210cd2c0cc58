"""Fixtures of the reliability suite, and the table it prints at the end.

Each test reports what it measured with ``record_case(connector, case, elapsed_s, failure=...)``;
``pytest_terminal_summary`` prints, per connector, how many cases ran and passed and the longest
time a failure case took. ``PROFILESYNC_RELIABILITY_JSON=<file>`` also writes the rows as JSON
(``benchmarks/reliability_table.py`` reads it).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .fixtures import _templates, full_profile, make_profile, source_server  # noqa: F401 - fixtures

_ROWS: list[dict] = []


@pytest.fixture
def record_case(request) -> Callable[..., None]:
    def record(connector: str, case: str, elapsed_s: float, *, failure: bool) -> None:
        request.node.user_properties.append(("reliability", {"connector": connector, "case": case, "elapsed_s": round(elapsed_s, 3), "failure": failure}))

    return record


@pytest.fixture
def timer() -> Callable[[], float]:
    started = time.monotonic()
    return lambda: time.monotonic() - started


def pytest_runtest_logreport(report) -> None:  # noqa: ANN001
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "reliability":
            _ROWS.append({**value, "passed": report.passed, "test": report.nodeid})


def summarise(rows: list[dict]) -> list[str]:
    by_connector: dict[str, list[dict]] = {}
    for row in rows:
        by_connector.setdefault(row["connector"], []).append(row)
    lines = [f"{'connector':<10} {'cases':>5} {'passed':>6}  longest failure case"]
    for name, items in sorted(by_connector.items()):
        failures = [r for r in items if r["failure"]]
        worst = max(failures, key=lambda r: r["elapsed_s"], default=None)
        longest = f"{worst['elapsed_s']:.2f} s ({worst['case']})" if worst else "-"
        lines.append(f"{name:<10} {len(items):>5} {sum(r['passed'] for r in items):>6}  {longest}")
    return lines


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if not _ROWS:
        return
    terminalreporter.section("reliability suite")
    for line in summarise(_ROWS):
        terminalreporter.write_line(line)
    target = os.environ.get("PROFILESYNC_RELIABILITY_JSON")
    if target:
        Path(target).write_text(json.dumps(_ROWS, indent=1) + "\n", encoding="utf-8")
