"""The verdict on one pair of works: tier, score, what decided it, and the named evidence.

Kept apart from the matcher so that every part of matching (features, versions, the matcher
itself) can build verdicts without importing each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

ID_ORDER: tuple[str, ...] = ("doi", "arxiv", "dblp", "orcid_put_code", "scholar", "github")
ID_LABEL = {"doi": "DOI", "arxiv": "arXiv id", "dblp": "DBLP key", "orcid_put_code": "ORCID put-code", "scholar": "Scholar id", "github": "GitHub repository"}


class Tier(str, enum.Enum):
    """How sure a match is: ``strong`` may be applied unattended, ``probable`` needs a person."""

    STRONG = "strong"
    PROBABLE = "probable"
    NONE = "none"


@dataclass(frozen=True)
class Feature:
    """One named piece of evidence. ``weight`` is its log-odds contribution to the score (the
    fitted model's share for this feature); identifier and version evidence carry 1.0 and rule
    notes 0.0. ``detail`` is the human wording, empty for features a report need not show.
    """

    name: str
    value: float
    weight: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": round(self.value, 4), "weight": round(self.weight, 4), "detail": self.detail}


@dataclass(frozen=True)
class MatchScore:
    """The verdict on one pair: a score in [0, 1], its tier, what decided it, and the evidence."""

    score: float
    tier: Tier
    by: str
    features: tuple[Feature, ...] = ()

    def explain(self) -> str:
        """One line a person can check: "matched by DOI" or "title 0.97, 5/5 authors, same year"."""
        if self.by in ID_ORDER:
            return f"matched by {ID_LABEL.get(self.by, self.by)}"
        details = [f.detail for f in self.features if f.detail]
        text = ", ".join(details) or f"score {self.score:.2f}"
        if self.by == "version":
            return f"preprint and published version: {text}"
        return text

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tier": self.tier.value, "score": round(self.score, 4), "by": self.by}
        if self.features:
            out["features"] = [f.to_dict() for f in self.features]
        out["explanation"] = self.explain()
        return out


NO_MATCH = MatchScore(0.0, Tier.NONE, "none")
