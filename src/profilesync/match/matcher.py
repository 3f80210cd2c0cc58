"""Match works across sources: identifiers first, then blocked, named, weighted features.

Order of evidence (DESIGN section 5):

1. canonical identifiers (DOI, arXiv id, DBLP key, ORCID put-code, Scholar id, GitHub repo);
2. blocking on rare title words, then the fitted additive model over named features
   (:mod:`profilesync.match.features`, :mod:`profilesync.match.scoring`);
3. versions: a preprint and its published form (:mod:`profilesync.match.versions`);
4. a one-to-one assignment per source in stages (:class:`Stage`): identifier and exact
   title+authors pairs of the same form first, then fuzzy pairs, then versions among the works
   left; the source's leftover records beside an assigned one are its duplicates (one work listed
   twice), the CV work's other form, or works of their own (:func:`_leftovers`).

A match is explainable: ``MatchScore`` keeps every feature's value and its log-odds contribution,
so a report can say "matched by DOI" or "title 0.97, 5/5 authors, same year". Tiers decide what
may happen without a person: only ``strong`` matches are applied unattended.
"""

from __future__ import annotations

import enum
import functools
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from profilesync.match.blocking import TokenBlocker, id_index
from profilesync.match.features import (
    AUTHOR_FEATURES,
    FEATURE_NAMES,
    SAME_TITLE_RATIO,
    WINDOW_FEATURES,
    PairFeatures,
    Prepared,
    StagedFeatures,
    author_matches,
    compute,
    prepare,
)
from profilesync.match.params import MatchParams, load_params, params_from_dict
from profilesync.match.scoring import Profile, sigmoid
from profilesync.match.verdict import ID_LABEL, ID_ORDER, NO_MATCH, Feature, MatchScore, Tier
from profilesync.match.versions import is_preprint, title_overlap, version_score
from profilesync.model import Work, WorkType
from profilesync.normalize.identifiers import arxiv_from_doi
from profilesync.normalize.venues import VenueIdentity, venue_identity

__all__ = [
    "ID_ORDER",
    "Duplicate",
    "Feature",
    "MatchParams",
    "MatchScore",
    "Pair",
    "SourceMatching",
    "Tier",
    "canonical_ids",
    "candidate_pairs",
    "load_params",
    "match_works",
    "params_from_dict",
    "score_pair",
    "score_prepared",
    "titles_close",
    "venue_of",
]



@dataclass(frozen=True)
class Pair:
    """A CV work and the source work that is the same publication. ``version``: a preprint and
    its published form."""

    cv_index: int
    source_index: int
    score: MatchScore
    version: bool = False


@dataclass(frozen=True)
class Duplicate:
    """A source work that repeats another work of the same source (both indexes into it)."""

    source_index: int
    duplicate_of: int
    score: MatchScore


@dataclass(frozen=True)
class SourceMatching:
    pairs: tuple[Pair, ...]
    unmatched_cv: tuple[int, ...]
    unmatched_source: tuple[int, ...]
    duplicates: tuple[Duplicate, ...] = ()
    # Source works left over that are another listing of a paired CV work (``Pair.version``: the
    # other form, preprint or published), and CV works left over that list a paired work again.
    second_listings: tuple[Pair, ...] = ()
    cv_second_listings: tuple[Pair, ...] = ()


# --- identifiers ---------------------------------------------------------------------------------


def canonical_ids(work: Work) -> list[tuple[str, str]]:
    """``(kind, value)`` for every identifier of the work, in :data:`ID_ORDER`, case-folded.
    An arXiv DataCite DOI (``10.48550/arxiv.X``) also counts as the arXiv id ``X``.
    """
    out: list[tuple[str, str]] = []
    for kind in ID_ORDER:
        value = getattr(work.ids, kind)
        if value:
            out.append((kind, str(value).strip().lower()))
    arxiv = arxiv_from_doi(work.ids.doi)
    if arxiv and not work.ids.arxiv:
        out.append(("arxiv", arxiv.lower()))
    return out


