"""What the diff engine tells the researcher: one ``Change`` per difference, its kind an enum."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from profilesync.match.matcher import MatchScore
from profilesync.model import Work
from profilesync.normalize.text import normalize_title


class ChangeKind(str, enum.Enum):
    MISSING_IN_CV = "missing_in_cv"
    MISSING_IN_SOURCE = "missing_in_source"
    FIELD_DIFFERS = "field_differs"
    NEW_VERSION = "new_version"
    DUPLICATE_IN_SOURCE = "duplicate_in_source"
    DUPLICATE_IN_CV = "duplicate_in_cv"  # the CV lists one work twice (often preprint and published)
    FOREIGN_WORK = "foreign_work"
    METRIC_CHANGED = "metric_changed"
    PROFILE_DIFFERS = "profile_differs"


# The order a report lists the kinds in: what asks for action first.
KIND_ORDER: tuple[ChangeKind, ...] = (
    ChangeKind.NEW_VERSION,
    ChangeKind.MISSING_IN_CV,
    ChangeKind.FIELD_DIFFERS,
    ChangeKind.PROFILE_DIFFERS,
    ChangeKind.MISSING_IN_SOURCE,
    ChangeKind.FOREIGN_WORK,
    ChangeKind.DUPLICATE_IN_SOURCE,
    ChangeKind.DUPLICATE_IN_CV,
    ChangeKind.METRIC_CHANGED,
)


def digest_value(value: Any) -> str:
    """The digest decisions are keyed on (``Change.value_digest``), for any JSON-able value."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Change:
    """One difference. ``reason`` is a sentence for people; the other fields are for machines.

    ``work`` is the source's version of the work (None for profile and metric changes);
    ``also_in`` names other sources that agree with this one.
    """

    kind: ChangeKind
    source: str
    reason: str
    cv_key: str | None = None
    field: str | None = None
    cv_value: Any = None
    source_value: Any = None
    work: Work | None = None
    match: MatchScore | None = None
    also_in: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """What the change is about, stable across runs: the CV key, else the work's identity."""
        if self.cv_key:
            return self.cv_key
        if self.work is not None:
            for kind, value in self.work.ids.items():
                if kind != "url":
                    return f"{kind}:{value}"
            return "title:" + normalize_title(self.work.title)
        return self.field or ""

    @property
    def fingerprint(self) -> str:
        """Identifies the change independently of the proposed value (for decisions)."""
        return f"{self.kind.value}|{self.source}|{self.subject}|{self.field or ''}"

    @property
    def value_digest(self) -> str:
        """Changes when the source's value changes, so a rejected change can come back."""
        value = self.source_value
        if value is None and self.work is not None:
            # The work as a record, without what moves on every pull (the source's citation
            # count, connector bookkeeping in ``extra`` such as DBLP's mdate): an ignored namesake
            # paper must not come back because it was cited again.
            value = self.work.to_dict()
            for bookkeeping in ("citations", "extra", "cut", "own_record"):
                value.pop(bookkeeping, None)
        return digest_value(value)
