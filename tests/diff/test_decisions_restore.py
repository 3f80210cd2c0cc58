"""A decision never hides a change the CV no longer carries (issue 12, item 8).

``push --to cv`` marks what it applied; the next diff has nothing to say about it because the CV
now holds the value. When the CV is restored from the push's backup, the difference is real
again and must be proposed again. Rejected and ignored changes stay hidden while the source's
value is unchanged.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import run_cli
from profilesync.diff.changes import Change, ChangeKind, digest_value
from profilesync.diff.engine import _apply_decisions
from profilesync.state import Decision, DecisionRecord, State

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)


def _changes(profile: Path) -> dict:
    result = run_cli(["diff", "--offline", "--format", "json"], profile, now=NOW)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_a_restored_cv_shows_the_applied_changes_again(demo: Path):
    before = _changes(demo)
    pushed = run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW)
    assert pushed.exit_code == 0, pushed.stderr
    after_push = _changes(demo)
    applied = {c["id"] for c in before["changes"]} - {c["id"] for c in after_push["changes"]}
    assert len(applied) >= 5, "the demo's strong changes were applied"

    backups = list((demo / "cache" / "backups").glob("cv.yaml.*.bak"))
    assert len(backups) == 1
    shutil.copy(backups[0], demo / "cv.yaml")
    restored = _changes(demo)
    assert {c["id"] for c in restored["changes"]} == {c["id"] for c in before["changes"]}
    assert "suppressed" not in restored
    again = [c for c in restored["changes"] if c["id"] in applied]
    assert all("but the CV no longer holds it" in c["reason"] for c in again)

    # Pushing again applies them again (and the CV then holds them, so they go quiet).
    assert run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW).exit_code == 0
    assert {c["id"] for c in _changes(demo)["changes"]} == {c["id"] for c in after_push["changes"]}


@pytest.mark.slow
def test_a_rejected_change_stays_hidden_after_a_restore(demo: Path):
    before = _changes(demo)
    target = next(c for c in before["changes"] if c["kind"] == "field_differs")
    assert run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW).exit_code == 0
    shutil.copy(next((demo / "cache" / "backups").glob("cv.yaml.*.bak")), demo / "cv.yaml")
    restored = _changes(demo)
    restored_change = next(c for c in restored["changes"] if c["id"] == target["id"])
    # Reject it now (what `review` records): it is hidden while the source's value is the same.
    State(demo / "cache").record([(target["id"], Decision.REJECTED, digest_value(restored_change["source_value"]))], NOW)
    hidden = _changes(demo)
    assert target["id"] not in {c["id"] for c in hidden["changes"]}
    assert hidden["suppressed"] == 1


def _field_change(cv_value: str | None, source_value: str) -> Change:
    return Change(ChangeKind.FIELD_DIFFERS, "dblp", "pages differ", cv_key="a2024", field="pages", cv_value=cv_value, source_value=source_value)


def test_an_applied_decision_only_stays_quiet_while_the_cv_holds_the_value():
    applied = _field_change(None, "1-10")
    record = DecisionRecord(applied.fingerprint, Decision.ACCEPTED, applied.value_digest, "2026-11-01T00:00:00Z", applied=True)
    decisions = {applied.fingerprint: record}
    # The CV holds the applied value, yet the comparison still differs (a normalisation gap):
    # the applied decision explains it, nothing is proposed.
    kept, suppressed = _apply_decisions([_field_change("1-10", "1-10")], decisions)
    assert (kept, suppressed) == ([], 1)
    # The CV lost the value (restored, edited): shown again, saying it had been applied.
    kept, suppressed = _apply_decisions([_field_change(None, "1-10")], decisions)
    assert suppressed == 0
    assert [c.reason for c in kept] == ["pages differ (applied 2026-11-01, but the CV no longer holds it)"]
    kept, suppressed = _apply_decisions([_field_change("2-20", "1-10")], decisions)
    assert (len(kept), suppressed) == (1, 0)