def _shared_id(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]]) -> str | None:
    bset = set(b)
    for kind, value in a:
        if (kind, value) in bset:
            return kind
    return None


def _conflicting_doi(a: Work, b: Work) -> bool:
    """Two different real DOIs: different publications, whatever the titles say (an arXiv DOI
    against a publisher DOI is a preprint against its version, not a conflict)."""
    da, db = a.ids.doi, b.ids.doi
    if not da or not db or da.lower() == db.lower():
        return False
    return not (arxiv_from_doi(da) or arxiv_from_doi(db))


# --- scoring ---

_TITLE_RATIO = FEATURE_NAMES.index("title_ratio")
_TITLE_EXACT = FEATURE_NAMES.index("title_exact")



def _venue_label(key: str) -> str:
    return {"corr": "CoRR", "vldb-journal": "VLDB J.", "sigmod-record": "SIGMOD Record", "pvldb": "PVLDB", "eurosys": "EuroSys", "apsys": "APSys", "debull": "IEEE Data Eng. Bull."}.get(key, key.upper())


def _details(a: Prepared, b: Prepared, pf: PairFeatures) -> dict[str, str]:
    values = pf.as_dict()
    title = max(values["title_ratio"], values["title_token_set"], values["title_partial"], values["title_compact"])
    out = {"title_ratio": "same title" if values["title_exact"] else f"title {title:.2f}"}
    if pf.authors_a and pf.authors_b:
        out["authors_min"] = f"{pf.author_hits}/{min(pf.authors_a, pf.authors_b)} authors" + (
            f" ({pf.authors_a} vs {pf.authors_b} listed)" if pf.authors_a != pf.authors_b else ""
        )
    else:
        out["authors_min"] = "authors unknown"
    if a.year and b.year:
        out["year_same"] = "same year" if a.year == b.year else f"years {a.year}/{b.year}"
    else:
        out["year_same"] = "year unknown"
    if a.venue and b.venue:
        out["venue_same"] = f"same venue ({_venue_label(a.venue)})" if a.venue == b.venue else f"venues {_venue_label(a.venue)}/{_venue_label(b.venue)}"
    return out


def agreement_floor(a: Prepared, b: Prepared, pf: PairFeatures) -> Tier:
    """The title-and-authors rule: the same title (character similarity >= 0.9, not just shared
    words) by the same two or more authors within a year, in a venue that does not contradict, is
    one work, whatever else differs.

    The fitted model learns from large tables where a recurring title is common, so it leans on
    year and venue; in one researcher's records a CV's off-by-one year ("NSDI 2024" for NSDI '23)
    or a missing venue must not hide the match. Returns the tier the rule vouches for: ``strong``
    when three or more authors and a known venue agree, ``probable`` otherwise, ``none`` when the
    rule does not apply (different venues: a conference paper and its journal version are two works).
    """
    values = pf.values
    if values[_TITLE_RATIO] < SAME_TITLE_RATIO and not values[_TITLE_EXACT]:
        return Tier.NONE
    if pf.author_hits < 2 or pf.author_hits < min(pf.authors_a, pf.authors_b):
        return Tier.NONE
    if a.year and b.year and abs(a.year - b.year) > 1:
        return Tier.NONE
    if a.venue and b.venue and a.venue != b.venue:
        return Tier.NONE
    if a.venue and a.venue == b.venue and pf.author_hits >= 3:
        return Tier.STRONG
    return Tier.PROBABLE


