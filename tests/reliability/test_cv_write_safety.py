"""CV and export writes under concurrency and through symlinks (issue 13, cases 2 and 4).

Before: two `push --to cv` at once both said "applied" while the CV kept one set of changes (the
decisions marked both applied, hiding the lost ones), and both wrote the same backup name; a
symlinked cv.yaml or export target was replaced by a plain file, so the real file never changed.

The concurrency tests run the real CLI in separate processes (``python -m profilesync``), as two
terminals or cron beside a terminal would. The lock they share is the OS lock on a file under
``cache/locks/``; the test takes the same lock from outside, as a third process would, to make the
two pushes meet at the write.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from filelock import FileLock

from conftest import REPO_ROOT, copy_demo, run_cli, tree_digest
from profilesync.app import App
from profilesync.cli import main
from profilesync.env import Environment
from profilesync.state import Decision, State
from profilesync.writelock import lock_path_for
from reliability.servers import ClosedPort

SRC = REPO_ROOT / "src"

# What `push --to cv --yes --only KEY` writes for two entries of the demo CV (from its snapshots).
TGS = ("wu2023tgs", ['title: "Transparent GPU Sharing in Container Clouds for Deep Learning Workloads"', "pages: 69-85"])
HAWC = ("xie2022hawc", ["doi: 10.1145/3546591.3547529"])


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "profile")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROFILESYNC_")}
    env.update(PYTHONPATH=str(SRC), **extra)
    return env


def _start(args: list[str], cwd: Path, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "profilesync", *args], cwd=cwd, env=_env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    _, err = process.communicate(timeout=60)
    return process.returncode, err


def _holds(cv: Path, lines: list[str]) -> bool:
    text = cv.read_text(encoding="utf-8")
    return all(line in text for line in lines)


def _waiting(process: subprocess.Popen, quiet_s: float = 0.6, limit_s: float = 20.0) -> None:
    """Return once ``process`` has slept for ``quiet_s`` in a row (polling a busy lock), i.e. it
    finished its diff and waits at the write. Without /proc, wait a generous fixed time."""
    stat = Path(f"/proc/{process.pid}/stat")
    if not stat.exists():
        time.sleep(5)
        return
    deadline = time.monotonic() + limit_s
    last_cpu, still_since = None, time.monotonic()
    while time.monotonic() < deadline and process.poll() is None:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        cpu = int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        if cpu != last_cpu:
            last_cpu, still_since = cpu, time.monotonic()
        elif time.monotonic() - still_since >= quiet_s:
            return
        time.sleep(0.05)


def _check_outcome(demo: Path, results: dict[str, tuple[int, str]]) -> None:
    """Each push either applied its changes (and they are in the CV) or refused (exit 2, with the
    message, and its changes are not marked applied)."""
    cv = demo / "cv.yaml"
    applied = State(demo / "cache").decisions()
    for key, lines in (TGS, HAWC):
        code, err = results[key]
        assert "Traceback" not in err, err
        if code == 0:
            assert "updated cv.yaml" in err, err
            assert _holds(cv, lines), f"{key}: said applied, but the CV lacks {lines}:\n{err}"
        else:
            assert code == 2, err
            assert "changed on disk since the diff" in err and "run `profilesync diff` again" in err, err
            assert not _holds(cv, lines)
    # Every decision marked applied names a change that is in the CV (nothing hidden).
    assert all(record.applied for record in applied.values())
    backups = sorted((demo / "cache" / "backups").glob("cv.yaml.*.bak"))
    writers = sum(code == 0 for code, _ in results.values())
    assert len(backups) == writers, [b.name for b in backups]  # one backup per write, none overwritten


@pytest.mark.slow
def test_two_pushes_at_once_both_land_or_one_refuses(demo: Path, record_case, timer):
    """Two processes started together, each pushing a different entry's changes."""
    original = (demo / "cv.yaml").read_bytes()
    first = _start(["push", "--to", "cv", "--yes", "--only", TGS[0]], demo)
    second = _start(["push", "--to", "cv", "--yes", "--only", HAWC[0]], demo)
    results = {TGS[0]: _finish(first), HAWC[0]: _finish(second)}
    record_case("cv", "two pushes at once", timer(), failure=True)
    _check_outcome(demo, results)
    assert any(code == 0 for code, _ in results.values())
    backups = sorted((demo / "cache" / "backups").glob("cv.yaml.*.bak"))
    assert original in {b.read_bytes() for b in backups}  # the first writer backed up the original


