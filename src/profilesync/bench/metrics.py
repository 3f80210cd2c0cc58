"""Precision, recall and F1 for pair predictions and for links against a perfect mapping."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Quality:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"precision {100 * self.precision:.2f}  recall {100 * self.recall:.2f}  F1 {100 * self.f1:.2f}  "
            f"(tp {self.true_positives}, fp {self.false_positives}, fn {self.false_negatives})"
        )


def pair_quality(labels: Iterable[int], predictions: Iterable[int]) -> Quality:
    """Pairwise classification quality; ``labels`` and ``predictions`` are aligned 0/1 sequences."""
    tp = fp = fn = 0
    for y, p in zip(labels, predictions, strict=True):
        if p and y:
            tp += 1
        elif p:
            fp += 1
        elif y:
            fn += 1
    return Quality(tp, fp, fn)


def link_quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> Quality:
    """Links against a perfect mapping (both sets of ``(left_id, right_id)``)."""
    tp = len(found & truth)
    return Quality(tp, len(found) - tp, len(truth) - tp)