def score_prepared(a: Prepared, b: Prepared, profile: Profile, pf: PairFeatures | None = None) -> MatchScore:
    """Score two prepared works with one fitted profile; no identifiers are consulted.

    The score is the fitted model's probability, lifted to the ``probable`` threshold when the
    title-and-authors rule (:func:`agreement_floor`) holds, and 0 when the titles are too far
    apart for features alone (``profile.min_title``; versions are judged separately). ``pf``: the
    pair's features when the caller has them already.
    """
    if not a.title or not b.title:
        return NO_MATCH
    pf = compute(a, b) if pf is None else pf
    if pf.title_best < profile.min_title:
        return MatchScore(0.0, Tier.NONE, "title+authors", (Feature("title_veto", pf.title_best, 0.0, f"titles differ ({pf.title_best:.2f})"),))
    contributions = profile.contributions(FEATURE_NAMES, pf.values)
    z = profile.bias + sum(c for _, _, c in contributions)
    score = sigmoid(z)
    details = _details(a, b, pf)
    features = tuple(Feature(name, value, weight, details.get(name, "")) for name, value, weight in contributions)
    if score < profile.strong:
        floor = agreement_floor(a, b, pf)
        lifted = profile.strong if floor is Tier.STRONG else profile.probable if floor is Tier.PROBABLE else 0.0
        if lifted > score:
            score = lifted
            features += (Feature("title_authors_rule", 1.0, 0.0, f"rule: same title and all {pf.author_hits} authors"),)
    tier = Tier.STRONG if score >= profile.strong else Tier.PROBABLE if score >= profile.probable else Tier.NONE
    return MatchScore(score, tier, "title+authors", features)


# How far under the ``probable`` log-odds a pair must be for the quick test to call it no match:
# far above the rounding gap between the compiled log-odds and the explained sum of contributions.
_QUICK_MARGIN = 1e-6
_ROUNDING = 1e-9


def surely_no_match(a: Prepared, b: Prepared, profile: Profile, pf: PairFeatures) -> bool:
    """True when :func:`score_prepared` would give tier ``none``, decided without building the
    explanation: the titles are vetoed, or the model's compiled log-odds are clearly under the
    ``probable`` threshold and the title-and-authors rule does not lift the pair. Most candidate
    pairs of a long publication list end here; explaining them all was most of a diff's time."""
    if not a.title or not b.title or pf.title_best < profile.min_title:
        return True
    if agreement_floor(a, b, pf) is not Tier.NONE:
        return False
    return profile.log_odds(FEATURE_NAMES, pf.values) < _log_odds_threshold(profile.probable)


def features_unless_ruled_out(a: Prepared, b: Prepared, profile: Profile) -> PairFeatures | None:
    """The pair's features, or None when :func:`surely_no_match` is certain without them all: the
    titles are vetoed, or the title-and-authors rule cannot apply (character similarity under
    0.9, titles not the same) and even the best values of the features not yet computed would
    leave the model's log-odds under the ``probable`` threshold.

    The features are computed dearest last (:class:`StagedFeatures`): titles, years and venues;
    then the partial title ratios; then the author lists. A long publication list brings
    thousands of candidate pairs whose titles share words but whose years, venues or wording say
    two works; most stop at the first bound. The bound is exact per feature
    (:meth:`Profile.log_odds_bound`), so None never hides a pair the full features would keep."""
    if not a.title or not b.title:
        return None
    staged = StagedFeatures(a, b)
    if profile.forest is None:  # no bound for a boosted forest: the full features decide
        z_min = _bound_threshold(profile.probable)
        both = bool(a.authors and b.authors)
        cheap = staged.values()
        if cheap[_TITLE_RATIO] < SAME_TITLE_RATIO and not cheap[_TITLE_EXACT]:  # else agreement_floor may hold
            bound = profile.log_odds_bound(FEATURE_NAMES, cheap, _FREE_AUTHORS_WINDOWS if both else WINDOW_FEATURES)
            if bound is not None and bound < z_min:
                return None
            staged.add_windows()
            if staged.title_best < profile.min_title:
                return None
            bound = profile.log_odds_bound(FEATURE_NAMES, staged.values(), AUTHOR_FEATURES if both else _NOTHING_FREE)
            if bound is not None and bound < z_min:
                return None
    if not staged.has_windows:
        staged.add_windows()
    staged.add_authors()
    return PairFeatures(staged.values(), staged.hits, len(a.authors), len(b.authors))