@pytest.mark.slow
def test_pushes_that_meet_at_the_write_both_land(demo: Path, record_case, timer):
    """Both pushes compute their diff from the same CV, then wait at the write (a third process
    holds the lock); the second to write finds the CV changed and diffs again under the lock."""
    cv = demo / "cv.yaml"
    original = cv.read_bytes()
    lock = FileLock(str(lock_path_for(demo / "cache", cv)))
    lock_path_for(demo / "cache", cv).parent.mkdir(parents=True, exist_ok=True)
    with lock:
        first = _start(["push", "--to", "cv", "--yes", "--only", TGS[0]], demo)
        second = _start(["push", "--to", "cv", "--yes", "--only", HAWC[0]], demo)
        _waiting(first)
        _waiting(second)
        assert cv.read_bytes() == original  # nobody wrote while the lock was held
    results = {TGS[0]: _finish(first), HAWC[0]: _finish(second)}
    record_case("cv", "two pushes meet at the write", timer(), failure=True)
    _check_outcome(demo, results)
    assert all(code == 0 for code, _ in results.values()), results
    assert _holds(cv, TGS[1]) and _holds(cv, HAWC[1])
    pre_images = {b.read_bytes() for b in (demo / "cache" / "backups").glob("cv.yaml.*.bak")}
    assert original in pre_images and len(pre_images) == 2  # two distinct backups, the original kept


@pytest.mark.slow
def test_a_busy_lock_times_out_with_a_message_and_writes_nothing(demo: Path, record_case, timer):
    cv = demo / "cv.yaml"
    path = lock_path_for(demo / "cache", cv)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path)):
        before = tree_digest(demo)
        started = time.monotonic()
        code, err = _finish(_start(["push", "--to", "cv", "--yes"], demo, PROFILESYNC_LOCK_TIMEOUT_S="1"))
        waited = time.monotonic() - started
    record_case("cv", "write lock busy", timer(), failure=True)
    assert code == 2, err
    assert "another profilesync run is writing" in err and "within 1 s" in err and "PROFILESYNC_LOCK_TIMEOUT_S" in err
    assert "Traceback" not in err
    assert waited < 15
    assert tree_digest(demo) == before  # no backup, no decisions, no CV change
    assert not (demo / "cache" / "state.db").exists()


class _EditWhileAsking(io.StringIO):
    """The user's terminal: while push waits at "Write these changes?", the user saves an edit
    of cv.yaml in an editor, then answers yes."""

    def __init__(self, cv: Path):
        super().__init__()
        self.cv = cv

    def readline(self, *_: object) -> str:
        with self.cv.open("a", encoding="utf-8") as handle:
            handle.write("# edited in another window\n")
        return "y\n"


def _accept(demo: Path, key: str) -> None:
    """Accept the proposed changes of ``key``, as `profilesync review` would record them."""
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(), stdout_isatty=False, stdin_isatty=False, environ={}, cwd=demo)
    changes = [c for c in App(env=env).diff(offline=True).changes if c.cv_key == key]
    assert changes
    State(demo / "cache").record([(c.fingerprint, Decision.ACCEPTED, c.value_digest) for c in changes], datetime.now(timezone.utc))


