"""The report model: what a diff found, typed. ``Report.to_json()`` is the public JSON contract
(``schemas/diff.schema.json``); every other format renders from that dict, so all say the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from profilesync.model import Metrics, Person, format_time
from profilesync.normalize.names import strip_dblp_suffix
from profilesync.normalize.text import clean_title
from profilesync.source_status import SourceState, SourceStatus

if TYPE_CHECKING:
    from profilesync.diff.changes import Change
    from profilesync.diff.engine import CoverageRow
    from profilesync.model import Work

SCHEMA_VERSION = 1


def work_to_report(work: Work) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": clean_title(work.title),
        "authors": [strip_dblp_suffix(a.name) for a in work.authors],
        "year": work.year,
        "venue": work.venue_acronym or work.venue,
        "type": work.type.value,
        "ids": {k: v for k, v in work.ids.to_dict().items()},
    }
    if work.venue and work.venue_acronym and work.venue != work.venue_acronym:
        out["venue_full"] = work.venue
    if work.pages:
        out["pages"] = work.pages
    if work.citations is not None:
        out["citations"] = work.citations
    if work.url:
        out["url"] = work.url
    return out


def change_to_report(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": change.kind.value, "source": change.source, "cv_key": change.cv_key}
    if change.field:
        out["field"] = change.field
    if change.cv_value is not None or change.field:
        out["cv_value"] = change.cv_value
    if change.source_value is not None:
        out["source_value"] = change.source_value
    if change.work is not None:
        out["work"] = work_to_report(change.work)
    out["match"] = change.match.to_dict() if change.match is not None else {"tier": "none"}
    if change.also_in:
        out["also_in"] = list(change.also_in)
    out["reason"] = change.reason
    out["id"] = change.fingerprint
    return out


@dataclass(frozen=True)
class Report:
    """One comparison of the CV with the sources, as the report shows it."""

    generated_at: datetime
    person: Person
    sources: Mapping[str, SourceStatus]  # in report order; disabled sources included
    changes: tuple[Change, ...]
    compared: tuple[str, ...]  # sources whose snapshot took part, whatever their status
    metrics: Mapping[str, Metrics] = field(default_factory=dict)  # only sources with metrics
    coverage: tuple[CoverageRow, ...] = ()
    history: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    suppressed: int = 0
    # Set by whoever knows a source's data is not this run's; a scheduled run stopped at its
    # deadline is incomplete even when every source status still reads "ok".
    stopped: bool = False

    @property
    def incomplete(self) -> bool:
        return self.stopped or any(s.incomplete for s in self.sources.values())

    @property
    def expected(self) -> tuple[str, ...]:
        return tuple(name for name, status in self.sources.items() if status.state is not SourceState.DISABLED)

    @property
    def compared_expected(self) -> tuple[str, ...]:
        return tuple(name for name in self.expected if name in self.compared)

    @property
    def in_sync(self) -> bool:
        # Only a comparison with data from every enabled source can say "in sync": with no data (a
        # first run offline, every pull failed) there is nothing the CV was found to agree with.
        return not self.changes and bool(self.expected) and len(self.compared_expected) == len(self.expected)

    def unfinished(self, names: Sequence[str], reason: str) -> Report:
        """This report with ``names`` marked as not pulled in this run (stale when a snapshot was
        used, failed when there was none), and incomplete."""
        sources = dict(self.sources)
        for name in names:
            status = sources.get(name)
            if status is None or status.state is SourceState.DISABLED:
                continue
            sources[name] = replace(status, state=SourceState.STALE if status.fetched_at else SourceState.FAILED, error=reason)
        return replace(self, sources=sources, stopped=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON report as plain data (``report.json.render_json`` writes it)."""
        changes = [change_to_report(c) for c in self.changes]
        summary = Counter(c["kind"] for c in changes)
        ids = self.person.ids.to_dict()
        report: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "generated_at": format_time(self.generated_at),
            "profile": {"name": self.person.name, **({"ids": ids} if ids else {})},
            "sources": {name: status.to_dict() for name, status in self.sources.items()},
            "changes": changes,
            "metrics": {name: metrics.to_dict() for name, metrics in self.metrics.items()},
            "summary": dict(sorted(summary.items())),
            "coverage": [row.to_dict() for row in self.coverage],
            "history": {name: list(entries) for name, entries in self.history.items()},
            "in_sync": self.in_sync,
            "compared": list(self.compared_expected),
            "incomplete": self.incomplete,
        }
        if self.suppressed:
            report["suppressed"] = self.suppressed
        return report