_FREE_AUTHORS_WINDOWS = AUTHOR_FEATURES | WINDOW_FEATURES
_NOTHING_FREE: frozenset[int] = frozenset()


@functools.lru_cache(maxsize=8)
def _log_odds_threshold(probable: float) -> float:
    """The log-odds under which surely_no_match calls a pair no match (``probable`` less the margin)."""
    t = min(max(probable, 1e-9), 1 - 1e-9)
    return math.log(t / (1 - t)) - _QUICK_MARGIN


def _bound_threshold(probable: float) -> float:
    """The log-odds an upper bound must reach for a pair to be kept (features_unless_ruled_out,
    the screen). A bound adds its terms in another order than log_odds: this allows for the
    rounding (under 1e-13 for 30 terms of this size), so a pair ruled out is surely_no_match to
    the last bit."""
    return _log_odds_threshold(probable) - _ROUNDING


def _with_doi_conflict(score: MatchScore, a: Work, b: Work) -> MatchScore:
    """Two different publisher DOIs: usually two works, but a CV's DOI may carry a typo (the seed's
    Ditto entry is off by one digit). Keep the match only as ``probable`` and say why."""
    if score.tier is Tier.NONE or not _conflicting_doi(a, b):
        return score
    note = Feature("doi_conflict", 1.0, 0.0, f"but DOIs differ ({a.ids.doi} / {b.ids.doi})")
    return MatchScore(score.score, Tier.PROBABLE, score.by, (*score.features, note))


def score_pair(a: Work, b: Work, params: MatchParams) -> MatchScore:
    """Score one pair of works: a shared identifier decides at once; else the fitted features."""
    by = _shared_id(canonical_ids(a), canonical_ids(b))
    if by:
        return MatchScore(1.0, Tier.STRONG, by, (Feature(by, 1.0, 1.0, f"same {ID_LABEL[by]}"),))
    return _with_doi_conflict(score_prepared(prepare(a), prepare(b), params.model), a, b)


# --- matching ------------------------------------------------------------------------------------


class Stage(enum.IntEnum):
    """Which kind of evidence a candidate pair rests on; the assignment takes the stages in order.

    ``DIRECT``: a shared identifier, or the same title by the same authors, between two records of
    the same form (both preprints or both published). ``FUZZY``: the fitted model, same form.
    ``VERSION``: a preprint against a published record (by identifier, the version rule or the
    model). A version pair is only made between works that found no partner of their own form, so
    the CV's published entry can never be taken by the source's preprint while its own record waits.
    """

    DIRECT = 1
    FUZZY = 2
    VERSION = 3


@dataclass(frozen=True)
class _Scored:
    weight: float
    cv: int
    src: int
    score: MatchScore
    stage: Stage

    @property
    def is_version(self) -> bool:
        return self.stage is Stage.VERSION


def _id_score(kind: str) -> MatchScore:
    return MatchScore(1.0, Tier.STRONG, kind, (Feature(kind, 1.0, 1.0, f"same {ID_LABEL[kind]}"),))


def _same_title_and_authors(a: Prepared, b: Prepared) -> bool:
    """The same normalised title by the same (non-empty) author list, in venues that do not
    contradict: the strongest evidence short of an identifier."""
    if not a.title or a.title != b.title or not a.authors or len(a.authors) != len(b.authors):
        return False
    if a.venue and b.venue and a.venue != b.venue:
        return False  # a conference paper and its journal extension often keep the title
    return author_matches(a.authors, b.authors) == len(a.authors)


VENUE_BONUS = 0.5


def venue_of(work: Work) -> VenueIdentity:
    """A source record's venue by its DBLP key and names; a CV entry's as the CV writes it."""
    return venue_identity((work.venue_acronym, work.venue), work.ids.dblp if work.key is None else None)