def test_an_edit_made_at_the_prompt_is_not_overwritten(demo: Path, record_case, timer):
    cv = demo / "cv.yaml"
    _accept(demo, HAWC[0])
    decisions_before = State(demo / "cache").decisions()
    err = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=err, stdin=_EditWhileAsking(cv), stdout_isatty=True, stdin_isatty=True, environ={}, cwd=demo)
    code = main(["push", "--to", "cv"], env=env)
    record_case("cv", "CV edited during the push", timer(), failure=True)
    assert code == 2, err.getvalue()
    assert "changed on disk since the diff" in err.getvalue()
    assert cv.read_text(encoding="utf-8").endswith("# edited in another window\n")  # the edit survives
    assert not _holds(cv, HAWC[1])
    after = State(demo / "cache").decisions()
    assert after == decisions_before and not any(r.applied for r in after.values())  # still pending
    assert not list((demo / "cache").glob("backups/*.bak"))


def _offline_with_push(demo: Path) -> Path:
    """The demo with every source at a closed port (the scheduled pull fails at once and the push
    works from the snapshots) and ``schedule.push_cv`` on."""
    closed = ClosedPort().root
    text = (demo / "config.yaml").read_text()
    text = text.replace("    base_url: https://dblp.org\n", f"    base_url: {closed}\n    retries: 0\n")
    for source in ("orcid", "scholar", "github"):
        text = text.replace(f"  {source}:\n", f"  {source}:\n    base_url: {closed}\n    retries: 0\n", 1)
    (demo / "config.yaml").write_text(text.replace("schedule:\n", "schedule:\n  push_cv: true\n", 1))
    return demo


@pytest.mark.slow
def test_scheduled_push_beside_a_manual_push_loses_nothing(demo: Path, record_case, timer):
    """cron's `schedule --once` (push_cv) and a manual push, meeting at the CV's write lock."""
    cv = _offline_with_push(demo) / "cv.yaml"
    path = lock_path_for(demo / "cache", cv)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path)):
        scheduled = _start(["schedule", "--once"], demo)
        manual = _start(["push", "--to", "cv", "--yes", "--only", HAWC[0]], demo)
        _waiting(manual)
        _waiting(scheduled)
    manual_code, manual_err = _finish(manual)
    scheduled_code, scheduled_err = _finish(scheduled)
    record_case("cv", "scheduled push beside a manual push", timer(), failure=True)
    assert manual_code == 0, manual_err
    assert scheduled_code == 3, scheduled_err  # the sources are down; the push still ran
    push = json.loads((demo / "reports" / "latest.json").read_text())["run"]["push"]
    assert push["ran"] is True, push
    assert _holds(cv, HAWC[1]) and _holds(cv, TGS[1])  # the manual change and the scheduled ones
    assert all(record.applied for record in State(demo / "cache").decisions().values())
    # One backup per run that wrote (if the scheduled run wrote last, the manual change was
    # already in; if it wrote first, the manual push diffed again and had nothing left to do).
    backups = list((demo / "cache" / "backups").glob("cv.yaml.*.bak"))
    writes = ("updated cv.yaml" in manual_err) + ("applied" in push["detail"])
    assert len(backups) == writes >= 1, (manual_err, push)
    assert "updated cv.yaml" in manual_err or "nothing to apply" in manual_err, manual_err


@pytest.mark.slow
def test_scheduled_push_gives_up_on_a_busy_lock_instead_of_hanging(demo: Path, record_case, timer):
    cv = _offline_with_push(demo) / "cv.yaml"
    original = cv.read_bytes()
    path = lock_path_for(demo / "cache", cv)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path)):
        code, err = _finish(_start(["schedule", "--once"], demo, PROFILESYNC_LOCK_TIMEOUT_S="1"))
    record_case("cv", "scheduled push, lock busy", timer(), failure=True)
    assert code == 3, err
    push = json.loads((demo / "reports" / "latest.json").read_text())["run"]["push"]
    assert push["ran"] is False and "another profilesync run is writing" in push["detail"], push
    assert cv.read_bytes() == original
    assert not list((demo / "cache").glob("backups/*.bak"))


