"""Fixtures shared by the reliability suite and the schedule/status/secrets tests.

Import them into a test module (``from reliability.fixtures import source_server, ...``) to use
them outside this package.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli

from .profile import LAST_PULL, WORKS, Settings, copy_profile, cv_yaml, new_profile, write_config
from .servers import SourceServer
from .sources import BY_NAME, CASES


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
            # A generous deadline for the one good pull, so a busy machine cannot fail it.
            new_profile(template, [case], {name: source_server.root}, Settings(timeout_s=8.0))
            result = run_cli(["pull"], template, now=LAST_PULL)
            assert result.exit_code == 0, result.stdout + result.stderr
            _templates[name] = template
            source_server.seen.clear()
        profile = copy_profile(_templates[name], tmp_path / "profile")
        write_config(profile, [case], {name: root or source_server.root}, settings)
        if settings.cv_works != WORKS:
            (profile / "cv.yaml").write_text(cv_yaml(case.person, settings.cv_works), encoding="utf-8")
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


FULL_SETTINGS = Settings(timeout_s=8.0, schedule={"deadline_s": 60}, cv_works=5)


def run_diff(profile: Path) -> tuple[int, dict | None, str]:
    """``diff --refresh --format json`` on ``profile``: exit status, the report (None when none was
    written) and stderr, which never holds a traceback."""
    output = profile.parent / "out" / "report.json"
    result = run_cli(["diff", "--refresh", "--format", "json", "--output", str(output)], profile)
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(output.read_text(encoding="utf-8")) if output.exists() else None
    output.unlink(missing_ok=True)
    return result.exit_code, report, result.stderr
