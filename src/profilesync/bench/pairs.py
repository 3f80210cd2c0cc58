"""Pairwise classification: score each labelled (or unlabelled) candidate pair with one profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from profilesync.bench.data import LabelledPair, Record
from profilesync.match.features import FEATURE_NAMES, Prepared, compute, prepare_fields
from profilesync.match.scoring import Profile, sigmoid


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
    """One prediction per pair: 1 when the score reaches the profile's decision threshold."""
    rows = feature_rows(pairs)
    out = []
    for pair, values in zip(pairs, rows, strict=True):
        score = sigmoid(profile.log_odds(FEATURE_NAMES, values))
        out.append(Prediction(pair.id, int(score >= profile.probable), score))
    return out
