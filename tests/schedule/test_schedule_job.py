"""`profilesync schedule --once` and the scheduler loop, against a local server for every source.

The job runs the pipeline in a worker process (schedule/worker.py): these tests cover what the parent does around
it (reports, archive pruning, the on_change hook, the run lock, the CV push, the runs table) and
that the long-running scheduler starts, fires and stops cleanly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from conftest import REPO_ROOT, run_cli, tree_digest
from profilesync.schedule import job as schedule_module
from profilesync.schedule.cron import build_scheduler, parse_cron
from profilesync.schedule.reports import write_reports
from profilesync.state import State
from profilesync.validation import load_schema
from reliability import fixtures
from reliability.servers import ClosedPort, status

# The reliability suite's fixtures, used here too.
_templates = fixtures._templates
source_server = fixtures.source_server
full_profile = fixtures.full_profile

T1 = datetime(2026, 11, 30, 6, 0, 5, tzinfo=timezone.utc)
HOOK = """\
import json, os, sys, time
with open(os.environ["HOOK_LOG"], "a") as log:
    log.write(json.dumps({"argv": sys.argv[1:], "report": os.environ.get("PROFILESYNC_REPORT")}) + "\\n")
time.sleep(float(os.environ.get("HOOK_SLEEP", "0")))
"""


def configure(profile: Path, **schedule) -> None:
    data = json.loads((profile / "config.yaml").read_text())
    data["schedule"] = {"deadline_s": 60, "report_dir": "reports", **schedule}
    (profile / "config.yaml").write_text(json.dumps(data, indent=1))


def hook_setup(profile: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    script = tmp_path / "hook.py"
    script.write_text(HOOK)
    log = tmp_path / "hook.log"
    configure(profile, keep_reports=2, on_change=f'{sys.executable} {script} "a;b" $HOME')
    return {"HOOK_LOG": str(log)}, log


def hook_calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def stamps(profile: Path) -> list[str]:
    return sorted(p.name for p in (profile / "reports").iterdir() if not p.name.startswith("latest"))


@pytest.mark.slow
def test_once_archives_reports_runs_hook_only_on_change_and_prunes(full_profile: Path, source_server, tmp_path):
    env, log = hook_setup(full_profile, tmp_path)

    first = run_cli(["schedule", "--once"], full_profile, environ=env, now=T1)
    assert first.exit_code == 1, first.stderr  # the CV and the sources differ
    assert stamps(full_profile) == ["2026-11-30T060005Z.json", "2026-11-30T060005Z.md"]
    reports = full_profile / "reports"
    assert (reports / "latest.json").read_bytes() == (reports / "2026-11-30T060005Z.json").read_bytes()
    assert (reports / "latest.md").read_bytes() == (reports / "2026-11-30T060005Z.md").read_bytes()
    report = json.loads((reports / "latest.json").read_text())
    jsonschema.validate(report, load_schema("diff.schema.json"))  # the run section only extends it
    assert {s["status"] for s in report["sources"].values()} == {"ok"}
    assert report["run"]["exit_code"] == 1
    assert report["run"]["stopped"] is None
    assert report["run"]["changed"] is True
    assert (reports / "latest.md").read_text().startswith("> Scheduled run of 2026-11-30T06:00:05Z: exit status 1")
    assert "2026-11-30T060005Z.md" in first.stdout
    # The hook got the report's path as its last argument, its own arguments unsplit by a shell.
    [call] = hook_calls(log)
    assert call["argv"] == ["a;b", "$HOME", str(reports / "2026-11-30T060005Z.md")]
    assert call["report"] == str(reports / "2026-11-30T060005Z.md")
    [(command, started, code, summary)] = State(full_profile / "cache").last_runs()
    assert (command, started, code) == ("schedule", "2026-11-30T06:00:05Z", 1)
    assert json.loads(summary)["on_change"] == {"command": sys.executable, "exit_code": 0, "ok": True}

    # Same answers a week later: nothing changed, so no hook.
    second = run_cli(["schedule", "--once"], full_profile, environ=env, now=T1 + timedelta(days=7))
    assert second.exit_code == 1
    assert "same as the last run" in second.stdout
    assert len(hook_calls(log)) == 1

    # ORCID fails the third week: the report changes (a stale source), the hook runs, exit 3.
    source_server.fail_always("orcid", status(503))
    third = run_cli(["schedule", "--once"], full_profile, environ=env, now=T1 + timedelta(days=14))
    assert third.exit_code == 3
    latest = json.loads((reports / "latest.json").read_text())
    assert latest["sources"]["orcid"]["status"] == "stale"
    assert "503" in latest["sources"]["orcid"]["error"]
    assert len(hook_calls(log)) == 2
    # keep_reports: 2 keeps the two newest runs
    assert stamps(full_profile) == ["2026-12-07T060005Z.json", "2026-12-07T060005Z.md", "2026-12-14T060005Z.json", "2026-12-14T060005Z.md"]
    assert [row[2] for row in State(full_profile / "cache").last_runs()] == [3, 1, 1]


def test_archive_names_runs_in_the_same_second_apart_and_prunes_only_its_own_files(tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "notes.md").write_text("mine")
    for day in (1, 2, 2, 3):
        write_reports(reports, datetime(2026, 12, day, 6, 0, tzinfo=timezone.utc), f'{{"day": {day}}}\n', f"day {day}\n", keep=3)
    names = sorted(p.name for p in reports.iterdir())
    assert names == [
        "2026-12-02T060000Z-2.json",
        "2026-12-02T060000Z-2.md",
        "2026-12-02T060000Z.json",
        "2026-12-02T060000Z.md",
        "2026-12-03T060000Z.json",
        "2026-12-03T060000Z.md",
        "latest.json",
        "latest.md",
        "notes.md",
    ]
    assert (reports / "latest.md").read_text() == "day 3\n"


@pytest.mark.slow
def test_hook_that_hangs_is_stopped_and_reported(full_profile: Path, tmp_path, monkeypatch):
    env, log = hook_setup(full_profile, tmp_path)
    monkeypatch.setattr(schedule_module, "HOOK_MIN_S", 1.0)
    monkeypatch.setattr(schedule_module, "HOOK_MAX_S", 1.0)
    started = time.monotonic()
    result = run_cli(["schedule", "--once"], full_profile, environ={**env, "HOOK_SLEEP": "30"})
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert "on_change failed: " in result.stdout
    assert "did not finish within 1 s and was stopped" in result.stdout
    assert len(hook_calls(log)) == 1  # it started, and was stopped
    summary = json.loads(State(full_profile / "cache").last_runs()[0][3])
    assert summary["on_change"]["timed_out"] is True
    assert "did not finish within 1 s" in summary["on_change"]["error"]


@pytest.mark.slow
def test_hook_that_cannot_start_is_reported(full_profile: Path):
    configure(full_profile, on_change="/nonexistent/notify --now")
    result = run_cli(["schedule", "--once"], full_profile)
    assert result.exit_code == 1
    assert "on_change failed: cannot start '/nonexistent/notify'" in result.stdout


HOLDER = """\
import json, os, socket, sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1], timeout=0)
lock.acquire()
with open(sys.argv[2], "w") as note:
    json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started_at": "2026-11-30T06:00:00Z", "command": "schedule"}, note)
