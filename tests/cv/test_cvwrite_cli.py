"""`profilesync push --to cv` end to end on a copy of the bundled demo profile (offline)."""

from __future__ import annotations

import io
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import REPO_ROOT, run_cli, tree_digest
from profilesync.app import App
from profilesync.diff.changes import ChangeKind
from profilesync.env import Environment
from profilesync.state import Decision, State

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    for name in ("config.yaml", "cv.yaml"):
        shutil.copyfile(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache")
    return tmp_path


def test_dry_run_prints_the_diff_and_writes_nothing(demo: Path):
    before = tree_digest(demo)
    result = run_cli(["push", "--to", "cv", "--dry-run", "--yes"], demo, now=NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("--- a/cv.yaml\n+++ b/cv.yaml\n")
    assert "+    pages: 995-1011\n" in result.stdout
    assert "+    ids: {doi: 10.1145/3597204, arxiv: null, dblp: null}\n" in result.stdout
    assert "nothing written" in result.stderr
    assert tree_digest(demo) == before


def test_yes_applies_strong_changes_keeps_comments_and_makes_a_backup(demo: Path):
    original = (demo / "cv.yaml").read_text(encoding="utf-8")
    result = run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW)
    assert result.exit_code == 0, result.stderr
    text = (demo / "cv.yaml").read_text(encoding="utf-8")
    assert text != original
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert comments
    assert all(line in text.splitlines() for line in comments)
    assert "ids: {doi: 10.1145/3597204, arxiv: null, dblp: null}" in text  # flow style kept
    backups = list((demo / "cache" / "backups").glob("cv.yaml.*.bak"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == original
    # The preprint -> published change is probable, not strong: it waits for review.
    assert "wu2023fastserve" in text
    assert 'title: "Fast Distributed Inference Serving for Large Language Models"' in text
    assert "wait for your decision" in result.stderr

    again = run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW)
    assert again.exit_code == 0
    assert "nothing to apply" in again.stderr
    assert (demo / "cv.yaml").read_text(encoding="utf-8") == text
    report = run_cli(["diff", "--offline", "--format", "json"], demo, now=NOW)
    import json

    kinds = {(c["kind"], c["cv_key"], c.get("field")) for c in json.loads(report.stdout)["changes"]}
    assert ("field_differs", "zhang2023auncel", "pages") not in kinds
    assert ("new_version", "wu2023fastserve", None) in kinds


def test_without_yes_or_decisions_nothing_is_written(demo: Path):
    before = tree_digest(demo)
    result = run_cli(["push", "--to", "cv"], demo, now=NOW)
    assert result.exit_code == 0
    assert "nothing to apply" in result.stderr
    assert "--yes" in result.stderr
    assert tree_digest(demo) == before


def test_accepted_decisions_are_applied_and_marked(demo: Path):

    app = App(env=Environment(stdout=io.StringIO(), stderr=io.StringIO(), cwd=demo, clock=lambda: NOW))
    changes = app.diff(offline=True).changes
    version = next(c for c in changes if c.kind is ChangeKind.NEW_VERSION)
    State(demo / "cache").record([(version.fingerprint, Decision.ACCEPTED, version.value_digest)], NOW)

    result = run_cli(["push", "--to", "cv"], demo, now=NOW)
    assert result.exit_code == 0, result.stderr
    text = (demo / "cv.yaml").read_text(encoding="utf-8")
    assert "FastServe: Iteration-Level Preemptive Scheduling" in text
    assert "pages: 995-1011" not in text  # strong-tier changes were not accepted, and --yes was not given
    assert State(demo / "cache").decisions()[version.fingerprint].applied


def test_only_names_a_new_work_by_the_key_it_will_get(demo: Path):
    dry = run_cli(["push", "--to", "cv", "--dry-run", "--yes", "--only", "wu2024dlora"], demo, now=NOW)
    assert dry.exit_code == 0, dry.stderr
    assert "+  - key: wu2024dlora\n" in dry.stdout
    assert dry.stdout.count("@@ ") == 1  # one hunk: other entries' changes are filtered out
    assert "995-1011" not in dry.stdout
    result = run_cli(["push", "--to", "cv", "--yes", "--only", "wu2024dlora"], demo, now=NOW)
    assert result.exit_code == 0
    assert "key: wu2024dlora" in (demo / "cv.yaml").read_text(encoding="utf-8")


def test_only_with_an_unknown_key_fails(demo: Path):
    before = tree_digest(demo)
    result = run_cli(["push", "--to", "cv", "--yes", "--only", "nosuchkey"], demo, now=NOW)
    assert result.exit_code == 2
    assert "--only nosuchkey" in result.stderr
    assert tree_digest(demo) == before


def test_only_with_one_unknown_key_among_known_ones_writes_nothing(demo: Path):
    before = tree_digest(demo)
    result = run_cli(["push", "--to", "cv", "--yes", "--only", "wu2024dlora", "--only", "nosuchkey"], demo, now=NOW)
    assert result.exit_code == 2
    assert "--only nosuchkey" in result.stderr
    assert "nothing written" in result.stderr
    assert tree_digest(demo) == before


def test_push_to_orcid_without_the_module_says_so(demo: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "profilesync.push.orcid", None)
    result = run_cli(["push", "--to", "orcid", "--dry-run"], demo, now=NOW)
    assert result.exit_code == 2
    assert "pushing to ORCID is not available" in result.stderr


def test_invalid_cv_stops_push_before_anything_is_written(demo: Path):
    cv = demo / "cv.yaml"
    cv.write_text(cv.read_text(encoding="utf-8").replace("year: 2022", "year: twenty"), encoding="utf-8")
    before = tree_digest(demo)
    result = run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW)
    assert result.exit_code == 2
    assert "cv.yaml" in result.stderr
    assert "year" in result.stderr
    assert tree_digest(demo) == before
