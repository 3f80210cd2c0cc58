"""The metrics history in cache/history/<source>.json (``profilesync.history``)."""

from __future__ import annotations

import json
from datetime import timedelta

from conftest import REPO_ROOT
from profilesync.history import append_history, history_path, load_history
from profilesync.model import Metrics, Person, Snapshot, Work
from test_scholar_support import NOW


def snapshot(days: int, citations: int, *, source: str = "scholar", sample: bool = False, metrics: bool = True) -> Snapshot:
    return Snapshot(
        source=source,
        fetched_at=NOW + timedelta(days=days),
        person=Person(name="R"),
        works=tuple(Work(title=f"w{i}") for i in range(3)),
        metrics=Metrics(citations=citations, h_index=citations // 10, i10_index=1, citations_recent=citations // 2, recent_since=2021) if metrics else Metrics(),
        sample=sample,
    )


def test_append_and_load(tmp_path):
    append_history(tmp_path, snapshot(0, 100))
    path = append_history(tmp_path, snapshot(7, 120))

    assert path == tmp_path / "history" / "scholar.json"
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk[1] == {"fetched_at": "2026-03-08T06:00:00Z", "works": 3, "citations": 120, "h_index": 12, "i10_index": 1, "citations_recent": 60, "recent_since": 2021}
    entries = load_history(tmp_path)
    assert [(e.citations, e.h_index) for e in entries] == [(100, 10), (120, 12)]
    assert entries[0].fetched_at == NOW


def test_same_pull_twice_is_one_entry_and_order_is_by_time(tmp_path):
    append_history(tmp_path, snapshot(7, 120))
    append_history(tmp_path, snapshot(0, 100))
    append_history(tmp_path, snapshot(7, 125))

    assert [e.citations for e in load_history(tmp_path)] == [100, 125]


def test_capped_length_keeps_the_newest(tmp_path):
    for day in range(10):
        append_history(tmp_path, snapshot(day, 100 + day), max_entries=4)

    assert [e.citations for e in load_history(tmp_path)] == [106, 107, 108, 109]


def test_generic_over_sources_and_sample_data_is_not_recorded(tmp_path):
    append_history(tmp_path, snapshot(0, 0, source="dblp", metrics=False))

    assert append_history(tmp_path, snapshot(1, 5, sample=True)) is None
    assert load_history(tmp_path) == []
    dblp = load_history(tmp_path, "dblp")
    assert [(e.works, e.citations) for e in dblp] == [(3, None)]


def test_corrupt_history_is_moved_aside_not_fatal(tmp_path):
    path = history_path(tmp_path, "scholar")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")

    assert load_history(tmp_path) == []
    append_history(tmp_path, snapshot(0, 100))

    assert [e.citations for e in load_history(tmp_path)] == [100]
    assert [p.read_text(encoding="utf-8") for p in path.parent.glob("scholar.corrupt-*.json")] == ["{not json"]


def test_reads_the_bundled_demo_history():
    """The demo file was written by hand (no ``works`` key); it must still load."""
    raw = json.loads((REPO_ROOT / "cache" / "history" / "scholar.json").read_text(encoding="utf-8"))

    entries = load_history(REPO_ROOT / "cache")

    assert [e.citations for e in entries] == [item["citations"] for item in sorted(raw, key=lambda i: i["fetched_at"])]
    assert [e.to_dict() for e in entries] == sorted(raw, key=lambda i: i["fetched_at"])