def titles_close(query: Prepared, others: Sequence[Prepared], min_title: float) -> set[int]:
    """Positions in ``others`` whose best title similarity with ``query`` (as
    :attr:`PairFeatures.title_best` computes it: character, token-set, partial and compact ratios)
    may reach ``min_title``. A superset: the cut-off is a hair lenient, and the full features decide.
    """
    if not query.title or not others:
        return set()
    cutoff = min_title * 100.0 - 0.01
    titles = [o.title for o in others]
    found: set[int] = set()
    for scorer in (fuzz.token_set_ratio, fuzz.ratio):
        found.update(k for _, _, k in process.extract(query.title, titles, scorer=scorer, score_cutoff=cutoff, limit=None))
    n = len(query.title)
    rest = [k for k in range(len(others)) if k not in found and min(n, len(titles[k])) >= 20]
    if rest:
        hits = process.extract(query.title, [titles[k] for k in rest], scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=None)
        found.update(rest[k] for _, _, k in hits)
    compact = query.compact_title
    rest = [k for k in range(len(others)) if k not in found]
    if rest:
        squeezed = [others[k].compact_title for k in rest]
        found.update(rest[k] for _, _, k in process.extract(compact, squeezed, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None))
        long_ = [k for k in range(len(rest)) if rest[k] not in found and min(len(compact), len(squeezed[k])) >= 20]
        if long_:
            hits = process.extract(compact, [squeezed[k] for k in long_], scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=None)
            found.update(rest[long_[k]] for _, _, k in hits)
    return found


# The screen's batch scorers (rapidfuzz's cpdist, which releases the GIL) run in threads for a long
# publication list: up to two, as `bench er-link` uses up to two processes, and only from this many
# pairs on, below which starting threads costs more than they save.
_SCREEN_THREADS = min(2, os.cpu_count() or 1)
_SCREEN_THREADED_FROM = 20_000


