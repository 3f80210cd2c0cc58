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

from conftest import run_cli

from .profile import LAST_PULL, Settings, copy_profile, new_profile, write_config
from .servers import SourceServer
from .sources import BY_NAME, CASES

_ROWS: list[dict] = []


@pytest.fixture
def source_server(httpserver) -> SourceServer:
    """The recorded answers of every connector in the table, on one local server."""
    return SourceServer(httpserver, CASES)


@pytest.fixture(scope="session")
def _templates() -> dict[str, Path]:
    return {}


@pytest.fixture
def make_profile(source_server: SourceServer, _templates: dict[str, Path], tmp_path_factory, tmp_path: Path) -> Callable[..., Path]:
    """``make_profile(name, root=None, settings=Settings())``: a profile whose cache holds one good
    pull of source ``name`` (made once per session, by a real pull from the local server), with
    its config pointing the source at ``root`` (default: the local server)."""

    def make(name: str, *, root: str | None = None, settings: Settings | None = None) -> Path:
        settings = settings or Settings()
        case = BY_NAME[name]
        if name not in _templates:
            template = tmp_path_factory.mktemp(f"template-{name}") / "profile"
            new_profile(template, [case], {name: source_server.root})
            result = run_cli(["pull"], template, now=LAST_PULL)
            assert result.exit_code == 0, result.stdout + result.stderr
            _templates[name] = template
            source_server.seen.clear()
        profile = copy_profile(_templates[name], tmp_path / "profile")
        write_config(profile, [case], {name: root or source_server.root}, settings)
        return profile

    return make


@pytest.fixture
def full_profile(source_server: SourceServer, _templates: dict[str, Path], tmp_path_factory, tmp_path: Path) -> Path:
    """A profile with all four sources on the local server, each pulled once (a copy of a
    template made by a real pull on first use)."""
    if "*" not in _templates:
        template = tmp_path_factory.mktemp("template-all") / "profile"
        new_profile(template, CASES, {c.name: source_server.root for c in CASES}, FULL_SETTINGS)
        result = run_cli(["pull"], template, now=LAST_PULL)
        assert result.exit_code == 0, result.stdout + result.stderr
        _templates["*"] = template
        source_server.seen.clear()
    profile = copy_profile(_templates["*"], tmp_path / "profile")
    write_config(profile, CASES, {c.name: source_server.root for c in CASES}, FULL_SETTINGS)
    return profile


FULL_SETTINGS = Settings(timeout_s=3.0, schedule={"deadline_s": 30})


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