print("held", flush=True)
time.sleep(120)
"""


@pytest.mark.slow
def test_lock_skips_an_overlapping_run_and_recovers_from_a_dead_holder(full_profile: Path):
    configure(full_profile)
    cache = full_profile / "cache"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(cache / "schedule.lock"), str(cache / "schedule.lock.json")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        before = tree_digest(full_profile)
        busy = run_cli(["schedule", "--once"], full_profile)
        assert busy.exit_code == 2
        assert f"another profilesync run (pid {holder.pid}, started 2026-11-30T06:00:00Z) holds the lock" in busy.stderr
        assert tree_digest(full_profile) == before
        status = run_cli(["status"], full_profile)
        assert f"running now: pid {holder.pid}" in status.stdout
    finally:
        holder.kill()
        holder.wait()
    # The holder died without cleaning up: its note is still there, but the OS released its lock.
    assert (cache / "schedule.lock.json").exists()
    again = run_cli(["schedule", "--once"], full_profile)
    assert again.exit_code == 1, again.stderr
    assert f"recovered a stale run lock left by pid {holder.pid}" in again.stderr
    assert not (cache / "schedule.lock.json").exists()


@pytest.fixture
def demo_offline(tmp_path: Path) -> Path:
    """The bundled demo profile with every source pointing at a closed port (fails at once)."""
    profile = tmp_path / "demo"
    profile.mkdir()
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, profile / name)
    shutil.copytree(REPO_ROOT / "cache" / "snapshots", profile / "cache" / "snapshots")
    closed = ClosedPort().root
    text = (profile / "config.yaml").read_text()
    text = text.replace("    base_url: https://dblp.org\n", f"    base_url: {closed}\n    retries: 0\n")
    for source in ("orcid", "scholar", "github"):
        text = text.replace(f"  {source}:\n", f"  {source}:\n    base_url: {closed}\n    retries: 0\n", 1)
    (profile / "config.yaml").write_text(text)
    return profile


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["schedule.push_cv", "policy.auto_apply"])
def test_push_applies_strong_changes_to_the_cv(demo_offline: Path, setting: str):
    text = (demo_offline / "config.yaml").read_text()
    if setting == "schedule.push_cv":
        text = text.replace("schedule:\n", "schedule:\n  push_cv: true\n", 1)
    else:
        text = text.replace("policy:\n", "policy:\n  auto_apply: strong\n", 1)
    (demo_offline / "config.yaml").write_text(text)
    cv_before = (demo_offline / "cv.yaml").read_text()
    result = run_cli(["schedule", "--once"], demo_offline)
    assert result.exit_code == 3, result.stderr  # every source is stale (closed port)
    report = json.loads((demo_offline / "reports" / "latest.json").read_text())
    push = report["run"]["push"]
    assert push["ran"] is True
    assert push["applied"] >= 1
    cv_after = (demo_offline / "cv.yaml").read_text()
    assert cv_after != cv_before
    # The demo's strong-tier title change: TGS was published under a reworded title.
    assert "Transparent GPU Sharing in Container Clouds for Deep Learning Workloads" in cv_after
    assert "# The canonical CV record of the bundled demo profile." in cv_after  # comments kept
    assert list((demo_offline / "cache" / "backups").iterdir())
    assert f"CV push: {push['detail']}" in result.stdout


@pytest.mark.slow
def test_without_push_setting_the_cv_is_not_touched(demo_offline: Path):
    cv_before = (demo_offline / "cv.yaml").read_bytes()
    result = run_cli(["schedule", "--once"], demo_offline)
    assert result.exit_code == 3
    assert (demo_offline / "cv.yaml").read_bytes() == cv_before
    assert "push" not in json.loads((demo_offline / "reports" / "latest.json").read_text())["run"]


def test_scheduler_fires_the_job_on_the_cron_trigger():
    from apscheduler.schedulers.background import BackgroundScheduler

    fired = threading.Event()
    zone = ZoneInfo("Asia/Shanghai")
    scheduler = build_scheduler(parse_cron("0 6 * * 1"), zone, fired.set, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        [job] = scheduler.get_jobs()
        assert job.next_run_time.strftime("%A %H:%M") == "Monday 06:00"
        assert job.max_instances == 1
        assert job.coalesce is True
        job.modify(next_run_time=datetime.now(timezone.utc))
        scheduler.resume()
        assert fired.wait(5)
    finally:
        scheduler.shutdown(wait=False)


def test_schedule_runs_in_the_foreground_until_sigterm(tmp_path: Path):
    from reliability.profile import Settings, new_profile
    from reliability.sources import CASES

    closed = ClosedPort().root
    profile = new_profile(tmp_path / "p", CASES, {c.name: closed for c in CASES}, Settings(schedule={"cron": "0 6 * * 1", "timezone": "Europe/Berlin"}))
    process = subprocess.Popen(
        [sys.executable, "-m", "profilesync", "--config", str(profile / "config.yaml"), "schedule"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert 'profilesync schedule: "0 6 * * 1" in Europe/Berlin; next runs: Mon ' in line
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not (profile / "reports").exists()
    assert socket.gethostname()  # the holder note format relies on it