def candidate_pairs(
    cv_works: Sequence[Work],
    source_works: Sequence[Work],
    params: MatchParams,
    cv_prep: Sequence[Prepared],
    src_prep: Sequence[Prepared],
) -> list[_Scored]:
    """Every (CV work, source work) pair worth assigning, with its score and stage."""
    # numpy (the screen's columns) is imported by the commands that match, not by every user of
    # this module (table linkage, the CLI's start-up).
    from profilesync.match.screen import screen_pairs

    cv_ids = [canonical_ids(w) for w in cv_works]
    by_id = id_index(enumerate(canonical_ids(w) for w in source_works))
    blocker = TokenBlocker(src_prep, keys=params.block_keys, max_df=params.block_max_df, small=params.block_small, budget=params.block_budget)
    profile = params.model
    cv_pre = [is_preprint(w, p) for w, p in zip(cv_works, cv_prep, strict=True)]
    src_pre = [is_preprint(w, p) for w, p in zip(source_works, src_prep, strict=True)]
    cv_venue = [venue_of(w) for w in cv_works]
    src_venue = [venue_of(w) for w in source_works]
    by_identifier: list[list[_Scored]] = []
    blocked_of: list[list[int]] = []
    same_form: list[tuple[int, int]] = []
    for i in range(len(cv_works)):
        seen: set[int] = set()
        found: list[_Scored] = []
        for key in cv_ids[i]:
            for j in by_id.get(key, ()):
                if j in seen:
                    continue
                stage = Stage.VERSION if cv_pre[i] != src_pre[j] else Stage.DIRECT
                if stage is Stage.VERSION and title_overlap(cv_prep[i], src_prep[j]) < params.version_title:
                    continue  # an arXiv link between unrelated titles is a slip in the record (DBLP has them)
                seen.add(j)
                found.append(_Scored(3.0, i, j, _id_score(key[0]), stage))
        blocked = [j for j in blocker.candidates(cv_prep[i]) if j not in seen]
        by_identifier.append(found)
        blocked_of.append(blocked)
        same_form.extend((i, j) for j in blocked if cv_pre[i] == src_pre[j])
    # Most blocked pairs share one common word and nothing else: the screen rules them out in bulk
    # (the same answer score_prepared would give, tier none), so only a few are scored one by one.
    # Version pairs are not screened: the version rule judges them on more than their features.
    workers = _SCREEN_THREADS if len(same_form) >= _SCREEN_THREADED_FROM else 1
    screened = iter(screen_pairs(cv_prep, src_prep, same_form, profile, _bound_threshold(profile.probable), workers=workers))
    scored: list[_Scored] = []
    for i, work in enumerate(cv_works):
        scored.extend(by_identifier[i])
        for j in blocked_of[i]:
            if cv_pre[i] == src_pre[j] and not next(screened):
                continue
            pf = features_unless_ruled_out(cv_prep[i], src_prep[j], profile)
            if pf is None or surely_no_match(cv_prep[i], src_prep[j], profile, pf):
                if cv_pre[i] == src_pre[j]:
                    continue
                s = NO_MATCH  # a version pair still has the version rule
            else:
                s = _with_doi_conflict(score_prepared(cv_prep[i], src_prep[j], profile, pf), work, source_works[j])
            if cv_pre[i] != src_pre[j]:
                v = version_score(work, source_works[j], cv_prep[i], src_prep[j], params)
                if v is not None and (s.tier is Tier.NONE or v.score > s.score):
                    s = v
                if s.tier is not Tier.NONE:
                    scored.append(_Scored(s.score, i, j, s, Stage.VERSION))
                continue
            if s.tier is Tier.NONE:
                continue
            # The same venue breaks ties between records of one title by the same authors (a
            # workshop paper and its conference version, an extended abstract and the paper).
            weight = s.score + (VENUE_BONUS if cv_venue[i].same_as(src_venue[j]) else 0.0)
            if _same_title_and_authors(cv_prep[i], src_prep[j]) and not _conflicting_doi(work, source_works[j]):
                scored.append(_Scored(1.0 + weight, i, j, s, Stage.DIRECT))
            else:
                scored.append(_Scored(weight, i, j, s, Stage.FUZZY))
    return scored


def match_works(
    cv_works: Sequence[Work],
    source_works: Sequence[Work],
    params: MatchParams,
    *,
    cv_prep: Sequence[Prepared] | None = None,
    src_prep: Sequence[Prepared] | None = None,
) -> SourceMatching:
    """Pair each CV work with at most one source work (and each source work with at most one CV
    work), report the source's own duplicates, and list what stayed unmatched.

    Pairs are assigned in stages (:class:`Stage`): identifiers and the same title by the same
    authors first, then the fitted model, then preprint/published versions among the works still
    free. A source work left over that is another listing of an assigned CV work is a
    ``second_listing``; it is also a ``Duplicate`` only when it is one work listed twice
    (:func:`same_listing`).
    """
    # The comparison forms may come prepared: a diff prepares the CV once for every source.
    cv_prep = [prepare(w) for w in cv_works] if cv_prep is None else cv_prep
    src_prep = [prepare(w) for w in source_works] if src_prep is None else src_prep
    scored = candidate_pairs(cv_works, source_works, params, cv_prep, src_prep)
    pairs = _assign(scored)
    partner = {p.cv_index: p.source_index for p in pairs}
    used_src = set(partner.values())
    src_pre = [is_preprint(w, p) for w, p in zip(source_works, src_prep, strict=True)]
    second, duplicates = _leftovers(scored, partner, source_works, src_prep, src_pre, cv_prep, params)
    used_src |= {d.source_index for d in duplicates}
    return SourceMatching(
        pairs=tuple(sorted(pairs, key=lambda p: p.cv_index)),
        unmatched_cv=tuple(i for i in range(len(cv_works)) if i not in partner),
        unmatched_source=tuple(j for j in range(len(source_works)) if j not in used_src),
        duplicates=tuple(duplicates),
        second_listings=second,
        cv_second_listings=_cv_second_listings(scored, partner),
    )


