"""The scheduled job under faults no per-source timeout can catch: it ends by schedule.deadline_s.

A server that sends its response headers one byte at a time never lets a socket timeout fire,
so only the job's hard deadline ends the pull: the pull process (and the Scholar worker it
started) is killed, and the report, built from the cache, says which sources did not finish.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

from conftest import run_cli, tree_digest
from profilesync.app import App
from profilesync.commands.schedule_cmd import job_context
from profilesync.env import Environment
from profilesync.schedule.job import ScheduledJob
from profilesync.state import State

from .profile import LAST_PULL, Settings, changed_files, new_profile, write_config
from .servers import RawServer, SourceServer, drip_headers, never_answers, wait_until
from .sources import CASES

# Both cases wait out real deadlines (a job's hard deadline, a header drip): the slow set.
pytestmark = pytest.mark.slow

DEADLINE_S = 3.0
# Killing the pull process, building the report from the cache and writing it.
MARGIN_S = 8.0
# Files a stopped run may change besides its reports: the attempt record, the HTTP cache, the
# state database (the run is logged) and the lock (taken and released).
ALLOWED = {"cache/status.json", "cache/http/http_cache.sqlite", "cache/state.db", "cache/schedule.lock", "cache/http/http_cache.sqlite-journal"}


def _live_processes_in_group(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that are not zombies (a killed process is a zombie until its
    new parent reaps it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def test_deadline_stops_dripping_and_silent_sources_and_reports_them(source_server: SourceServer, tmp_path: Path, record_case):
    profile = tmp_path / "profile"
    roots = {case.name: source_server.root for case in CASES}
    settings = Settings(timeout_s=2.0, schedule={"deadline_s": DEADLINE_S, "report_dir": "reports"})
    new_profile(profile, CASES, roots, Settings(timeout_s=8.0, schedule=settings.schedule))
    # Every source gets a good snapshot (dated earlier, as a previous run's would be).
    assert run_cli(["pull"], profile, now=LAST_PULL).exit_code == 0

    drip, silent = RawServer(drip_headers), RawServer(never_answers)
    # Scholar's own deadline (30 s, enforced by killing its worker) is longer than the job's.
    slow = Settings(timeout_s=2.0, schedule=settings.schedule)
    write_config(profile, CASES, {**roots, "github": drip.root, "scholar": silent.root}, slow)
    data = json.loads((profile / "config.yaml").read_text())
    data["sources"]["scholar"]["timeout_s"] = 30
    (profile / "config.yaml").write_text(json.dumps(data, indent=1))
    before = tree_digest(profile)

    app = App(env=Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=profile))
    job = ScheduledJob(job_context(app))
    started = time.monotonic()
    try:
        outcome = job.run()
    finally:
        elapsed = time.monotonic() - started
        drip.close()
        silent.close()
    record_case("schedule", "deadline-cuts-header-drip-and-silent-server", elapsed, failure=True)

    assert int(outcome.exit_status) == 3
    assert outcome.cut is not None
    # The pull process was stopped at the deadline; the rest (the report from the cache) is
    # local work, bounded loosely so a busy machine does not fail the test.
    assert outcome.cut.after_s < DEADLINE_S + 1.0, outcome.cut
    assert elapsed < DEADLINE_S + MARGIN_S, f"took {elapsed:.1f} s"
    assert set(outcome.cut.unfinished) == {"github", "scholar"}
    assert set(outcome.cut.finished) == {"dblp", "orcid"}
    # The pull process and the Scholar worker it started are gone.
    assert job.last_child_pid is not None
    assert wait_until(lambda: not _live_processes_in_group(job.last_child_pid), timeout=2.0), _live_processes_in_group(job.last_child_pid)

    report = json.loads((profile / "reports" / "latest.json").read_text())
    assert report["run"]["stopped"]["unfinished"] == ["scholar", "github"]
    for name in ("github", "scholar"):
        entry = report["sources"][name]
        assert entry["status"] == "stale"
        assert "deadline" in entry["error"]
        assert entry["works"] > 0
    assert report["sources"]["dblp"]["status"] == "ok"
    assert report["incomplete"] is True
    assert "STOPPED" in (profile / "reports" / "latest.md").read_text()

    after = tree_digest(profile)
    changed = {name for name in changed_files(before, after) if not name.startswith("reports/")}
    # dblp and orcid finished in time: their new snapshots are saved; the cut sources' are not.
    allowed = ALLOWED | {"cache/snapshots/dblp.json", "cache/snapshots/orcid.json"}
    assert changed <= allowed, changed - allowed
    for name in ("github", "scholar"):
        assert after[f"cache/snapshots/{name}.json"] == before[f"cache/snapshots/{name}.json"]
    assert not [name for name in after if name.endswith(".tmp")]
    [(command, _, code, summary)] = State(profile / "cache").last_runs()
    assert (command, code) == ("schedule", 3)
    assert json.loads(summary)["cut"]["unfinished"] == ["scholar", "github"]


def test_a_pull_started_by_hand_gives_up_on_a_header_drip(source_server: SourceServer, tmp_path: Path, record_case):
    """No socket timeout fires on a server that drips its headers; the pipeline stops waiting for
    that source at its deadline and reports it stale, while the other sources finish."""
    profile = tmp_path / "profile"
    roots = {case.name: source_server.root for case in CASES}
    new_profile(profile, CASES, roots, Settings(timeout_s=8.0))
    assert run_cli(["pull"], profile, now=LAST_PULL).exit_code == 0
    drip = RawServer(drip_headers)
    write_config(profile, CASES, {**roots, "github": drip.root}, Settings(timeout_s=2.0))
    snapshot = (profile / "cache" / "snapshots" / "github.json").read_bytes()
    started = time.monotonic()
    try:
        result = run_cli(["pull", "--source", "github", "--source", "dblp"], profile)
    finally:
        elapsed = time.monotonic() - started
        drip.close()
    record_case("github", "pull-by-hand-header-drip", elapsed, failure=True)
    assert result.exit_code == 3, result.stdout + result.stderr
    assert "github   STALE" in result.stdout and "deadline" in result.stdout
    assert "dblp     ok" in result.stdout
    assert elapsed < 2.0 + 3.0 + 4.0, f"took {elapsed:.1f} s"
    assert (profile / "cache" / "snapshots" / "github.json").read_bytes() == snapshot
