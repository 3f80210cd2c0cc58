"""Ready-to-paste snippets that run ``profilesync diff`` from cron, a systemd timer or GitHub Actions.

``profilesync schedule`` is one way to run the job; many people would rather let the system's own
scheduler do it. Each snippet runs the same command a scheduled job should run,
``diff --refresh --format json --output <report_dir>/latest.json``, with the absolute config path,
the schedule from ``schedule.cron`` in ``schedule.timezone``, and the token variables the config
names (their values are never printed: only where to put them).
"""

from __future__ import annotations

import enum
import math
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from profilesync import __version__
from profilesync.schedule_cron import CronSpec

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


def diff_arguments(config: Config, config_path: str, output: str) -> list[str]:
    return ["--config", config_path, "diff", "--refresh", "--format", "json", "--output", output]


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
    command = [*profilesync_command(), *diff_arguments(config, str(config.path), str(_report_path(config)))]
    # "%" ends the command in a crontab line unless escaped.
    line = " ".join(shlex.quote(part) for part in command).replace("%", "\\%")
    workdir = shlex.quote(str(config.path.parent)).replace("%", "\\%")
    tokens = token_variables(config)
    out = [
        f"# profilesync for {config.path} (crontab -e, then paste). Schedule: schedule.cron \"{spec.expression}\" in {zone}.",
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
    command = [*profilesync_command(), *diff_arguments(config, str(config.path), str(_report_path(config)))]
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
# 1 means "differences found": a normal outcome for a scheduled diff, not a failure.
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


def _repo_relative(path: Path) -> str:
    """``path`` relative to the git work tree holding it (the workflow's ``github.workspace``)."""
    for parent in path.parents:
        if (parent / ".git").exists():
            return path.relative_to(parent).as_posix()
    return path.name


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _github_actions(config: Config, spec: CronSpec, zone: str, now: datetime) -> str:
    config_rel = _repo_relative(config.path)
    report_rel = _repo_relative(_report_path(config))
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
    command = " ".join(
        [
            "profilesync",
            "--config",
            _yaml_shell(f"{workspace}/{config_rel}"),
            "diff",
            "--refresh",
            "--format",
            "json",
            "--output",
            _yaml_shell(f"{workspace}/{report_rel}"),
        ]
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
        run: python -m pip install "profilesync=={__version__}"
      # Keep the snapshots and the HTTP cache between runs: a failing source then falls back
      # to its last good snapshot, and unchanged responses cost no quota.
      - uses: actions/cache@v4
        with:
          path: {_yaml_quote(cache_rel)}
          key: profilesync-${{{{ github.run_id }}}}
          restore-keys: profilesync-
      - name: Compare the CV with its sources
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
