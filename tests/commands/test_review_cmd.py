"""`profilesync review` on a copy of the bundled demo profile."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_cli, tree_digest
from profilesync.state import Decision, State

HEADER = re.compile(r"^\[(\d+)/(\d+)\] (.+)$", re.MULTILINE)


def review(demo: Path, answers: str, *extra: str):
    result = run_cli(["review", *extra], demo, tty=True, stdin=answers)
    assert result.exit_code == 0, result.stderr
    return result, HEADER.findall(result.stdout)


def test_review_refuses_without_a_terminal(demo):
    before = tree_digest(demo)
    result = run_cli(["review"], demo, stdin="a\n")
    assert result.exit_code == 2
    assert "interactive terminal" in result.stderr
    assert "push --to cv --yes" in result.stderr
    assert result.stdout == ""
    assert tree_digest(demo) == before


def test_answers_are_recorded_and_decided_changes_are_not_asked_again(demo):
    first, shown = review(demo, "a\nr\ni\nq\n")
    total = int(shown[0][1])
    assert len(shown) == 4  # three answered, the fourth quit
    assert "Review done: 1 accepted, 1 rejected, 1 ignored" in first.stdout
    assert "push --to cv" in first.stdout
    decisions = State(demo / "cache").decisions()
    assert sorted(d.decision for d in decisions.values()) == sorted([Decision.ACCEPTED, Decision.REJECTED, Decision.IGNORED])
    # Rejected and ignored changes are hidden; the accepted one waits for push (shown with --all).
    _, again = review(demo, "q\n")
    assert int(again[0][1]) == total - 3
    assert again[0][2] == shown[3][2]
    _, with_all = review(demo, "q\n", "--all")
    assert int(with_all[0][1]) == total - 2


def test_skip_records_nothing_and_end_of_input_stops(demo):
    result, shown = review(demo, "s\nbogus\ns\n")
    assert len(shown) == 3  # the third question met the end of input
    assert "'bogus' is not one of a, r, i, s, q" in result.stdout
    assert "2 skipped" in result.stdout
    assert State(demo / "cache").decisions() == {}


def test_rejected_change_returns_when_the_source_value_changes(demo):
    result, shown = review(demo, "s\n" * 60)
    titles = [k for k, (_, _, head) in enumerate(shown) if head.startswith("field differs from dblp: wu2023tgs (title)")]
    assert titles, result.stdout
    answers = "s\n" * titles[0] + "r\n" + "q\n"
    review(demo, answers)
    _, after = review(demo, "q\n")
    total_after = int(after[0][1])
    _, listed = review(demo, "s\n" * 60)
    assert not any(h.startswith("field differs from dblp: wu2023tgs (title)") for _, _, h in listed)
    # DBLP now spells the title differently: the change is proposed again.
    snap_path = demo / "cache" / "snapshots" / "dblp.json"
    snap = json.loads(snap_path.read_text(encoding="utf-8"))
    for w in snap["works"]:
        if w["title"].startswith("Transparent GPU Sharing"):
            w["title"] = "Transparent GPU Sharing in Container Clouds for Deep-Learning Workloads"
    snap_path.write_text(json.dumps(snap), encoding="utf-8")
    _, back = review(demo, "s\n" * 60)
    assert int(back[0][1]) == total_after + 1
    assert any(h.startswith("field differs from dblp: wu2023tgs (title)") for _, _, h in back)


def test_locked_field_is_never_proposed(demo):
    _, shown = review(demo, "s\n" * 60)
    assert any(h.startswith("field differs from dblp: wu2023tgs (title)") for _, _, h in shown)
    cv = demo / "cv.yaml"
    text = cv.read_text(encoding="utf-8")
    anchor = '    title: "Transparent GPU Sharing in Container Clouds for Deep Learning Training"\n'
    assert anchor in text
    cv.write_text(text.replace(anchor, anchor + "    lock: [title]\n"), encoding="utf-8")
    _, locked = review(demo, "s\n" * 60)
    assert not any("wu2023tgs (title)" in h for _, _, h in locked)


def test_accepted_change_is_applied_by_push(demo):
    result, shown = review(demo, "s\n" * 60)
    target = [k for k, (_, _, head) in enumerate(shown) if head.startswith("field differs from dblp: wu2023tgs (title)")][0]
    review(demo, "s\n" * target + "a\nq\n")
    push = run_cli(["push", "--to", "cv"], demo)
    assert push.exit_code == 0, push.stderr
    text = (demo / "cv.yaml").read_text(encoding="utf-8")
    assert "Transparent GPU Sharing in Container Clouds for Deep Learning Workloads" in text
    [record] = State(demo / "cache").decisions().values()
    assert record.applied