def _assign(scored: Iterable[_Scored]) -> list[Pair]:
    """One-to-one assignment, stage by stage (:class:`Stage`); within a stage greedy on weight.

    Within one stage the greedy pairs equal the optimal assignment (scipy's linear_sum_assignment)
    on the DBLP2 x ACM tables (``benchmarks/assignment_bench.py``) and on the drift corpus
    (``benchmarks/drift``): after the stages separate identifiers, exact pairs, fuzzy pairs and
    versions, the conflicts left inside a stage are rare and their weights far apart.
    """
    used_cv: set[int] = set()
    used_src: set[int] = set()
    pairs: list[Pair] = []
    for s in sorted(scored, key=lambda t: (t.stage, -t.weight, t.cv, t.src)):
        if s.cv in used_cv or s.src in used_src:
            continue
        used_cv.add(s.cv)
        used_src.add(s.src)
        pairs.append(Pair(s.cv, s.src, s.score, s.stage is Stage.VERSION))
    return pairs


def _clearly_one_work(s: _Scored, cv_prep: Sequence[Prepared], src_prep: Sequence[Prepared]) -> bool:
    """Beside the CV work's own record, a record of the other form is that work's version only on
    strong evidence: an identifier link, or nearly the same title (character similarity >= 0.85, or
    word similarity >= 0.9, which forgives a reordering or a word added: "Adversarial Attacks and
    Defences: A Survey" / "A survey on adversarial attacks and defences"). A paper of the same
    group whose title merely shares words with the preprint is a work of its own: reported as
    missing, where a person can dismiss it, rather than hidden as a version."""
    if s.score.by in ID_ORDER:
        return True
    a, b = cv_prep[s.cv].title, src_prep[s.src].title
    return a == b or fuzz.ratio(a, b) >= 85.0 or fuzz.token_set_ratio(a, b) >= 90.0


def _leftovers(
    scored: Sequence[_Scored],
    partner: Mapping[int, int],
    source_works: Sequence[Work],
    src_prep: Sequence[Prepared],
    src_pre: Sequence[bool],
    cv_prep: Sequence[Prepared],
    params: MatchParams,
) -> tuple[tuple[Pair, ...], list[Duplicate]]:
    """Unassigned source works that are another listing of a CV work that has its partner.

    For each such source work, in this order: a duplicate of the partner record (one work listed
    twice, :func:`same_listing`); the other form of the CV work (the CoRR copy beside the paper,
    see :func:`_clearly_one_work`; any version on a source that merges versions); else its best
    relation of the same form, which stays a work of its own (a journal extension with the
    conference paper's title). A work has one preprint and one published form: a record of the
    partner's own form is never taken for the other form.
    """
    merged = not params.versions_apart
    by_src: dict[int, list[_Scored]] = {}
    taken = set(partner.values())
    for s in scored:
        if s.src not in taken and s.cv in partner:
            by_src.setdefault(s.src, []).append(s)
    second: list[Pair] = []
    duplicates: list[Duplicate] = []
    for j, cands in sorted(by_src.items()):
        cands.sort(key=lambda t: (t.stage, -t.weight, t.cv))
        forms = [s for s in cands if s.stage is Stage.VERSION and src_pre[j] != src_pre[partner[s.cv]] and (merged or _clearly_one_work(s, cv_prep, src_prep))]
        same = [s for s in cands if s.stage is not Stage.VERSION]
        found = None
        for s in same + forms:
            k = partner[s.cv]
            dup = same_listing(source_works[j], source_works[k], src_prep[j], src_prep[k], params)
            if dup is not None:
                found = s
                duplicates.append(Duplicate(j, k, dup))
                break
        chosen = found or (forms[0] if forms else same[0] if same else None)
        if chosen is not None:
            second.append(Pair(chosen.cv, j, chosen.score, chosen.stage is Stage.VERSION))
    return tuple(second), duplicates