# --- symlinks ------------------------------------------------------------------------------------


def test_push_through_a_symlinked_cv_updates_the_target_and_keeps_the_link(demo: Path, tmp_path: Path, record_case, timer):
    real = tmp_path / "cv-repo" / "cv.yaml"
    real.parent.mkdir()
    shutil.move(demo / "cv.yaml", real)
    (demo / "cv.yaml").symlink_to(real)
    original = real.read_bytes()
    result = run_cli(["push", "--to", "cv", "--yes", "--only", HAWC[0]], demo)
    record_case("cv", "symlinked cv.yaml", timer(), failure=True)
    assert result.exit_code == 0, result.stderr
    assert (demo / "cv.yaml").is_symlink() and (demo / "cv.yaml").resolve() == real
    assert _holds(real, HAWC[1])  # the real CV got the change
    assert not list(real.parent.glob(".*.tmp"))  # no temporary file left beside it
    backups = list((demo / "cache" / "backups").glob("cv.yaml.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == original and not backups[0].is_symlink()
    # The change is applied and recorded as such: the next push has nothing for this entry.
    again = run_cli(["push", "--to", "cv", "--yes", "--only", HAWC[0]], demo)
    assert again.exit_code == 2 and "no proposed CV change has this key" in again.stderr, again.stderr


@pytest.mark.parametrize("between", [False, True], ids=["whole-file", "between-markers"])
def test_export_through_a_symlink_updates_the_target_and_keeps_the_link(demo: Path, tmp_path: Path, between: bool, record_case, timer):
    site = tmp_path / "site"
    site.mkdir()
    real = site / "publications.md"
    real.write_text("# Publications\n<!-- profilesync:start -->\nold\n<!-- profilesync:end -->\nfooter\n", encoding="utf-8")
    real.chmod(0o644)
    link = demo / "pubs.md"
    link.symlink_to(real)
    args = ["export", "--format", "markdown", "--output", "pubs.md"] + (["--between"] if between else [])
    result = run_cli(args, demo)
    record_case("export", f"symlinked target ({'--between' if between else 'whole file'})", timer(), failure=True)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    text = real.read_text(encoding="utf-8")
    assert "old\n" not in text and "Ditto: Efficient Serverless Analytics" in text
    assert text.endswith("footer\n") == between  # --between keeps what is outside the markers
    assert real.stat().st_mode & 0o777 == 0o644
    assert not list(site.glob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["markdown", "hugo"])
def test_export_waits_for_the_target_lock_and_gives_up_with_a_message(demo: Path, fmt: str, record_case, timer):
    """An export into a file (or site) another run is writing: exit 2 after the timeout, nothing written."""
    target = demo / ("pubs.md" if fmt == "markdown" else "site")
    if fmt == "hugo":
        target.mkdir()
    path = lock_path_for(demo / "cache", target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path)):
        before = tree_digest(demo)
        code, err = _finish(_start(["export", "--format", fmt, "--output", target.name], demo, PROFILESYNC_LOCK_TIMEOUT_S="1"))
    record_case("export", f"target lock busy ({fmt})", timer(), failure=True)
    assert code == 2, err
    assert target.name in err and "another profilesync run is writing" in err and "Traceback" not in err
    assert tree_digest(demo) == before


def test_a_symlink_loop_is_an_error_not_a_replaced_link(demo: Path):
    (demo / "a.md").symlink_to(demo / "b.md")
    (demo / "b.md").symlink_to(demo / "a.md")
    result = run_cli(["export", "--format", "markdown", "--output", "a.md"], demo)
    assert result.exit_code == 2, result.stderr
    assert "a.md" in result.stderr and "Traceback" not in result.stderr
    assert (demo / "a.md").is_symlink() and (demo / "b.md").is_symlink()
