"""The world the CLI runs in, passed explicitly so tests can replace every part of it.

Nothing is evaluated at import time: ``Environment.from_system()`` reads the real streams,
environment variables and clock when the CLI starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Environment:
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO | None = None
    stdout_isatty: bool = False
    stdin_isatty: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    clock: Callable[[], datetime] = _utcnow

    @classmethod
    def from_system(cls) -> Environment:
        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin=sys.stdin,
            stdout_isatty=_isatty(sys.stdout),
            stdin_isatty=_isatty(sys.stdin),
            environ=dict(os.environ),
            cwd=Path.cwd(),
        )

    @property
    def interactive(self) -> bool:
        """True only when a person can answer a prompt: both ends are a terminal and not CI."""
        return self.stdin_isatty and self.stdout_isatty and not self.environ.get("CI")

    def colour(self, choice: str = "auto") -> bool:
        """Whether stdout gets colour. ``--color always|never`` wins; then NO_COLOR (no-color.org)
        and FORCE_COLOR (force-color.org), each when set and not empty, NO_COLOR first as Python
        itself orders them; then colour only on a terminal that is not ``dumb``."""
        if choice in ("always", "never"):
            return choice == "always"
        if self.environ.get("NO_COLOR"):
            return False
        if self.environ.get("FORCE_COLOR"):
            return True
        return self.stdout_isatty and self.environ.get("TERM") != "dumb"

    def now(self) -> datetime:
        return self.clock()

    def resolve(self, path: str | Path) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.cwd / p


def _isatty(stream: TextIO | None) -> bool:
    try:
        return bool(stream and stream.isatty())
    except (AttributeError, ValueError):
        return False
