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
import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from profilesync.match.blocking import PREFIX_CHARS
from profilesync.match.features import FEATURE_NAMES, TITLE_STOPWORDS, Prepared, compute
from profilesync.match.scoring import Profile, sigmoid


@dataclass(frozen=True)
class Link:
    left: int
    right: int
    score: float


@dataclass(frozen=True)
class LinkStats:
    candidates: int
    prepared_right: int
    worker_cpu: tuple[float, ...] = ()


_QUICK = re.compile(r"[^a-z0-9]+")
# Title words that carry nothing, plus HTML-entity names a quick normalisation leaves behind.
_SKIP = TITLE_STOPWORDS | {"quot", "amp", "hellip", "nbsp", "39"}


def quick_title(raw: str) -> str:
    """A cheap comparison form for blocking only: lower case, letters and digits. The full
    :func:`normalize_title` (entities, mojibake, transliteration) runs later, and only on the
    few records that become candidates."""
    return _QUICK.sub(" ", raw.lower()).strip()


def _keys(title: str) -> tuple[set[str], str | None]:
    compact = title.replace(" ", "")
    return set(title.split()).difference(_SKIP), (f"^{compact[:PREFIX_CHARS]}" if len(compact) >= PREFIX_CHARS else None)


@dataclass(frozen=True)
class _Linker:
    """What each worker needs; built once, inherited by forked workers without copying."""

    left: Sequence[Prepared]
    right_titles: Sequence[str]
    prepare_right: Callable[[int], Prepared]
    profile: Profile
    budget: int
    keep: int
    title_cutoff: float
    title_margin: float
    right_authors: Sequence[str] | None = None
    author_max_df: int = 300
    glued_cutoff: float = 85.0

    def run(self, share: int, shares: int) -> tuple[list[tuple[int, int, float]], int, int, float]:
        """Link every left record against the right records ``j`` with ``j % shares == share``.

        Splitting the *right* table lets each worker tokenise and index only its part, and
        prepare each right record once, so no work is done twice across workers.
        """
        started = time.process_time()
        profile = self.profile
        index: dict[str, list[int]] = defaultdict(list)
        normalized: dict[int, str] = {}
        by_author: dict[str, list[int]] = defaultdict(list)
        for j in range(share, len(self.right_titles), shares):
            title = normalized[j] = quick_title(self.right_titles[j])
            tokens, prefix = _keys(title)
            for t in tokens:
                index[t].append(j)
            if prefix:
                index[prefix].append(j)
            if self.right_authors is not None:
                for family in _families(self.right_authors[j]):
                    by_author[family].append(j)
        cache: dict[int, Prepared] = {}
        found: list[tuple[int, int, float]] = []
        scored = 0
        z_min = self._z_min
        # Each share holds 1/shares of the right table: it needs that share of the candidates.
        budget = max(20, self.budget // shares)
        keep = max(4, self.keep // shares + 1)
        for i in range(len(self.left)):
            p = self.left[i]
            if not p.title:
                continue
            tokens, prefix = _keys(p.title)
            # The rarest words first, until their postings fill the budget: a word shared by few
            # titles is strong evidence, one shared by thousands is none.
            present = sorted((len(index[t]), t) for t in tokens if t in index)
            found_pool: set[int] = set()
            for df, t in present:
                if found_pool and len(found_pool) + df > budget:
                    break
                found_pool.update(index[t])
            if prefix and prefix in index:
                found_pool.update(index[prefix])
            pool = list(found_pool)
            close = process.extract(p.title, [normalized[j] for j in pool], scorer=fuzz.token_set_ratio, limit=keep, score_cutoff=self.title_cutoff)
            top = close[0][1] if close else 0.0
            chosen = [pool[k] for _, title_score, k in close if title_score >= top - self.title_margin]
            if by_author and p.authors:
                chosen += self._by_author(p, by_author, normalized, found_pool)
            for j in chosen:
                q = cache.get(j)
                if q is None:
                    q = cache[j] = self.prepare_right(j)
                scored += 1
                pf = compute(p, q)
                if pf.title_best < profile.min_title:
                    continue
                z = profile.log_odds(FEATURE_NAMES, pf.values)
                if z >= z_min:
                    found.append((i, j, z))
        return found, scored, len(cache), time.process_time() - started

    def _by_author(self, p: Prepared, by_author: Mapping[str, list[int]], normalized: Mapping[int, str], seen: set[int]) -> list[int]:
        """A second way in for titles no shared word can find (Scholar glued the words,
        "SpecificationandImplementationofExceptions", or put citation debris in front): the
        records of the left record's rarest author, compared by their titles without spaces."""
        postings = [by_author[a.family] for a in p.authors if a.family in by_author]
        postings = [x for x in postings if len(x) <= self.author_max_df]
        if not postings:
            return []
        others = [j for j in min(postings, key=len) if j not in seen]
        if not others:
            return []
        compact = p.compact_title
        found = process.extract(compact, [normalized[j].replace(" ", "") for j in others], scorer=fuzz.partial_ratio, limit=3, score_cutoff=self.glued_cutoff)
        return [others[k] for _, _, k in found]

    @property
    def _z_min(self) -> float:
        t = min(max(self.profile.probable, 1e-9), 1 - 1e-9)
        return math.log(t / (1 - t))


# Set only while a fork-based pool runs, so workers inherit the (large) index instead of
# receiving a pickled copy of it.
_FORKED: _Linker | None = None


def _run_forked(share: tuple[int, int]) -> tuple[list[tuple[int, int, float]], int, int, float]:
    assert _FORKED is not None
    return _FORKED.run(*share)


def _families(authors: str) -> set[str]:
    """Family names for blocking, cheaply: the last word of each comma-separated name."""
    out = set()
    for name in authors.split(","):
        words = name.rsplit(None, 1)
        if words and len(words[-1]) >= 3 and words[-1].isalpha():
            out.add(words[-1].lower())
    return out


def link_tables(
    left: Sequence[Prepared],
    right_titles: Sequence[str],
    prepare_right: Callable[[int], Prepared],
    profile: Profile,
    *,
    right_authors: Sequence[str] | None = None,
    budget: int = 100,
    keep: int = 15,
    title_cutoff: float = 60.0,
    title_margin: float = 30.0,
    margin: float = 0.25,
    workers: int = 1,
) -> tuple[list[Link], LinkStats]:
    """Links ``(left index, right index, score)`` whose score reaches ``profile.probable``.

    ``right_titles`` are the raw right-hand titles (only cheaply tokenised up front);
    ``prepare_right(j)`` builds the full comparison form of right record ``j`` on demand. Each
    left record gathers the right records that share its rarest title words (rarest first, until
    about ``budget`` records) or its title prefix, keeps the ``keep`` whose titles are most alike
    (rapidfuzz token-set similarity of at least ``title_cutoff`` and within ``title_margin`` of
    the best, computed in C), and scores those with the full model. With ``right_authors`` (the
    raw author strings), the right records of the left record's rarest author whose titles
    without spaces contain the left title are candidates too. A right record keeps
    only the links whose log-odds are within ``margin`` of its best link, so it joins one cluster
    unless two left records are equally good for it. ``workers > 1`` splits the right table
    over forked processes (POSIX only; otherwise it runs in this process).
    """
    global _FORKED
    linker = _Linker(left, right_titles, prepare_right, profile, budget, keep, title_cutoff, title_margin, right_authors)
    if workers > 1 and len(right_titles) >= 5000 and "fork" in multiprocessing.get_all_start_methods():
        _FORKED = linker
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_run_forked, [(w, workers) for w in range(workers)])
        finally:
            _FORKED = None
    else:
        parts = [linker.run(0, 1)]
    found = [x for part in parts for x in part[0]]
    best_for_right: dict[int, float] = {}
    for _, j, z in found:
        if z > best_for_right.get(j, float("-inf")):
            best_for_right[j] = z
    links = [Link(i, j, sigmoid(z)) for i, j, z in found if z >= best_for_right[j] - margin]
    links.sort(key=lambda link: (link.left, -link.score))
    return links, LinkStats(candidates=sum(p[1] for p in parts), prepared_right=sum(p[2] for p in parts), worker_cpu=tuple(p[3] for p in parts))
