"""Rule out a table's candidate pairs in bulk, before the matcher scores them one by one.

A long publication list brings tens of thousands of blocked pairs (a CV work meets the source
records sharing a title word with it), and nearly all of them are two works. Computing their
features one pair at a time in Python was most of a large diff. The screen computes, for all pairs
at once, the features compiled code gives cheaply: rapidfuzz's batch ratios (``process.cpdist``),
set sizes, years and venues as numpy columns, each model shape evaluated over a whole column. A
pair is ruled out only when :func:`profilesync.match.matcher.surely_no_match` would be true of it:

1. the title-and-authors rule cannot apply (character similarity under 0.9, titles not the same)
   and the model's log-odds stay under the threshold even with every feature not yet computed at
   its best value (the partial title ratios, the author lists, the word-position features);
2. as 1, with the similarity of the titles without spaces known;
3. the best title similarity, with the partial ratio now computed for the pairs left, is under
   ``min_title``;
4. as 1, with the partial ratios and what depends on them known.

Each feature is computed as :class:`profilesync.match.features.StagedFeatures` computes it (the
same rapidfuzz scorers, the same arithmetic), and each test leaves a margin for the rounding of a
sum taken in another order, so a pair the screen rules out is one the per-pair path rules out too;
tests/match/test_match_screen.py checks both on every pair of the bundled profile's snapshots and
on the hard DBLP-Scholar benchmark pairs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process

from profilesync.match.features import FEATURE_NAMES, SAME_TITLE_RATIO, Prepared
from profilesync.match.scoring import Profile

# numpy starts OpenBLAS's thread pool when it is imported (a thread per core, spinning a while):
# the screen does no linear algebra, and on a 2-core machine those threads cost a 3,000-work diff
# 0.1 s of CPU. OpenBLAS reads the variable when it loads, so it is set for the import only (a
# value the user set is kept): processes started later, such as a schedule hook, see the user's.
_USER_BLAS_THREADS = os.environ.get("OPENBLAS_NUM_THREADS")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
try:
    import numpy as np
    from numpy.typing import NDArray
finally:
    if _USER_BLAS_THREADS is None:
        os.environ.pop("OPENBLAS_NUM_THREADS", None)

# The features step 1 computes; the rest count at their best value there.
_FIRST = frozenset(
    {
        "title_ratio", "title_token_set", "title_containment", "title_jaccard", "title_exact", "title_specific",
        "title_generic", "authors_known", "year_known", "year_same", "year_near", "year_far", "venue_known",
        "venue_same", "venue_report",
    }
)  # fmt: skip
# What step 4 adds: the partial ratios and the features built on the best title similarity.
_WINDOWS = frozenset({"title_partial", "title_compact", "title_strong_specific", "title_strong_no_authors"})
# Below this length rapidfuzz's partial ratio is not used (StagedFeatures.add_windows): a short
# title inside a long one says nothing.
_PARTIAL_MIN_LENGTH = 20

Floats = NDArray[np.float64]


class _Columns:
    """Per-work values of one table as numpy columns, indexed by the pairs' positions."""

    def __init__(self, works: Sequence[Prepared], venues: dict[str, int], titles: dict[str, int]) -> None:
        self.title_len = np.fromiter((len(p.title) for p in works), dtype=np.int64, count=len(works))
        self.compact_len = np.fromiter((len(p.compact_title) for p in works), dtype=np.int64, count=len(works))
        self.content = np.fromiter((len(p.content) for p in works), dtype=np.int64, count=len(works))
        self.generic = np.fromiter((p.generic for p in works), dtype=np.float64, count=len(works))
        self.has_authors = np.fromiter((bool(p.authors) for p in works), dtype=bool, count=len(works))
        self.year = np.fromiter((p.year or 0 for p in works), dtype=np.int64, count=len(works))
        self.report = np.fromiter((p.report for p in works), dtype=bool, count=len(works))
        # Strings as codes shared by both tables, so equal strings compare as equal integers;
        # an unknown venue (None or empty) is -1.
        self.venue = np.fromiter((venues.setdefault(p.venue, len(venues)) if p.venue else -1 for p in works), dtype=np.int64, count=len(works))
        self.compact = np.fromiter((titles.setdefault(p.compact_title, len(titles)) for p in works), dtype=np.int64, count=len(works))


