"""Blocking: find the few candidate partners of a work without comparing it with every other work.

Each work on the indexed side is filed under its title's content words and under the first
characters of its title with spaces removed (which survives Scholar's truncated titles and
collapsed whitespace). A query work looks up only its *rarest* words, so the cost per query is the
length of a few short posting lists: matching grows near-linearly with the number of works, which
is what lets the same code link a 64,000-row table in seconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from profilesync.match.features import Prepared

PREFIX_CHARS = 14


def _prefix_key(p: Prepared) -> str | None:
    compact = p.compact_title
    return f"^{compact[:PREFIX_CHARS]}" if len(compact) >= PREFIX_CHARS else None


class TokenBlocker:
    """An inverted index over one side's titles.

    An index of at most ``small`` works (one researcher's usual records) looks up every word of a
    query: the rarest words of a preprint's title may be exactly the ones its published title
    dropped. A larger index (a senior researcher's page of thousands of records, a group page)
    looks up the query's rarest words first, until their postings reach ``budget`` records (at
    least one word), skipping words in more than ``max_df`` titles: looking up every word there
    makes each query meet a fixed share of the table ("data", "learning"), and the diff grows with
    the square of the list. ``keys``, when given, also caps the number of words looked up.
    """

    def __init__(
        self, works: Sequence[Prepared], *, keys: int | None = None, max_df: int = 2000, small: int = 1000, budget: int = 100
    ) -> None:
        self.full = len(works) <= small
        self.keys = keys if keys is not None else 1_000_000
        self.max_df = max_df
        self.budget = budget
        self._index: dict[str, list[int]] = defaultdict(list)
        for j, p in enumerate(works):
            for token in p.content:
                self._index[token].append(j)
            prefix = _prefix_key(p)
            if prefix:
                self._index[prefix].append(j)
        self._df = Counter({k: len(v) for k, v in self._index.items()})

    def df(self, token: str) -> int:
        return self._df.get(token, 0)

    def keys_for(self, p: Prepared) -> list[str]:
        """The index keys a query looks up: its rarest title words that occur at all, and its prefix."""
        present = sorted((self._df[t], t) for t in p.content if t in self._df)
        if self.full:
            chosen = [t for _, t in present]
        else:
            chosen, total = [], 0
            for df, t in present:
                if df > self.max_df or len(chosen) >= self.keys or (chosen and total + df > self.budget):
                    break
                chosen.append(t)
                total += df
            if not chosen and present:
                chosen = [present[0][1]]
        prefix = _prefix_key(p)
        if prefix and prefix in self._df:
            chosen.append(prefix)
        return chosen

    def candidates(self, p: Prepared) -> set[int]:
        """Indexes of indexed works that share a blocking key with ``p``."""
        out: set[int] = set()
        for key in self.keys_for(p):
            out.update(self._index[key])
        return out


def id_index(pairs: Iterable[tuple[int, Iterable[tuple[str, str]]]]) -> dict[tuple[str, str], list[int]]:
    """``(kind, value) -> [indexes]`` for exact identifier lookup."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, ids in pairs:
        for kind, value in ids:
            index[(kind, value)].append(j)
    return index
