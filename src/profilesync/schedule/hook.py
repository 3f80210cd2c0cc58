"""The ``schedule.on_change`` hook: a notification command run when a scheduled report changed."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profilesync.schedule.worker import kill_tree

if TYPE_CHECKING:
    from profilesync.config import Config


@dataclass(frozen=True)
class HookResult:
    """What the ``on_change`` command did."""

    argv: tuple[str, ...]
    exit_code: int | None
    timed_out: bool = False
    error: str | None = None
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and self.error is None

    def describe(self) -> str:
        if self.error:
            return f"on_change failed: {self.error}"
        if self.timed_out:
            return "on_change was stopped at its timeout"
        return f"on_change exited with {self.exit_code}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"command": self.argv[0] if self.argv else "", "exit_code": self.exit_code, "ok": self.ok}
        if self.timed_out:
            out["timed_out"] = True
        if self.error:
            out["error"] = self.error
        return out


# Token variables a hook never needs, whether or not the config names them (a user may export
# them for other tools, or for profilesync's defaults).
WELL_KNOWN_TOKEN_VARIABLES = frozenset({"ORCID_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"})


def hook_environment(config: Config, environ: Mapping[str, str]) -> dict[str, str]:
    """The run's environment without any token: every ``sources.*.token_env`` (enabled or not)
    and ``WELL_KNOWN_TOKEN_VARIABLES``. The hook is a notification (mail, a webhook, a git
    commit of the report); it must not be handed the ORCID write token or a GitHub token."""
    secret = set(WELL_KNOWN_TOKEN_VARIABLES)
    secret.update(source.token_env for source in config.sources.values() if source.token_env)
    return {name: value for name, value in environ.items() if name not in secret}


def run_hook(config: Config, command: str, report_path: Path, environ: Mapping[str, str], timeout_s: float) -> HookResult:
    """Run ``command`` (split like a shell would, but run without one) with the report path as
    its last argument, in the config's directory, for at most ``timeout_s`` seconds."""
    try:
        argv = [*shlex.split(command), str(report_path)]
    except ValueError as exc:
        return HookResult((), None, error=f"schedule.on_change cannot be split into words ({exc})")
    env = hook_environment(config, environ)
    env["PROFILESYNC_REPORT"] = str(report_path)
    try:
        process = subprocess.Popen(
            argv,
            cwd=str(config.path.parent),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        return HookResult(tuple(argv), None, error=f"cannot start {argv[0]!r}: {exc.strerror or exc}")
    try:
        out, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_tree(process)
        return HookResult(tuple(argv), None, timed_out=True, error=f"{argv[0]} did not finish within {timeout_s:g} s and was stopped")
    return HookResult(tuple(argv), process.returncode, output=(out or b"").decode("utf-8", errors="replace")[-2000:])