class PairColumns:
    """The features of many pairs of works, one numpy column per feature, computed as
    :class:`profilesync.match.features.StagedFeatures` computes them pair by pair."""

    def __init__(self, left: Sequence[Prepared], right: Sequence[Prepared], pairs: Sequence[tuple[int, int]], *, workers: int = 1) -> None:
        self.left, self.right, self.pairs, self.workers = left, right, pairs, workers
        venues: dict[str, int] = {}
        titles: dict[str, int] = {}
        self.a, self.b = _Columns(left, venues, titles), _Columns(right, venues, titles)
        n = len(pairs)
        self.li = np.fromiter((i for i, _ in pairs), dtype=np.intp, count=n)
        self.rj = np.fromiter((j for _, j in pairs), dtype=np.intp, count=n)
        self.titled = (self.a.title_len[self.li] > 0) & (self.b.title_len[self.rj] > 0)

    def first(self) -> dict[str, Floats]:
        """The features in :data:`_FIRST`, for every pair."""
        a, b, li, rj, pairs = self.a, self.b, self.li, self.rj, self.pairs
        ta = [self.left[i].title for i, _ in pairs]
        tb = [self.right[j].title for _, j in pairs]
        la, lb = a.content[li], b.content[rj]
        inter = np.fromiter((len(self.left[i].content & self.right[j].content) for i, j in pairs), dtype=np.int64, count=len(pairs))
        small = np.minimum(la, lb)
        ya, yb = a.year[li], b.year[rj]
        year_known = (ya > 0) & (yb > 0)
        gap = np.abs(ya - yb)
        venue_known = (a.venue[li] >= 0) & (b.venue[rj] >= 0)
        return {
            "title_ratio": _scores(ta, tb, fuzz.ratio, self.workers),
            "title_token_set": _scores(ta, tb, fuzz.token_set_ratio, self.workers),
            # len(a & b) / (min(len(a), len(b)) or 1) and / (len(a | b) or 1), as StagedFeatures has them
            "title_containment": inter / np.maximum(small, 1),
            "title_jaccard": inter / np.maximum(la + lb - inter, 1),
            "title_exact": (a.compact[li] == b.compact[rj]).astype(np.float64),
            "title_specific": np.minimum(small, 6) / 6.0,
            "title_generic": np.maximum(a.generic[li], b.generic[rj]),
            "authors_known": (a.has_authors[li] & b.has_authors[rj]).astype(np.float64),
            "year_known": year_known.astype(np.float64),
            "year_same": (year_known & (gap == 0)).astype(np.float64),
            "year_near": (year_known & (gap <= 1)).astype(np.float64),
            "year_far": (year_known & (gap >= 3)).astype(np.float64),
            "venue_known": venue_known.astype(np.float64),
            "venue_same": (venue_known & (a.venue[li] == b.venue[rj])).astype(np.float64),
            "venue_report": (a.report[li] != b.report[rj]).astype(np.float64),
        }

    # StagedFeatures.add_windows, in two parts: the titles without spaces (their ratio, or their
    # partial ratio if higher and both have 20 characters or more), and the titles' partial ratio
    # (20 characters or more, else the plain ratio).

    def compact(self, rows: NDArray[np.intp]) -> Floats:
        """``title_compact`` of the pairs at ``rows``."""
        li, rj = self.li[rows], self.rj[rows]
        ca = [self.left[i].compact_title for i in li]
        cb = [self.right[j].compact_title for j in rj]
        compact = _scores(ca, cb, fuzz.ratio, self.workers)
        long_ = np.minimum(self.a.compact_len[li], self.b.compact_len[rj]) >= _PARTIAL_MIN_LENGTH
        compact[long_] = np.maximum(compact[long_], _scores_where(ca, cb, long_, self.workers))
        return compact

    def partial(self, rows: NDArray[np.intp], ratio: Floats) -> Floats:
        """``title_partial`` of the pairs at ``rows`` (``ratio``: their ``title_ratio``)."""
        li, rj = self.li[rows], self.rj[rows]
        ta = [self.left[i].title for i in li]
        tb = [self.right[j].title for j in rj]
        partial = ratio.copy()
        long_ = np.minimum(self.a.title_len[li], self.b.title_len[rj]) >= _PARTIAL_MIN_LENGTH
        partial[long_] = _scores_where(ta, tb, long_, self.workers)
        return partial


