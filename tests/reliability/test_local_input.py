"""Bad local input: fuzzed config and CV, duplicate keys, an unusable or full cache, corrupt files.

Every run must end in exit 0/1/2/3 with a message and no traceback; a run that exits 2 writes
nothing; a corrupt cache file is either recovered (moved aside, rebuilt) or reported by name.
Disk-full is injected at the OS boundary (``os.replace`` / ``os.fsync`` raising ENOSPC), the way
the kernel reports it, not by replacing any profilesync function.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO_ROOT, copy_demo, run_cli, tree_digest
from profilesync.yamlio import read_yaml

from .profile import changed_files

EXIT_CODES = {0, 1, 2, 3}


# --- fuzzing ------------------------------------------------------------------------------------


def _paths(data: Any, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _apply(data: Any, mutation: tuple) -> None:
    action, path, value = mutation
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "set":
        parent[last] = value
    elif isinstance(parent[last], dict):  # "add": a key the schema does not know
        parent[last][value[0]] = value[1]
    else:
        parent[last] = value[1]


_scalars = st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3), max_leaves=6)


def _document(base: Any) -> st.SearchStrategy[bytes]:
    """A YAML document: the valid ``base`` with a few keys changed, dropped or added, or junk."""
    paths = list(_paths(base))
    mutation = st.tuples(st.sampled_from(["set", "delete", "add"]), st.sampled_from(paths), st.tuples(st.text(max_size=12), _values) | _values)

    def build(mutations: list[tuple]) -> bytes:
        data = copy.deepcopy(base)
        for action, path, value in mutations:
            try:
                if action == "add":
                    _apply(data, (action, path, value if isinstance(value, tuple) else ("extra", value)))
                else:
                    _apply(data, (action, path, value[1] if isinstance(value, tuple) else value))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier mutation removed the path
        return json.dumps(data, default=str).encode()

    return st.lists(mutation, min_size=1, max_size=4).map(build) | st.binary(max_size=200) | st.text(max_size=200).map(str.encode)


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


CONFIG_BASE = _plain(read_yaml(REPO_ROOT / "config.yaml", "config.yaml"))
CV_BASE = _plain(read_yaml(REPO_ROOT / "cv.yaml", "cv.yaml"))
# Commands that never touch the network whatever the config says.
OFFLINE_COMMANDS = (["validate"], ["diff", "--offline", "--format", "json"], ["status", "--format", "json"], ["schedule", "--print", "cron"], ["export", "--format", "bibtex"])


def _check_all_commands(directory: Path) -> None:
    for args in OFFLINE_COMMANDS:
        before = tree_digest(directory)
        result = run_cli(args, directory)  # an uncaught exception would fail the test here
        assert result.exit_code in EXIT_CODES, (args, result.exit_code, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, (args, result.stderr)
        if result.exit_code == 2:
            assert "error:" in result.stderr, (args, result.stderr)
            assert tree_digest(directory) == before, f"{args} exited 2 but wrote files"


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config=_document(CONFIG_BASE))
def test_fuzzed_config_never_crashes_and_writes_nothing_on_exit_2(config: bytes):
    with tempfile.TemporaryDirectory() as scratch:
        directory = copy_demo(Path(scratch))
        (directory / "config.yaml").write_bytes(config)
        _check_all_commands(directory)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cv=_document(CV_BASE))
def test_fuzzed_cv_never_crashes_and_writes_nothing_on_exit_2(cv: bytes):
    with tempfile.TemporaryDirectory() as scratch:
        directory = copy_demo(Path(scratch))
        (directory / "cv.yaml").write_bytes(cv)
        _check_all_commands(directory)


# --- specific bad inputs ------------------------------------------------------------------------


@pytest.fixture
def profile(full_profile: Path) -> Path:
    return full_profile


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("person:\n  name: A\n  name: B\npublications: []\n", "duplicate key"),
        ("person:\n  name: A\npublications:\n  - {key: a1, title: One}\n  - {key: a1, title: Two}\n", '"a1" is used twice'),
    ],
    ids=["duplicate-yaml-key", "duplicate-publication-key"],
)
@pytest.mark.parametrize("command", [["schedule", "--once"], ["diff", "--offline"], ["diff", "--refresh"]], ids=" ".join)
def test_cv_with_duplicate_keys_stops_before_writing(profile: Path, text: str, message: str, command: list[str]):
    (profile / "cv.yaml").write_text(text)
    before = tree_digest(profile)
    result = run_cli(command, profile)
    assert result.exit_code == 2
    assert "cv.yaml" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(profile) == before


@pytest.mark.parametrize("command", [["pull"], ["diff", "--refresh"], ["schedule", "--once"], ["diff", "--offline"]], ids=" ".join)
def test_cache_dir_that_is_a_file_is_reported(profile: Path, command: list[str]):
    shutil.rmtree(profile / "cache")
    (profile / "cache").write_text("not a directory\n")
    before = tree_digest(profile)
    result = run_cli(command, profile)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(profile / "cache") in result.stderr
    assert "cache_dir" in result.stderr  # the fix names the setting
    assert tree_digest(profile) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions; the cache-dir-is-a-file case covers an unwritable cache")
def test_read_only_cache_dir_is_reported(profile: Path):
    snapshots = profile / "cache" / "snapshots"
    before = tree_digest(profile)
    os.chmod(snapshots, 0o500)
    try:
        result = run_cli(["pull", "--source", "dblp"], profile)
    finally:
        os.chmod(snapshots, 0o700)
    assert result.exit_code == 2
    assert "cannot write the snapshot" in result.stderr
    assert tree_digest(profile)["cache/snapshots/dblp.json"] == before["cache/snapshots/dblp.json"]


def _enospc(*_: Any) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_at_the_snapshot_replace_keeps_the_old_snapshot(profile: Path, monkeypatch):
    real_replace = os.replace
    snapshots = str(profile / "cache" / "snapshots")

    def replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if str(dst).startswith(snapshots):
            raise _enospc()
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    before = tree_digest(profile)
    result = run_cli(["pull", "--source", "dblp", "--refresh"], profile)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "dblp.json: cannot write the snapshot: No space left on device" in result.stderr
    after = tree_digest(profile)
    assert after["cache/snapshots/dblp.json"] == before["cache/snapshots/dblp.json"]
    assert not [name for name in after if name.endswith(".tmp")], "the temporary file is removed"


def test_disk_full_at_fsync_keeps_every_file(profile: Path, monkeypatch):
    def fsync(fd: int) -> None:
        raise _enospc()

    monkeypatch.setattr(os, "fsync", fsync)
    before = tree_digest(profile)
    result = run_cli(["pull", "--refresh"], profile)
    # The first source's error ends the run only after the other pulls have ended: a pull thread
    # still writing when the process exits would leave its temporary file in the cache.
    assert not [t.name for t in threading.enumerate() if t.name.startswith("pull-")]
    monkeypatch.undo()
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    after = tree_digest(profile)
    changed = changed_files(before, after)
    assert not {name for name in changed if name.startswith("cache/snapshots/") or name == "cache/status.json"}, changed
    assert not [name for name in after if name.endswith(".tmp")]


@pytest.mark.slow
def test_disk_full_while_writing_the_scheduled_report_is_reported_and_logged(profile: Path, monkeypatch):
    real_replace = os.replace
    reports = str(profile / "reports")

    def replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if str(dst).startswith(reports):
            raise _enospc()
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    result = run_cli(["schedule", "--once"], profile)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert "cannot write the run's report: No space left on device" in result.stderr
    assert not [p for p in (profile / "reports").iterdir() if not p.name.startswith(".")] if (profile / "reports").exists() else True
    status = json.loads(run_cli(["status", "--format", "json"], profile).stdout)
    assert status["last_run"]["exit_code"] == 2
    assert "No space left on device" in status["last_run"]["summary"]["error"]


def test_corrupt_snapshot_is_reported_by_diff_and_replaced_by_pull(profile: Path):
    snapshot = profile / "cache" / "snapshots" / "orcid.json"
    snapshot.write_text('{"format": 1, "source": "orcid", "works": [')
    offline = run_cli(["diff", "--offline"], profile)
    # One bad file costs its source, not the report (issue 13): stale, exit 3, the others compared.
    assert offline.exit_code == 3
    assert "orcid.json: the snapshot is corrupt" in " ".join(offline.stdout.split())  # the report wraps at 120 columns
    assert "profilesync pull --source orcid" in offline.stdout
    status = run_cli(["status", "--format", "json"], profile)
    assert status.exit_code == 0
    assert json.loads(status.stdout)["sources"]["orcid"]["state"] == "corrupt"
    pulled = run_cli(["pull", "--source", "orcid"], profile)
    assert pulled.exit_code == 0, pulled.stderr
    assert json.loads(snapshot.read_text())["source"] == "orcid"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_http_cache_is_moved_aside_and_rebuilt(profile: Path, damage: str):
    cache = profile / "cache" / "http" / "http_cache.sqlite"
    data = cache.read_bytes()
    cache.write_bytes(b"this is not a database" * 100 if damage == "garbage" else data[: len(data) // 3])
    result = run_cli(["pull", "--refresh"], profile)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "was corrupt; moved it to" in result.stderr
    assert list((profile / "cache" / "http").glob("http_cache.corrupt-*.sqlite"))


@pytest.mark.slow
def test_corrupt_status_file_and_lock_note_are_survived(profile: Path):
    (profile / "cache" / "status.json").write_text("{ nope")
    (profile / "cache" / "schedule.lock.json").write_text("\x00\x01 not json")
    status = run_cli(["status"], profile)
    assert status.exit_code == 0
    assert "status.json: unreadable" in status.stdout
    result = run_cli(["schedule", "--once"], profile)
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads((profile / "cache" / "status.json").read_text())["dblp"]["ok"] is True


def test_corrupt_state_database_is_reported(profile: Path):
    (profile / "cache" / "state.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = tree_digest(profile)
    diff = run_cli(["diff", "--offline"], profile)
    assert diff.exit_code == 2
    assert "state.db: the state database is unreadable" in diff.stderr
    assert tree_digest(profile) == before
    status = run_cli(["status"], profile)
    assert status.exit_code == 0
    assert "problem:" in status.stdout
    assert "state database is unreadable" in status.stdout
