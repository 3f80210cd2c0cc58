"""How one source stands after a pull or for a diff: shared by the pipeline, the report model
and the scheduler, so none of them needs another's module for it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from profilesync.model import format_time


class SourceState(str, enum.Enum):
    OK = "ok"
    STALE = "stale"
    FAILED = "failed"
    DISABLED = "disabled"


@dataclass(frozen=True)
class SourceStatus:
    """How one source stands after a pull or for a diff."""

    name: str
    state: SourceState
    fetched_at: datetime | None = None
    works: int | None = None
    error: str | None = None
    from_network: bool = False
    new_works: int | None = None
    sample: bool = False
    suspicious: bool = False
    requests: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def incomplete(self) -> bool:
        """A source whose data is not this run's (stale) or missing (failed)."""
        return self.state in (SourceState.STALE, SourceState.FAILED)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.state.value}
        if self.fetched_at is not None:
            out["fetched_at"] = format_time(self.fetched_at)
        if self.works is not None:
            out["works"] = self.works
        if self.error:
            out["error"] = self.error
        if self.sample:
            out["sample"] = True
        if self.suspicious:
            out["suspicious"] = True
        if self.notes:
            out["notes"] = list(self.notes)
        return out
