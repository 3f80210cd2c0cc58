"""`profilesync schedule --print cron|systemd|github-actions`: snippets that run the scheduled job itself."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import run_cli, tree_digest
from reliability.profile import Settings, new_profile
from reliability.servers import ClosedPort
from reliability.sources import CASES

TOKENS = {"ORCID_TOKEN": "orcid-secret-value-123", "GITHUB_TOKEN": "ghp_secretvalue456"}


def make_profile(directory: Path, schedule: dict | None = None) -> Path:
    closed = ClosedPort().root
    settings = Settings(schedule={"cron": "0 6 * * 1", "timezone": "Asia/Shanghai", "deadline_s": 600, **(schedule or {})}, token_env={"orcid": "ORCID_TOKEN", "github": "GITHUB_TOKEN"})
    return new_profile(directory, CASES, {c.name: closed for c in CASES}, settings)


def snippet(profile: Path, kind: str) -> str:
    before = tree_digest(profile)
    result = run_cli(["schedule", "--print", kind], profile, environ=TOKENS)
    assert result.exit_code == 0, result.stderr
    assert tree_digest(profile) == before, "--print writes nothing"
    for value in TOKENS.values():
        assert value not in result.stdout
    return result.stdout


def test_cron_line_runs_the_job_with_absolute_paths(tmp_path):
    profile = make_profile(tmp_path / "my profile%1")
    text = snippet(profile, "cron")
    assert "CRON_TZ=Asia/Shanghai\n" in text
    [line] = [line for line in text.splitlines() if line and not line.startswith(("#", "CRON_TZ"))]
    assert line.split()[:5] == ["0", "6", "*", "*", "1"]
    # "%" ends a crontab command unless escaped; undo that to read the command as the shell will
    words = shlex.split(" ".join(line.split()[5:]).replace("\\%", "%"))
    assert words[:3] == ["cd", str(profile), "&&"]
    command = words[3:]
    assert Path(command[0]).is_absolute()
    config_at = command.index("--config")
    assert command[config_at + 1] == str(profile / "config.yaml")
    assert command[config_at + 2 :] == ["schedule", "--once"]
    assert "#   ORCID_TOKEN=<your token>" in text


@pytest.mark.slow
def test_cron_line_command_really_runs(tmp_path):
    profile = make_profile(tmp_path / "p")
    line = next(line for line in snippet(profile, "cron").splitlines() if line.startswith("0 6 "))
    command = " ".join(line.split()[5:]).replace("\\%", "%")
    # Every source points at a closed port: the run ends at once with exit 3 and writes the report.
    done = subprocess.run(["sh", "-c", command], capture_output=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 3, done.stderr
    report = json.loads((profile / "reports" / "latest.json").read_text())
    assert {entry["status"] for entry in report["sources"].values()} == {"failed"}
    # It was the scheduled job, not a bare diff: the Markdown report, the archive and the run record.
    assert (profile / "reports" / "latest.md").is_file()
    assert len(list((profile / "reports").glob("*.json"))) == 2  # latest.json and the archived copy
    status = run_cli(["status"], profile)
    assert "last run: schedule at " in status.stdout and "incomplete (exit 3)" in status.stdout, status.stdout


def test_systemd_service_and_timer(tmp_path):
    profile = make_profile(tmp_path / "p")
    text = snippet(profile, "systemd")
    service, timer = text.split("# ~/.config/systemd/user/profilesync.timer\n")
    assert "Type=oneshot" in service
    assert f"WorkingDirectory={profile}" in service
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    words = shlex.split(exec_start.removeprefix("ExecStart="))
    assert Path(words[0]).is_absolute()
    assert words[-4:] == ["--config", str(profile / "config.yaml"), "schedule", "--once"]
    assert "SuccessExitStatus=1" in service
    assert "TimeoutStartSec=660" in service  # schedule.deadline_s + a minute
    assert "OnCalendar=Mon *-*-* 06:00:00 Asia/Shanghai" in timer
    assert "Persistent=true" in timer
    assert "WantedBy=timers.target" in timer


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_units_verify(tmp_path):
    profile = make_profile(tmp_path / "p")
    service, timer = snippet(profile, "systemd").split("# ~/.config/systemd/user/profilesync.timer\n")
    units = tmp_path / "units"
    units.mkdir()
    (units / "profilesync.service").write_text(service)
    (units / "profilesync.timer").write_text(timer)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(units / "profilesync.timer")], capture_output=True, text=True, cwd=units)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "profilesync" in line and "EnvironmentFile" not in line]
    assert not problems, done.stdout + done.stderr


def test_github_actions_workflow(tmp_path):
    repo = tmp_path / "homepage"
    (repo / ".git").mkdir(parents=True)
    profile = make_profile(repo / "cv")
    workflow = YAML(typ="safe").load(snippet(profile, "github-actions"))
    assert workflow["on"]["schedule"] == [{"cron": "0 22 * * 0"}]  # Monday 06:00 in Shanghai, in UTC
    assert "workflow_dispatch" in workflow["on"]
    steps = workflow["jobs"]["diff"]["steps"]
    run = next(step for step in steps if "profilesync --config" in step.get("run", ""))
    assert 'profilesync --config "${{ github.workspace }}/cv/config.yaml" schedule --once\n' in run["run"]
    assert run["env"] == {"ORCID_TOKEN": "${{ secrets.ORCID_TOKEN }}", "GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}"}
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == "cv/cache"
    assert workflow["jobs"]["diff"]["timeout-minutes"] == 15
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "cv/reports"


def _install_step(workflow_text: str) -> dict:
    workflow = YAML(typ="safe").load(workflow_text)
    return next(step for step in workflow["jobs"]["diff"]["steps"] if step.get("name") == "Install profilesync")


def test_github_actions_installs_the_configured_pip_spec(tmp_path):
    repo = tmp_path / "homepage"
    (repo / ".git").mkdir(parents=True)
    spec = "profilesync @ git+https://github.com/someone/profilesync@0123abc"
    profile = make_profile(repo / "cv", {"pip_spec": spec})
    text = snippet(profile, "github-actions")
    assert _install_step(text)["run"] == f'python -m pip install "{spec}"'
    assert "profilesync==" not in text  # never a version that is not published


def test_github_actions_in_a_profilesync_checkout_installs_it(tmp_path):
    repo = tmp_path / "fork"
    (repo / ".git").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[project]\nname = "profilesync"\nversion = "0.1.0"\n')
    profile = make_profile(repo / "me")
    assert _install_step(snippet(profile, "github-actions"))["run"] == 'python -m pip install "${{ github.workspace }}"'


def test_github_actions_warns_about_scholar_on_ci(tmp_path):
    repo = tmp_path / "homepage"
    (repo / ".git").mkdir(parents=True)
    profile = make_profile(repo / "cv", {"pip_spec": "profilesync"})
    text = snippet(profile, "github-actions")
    assert "Google Scholar blocks the addresses CI jobs run from" in text
    assert "profilesync import scholar FILE" in text


@pytest.mark.parametrize(
    ("schedule", "key", "message"),
    [
        ({"cron": "0 25 * * *"}, "schedule.cron", "hour 25 is out of range"),
        ({"timezone": "Mars/Olympus"}, "schedule.timezone", "is not a known time zone"),
    ],
)
@pytest.mark.parametrize("command", [["schedule", "--print", "cron"], ["schedule", "--once"], ["schedule"]], ids=" ".join)
def test_bad_schedule_is_a_config_error_and_writes_nothing(tmp_path, schedule, key, message, command):
    profile = make_profile(tmp_path / "p", schedule)
    before = tree_digest(profile)
    result = run_cli(command, profile)
    assert result.exit_code == 2
    assert f"config.yaml: {key}: " in result.stderr
    assert message in result.stderr
    assert tree_digest(profile) == before


def test_no_cron_set_says_how_to_add_one(tmp_path):
    profile = make_profile(tmp_path / "p")
    data = json.loads((profile / "config.yaml").read_text())
    del data["schedule"]["cron"]
    (profile / "config.yaml").write_text(json.dumps(data))
    result = run_cli(["schedule", "--print", "systemd"], profile)
    assert result.exit_code == 2
    assert "schedule.cron: no schedule is set" in result.stderr
    assert '"0 6 * * 1"' in result.stderr
