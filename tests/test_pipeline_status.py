"""cache/status.json, each source's last pull attempt, written by concurrent processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# Each process records its own source name over and over, as a scheduled run and a person's
# `profilesync pull` would at the same moment; without a lock across processes one writer's
# read-modify-write drops the other's records.
_WRITER = textwrap.dedent(
    """
    import sys, types
    from pathlib import Path
    from profilesync.pipeline import _record_attempt
    config = types.SimpleNamespace(cache_dir=Path(sys.argv[1]))
    for i in range(int(sys.argv[3])):
        _record_attempt(config, sys.argv[2], {"at": "2026-11-28T06:00:00Z", "ok": True, "works": i})
    """
)


@pytest.mark.slow
def test_concurrent_processes_never_lose_each_others_attempts(tmp_path):
    names = ("dblp", "orcid", "scholar", "github")
    runs = 150
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), name, str(runs)]) for name in names]
    assert [w.wait(timeout=120) for w in writers] == [0] * len(names)
    attempts = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
    assert {name: attempts.get(name, {}).get("works") for name in names} == {name: runs - 1 for name in names}
