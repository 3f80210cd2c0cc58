"""A short history of each source's profile metrics, so reports can show how they moved.

One JSON file per source, ``<cache_dir>/history/<source>.json``: a list of objects, oldest first,
each ``{fetched_at, works, citations, h_index, i10_index, citations_recent, ...}`` from one
successful pull. Written atomically; capped at ``MAX_ENTRIES`` so a daily job never grows it
without bound. A source without metrics (DBLP) still records its works count.

The history is a convenience, never a reason to fail: a corrupt file is moved aside (and a
warning logged) and a new one started, and ``load_history`` of a missing file is an empty list.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from profilesync.model import Snapshot, format_time, parse_time
from profilesync.snapshots import atomic_write_text

log = logging.getLogger(__name__)

MAX_ENTRIES = 500  # more than a year of daily pulls


@dataclass(frozen=True)
class HistoryEntry:
    """The metrics of one pull. ``None`` means the source did not report that value."""

    fetched_at: datetime
    works: int | None = None
    citations: int | None = None
    h_index: int | None = None
    i10_index: int | None = None
    citations_recent: int | None = None
    h_index_recent: int | None = None
    i10_index_recent: int | None = None
    recent_since: int | None = None

    @classmethod
    def of(cls, snapshot: Snapshot) -> HistoryEntry:
        m = snapshot.metrics
        return cls(
            fetched_at=snapshot.fetched_at,
            works=len(snapshot.works),
            citations=m.citations,
            h_index=m.h_index,
            i10_index=m.i10_index,
            citations_recent=m.citations_recent,
            h_index_recent=m.h_index_recent,
            i10_index_recent=m.i10_index_recent,
            recent_since=m.recent_since,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fetched_at": format_time(self.fetched_at)}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "fetched_at" and value is not None:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryEntry:
        kwargs: dict[str, Any] = {"fetched_at": parse_time(str(data["fetched_at"]))}
        for f in fields(cls):
            if f.name not in kwargs and data.get(f.name) is not None:
                kwargs[f.name] = int(data[f.name])
        return cls(**kwargs)


def history_path(cache_dir: Path, source: str) -> Path:
    return cache_dir / "history" / f"{source}.json"


def load_history(cache_dir: Path, source: str = "scholar") -> list[HistoryEntry]:
    """The recorded pulls of ``source``, oldest first; empty when there are none.

    A file that cannot be read is logged and treated as empty (reports go on without it).
    """
    path = history_path(cache_dir, source)
    try:
        return _read(path)
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the unreadable metrics history %s (%s)", path, exc)
        return []


def append_history(cache_dir: Path, snapshot: Snapshot, *, max_entries: int = MAX_ENTRIES) -> Path | None:
    """Record ``snapshot``'s metrics in its source's history; return the file written.

    Sample (demo) snapshots are not recorded and return None. Appending the same pull twice
    (same ``fetched_at``) replaces the entry instead of duplicating it. Raises ``OSError`` only
    when the cache directory cannot be written.
    """
    if snapshot.sample:
        return None
    path = history_path(cache_dir, snapshot.source)
    try:
        entries = _read(path)
    except FileNotFoundError:
        entries = []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        broken = path.with_name(f"{path.stem}.corrupt-{int(time.time())}.json")
        path.replace(broken)
        log.warning("metrics history %s was unreadable (%s); moved it to %s and started a new one", path, exc, broken)
        entries = []
    entry = HistoryEntry.of(snapshot)
    entries = [e for e in entries if e.fetched_at != entry.fetched_at]
    entries.append(entry)
    entries.sort(key=lambda e: e.fetched_at)
    entries = entries[-max_entries:]
    atomic_write_text(path, json.dumps([e.to_dict() for e in entries], indent=1) + "\n")
    return path


def _read(path: Path) -> list[HistoryEntry]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("expected a list of entries")
    return sorted((HistoryEntry.from_dict(item) for item in data), key=lambda e: e.fetched_at)