def _windows(first: dict[str, Floats], partial: Floats, compact: Floats) -> tuple[dict[str, Floats], Floats]:
    """The features in :data:`_WINDOWS` and the best title similarity, from the partial ratios
    and the :meth:`PairColumns.first` columns of the same pairs."""
    best = np.maximum(np.maximum(first["title_ratio"], first["title_token_set"]), np.maximum(partial, compact))
    return {
        "title_partial": partial,
        "title_compact": compact,
        "title_strong_specific": best * first["title_specific"] * (1.0 - first["title_generic"]),
        "title_strong_no_authors": best * (1.0 - first["authors_known"]),
    }, best


def screen_pairs(
    left: Sequence[Prepared],
    right: Sequence[Prepared],
    pairs: Sequence[tuple[int, int]],
    profile: Profile,
    threshold: float,
    *,
    workers: int = 1,
) -> list[bool]:
    """For each ``(i, j)`` of ``pairs``: False when the pair ``(left[i], right[j])`` is surely no
    match (see the module's docstring), True when the matcher must score it.

    ``threshold``: the log-odds under which the matcher calls a pair no match, less its margin for
    rounding. ``workers``: threads for rapidfuzz's batch scorers (they release the GIL).
    """
    if not pairs:
        return []
    columns = PairColumns(left, right, pairs, workers=workers)
    first = columns.first()
    # Where the title-and-authors rule may hold, only the title veto can rule a pair out.
    rule_may_hold = (first["title_ratio"] >= SAME_TITLE_RATIO) | (first["title_exact"] > 0)
    keep = columns.titled.copy()
    if profile.forest is None:
        keep &= rule_may_hold | (_bound(profile, first, _FIRST) >= threshold)
    rest = np.flatnonzero(keep)
    sub = {name: column[rest] for name, column in first.items()}
    compact = columns.compact(rest)
    if profile.forest is None:
        # The titles without spaces first: knowing them rules out half the pairs left, before
        # their partial ratios are paid for.
        known = _FIRST | {"title_compact"}
        more = rule_may_hold[rest] | (_bound(profile, sub | {"title_compact": compact}, known) >= threshold)
        keep[rest[~more]] = False
        rest, compact = rest[more], compact[more]
        sub = {name: column[more] for name, column in sub.items()}
    windows, best = _windows(sub, columns.partial(rest, sub["title_ratio"]), compact)
    # The veto compares the numbers the matcher compares; the margin is for a batch scorer that
    # rounded differently, and it keeps such a pair rather than losing it.
    left_in = best >= profile.min_title - 1e-9
    if profile.forest is None:
        left_in &= rule_may_hold[rest] | (_bound(profile, sub | windows, _FIRST | _WINDOWS) >= threshold)
    keep[rest] = left_in
    return keep.tolist()


def _scores(queries: list[str], choices: list[str], scorer: Any, workers: int) -> Floats:
    """``scorer(queries[k], choices[k]) / 100`` for every k, in one compiled call."""
    if not queries:
        return np.zeros(0, dtype=np.float64)
    scores = process.cpdist(queries, choices, scorer=scorer, dtype=np.float64, workers=workers)
    return np.asarray(scores, dtype=np.float64) / 100.0


def _scores_where(queries: list[str], choices: list[str], mask: NDArray[np.bool_], workers: int) -> Floats:
    """Partial ratios of the pairs ``mask`` selects."""
    picked = np.flatnonzero(mask)
    return _scores([queries[k] for k in picked], [choices[k] for k in picked], fuzz.partial_ratio, workers)


def _bound(profile: Profile, values: dict[str, Floats], known: frozenset[str]) -> Floats:
    """The highest log-odds each pair can have: the model's shapes at the ``known`` features'
    values, every other feature at its shape's largest value (shapes are flat beyond their knots,
    so that is the largest over [0, 1]; see :meth:`Profile.log_odds_bound`)."""
    z = np.full(len(next(iter(values.values()))), profile.bias, dtype=np.float64)
    for name in FEATURE_NAMES:
        shape = profile.shapes.get(name)
        if shape is None:
            continue
        if name in known:
            z += np.interp(values[name], shape.knots, shape.values)
        else:
            z += max(shape.values)
    return z