def _cv_second_listings(scored: Sequence[_Scored], partner: Mapping[int, int]) -> tuple[Pair, ...]:
    """Unassigned CV works whose best candidate is a source work already paired with another CV
    work: the CV lists that work twice (often its preprint beside its published form)."""
    owner = {j: i for i, j in partner.items()}
    best: dict[int, _Scored] = {}
    for s in scored:
        if s.cv in partner or s.src not in owner:
            continue
        held = best.get(s.cv)
        if held is None or (s.stage, -s.weight, s.src) < (held.stage, -held.weight, held.src):
            best[s.cv] = s
    return tuple(Pair(s.cv, s.src, s.score, s.stage is Stage.VERSION) for _, s in sorted(best.items()))


def _conflicting_ids(a: Work, b: Work) -> str | None:
    """The identifier on which two records disagree, if any: two publisher DOIs, or two arXiv ids."""
    if _conflicting_doi(a, b):
        return "doi"
    xa = a.ids.arxiv or arxiv_from_doi(a.ids.doi)
    xb = b.ids.arxiv or arxiv_from_doi(b.ids.doi)
    if xa and xb and xa.lower() != xb.lower():
        return "arxiv"
    return None


def same_listing(a: Work, b: Work, pa: Prepared, pb: Prepared, params: MatchParams) -> MatchScore | None:
    """Whether two records of one source are one work listed twice, with the evidence; else None.

    One work listed twice: the same publisher DOI, or the same title by the same authors in the
    same year (or a year missing) with no identifier that disagrees. A preprint and its published
    paper are a duplicate only on a source that merges versions (``params.versions_apart`` false:
    Google Scholar clusters versions, so two rows are a listing to merge there); DBLP and ORCID keep
    them apart by policy. A conference paper and its journal extension (other DOI, year, type),
    proceedings parts I and II, a book and its chapter are never one work.
    """
    if a.ids.doi and b.ids.doi and a.ids.doi.lower() == b.ids.doi.lower() and not arxiv_from_doi(a.ids.doi):
        return _id_score("doi")
    if _conflicting_ids(a, b):
        return None
    if is_preprint(a, pa) != is_preprint(b, pb):
        if params.versions_apart:
            return None
        shared = _shared_id(canonical_ids(a), canonical_ids(b))
        if shared:
            return _id_score(shared)
        return version_score(a, b, pa, pb, params)
    if a.type is not b.type and WorkType.OTHER not in (a.type, b.type):
        return None
    if pa.year and pb.year and pa.year != pb.year:
        return None
    shared = _shared_id(canonical_ids(a), canonical_ids(b))
    if shared:
        return _id_score(shared)
    if not _same_listed_title(pa.title, pb.title, cut=_title_cut(a) or _title_cut(b)):
        return None
    if a.venue and b.venue and not venue_of(a).same_as(venue_of(b)):
        return None  # one title in two venues: a workshop paper and its conference paper
    if pa.authors and pb.authors:
        # All of the shorter list on the longer one: Scholar cuts long author lists.
        if author_matches(pa.authors, pb.authors) < min(len(pa.authors), len(pb.authors)):
            return None
    score = score_prepared(pa, pb, params.model)
    return score if score.tier is not Tier.NONE else None


def _title_cut(work: Work) -> bool:
    """Scholar cuts long titles (marked by its connector, or ending in an ellipsis)."""
    return "title" in work.cut or work.title.rstrip().endswith(("…", "..."))


def _same_listed_title(a: str, b: str, *, cut: bool) -> bool:
    """The same normalised title, or, when a title was cut, one the start of the other. (A title
    that merely extends another, "Security Games: An Initial Report", is another work.)"""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return cut and len(short) >= 30 and long_.startswith(short)
