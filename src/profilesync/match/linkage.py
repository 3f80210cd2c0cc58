"""Table-scale linkage: every record of a left table against a (much larger) right table.

This is the matcher run as a batch (DESIGN section 11): blocking on rare title words keeps the
number of scored pairs near-linear in the table sizes; each candidate pair is scored by the
fitted profile; links are many-to-many, because a source such as Google Scholar lists one paper
several times (all its listings link to the paper: a cluster), and a left table may hold two
records a right record matches equally well.

Right-hand records are prepared lazily: only those that some left record's blocking keys reach
are ever parsed, which is most of the saving on a 64,000-row table.
"""

from __future__ import annotations

import math
import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from profilesync.match.blocking import PREFIX_CHARS
from profilesync.match.features import FEATURE_NAMES, TITLE_STOPWORDS, Prepared, compute
from profilesync.match.scoring import Profile, sigmoid
from profilesync.normalize.text import normalize_title


@dataclass(frozen=True)
class Link:
    left: int
    right: int
    score: float


@dataclass(frozen=True)
class LinkStats:
    candidates: int
    prepared_right: int


def _keys(title: str) -> tuple[list[str], str | None]:
    tokens = [t for t in title.split() if t not in TITLE_STOPWORDS]
    compact = title.replace(" ", "")
    return tokens, (f"^{compact[:PREFIX_CHARS]}" if len(compact) >= PREFIX_CHARS else None)


@dataclass(frozen=True)
class _Linker:
    """What each worker needs; built once, inherited by forked workers without copying."""

    left: Sequence[Prepared]
    normalized: Sequence[str]
    index: Mapping[str, Sequence[int]]
    prepare_right: Callable[[int, str], Prepared]
    profile: Profile
    keys: int
    max_df: int
    per_left: int
    keep: int
    title_cutoff: float

    def run(self, rows: Iterable[int]) -> tuple[list[tuple[int, int, float]], int, int]:
        index, normalized, profile = self.index, self.normalized, self.profile
        cache: dict[int, Prepared] = {}
        found: list[tuple[int, int, float]] = []
        scored = 0
        for i in rows:
            p = self.left[i]
            if not p.title:
                continue
            tokens, prefix = _keys(p.title)
            present = sorted((len(index[t]), t) for t in set(tokens) if t in index)
            chosen = [t for df, t in present if df <= self.max_df][: self.keys] or [t for _, t in present[:1]]
            if prefix and prefix in index:
                chosen.append(prefix)
            votes: Counter[int] = Counter()
            for key in chosen:
                posting = index[key]
                weight = 1.0 / (1.0 + len(posting))
                for j in posting:
                    votes[j] += weight
            pool = [j for j, _ in votes.most_common(self.per_left)]
            close = process.extract(p.title, [normalized[j] for j in pool], scorer=fuzz.token_set_ratio, limit=self.keep, score_cutoff=self.title_cutoff)
            for _, _, k in close:
                j = pool[k]
                q = cache.get(j)
                if q is None:
                    q = cache[j] = self.prepare_right(j, normalized[j])
                scored += 1
                z = profile.log_odds(FEATURE_NAMES, compute(p, q).values)
                if z >= self._z_min:
                    found.append((i, j, z))
        return found, scored, len(cache)

    @property
    def _z_min(self) -> float:
        t = min(max(self.profile.probable, 1e-9), 1 - 1e-9)
        return math.log(t / (1 - t))


# Set only while a fork-based pool runs, so workers inherit the (large) index instead of
# receiving a pickled copy of it.
_FORKED: _Linker | None = None


def _run_forked(rows: range) -> tuple[list[tuple[int, int, float]], int, int]:
    assert _FORKED is not None
    return _FORKED.run(rows)


def link_tables(
    left: Sequence[Prepared],
    right_titles: Sequence[str],
    prepare_right: Callable[[int, str], Prepared],
    profile: Profile,
    *,
    keys: int = 3,
    max_df: int = 1500,
    per_left: int = 40,
    keep: int = 15,
    title_cutoff: float = 60.0,
    margin: float = 0.25,
    workers: int = 1,
) -> tuple[list[Link], LinkStats]:
    """Links ``(left index, right index, score)`` whose score reaches ``profile.probable``.

    ``right_titles`` are the raw right-hand titles (only tokenised up front);
    ``prepare_right(j, normalized_title)`` builds the full comparison form of right record ``j``
    on demand. Each left record looks up its ``keys`` rarest title words (those in at most
    ``max_df`` right titles) and its title prefix, takes its ``per_left`` best-voted candidates,
    keeps the ``keep`` whose titles are most alike (rapidfuzz token-set similarity of at least
    ``title_cutoff``, computed in C), and scores those with the full model. A right record keeps
    only the links whose log-odds are within ``margin`` of its best link, so it joins one cluster
    unless two left records are equally good for it. ``workers > 1`` splits the left records
    over forked processes (POSIX only; otherwise it runs in this process).
    """
    global _FORKED
    index: dict[str, list[int]] = defaultdict(list)
    normalized = [normalize_title(raw) for raw in right_titles]
    for j, title in enumerate(normalized):
        tokens, prefix = _keys(title)
        for t in set(tokens):
            index[t].append(j)
        if prefix:
            index[prefix].append(j)
    linker = _Linker(left, normalized, index, prepare_right, profile, keys, max_df, per_left, keep, title_cutoff)
    if workers > 1 and len(left) >= 200 and "fork" in multiprocessing.get_all_start_methods():
        _FORKED = linker
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_run_forked, [range(w, len(left), workers) for w in range(workers)])
        finally:
            _FORKED = None
    else:
        parts = [linker.run(range(len(left)))]
    found = [x for part in parts for x in part[0]]
    best_for_right: dict[int, float] = {}
    for _, j, z in found:
        if z > best_for_right.get(j, float("-inf")):
            best_for_right[j] = z
    links = [Link(i, j, sigmoid(z)) for i, j, z in found if z >= best_for_right[j] - margin]
    links.sort(key=lambda link: (link.left, -link.score))
    return links, LinkStats(candidates=sum(p[1] for p in parts), prepared_right=sum(p[2] for p in parts))
