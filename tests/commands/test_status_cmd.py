"""`profilesync status`: last run, per-source freshness and failures, cache size, tokens; reads only."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import run_cli, tree_digest
from reliability import fixtures
from reliability.profile import LAST_PULL, Settings, new_profile
from reliability.servers import ClosedPort, status
from reliability.sources import CASES

_templates = fixtures._templates
source_server = fixtures.source_server
full_profile = fixtures.full_profile

SECRET = "ghp_StatusMustNeverShowThis0123456789"


def test_a_profile_never_run(tmp_path: Path):
    closed = ClosedPort().root
    profile = new_profile(tmp_path / "p", CASES, {c.name: closed for c in CASES}, Settings(token_env={"github": "GITHUB_TOKEN", "orcid": "ORCID_TOKEN"}, schedule={"cron": "0 6 * * 1", "timezone": "Asia/Shanghai"}))
    before = tree_digest(profile)
    result = run_cli(["status"], profile, environ={"GITHUB_TOKEN": SECRET}, now=datetime(2026, 11, 28, tzinfo=timezone.utc))
    assert result.exit_code == 0
    out = result.stdout
    assert "last run: none recorded" in out
    assert all(f"{name:<8} never pulled" in out for name in ("dblp", "orcid", "scholar", "github"))
    assert "token GITHUB_TOKEN (github): set" in out
    assert "token ORCID_TOKEN (orcid): not set" in out
    assert SECRET not in out
    assert SECRET[:4] + "…" not in out
    assert SECRET[-4:] not in out  # not even a masked fragment
    assert 'schedule: "0 6 * * 1"; next run 2026-11-30 06:00 CST' in out
    assert "cache: 0 B" in out
    assert tree_digest(profile) == before


@pytest.mark.slow
def test_status_after_runs_shows_the_last_run_failures_and_cache_size(full_profile: Path, source_server):
    data = json.loads((full_profile / "config.yaml").read_text())
    data["schedule"] = {"report_dir": "reports", "deadline_s": 60}
    data["sources"]["github"]["token_env"] = "GITHUB_TOKEN"
    (full_profile / "config.yaml").write_text(json.dumps(data))
    source_server.fail_always("orcid", status(503))
    run = run_cli(["schedule", "--once"], full_profile, environ={"GITHUB_TOKEN": SECRET})
    assert run.exit_code == 3

    now = datetime.now(timezone.utc) + timedelta(hours=3)
    before = tree_digest(full_profile)
    text = run_cli(["status"], full_profile, environ={"GITHUB_TOKEN": SECRET}, now=now)
    as_json = run_cli(["status", "--format", "json"], full_profile, environ={"GITHUB_TOKEN": SECRET}, now=now)
    assert tree_digest(full_profile) == before, "status writes nothing"
    assert text.exit_code == 0
    assert as_json.exit_code == 0
    assert SECRET not in text.stdout + as_json.stdout

    report = json.loads(as_json.stdout)
    assert report["last_run"]["command"] == "schedule"
    assert report["last_run"]["exit_code"] == 3
    assert report["last_run"]["summary"]["sources"]["orcid"] == "stale"
    assert report["last_run"]["summary"]["report"].endswith(".json")
    orcid = report["sources"]["orcid"]
    assert orcid["state"] == "failing"
    assert "503" in orcid["error"]
    assert orcid["snapshot_at"] == LAST_PULL.strftime("%Y-%m-%dT%H:%M:%SZ")  # the last good one
    assert orcid["works"] == 74
    assert report["sources"]["dblp"]["state"] == "ok"
    assert 3 * 3600 - 120 < report["sources"]["dblp"]["age_s"] < 3 * 3600 + 120
    on_disk = sum(p.stat().st_size for p in (full_profile / "cache").rglob("*") if p.is_file())
    assert report["cache"]["bytes"] == on_disk
    assert report["cache"]["parts"]["snapshots"] == sum(p.stat().st_size for p in (full_profile / "cache" / "snapshots").iterdir())
    assert report["tokens"] == {"GITHUB_TOKEN": {"source": "github", "set": True}}
    assert report["latest_report"] == str(full_profile / "reports" / "latest.json")
    assert report["running"] is None

    out = text.stdout
    assert "last run: schedule at " in out
    assert "incomplete (exit 3)" in out
    assert "orcid    failing" in out
    assert "last pull" in out
    assert "503" in out
    assert "dblp     ok" in out
    assert "3 h ago" in out
    assert "token GITHUB_TOKEN (github): set" in out


def test_bad_config_is_exit_2(tmp_path: Path):
    (tmp_path / "config.yaml").write_text("profile: {}\n")
    result = run_cli(["status"], tmp_path)
    assert result.exit_code == 2
    assert "config.yaml: profile" in result.stderr
    assert not os.path.exists(tmp_path / "cache")


def test_status_judges_snapshots_as_diff_does(tmp_path: Path):
    """A snapshot diff would refuse (another person's, future-dated) is not shown as ok."""
    import shutil

    from conftest import REPO_ROOT

    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache")
    # Another researcher's ORCID iD in the config: the demo's ORCID snapshot is not theirs.
    config = tmp_path / "config.yaml"
    config.write_text(config.read_text().replace("0000-0003-4209-9451", "0000-0002-1825-0097"))
    # And a GitHub snapshot dated after "now".
    github = tmp_path / "cache" / "snapshots" / "github.json"
    data = json.loads(github.read_text())
    data["fetched_at"] = "2027-06-01T00:00:00Z"
    github.write_text(json.dumps(data))
    before = tree_digest(tmp_path)

    result = run_cli(["status"], tmp_path, now=datetime(2026, 12, 1, tzinfo=timezone.utc))

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("  orcid    not yours") for line in lines), result.stdout
    assert any(line.startswith("  github   future-dated") for line in lines), result.stdout
    assert any(line.startswith("  dblp     ok") for line in lines), result.stdout
    assert any("problem:" in line and "0000-0003-4209-9451" in line and "pull --source orcid" in line for line in lines)
    assert any("problem:" in line and "in the future" in line for line in lines)
    assert tree_digest(tmp_path) == before
