"""Odd snapshot files (issue 13, items 9 and 10): one bad file costs one source, never the report.

A corrupt or truncated ``cache/snapshots/<source>.json`` marks that source stale with a message
naming the file and the pull that replaces it; the other sources still report, exit 3. A snapshot
dated in the future is flagged, never shown as fresh. A failing source leaves every file as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT, run_cli, tree_digest

from .servers import status

DEMO_SOURCES = ("dblp", "orcid", "scholar", "github")


def _orcid_text() -> str:
    return (REPO_ROOT / "cache" / "snapshots" / "orcid.json").read_text(encoding="utf-8")


DAMAGE = {
    "truncated": lambda: _orcid_text()[: len(_orcid_text()) // 2].encode(),
    "empty": lambda: b"",
    "not-an-object": lambda: b"[1, 2, 3]\n",
    "invalid-utf8": lambda: _orcid_text().encode()[:200] + b"\xff\xfe\xfa" + _orcid_text().encode()[200:],
    "works-not-a-list": lambda: json.dumps({**json.loads(_orcid_text()), "works": 5}).encode(),
    "bad-date": lambda: json.dumps({**json.loads(_orcid_text()), "fetched_at": "yesterday"}).encode(),
    "bad-target": lambda: json.dumps({**json.loads(_orcid_text()), "pulled_for": ["0000"]}).encode(),
    "another-sources-file": lambda: (REPO_ROOT / "cache" / "snapshots" / "dblp.json").read_bytes(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_corrupt_snapshot_marks_only_its_source_stale(demo: Path, damage: str, record_case, timer):
    path = demo / "cache" / "snapshots" / "orcid.json"
    path.write_bytes(DAMAGE[damage]())
    before = tree_digest(demo)
    result = run_cli(["diff", "--offline", "--format", "json"], demo)
    record_case("snapshots", f"corrupt orcid snapshot ({damage})", timer(), failure=True)
    assert result.exit_code == 3, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    orcid = report["sources"]["orcid"]
    assert orcid["status"] == "stale"
    assert f"{path}: the snapshot is corrupt or truncated" in orcid["error"]
    assert "`profilesync pull --source orcid`" in orcid["error"]
    assert "works" not in orcid  # none of the damaged file's works is used
    assert {name: report["sources"][name]["status"] for name in ("dblp", "scholar", "github")} == dict.fromkeys(("dblp", "scholar", "github"), "ok")
    assert report["changes"], "the other sources still report their differences"
    assert not [c for c in report["changes"] if c["source"] == "orcid"]
    assert report["in_sync"] is False
    assert tree_digest(demo) == before  # nothing moved, deleted or rewritten by an offline diff

    text = run_cli(["diff", "--offline"], demo)
    assert text.exit_code == 3
    assert "STALE orcid" in text.stdout
    # The report wraps long lines at 120 columns: compare the words.
    assert "orcid.json: the snapshot is corrupt or truncated" in " ".join(text.stdout.split())


def test_diff_pulls_a_corrupt_snapshot_again(full_profile: Path, record_case, timer):
    path = full_profile / "cache" / "snapshots" / "orcid.json"
    path.write_text('{"format": 1, "source": "orcid", "works": [', encoding="utf-8")
    result = run_cli(["diff", "--format", "json"], full_profile)
    record_case("snapshots", "corrupt snapshot, diff online", timer(), failure=True)
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["sources"]["orcid"]["status"] == "ok"
    assert json.loads(path.read_text(encoding="utf-8"))["source"] == "orcid"


def test_a_failing_pull_keeps_a_corrupt_snapshot_as_it_is_and_says_why(full_profile: Path, source_server, record_case, timer):
    path = full_profile / "cache" / "snapshots" / "orcid.json"
    path.write_text('{"format": 1, "source": "orcid", "works": [', encoding="utf-8")
    shutil.rmtree(full_profile / "cache" / "http")
    source_server.fail_always("orcid", status(503))
    before = tree_digest(full_profile)
    result = run_cli(["diff", "--format", "json"], full_profile)
    record_case("snapshots", "corrupt snapshot, pull fails", timer(), failure=True)
    assert result.exit_code == 3, result.stderr
    orcid = json.loads(result.stdout)["sources"]["orcid"]
    assert orcid["status"] == "stale"
    assert "503" in orcid["error"]
    assert "orcid.json: the snapshot is corrupt or truncated" in orcid["error"]
    after = tree_digest(full_profile)
    assert after["cache/snapshots/orcid.json"] == before["cache/snapshots/orcid.json"]
    assert {k for k in after if k.startswith("cache/snapshots/")} == {k for k in before if k.startswith("cache/snapshots/")}


def test_a_snapshot_dated_in_the_future_is_flagged(demo: Path, record_case, timer):
    path = demo / "cache" / "snapshots" / "scholar.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["fetched_at"] = "2031-01-01T00:00:00Z"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli(["diff", "--offline", "--format", "json"], demo)
    record_case("snapshots", "snapshot dated in the future", timer(), failure=True)
    assert result.exit_code == 3
    scholar = json.loads(result.stdout)["sources"]["scholar"]
    assert scholar["status"] == "stale"
    assert "fetched_at 2031-01-01T00:00:00Z is in the future (clock skew or edited file)" in scholar["error"]
    assert "`profilesync pull --source scholar`" in scholar["error"]
    assert scholar["works"] == len(data["works"])  # the researcher's own data, still compared
    text = run_cli(["diff", "--offline"], demo).stdout
    scholar_line = next(line for line in text.splitlines() if " scholar " in line and "works" in line)
    assert "STALE" in scholar_line
    assert "fresh" not in scholar_line


def test_a_clock_a_little_ahead_is_not_flagged(demo: Path):
    from datetime import datetime, timedelta, timezone

    fetched = datetime(2026, 11, 20, 6, 1, 5, tzinfo=timezone.utc)  # the bundled scholar snapshot
    result = run_cli(["diff", "--offline", "--format", "json"], demo, now=fetched - timedelta(minutes=2))
    assert json.loads(result.stdout)["sources"]["scholar"]["status"] == "ok"
    result = run_cli(["diff", "--offline", "--format", "json"], demo, now=fetched - timedelta(hours=2))
    assert json.loads(result.stdout)["sources"]["scholar"]["status"] == "stale"


def test_pull_offline_lists_a_corrupt_snapshot_and_the_others(demo: Path):
    (demo / "cache" / "snapshots" / "github.json").write_text('{"format": 1, "source": "gith', encoding="utf-8")
    before = tree_digest(demo)
    result = run_cli(["pull", "--offline"], demo)
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr
    assert "github.json: the snapshot is corrupt or truncated" in result.stdout
    assert "dblp      14 works" in result.stdout
    assert tree_digest(demo) == before
