"""Clustering the works a CV lacks across sources, so one paper is one change.

The sources' unpaired works arrive one at a time (source by source, in each source's order). A
work joins the cluster whose first record it matches best (:func:`~profilesync.match.matcher.
match_works` on that pair, a record of the same form before another version); a second record of
the same source that is one work listed twice (:func:`~profilesync.match.matcher.same_listing`) is
reported as that source's duplicate instead; anything else starts a cluster of its own.

Every decision is the one a full scan over the clusters would make, but only clusters that could
possibly decide are looked at, through two indexes kept as clusters grow:

- the first records' blocking keys (content words of the title, its prefix, identifiers): a pair
  the matcher can score shares one of them (see :class:`~profilesync.match.blocking.TokenBlocker`);
- each source's own records by identifier and exact (or cut) title: what :func:`same_listing`
  demands of two records of the same form; on a source that merges versions
  (``MatchParams.versions_apart`` false) its records of the other form are all looked at, since a
  version is judged on reworded titles.

Prepared comparison forms are computed once per record and passed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from profilesync.match.blocking import PREFIX_CHARS
from profilesync.match.features import Prepared
from profilesync.match.matcher import (
    MatchParams,
    MatchScore,
    candidate_pairs,
    canonical_ids,
    same_listing,
    titles_close,
)
from profilesync.match.versions import is_preprint
from profilesync.model import Work

# A title cut by Scholar still equals the start of the full one when at least this long
# (the rule of :func:`profilesync.match.matcher._same_listed_title`).
_CUT_TITLE_CHARS = 30


@dataclass(frozen=True)
class Cluster:
    """One work the CV lacks: its first record (``work``, from ``source``), the other sources
    that list it (``also_in``, in the order they joined) and each source's own record of it."""

    work: Work
    source: str
    also_in: tuple[str, ...] = ()
    records: Mapping[str, Work] = field(default_factory=dict)


@dataclass(frozen=True)
class ListedTwice:
    """``source`` lists the work twice: ``first`` is its earlier record, ``score`` the evidence."""

    first: Work
    score: MatchScore


@dataclass(frozen=True)
class _Record:
    work: Work
    prepared: Prepared
    preprint: bool
    ids: tuple[tuple[str, str], ...]


def _pair_keys(p: Prepared, ids: Sequence[tuple[str, str]]) -> set[object]:
    """What a pair the matcher scores shares: a title content word, the title prefix, an identifier."""
    keys: set[object] = set(p.content)
    compact = p.compact_title
    if len(compact) >= PREFIX_CHARS:
        keys.add(("prefix", compact[:PREFIX_CHARS]))
    keys.update(ids)
    return keys


def _listing_keys(p: Prepared, ids: Sequence[tuple[str, str]]) -> set[object]:
    """What two records of one form that are one listing share: an identifier, the same title, or
    (a cut title) the same first characters."""
    keys: set[object] = {("title", p.title)}
    if len(p.title) >= _CUT_TITLE_CHARS:
        keys.add(("start", p.title[:_CUT_TITLE_CHARS]))
    keys.update(ids)
    return keys


