"""What the diff decides, before any sentence is written: one frozen dataclass per case.

The engine (:mod:`profilesync.diff.engine`) yields these; :mod:`profilesync.diff.describe` turns
each into the ``Change`` a report shows, with its sentence. Keeping the two apart lets the
decisions be read (and tested) without the prose, and the prose be changed without touching a
decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from profilesync.match.clusters import Cluster
from profilesync.match.matcher import MatchScore
from profilesync.model import Work

# --- what the per-source pass gathers for the decisions that need every source -------------------


@dataclass(frozen=True)
class Proposal:
    """One source's value for one field of a paired CV work, with the record and match behind it."""

    value: Any
    work: Work
    score: MatchScore


@dataclass(frozen=True)
class Sighting:
    """A source's published record of a work the CV lists as a preprint."""

    work: Work
    score: MatchScore


# --- the decisions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForeignWork:
    """An unpaired record of ``source`` whose authors do not include the researcher."""

    source: str
    work: Work
    why: str


@dataclass(frozen=True)
class DuplicateInSource:
    """``source`` lists one work twice: ``work`` and its earlier record ``first`` (both the CV's
    ``cv_key`` when the work is in the CV)."""

    source: str
    work: Work
    first: Work
    score: MatchScore
    cv_key: str | None = None


@dataclass(frozen=True)
class DuplicateInCv:
    """The CV lists one work twice (``this`` and ``other``; often its preprint and its published
    form), as ``source`` and the sources in ``also_in`` show by holding one record for both."""

    source: str
    this: Work
    other: Work
    score: MatchScore
    also_in: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(sorted(k for k in (self.this.key, self.other.key) if k))


@dataclass(frozen=True)
class MissingInSource:
    """A CV work ``source`` does not list."""

    source: str
    cv_work: Work


@dataclass(frozen=True)
class NewVersion:
    """The CV's preprint ``cv_work`` was published as ``work`` (the top-ranked source's record,
    carrying the preprint's arXiv id ``arxiv`` when one is known)."""

    source: str
    cv_work: Work
    work: Work
    score: MatchScore
    arxiv: str | None
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldDiffers:
    """The winning source's ``value`` for ``field`` of CV work ``cv_key`` differs from the CV's."""

    source: str
    cv_key: str
    field: str
    cv_value: Any
    value: Any
    work: Work
    score: MatchScore
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeLink:
    """A repository of ``source`` implements CV work ``cv_key``, which has no ``code:`` yet."""

    source: str
    cv_key: str
    repo_url: str
    how: str
    score: MatchScore
    work: Work | None


@dataclass(frozen=True)
class MissingInCv:
    """A work the CV lacks, as the sources list it (one cluster per work)."""

    cluster: Cluster


@dataclass(frozen=True)
class ProfileDiffers:
    """``source``'s profile ``field`` (homepage, affiliation, name) differs from the CV's."""

    source: str
    field: str
    cv_value: Any
    value: Any


@dataclass(frozen=True)
class MetricChanged:
    """``source``'s metric ``name`` moved from ``old`` to ``new`` since the history entry of ``since``."""

    source: str
    name: str
    old: Any
    new: Any
    since: str


Decision = (
    ForeignWork
    | DuplicateInSource
    | DuplicateInCv
    | MissingInSource
    | NewVersion
    | FieldDiffers
    | CodeLink
    | MissingInCv
    | ProfileDiffers
    | MetricChanged
)
