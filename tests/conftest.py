"""Shared test helpers: an in-process CLI runner with an injectable environment."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.cli import main
from profilesync.env import Environment

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(
    args: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str] | None = None,
    *,
    tty: bool = False,
    stdin: str = "",
    now: datetime | None = None,
) -> CliResult:
    """Run ``profilesync ARGS`` in-process in ``cwd``; nothing reaches the real terminal."""
    out, err = io.StringIO(), io.StringIO()
    clock = (lambda: now) if now else (lambda: datetime.now(timezone.utc))
    env = Environment(
        stdout=out,
        stderr=err,
        stdin=io.StringIO(stdin),
        stdout_isatty=tty,
        stdin_isatty=tty,
        environ=dict(environ or {}),
        cwd=cwd,
        clock=clock,
    )
    code = main(list(args), env=env)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def tree_digest(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to assert that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def digest():
    return tree_digest


def copy_demo(directory: Path) -> Path:
    """A copy of the bundled demo profile (config.yaml, cv.yaml, cache/ without run state) in
    ``directory``, so a test can change and run it without touching the repository."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, directory / name)
    shutil.copytree(REPO_ROOT / "cache", directory / "cache", ignore=shutil.ignore_patterns("http", "*.sqlite", "state.db", "status.json", "backups"))
    return directory


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path)
