"""Ready-to-paste snippets that run the scheduled job from cron, a systemd timer or GitHub Actions.

``profilesync schedule`` is one way to run the job; many people would rather let the system's own
scheduler do it. Each snippet runs ``profilesync --config <abs path> schedule --once``, the very
job ``schedule`` runs on its timer (lock, deadline, report archive and latest.md/json, the
optional CV push, the on_change hook, a record for ``status``), not a bare ``diff``, which has none
of these. The schedule comes from ``schedule.cron`` in ``schedule.timezone``, and the token
variables the config names are listed (their values are never printed: only where to put them).
"""

from __future__ import annotations

import enum
import json
import math
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from profilesync.schedule.cron import CronSpec

if TYPE_CHECKING:
    from profilesync.config import Config


class SnippetKind(str, enum.Enum):
    CRON = "cron"
    SYSTEMD = "systemd"
    GITHUB_ACTIONS = "github-actions"


def profilesync_command() -> list[str]:
    """The absolute command that starts this profilesync (the console script next to this
    Python when it exists, else ``python -m profilesync``)."""
    script = Path(sys.executable).parent / "profilesync"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "profilesync"]


def job_arguments(config_path: str) -> list[str]:
    return ["--config", config_path, "schedule", "--once"]


def token_variables(config: Config) -> list[str]:
    names = []
    for source in config.sources.values():
        if source.enabled and source.token_env and source.token_env not in names:
            names.append(source.token_env)
    return names


def render(kind: SnippetKind, config: Config, spec: CronSpec, zone: str, now: datetime) -> str:
    """The snippet text for ``kind``."""
    if kind is SnippetKind.CRON:
        return _cron(config, spec, zone)
    if kind is SnippetKind.SYSTEMD:
        return _systemd(config, spec, zone)
    return _github_actions(config, spec, zone, now)


def _report_path(config: Config) -> Path:
    return (config.report_dir or config.path.parent / "reports") / "latest.json"


def _cron(config: Config, spec: CronSpec, zone: str) -> str:
    command = [*profilesync_command(), *job_arguments(str(config.path))]
    # "%" ends the command in a crontab line unless escaped.
    line = " ".join(shlex.quote(part) for part in command).replace("%", "\\%")
    workdir = shlex.quote(str(config.path.parent)).replace("%", "\\%")
    tokens = token_variables(config)
    out = [
        f"# profilesync for {config.path} (crontab -e, then paste). Schedule: schedule.cron \"{spec.expression}\" in {zone}.",
        f"# It writes {_report_path(config).parent}/latest.md and latest.json; `profilesync status` lists the runs.",
        "# Exit status: 0 in sync, 1 differences found (normal), 2 config/CV error, 3 a source failed.",
    ]
    if tokens:
        out.append("# cron starts jobs with an almost empty environment: set the token variables in this crontab")
        out.append("# (only you can read it), one per line above the job, e.g.:")
        out.extend(f"#   {name}=<your token>" for name in tokens)
    if zone not in ("UTC", "Etc/UTC"):
        out.append(f"# CRON_TZ makes cronie run the lines below in {zone}; a cron without it uses the system time zone.")
    out.append(f"CRON_TZ={zone}")
    out.append(f"{spec.expression} cd {workdir} && {line}")
    return "\n".join(out) + "\n"


