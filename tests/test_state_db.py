"""The state database: decisions round-trip; a database profilesync cannot read is a user error."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from profilesync.errors import UserError
from profilesync.state import Decision, State

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)


def test_decisions_round_trip_and_applied_flag(tmp_path):
    state = State(tmp_path)
    assert state.decisions() == {} and not (tmp_path / "state.db").exists()
    state.record([("field_differs|dblp|k|title", Decision.REJECTED, "abc")], NOW)
    state.mark_applied(["field_differs|dblp|k|title"])
    [record] = state.decisions().values()
    assert (record.decision, record.value_digest, record.applied, record.decided_at) == (Decision.REJECTED, "abc", True, "2026-11-28T00:00:00Z")


def test_a_decisions_table_of_another_shape_is_a_user_error_naming_the_file(tmp_path):
    conn = sqlite3.connect(tmp_path / "state.db")
    conn.execute("CREATE TABLE decisions (fingerprint TEXT PRIMARY KEY, decision TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError) as caught:
        State(tmp_path).decisions()
    assert "state.db" in str(caught.value) and "move it aside" in str(caught.value)


def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path):
    (tmp_path / "state.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(UserError) as caught:
        State(tmp_path).record([("x", Decision.ACCEPTED, "d")], NOW)
    assert "unreadable" in str(caught.value)