class WorkClusters:
    """The clusters of one diff, grown by :meth:`add`; read with :attr:`clusters`."""

    def __init__(self) -> None:
        self._first: list[_Record] = []
        self._sources: list[str] = []
        self._also: list[list[str]] = []
        self._records: list[dict[str, _Record]] = []
        self._by_pair_key: dict[object, list[int]] = defaultdict(list)
        # source -> listing key -> clusters holding a record of that source with the key
        self._by_listing_key: dict[str, dict[object, list[int]]] = defaultdict(lambda: defaultdict(list))
        # source -> preprint? -> clusters whose record of that source has that form
        self._by_form: dict[str, dict[bool, list[int]]] = defaultdict(lambda: {True: [], False: []})

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        return tuple(
            Cluster(first.work, source, tuple(also), {s: r.work for s, r in records.items()})
            for first, source, also, records in zip(self._first, self._sources, self._also, self._records, strict=True)
        )

    def __len__(self) -> int:
        return len(self._first)

    def add(self, work: Work, prepared: Prepared, source: str, params: MatchParams) -> ListedTwice | None:
        """File ``work`` (``source``'s record, ``prepared`` its comparison form; ``params`` the
        source's). Returns the evidence when ``source`` lists it twice, else None.

        Two records of one source that are distinct works (a CoRR preprint and its paper on DBLP, a
        conference paper and its journal extension) are two clusters; a record of another source
        joins the cluster it matches best, the earliest among equals.
        """
        ids = tuple(canonical_ids(work))
        record = _Record(work, prepared, is_preprint(work, prepared), ids)
        mine_keys = _listing_keys(prepared, ids)
        candidates: set[int] = set()
        for key in _pair_keys(prepared, ids):
            candidates.update(self._by_pair_key.get(key, ()))
        # The clusters whose record of this source could be this work listed again: only these
        # are asked (same_listing), not every cluster of this source sharing a title word.
        listings: set[int] = set()
        listed = self._by_listing_key.get(source)
        if listed is not None:
            for key in mine_keys:
                listings.update(listed.get(key, ()))
        if not params.versions_apart and source in self._by_form:
            listings.update(self._by_form[source][not record.preprint])
        candidates |= listings
        # The first records of the other sources' clusters this work could be paired with: scored
        # in one batch, exactly as match_works would score each pair on its own.
        order = sorted(candidates)
        others = [k for k in order if source not in self._records[k]]
        verdicts = self._pair_verdicts(record, others, params)
        best: tuple[tuple[bool, float], int] | None = None
        for k in order:
            mine = self._records[k].get(source)
            if mine is not None:
                same = same_listing(work, mine.work, prepared, mine.prepared, params) if k in listings else None
                if same is not None:
                    return ListedTwice(mine.work, same)
                continue
            verdict = verdicts.get(k)
            if verdict is not None:
                if best is None or verdict < best[0]:
                    best = (verdict, k)
        if best is not None:
            self._join(best[1], source, record, mine_keys)
        else:
            self._start(source, record, ids, mine_keys)
        return None

    def mark_also(self, index: int, source: str) -> None:
        """``source`` lists cluster ``index`` too, without a record of its own (a repository that
        cites the paper)."""
        if source not in self._also[index]:
            self._also[index].append(source)

    def _pair_verdicts(self, record: _Record, indexes: Sequence[int], params: MatchParams) -> dict[int, tuple[bool, float]]:
        """``(is a version pair, -score)`` for each cluster whose first record the matcher pairs
        with ``record``. Pairs of the same form whose titles are far apart cannot be paired (the
        matcher's title veto), so only the rest are scored."""
        if not indexes:
            return {}
        firsts = [self._first[k] for k in indexes]
        close = titles_close(record.prepared, [f.prepared for f in firsts], params.model.min_title)
        ids = set(record.ids)
        chosen = [n for n, f in enumerate(firsts) if n in close or f.preprint != record.preprint or not ids.isdisjoint(f.ids)]
        if not chosen:
            return {}
        # One (first record, work) pair per row; the matcher's candidates of one row do not
        # depend on the other rows, and a row's single pair is what its assignment keeps.
        rows = [firsts[n] for n in chosen]
        scored = candidate_pairs([r.work for r in rows], [record.work], params, [r.prepared for r in rows], [record.prepared])
        out: dict[int, tuple[bool, float]] = {}
        for s in scored:
            out[indexes[chosen[s.cv]]] = (s.is_version, -s.score.score)
        return out

    def _index_listing(self, k: int, source: str, record: _Record, keys: set[object]) -> None:
        listed = self._by_listing_key[source]
        for key in keys:
            listed[key].append(k)
        self._by_form[source][record.preprint].append(k)

    def _join(self, k: int, source: str, record: _Record, keys: set[object]) -> None:
        self._records[k][source] = record
        self._also[k].append(source)
        self._index_listing(k, source, record, keys)

    def _start(self, source: str, record: _Record, ids: Sequence[tuple[str, str]], keys: set[object]) -> None:
        k = len(self._first)
        self._first.append(record)
        self._sources.append(source)
        self._also.append([])
        self._records.append({source: record})
        for key in _pair_keys(record.prepared, ids):
            self._by_pair_key[key].append(k)
        self._index_listing(k, source, record, keys)