def _systemd_quote(text: str) -> str:
    escaped = text.replace("%", "%%")
    if all(ch.isalnum() or ch in "/._-+:=@," for ch in escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _systemd(config: Config, spec: CronSpec, zone: str) -> str:
    command = [*profilesync_command(), *job_arguments(str(config.path))]
    exec_start = " ".join(_systemd_quote(part) for part in command)
    timeout = max(60, math.ceil(config.schedule.deadline_s) + 60)
    calendars = "\n".join(f"OnCalendar={value}" for value in spec.on_calendar(zone))
    tokens = token_variables(config)
    env_note = ""
    if tokens:
        env_note = (
            "# The tokens, one NAME=value line each (" + ", ".join(tokens) + "), in a file only you can read\n"
            "# (chmod 600). The leading '-' lets the job run without it.\n"
        )
    return f"""\
# ~/.config/systemd/user/profilesync.service
[Unit]
Description=profilesync: compare the CV with its sources ({config.path})
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={_systemd_quote(str(config.path.parent))}
{env_note}EnvironmentFile=-%h/.config/profilesync/env
ExecStart={exec_start}
# 1 means "differences found": a normal outcome for a scheduled run, not a failure.
SuccessExitStatus=1
TimeoutStartSec={timeout}
Nice=10

# ~/.config/systemd/user/profilesync.timer
[Unit]
Description=Run profilesync on its schedule (cron "{spec.expression}" in {zone})

[Timer]
{calendars}
Persistent=true

[Install]
WantedBy=timers.target

# Then: systemctl --user daemon-reload && systemctl --user enable --now profilesync.timer
#       loginctl enable-linger "$USER"    (so the timer also runs while you are logged out)
"""


def _repo_root(path: Path) -> Path | None:
    return next((parent for parent in path.parents if (parent / ".git").exists()), None)


def _repo_relative(path: Path) -> str:
    """``path`` relative to the git work tree holding it (the workflow's ``github.workspace``)."""
    root = _repo_root(path)
    return path.relative_to(root).as_posix() if root else path.name


@dataclass(frozen=True)
class Install:
    """What the workflow passes to ``pip install`` and, as a comment, where that came from.
    ``spec`` None: nothing usable was found and the user must fill it in."""

    spec: str | None
    why: str


def install_spec(config: Config) -> Install:
    """profilesync is not on PyPI, so ``pip install profilesync`` would fail in the workflow.
    In order: ``schedule.pip_spec``; the workflow's own repository when it is a profilesync
    checkout (a fork that keeps the profile beside the code); the git URL and commit this copy
    was installed from (PEP 610's direct_url.json, or the remote of the local checkout)."""
    if config.schedule.pip_spec:
        return Install(config.schedule.pip_spec, "schedule.pip_spec in the config")
    root = _repo_root(config.path)
    if root is not None and _is_profilesync_project(root):
        return Install("${{ github.workspace }}", "this repository is a profilesync checkout")
    source = _installed_from()
    if source:
        return Install(f"profilesync @ {source}", "the git repository and commit this copy of profilesync was installed from")
    return Install(None, "profilesync is not published on PyPI, and this copy was not installed from a git repository")


def _is_profilesync_project(root: Path) -> bool:
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    # tomllib is 3.11+; the [project] name line is all that is needed.
    return re.search(r"""(?m)^name\s*=\s*["']profilesync["']""", text) is not None


def _installed_from() -> str | None:
    """``git+https://...@<commit>`` for this installation, when it came from a public git URL."""
    from importlib import metadata

    try:
        raw = metadata.distribution("profilesync").read_text("direct_url.json")
        direct = json.loads(raw) if raw else {}
    except (metadata.PackageNotFoundError, ValueError):
        return None
    url, vcs = direct.get("url", ""), direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and url.startswith("https://"):
        return f"git+{url}@{vcs['commit_id']}" if vcs.get("commit_id") else f"git+{url}"
    if url.startswith("file://"):  # an editable or local install: ask its checkout for the remote
        checkout = url.removeprefix("file://")
        remote, commit = _git(checkout, "config", "--get", "remote.origin.url"), _git(checkout, "rev-parse", "HEAD")
        if remote and remote.startswith("git@") and ":" in remote:
            host, _, repo_path = remote.removeprefix("git@").partition(":")
            remote = f"https://{host}/{repo_path}"
        if remote and remote.startswith("https://"):
            return f"git+{remote}@{commit}" if commit else f"git+{remote}"
    return None


def _git(cwd: str, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", cwd, *args], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _github_actions(config: Config, spec: CronSpec, zone: str, now: datetime) -> str:
    config_rel = _repo_relative(config.path)
    report_rel = _repo_relative(_report_path(config).parent)  # the artifact: the report folder
    cache_rel = _repo_relative(config.cache_dir)
    workspace = "${{ github.workspace }}"
    offset = spec_offset(spec, zone, now)
    lines, problem = spec.in_utc(offset)
    if offset.total_seconds() == 0:
        why = f'# GitHub runs cron in UTC; "{spec.expression}" ({zone}) needs no change.'
    else:
        hours = offset.total_seconds() / 3600
        why = (
            f'# GitHub runs cron in UTC: "{spec.expression}" in {zone} (UTC{hours:+g} h at the next run) is the line(s)\n'
            "    # below. Where the zone has daylight saving time, they drift by an hour for part of the year."
        )
        if problem:
            why += f"\n    # Not exact: {problem}."
    crons = "\n".join(f"    - cron: {_yaml_quote(line)}" for line in lines)
    token_env = "\n".join(
        f"          {name}: ${{{{ secrets.{'GITHUB_TOKEN' if name == 'GITHUB_TOKEN' else name} }}}}" for name in token_variables(config)
    )
    env_block = f"        env:\n{token_env}\n" if token_env else ""
    timeout_minutes = max(5, math.ceil(config.schedule.deadline_s / 60) + 5)
    command = " ".join(["profilesync", *job_arguments(_yaml_shell(f"{workspace}/{config_rel}"))])
    install = install_spec(config)
    if install.spec:
        install_step = f"      # From {install.why}.\n        run: python -m pip install {_yaml_shell(install.spec)}"
    else:
        install_step = (
            f"      # EDIT: {install.why}.\n"
            "      # Put what pip should install in schedule.pip_spec, e.g.\n"
            "      # \"profilesync @ git+https://github.com/OWNER/profilesync@COMMIT\", and print this again.\n"
            '        run: echo "set schedule.pip_spec in the profilesync config" && exit 1'
        )
    scholar_note = ""
    scholar = config.sources.get("scholar")
    if scholar is not None and scholar.enabled:
        scholar_note = (
            "      # Google Scholar blocks the addresses CI jobs run from (CAPTCHA pages): expect scholar\n"
            "      # to be reported stale here. Set sources.scholar.enabled: false for this job, or keep\n"
            "      # Scholar's own export in the repository and read it with `profilesync import scholar FILE`.\n"
        )
    return f"""\
# .github/workflows/profilesync.yml
# Add the token variables as repository secrets (Settings > Secrets and variables > Actions);
# GITHUB_TOKEN is provided by Actions itself.
name: profilesync
on:
  schedule:
    {why}
{crons}
  workflow_dispatch: {{}}
permissions:
  contents: read
jobs:
  diff:
    runs-on: ubuntu-latest
    timeout-minutes: {timeout_minutes}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install profilesync
{install_step}
      # Keep the snapshots and the HTTP cache between runs: a failing source then falls back
      # to its last good snapshot, and unchanged responses cost no quota.
      - uses: actions/cache@v4
        with:
          path: {_yaml_quote(cache_rel)}
          key: profilesync-${{{{ github.run_id }}}}
          restore-keys: profilesync-
{scholar_note}      - name: Run the scheduled job (pull, compare, write reports/latest.md and .json)
        id: diff
{env_block}        run: |
          set +e
          {command}
          code=$?
          echo "exit_code=$code" >> "$GITHUB_OUTPUT"   # steps.diff.outputs.exit_code for later steps
          # 0 in sync, 1 differences found (not a failure here), 2 config/CV error, 3 a source failed
          [ "$code" -le 1 ]
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: profilesync-report
          path: {_yaml_quote(report_rel)}
"""


def _yaml_shell(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def spec_offset(spec: CronSpec, zone: str, now: datetime):  # noqa: ANN201 - a timedelta
    """The zone's UTC offset at the schedule's next run (now's offset if it never fires)."""
    tz = ZoneInfo(zone)
    moment = spec.next_fire(tz, now.astimezone(timezone.utc)) or now.astimezone(tz)
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None
    return offset
