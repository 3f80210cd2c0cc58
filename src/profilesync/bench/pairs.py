"""Pairwise classification: score each labelled (or unlabelled) candidate pair with one profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from profilesync.bench.data import LabelledPair, Record
from profilesync.match.features import Prepared, compute, prepare_fields
from profilesync.match.matcher import score_prepared
from profilesync.match.scoring import Profile


def prepare_record(record: Record, normalized_title: str | None = None) -> Prepared:
    return prepare_fields(record.title, record.authors, record.venue, record.year, normalized_title=normalized_title)


def feature_rows(pairs: Sequence[LabelledPair]) -> list[tuple[float, ...]]:
    """The feature vector of every pair (in :data:`FEATURE_NAMES` order)."""
    cache: dict[Record, Prepared] = {}

    def prep(r: Record) -> Prepared:
        p = cache.get(r)
        if p is None:
            p = cache[r] = prepare_record(r)
        return p

    return [compute(prep(p.left), prep(p.right)).values for p in pairs]


@dataclass(frozen=True)
class Prediction:
    id: str
    prediction: int
    score: float


def predict(pairs: Sequence[LabelledPair], profile: Profile) -> list[Prediction]:
    """One prediction per pair, by the same scoring the matcher uses (model plus the
    title-and-authors rule): 1 when the score reaches the profile's decision threshold."""
    cache: dict[Record, Prepared] = {}

    def prep(r: Record) -> Prepared:
        p = cache.get(r)
        if p is None:
            p = cache[r] = prepare_record(r)
        return p

    out = []
    for pair in pairs:
        s = score_prepared(prep(pair.left), prep(pair.right), profile)
        out.append(Prediction(pair.id, int(s.score >= profile.probable), s.score))
    return out
