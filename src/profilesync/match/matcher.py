"""Match works across sources: identifiers first, then named, weighted features.

A match is explainable: ``MatchScore`` keeps each feature's value and weight, so a report can say
"matched by DOI" or "title 0.97, 5/5 authors, same year". Tiers decide what may happen without a
person: only ``strong`` matches are applied unattended.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz

from profilesync.model import Work, WorkType
from profilesync.normalize.names import same_person_name
from profilesync.normalize.text import normalize_title

ID_ORDER: tuple[str, ...] = ("doi", "arxiv", "dblp", "orcid_put_code", "scholar", "github")


class Tier(str, enum.Enum):
    STRONG = "strong"
    PROBABLE = "probable"
    NONE = "none"


@dataclass(frozen=True)
class Feature:
    name: str
    value: float
    weight: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": round(self.value, 4), "weight": self.weight, "detail": self.detail}


@dataclass(frozen=True)
class MatchScore:
    score: float
    tier: Tier
    by: str
    features: tuple[Feature, ...] = ()

    def explain(self) -> str:
        if self.by in ID_ORDER:
            return f"matched by {self.by.upper() if self.by in {'doi', 'dblp'} else self.by}"
        return ", ".join(f.detail for f in self.features if f.detail) or f"score {self.score:.2f}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tier": self.tier.value, "score": round(self.score, 4), "by": self.by}
        if self.features:
            out["features"] = [f.to_dict() for f in self.features]
        out["explanation"] = self.explain()
        return out


NO_MATCH = MatchScore(0.0, Tier.NONE, "none")


@dataclass(frozen=True)
class MatchParams:
    weights: Mapping[str, float] = field(default_factory=lambda: {"title": 6.0, "authors": 3.0, "year": 1.0, "venue": 0.5})
    strong: float = 0.88
    probable: float = 0.72
    version_title: float = 0.55
    block_min_token_len: int = 4


@lru_cache(maxsize=1)
def _default_yaml() -> dict[str, Any]:
    try:
        text = resources.files("profilesync.match").joinpath("default.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    from ruamel.yaml import YAML

    return dict(YAML(typ="safe", pure=True).load(text) or {})


def load_params(overrides: Mapping[str, Any] | None = None) -> MatchParams:
    data = {**_default_yaml(), **dict(overrides or {})}
    base = MatchParams()
    known = {k: data[k] for k in ("strong", "probable", "version_title", "block_min_token_len") if k in data}
    weights = {**base.weights, **(data.get("weights") or {})}
    return MatchParams(weights=weights, **known)


def _ids_equal(a: Work, b: Work) -> str | None:
    for kind in ID_ORDER:
        x, y = getattr(a.ids, kind), getattr(b.ids, kind)
        if x and y and x.lower() == y.lower():
            return kind
    return None


def _author_overlap(a: Work, b: Work) -> tuple[float, str]:
    if not a.authors or not b.authors:
        return 0.5, "authors unknown"
    names_b = [x.name for x in b.authors]
    hits = sum(1 for x in a.authors if any(same_person_name(x.name, y) for y in names_b))
    denom = min(len(a.authors), len(b.authors))
    return hits / denom, f"{hits}/{denom} authors"


def _is_preprint(work: Work) -> bool:
    return work.type is WorkType.PREPRINT or (work.venue_acronym or "").lower() == "corr" or bool(work.ids.arxiv and not work.ids.doi and work.type is WorkType.OTHER)


def score_pair(a: Work, b: Work, params: MatchParams) -> MatchScore:
    by = _ids_equal(a, b)
    if by:
        return MatchScore(1.0, Tier.STRONG, by)
    ta, tb = normalize_title(a.title), normalize_title(b.title)
    if not ta or not tb:
        return NO_MATCH
    title = fuzz.ratio(ta, tb) / 100.0
    # A truncated title (Scholar) or an added subtitle still counts as the same title.
    partial = fuzz.partial_ratio(ta, tb) / 100.0 if min(len(ta), len(tb)) >= 25 else 0.0
    title = max(title, partial * 0.97)
    authors, author_detail = _author_overlap(a, b)
    if a.year and b.year:
        gap = abs(a.year - b.year)
        year = 1.0 if gap == 0 else 0.7 if gap == 1 else 0.3 if gap == 2 else 0.0
        year_detail = "same year" if gap == 0 else f"years {a.year}/{b.year}"
    else:
        year, year_detail = 0.5, "year unknown"
    w = params.weights
    total = w["title"] * title + w["authors"] * authors + w["year"] * year
    score = total / (w["title"] + w["authors"] + w["year"])
    features = (
        Feature("title", title, w["title"], f"title {title:.2f}"),
        Feature("authors", authors, w["authors"], author_detail),
        Feature("year", year, w["year"], year_detail),
    )
    tier = Tier.STRONG if score >= params.strong and title >= 0.9 else Tier.PROBABLE if score >= params.probable else Tier.NONE
    return MatchScore(score, tier, "title+authors", features)


def _tokens(work: Work, params: MatchParams) -> set[str]:
    return {t for t in normalize_title(work.title).split() if len(t) >= params.block_min_token_len}


def _candidates(left: Sequence[Work], right: Sequence[Work], params: MatchParams) -> dict[int, set[int]]:
    """Blocking: pairs that share a rare-ish title token or an identifier."""
    index: dict[str, set[int]] = defaultdict(set)
    for j, work in enumerate(right):
        for token in _tokens(work, params):
            index[token].add(j)
        for kind, value in work.ids.items():
            index[f"{kind}:{value.lower()}"].add(j)
    out: dict[int, set[int]] = {}
    for i, work in enumerate(left):
        found: set[int] = set()
        for token in _tokens(work, params):
            found |= index.get(token, set())
        for kind, value in work.ids.items():
            found |= index.get(f"{kind}:{value.lower()}", set())
        out[i] = found
    return out


@dataclass(frozen=True)
class Pair:
    cv_index: int
    source_index: int
    score: MatchScore
    version: bool = False


@dataclass(frozen=True)
class Duplicate:
    source_index: int
    duplicate_of: int
    score: MatchScore


@dataclass(frozen=True)
class SourceMatching:
    pairs: tuple[Pair, ...]
    unmatched_cv: tuple[int, ...]
    unmatched_source: tuple[int, ...]
    duplicates: tuple[Duplicate, ...] = ()


def _version_score(a: Work, b: Work, params: MatchParams) -> MatchScore | None:
    """A preprint and its published form: ids differ, title may be reworded, authors grow."""
    if _is_preprint(a) == _is_preprint(b):
        return None
    title = fuzz.token_set_ratio(normalize_title(a.title), normalize_title(b.title)) / 100.0
    authors, detail = _author_overlap(a, b)
    if title >= params.version_title and authors >= 0.8 and len(a.authors) >= 2 and len(b.authors) >= 2:
        first_same = same_person_name(a.authors[0].name, b.authors[0].name)
        if first_same or title >= 0.8:
            features = (
                Feature("title", title, 1.0, f"title {title:.2f} (reworded at publication)"),
                Feature("authors", authors, 1.0, detail),
            )
            return MatchScore(min(title, authors), Tier.PROBABLE, "version", features)
    return None


def match_works(cv_works: Sequence[Work], source_works: Sequence[Work], params: MatchParams) -> SourceMatching:
    candidates = _candidates(cv_works, source_works, params)
    scored: list[tuple[float, int, int, MatchScore, bool]] = []
    for i, js in candidates.items():
        for j in js:
            s = score_pair(cv_works[i], source_works[j], params)
            version = False
            if s.tier is Tier.NONE:
                v = _version_score(cv_works[i], source_works[j], params)
                if v is None:
                    continue
                s, version = v, True
            scored.append((s.score + (1.0 if s.by in ID_ORDER else 0.0), i, j, s, version))
    # Greedy one-to-one assignment on descending score: ids first, then the best fuzzy pairs.
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_cv: set[int] = set()
    used_src: set[int] = set()
    pairs: list[Pair] = []
    for _, i, j, s, version in scored:
        if i in used_cv or j in used_src:
            continue
        used_cv.add(i)
        used_src.add(j)
        pairs.append(Pair(i, j, s, version))
    # Source works left over that match a paired source work strongly are duplicates in the source.
    duplicates: list[Duplicate] = []
    paired = {p.source_index: p for p in pairs}
    for _, i, j, s, _version in scored:
        if j in used_src or i not in used_cv:
            continue
        partner = next((p for p in pairs if p.cv_index == i), None)
        if partner is None or partner.source_index == j:
            continue
        dup = score_pair(source_works[j], source_works[partner.source_index], params)
        if dup.tier is not Tier.NONE or s.tier is Tier.STRONG:
            duplicates.append(Duplicate(j, partner.source_index, dup if dup.tier is not Tier.NONE else s))
            used_src.add(j)
    del paired
    pairs.sort(key=lambda p: p.cv_index)
    return SourceMatching(
        pairs=tuple(pairs),
        unmatched_cv=tuple(i for i in range(len(cv_works)) if i not in used_cv),
        unmatched_source=tuple(j for j in range(len(source_works)) if j not in used_src),
        duplicates=tuple(duplicates),
    )
