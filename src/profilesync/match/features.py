"""Named features of a pair of works, each a number in [0, 1] with a human-readable detail.

A work is first turned into its comparison form (:class:`Prepared`: normalised title tokens,
parsed author names, venue key, year); a feature compares two prepared works. The feature values
are what the fitted weights in ``default.yaml`` multiply, and what a report shows as the reason
for a match ("title 0.97, 5/5 authors, same year").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from profilesync.model import Work, WorkType
from profilesync.normalize.names import PersonName, given_compatible, parse_name, split_authors
from profilesync.normalize.text import normalize_title
from profilesync.normalize.venues import (
    VenueKind,
    dblp_stream,
    is_preprint_venue,
    venue_key,
    venue_of_stream,
    venue_tokens,
)

_REPORT = re.compile(r"tech(?:nical)?\.? ?rep|\breport\b|rapport|thesis|dissertation|working paper|manuscript|\bbulletin\b|\bpatent\b")
# Words too common in titles to say anything about identity.
_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())
TITLE_STOPWORDS = frozenset(
    "a an the of in on for and or to with by from at as is are its into via using based towards toward "
    "over under not no we our this that".split()
)


@dataclass(frozen=True)
class Prepared:
    """The comparison form of one work; built once per work and reused for every pair."""

    title: str
    tokens: tuple[str, ...]
    content: frozenset[str]
    authors: tuple[PersonName, ...]
    year: int | None
    venue: str | None
    venue_words: frozenset[str]
    preprint: bool
    report: bool = False

    # Derived forms, computed on first use and kept: a work meets dozens of candidates.
    @cached_property
    def compact_title(self) -> str:
        return self.title.replace(" ", "")

    @cached_property
    def numbers(self) -> frozenset[str]:
        """The title's numbers and ordinals ("5th", "third", "2"), for :func:`_numbers_differ`."""
        return frozenset(t for t in self.tokens if t.isdigit() or t in _ORDINALS or (t[:-2].isdigit() and t[-2:] in ("st", "nd", "rd", "th")))

    @cached_property
    def token_set(self) -> frozenset[str]:
        return frozenset(self.tokens)

    @cached_property
    def content_counts(self) -> tuple[int, ...]:
        """``content_counts[k]``: how many of the first ``k`` title words are content words."""
        counts = [0]
        for t in self.tokens:
            counts.append(counts[-1] + (t not in TITLE_STOPWORDS))
        return tuple(counts)

    @cached_property
    def generic(self) -> float:
        """The share of the title's content words that are generic (:data:`GENERIC_TITLE_WORDS`)."""
        return _generic(self.content)


def prepare_fields(
    title: str | None,
    authors: Sequence[str] | str | None,
    venue: str | None = None,
    year: int | float | str | None = None,
    *,
    preprint: bool | None = None,
    normalized_title: str | None = None,
) -> Prepared:
    """Comparison form from plain field values (the benchmark tables, a CSV row).

    ``authors`` may be a sequence of names or one comma-separated string; ``year`` may be a
    string or a float (``"1997.0"``); years outside 1900..2100 count as unknown.
    ``normalized_title`` skips normalising the title again when the caller already has it.
    """
    norm = normalize_title(title) if normalized_title is None else normalized_title
    tokens = tuple(norm.split())
    names = split_authors(authors) if isinstance(authors, str) or authors is None else tuple(authors)
    parsed = tuple(p for p in (parse_name(n) for n in names) if p.family)
    vkey = venue_key(venue)
    return Prepared(
        title=norm,
        tokens=tokens,
        content=frozenset(t for t in tokens if t not in TITLE_STOPWORDS),
        authors=parsed,
        year=_year(year),
        venue=vkey,
        venue_words=venue_tokens(venue),
        preprint=vkey == "corr" if preprint is None else preprint,
        report=bool(venue and _REPORT.search(venue.lower())),
    )


def filed_as_preprint(work: Work) -> bool:
    """A record filed under a preprint server (CoRR, ECCC...) as an article, the way DBLP and its
    BibTeX export file preprints, without a publisher DOI. A conference paper, chapter or book whose
    venue reads "CoRR", or any record with a publisher DOI, is a published work with a wrong venue."""
    if work.type in (WorkType.CONFERENCE, WorkType.CHAPTER, WorkType.BOOK):
        return False
    if work.ids.doi and not work.ids.doi.lower().startswith("10.48550/"):
        return False
    return is_preprint_venue(work.venue_acronym) or is_preprint_venue(work.venue)


def prepare(work: Work) -> Prepared:
    """Comparison form of a :class:`~profilesync.model.Work`."""
    venue = work.venue_acronym or work.venue
    # A source record's DBLP key names its venue (journals/vldb is the VLDB Journal, whatever
    # acronym was derived from the key); a CV entry's venue is what the CV writes.
    stream_venue = venue_of_stream(dblp_stream(work.ids.dblp)) if work.key is None else None
    # An arXiv id alone marks a preprint only when nothing says the work was published: a
    # conference record that also lists its arXiv version (as ORCID's version-of ids do) is not one.
    published = work.type in (WorkType.CONFERENCE, WorkType.JOURNAL, WorkType.CHAPTER, WorkType.BOOK)
    preprint = (
        work.type is WorkType.PREPRINT
        or (stream_venue is not None and stream_venue.kind is VenueKind.PREPRINT)
        or filed_as_preprint(work)
        or bool(work.ids.arxiv and not work.ids.doi and not venue and not published)
    )
    prepared = prepare_fields(work.title, [a.name for a in work.authors], venue, work.year, preprint=preprint)
    if work.venue_acronym and work.venue and prepared.venue is None:
        prepared = prepare_fields(work.title, [a.name for a in work.authors], work.venue, work.year, preprint=preprint, normalized_title=prepared.title)
    if stream_venue is not None and prepared.venue != stream_venue.id:
        prepared = replace(prepared, venue=stream_venue.id)
    return prepared


def _year(value: int | float | str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(float(value))
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


# Title words of recurring, generic items ("Editorial", "Book review column", "Chair's message"):
# a title made of these says little about which work it is.
GENERIC_TITLE_WORDS = frozenset(
    "editorial editor editors guest message chair chairs treasurer column book review reviews notes note "
    "introduction preface foreword letter letters report panel session reminiscences influential papers "
    "interview obituary errata erratum corrigendum addendum special issue section news announcement "
    "tutorial keynote abstract invited talk comments response reply overview welcome".split()
)


def _generic(content: frozenset[str]) -> float:
    if not content:
        return 1.0
    return sum(1 for t in content if t in GENERIC_TITLE_WORDS) / len(content)


def _extras(a: Prepared, b: Prepared) -> tuple[float, float]:
    """Content words the longer title has before / after the span it shares with the shorter one.

    Extra words at the end are usually a subtitle or a citation tail; extra words at the front
    ("Optimization of hypothetical queries" vs "Hypothetical queries") more often mean another paper.
    Returns both counts scaled to [0, 1] (4 or more words -> 1).
    """
    short, long_ = (a, b) if len(a.tokens) <= len(b.tokens) else (b, a)
    words = short.token_set
    positions = [k for k, t in enumerate(long_.tokens) if t in words]
    if not positions:
        return 1.0, 1.0
    counts = long_.content_counts  # content words before each position
    head = counts[positions[0]]
    tail = counts[-1] - counts[positions[-1] + 1]
    return min(head, 4) / 4.0, min(tail, 4) / 4.0


def _inner_missing(p: Prepared, other: frozenset[str]) -> float:
    """Content words of one title that the other lacks, *between* words both share.

    "Mining generalized association rules" vs "Mining association rules": a missing word inside
    the shared span means another paper, while missing words at either end are truncation, a
    subtitle or a citation tail (see :func:`_extras`). Scaled to [0, 1] (3 or more words -> 1).
    """
    shared = [k for k, t in enumerate(p.tokens) if t in other]
    if len(shared) < 2:
        return 0.0
    # The content words strictly between the first and the last shared one, less the shared ones
    # among them (``other`` holds content words only).
    counts = p.content_counts
    missing = counts[shared[-1]] - counts[shared[0] + 1] - (len(shared) - 2)
    return min(missing, 3) / 3.0


def _numbers_differ(a: Prepared, b: Prepared) -> float:
    """1.0 when both titles carry numbers or ordinals and they disagree ("5th ... KRDB '98" vs
    "8th ... KRDB"): reports and proceedings of a recurring event differ only there."""
    na, nb = a.numbers, b.numbers
    return 1.0 if na and nb and not (na & nb) else 0.0


# --- authors -------------------------------------------------------------------------------------


def _same_author(a: PersonName, b: PersonName) -> bool:
    ia, ib = a.first_initial, b.first_initial
    if ia and ib and ia != ib:
        # Given and family swapped ("Zhang Zili" vs "Zili Zhang"): compare crosswise.
        if a.given and b.given and a.family == "".join(b.given) and b.family == "".join(a.given):
            return True
        # A long family name is distinctive enough to outweigh a wrong initial in a scraped
        # list ("r rajaraman" for Anand Rajaraman); a short one ("zhang") is not.
        return len(a.family) >= 7 and a.family == b.family
    if a.family == b.family:
        return given_compatible(a.given, b.given)
    # Typos, lost letters and transliterations ("triantallou"/"triantafillou", "fagan"/"fagin").
    if len(a.family) >= 4 and len(b.family) >= 4:
        return Indel.normalized_similarity(a.family, b.family) >= 0.8
    return False


def author_matches(a: Sequence[PersonName], b: Sequence[PersonName]) -> int:
    """How many authors of ``a`` have a distinct counterpart in ``b`` (greedy, family names first)."""
    if not a or not b:
        return 0
    free = list(b)
    hits = 0
    # Exact family names first, so a fuzzy match never steals an exact one's partner.
    pending: list[PersonName] = []
    for x in a:
        for k, y in enumerate(free):
            if x.family == y.family and given_compatible(x.given, y.given):
                hits += 1
                del free[k]
                break
        else:
            pending.append(x)
    for x in pending:
        for k, y in enumerate(free):
            if _same_author(x, y):
                hits += 1
                del free[k]
                break
    return hits


# --- the feature vector --------------------------------------------------------------------------

FEATURE_NAMES: tuple[str, ...] = (
    "title_ratio",
    "title_token_set",
    "title_partial",
    "title_containment",
    "title_jaccard",
    "title_exact",
    "title_compact",
    "title_specific",
    "title_generic",
    "title_strong_specific",
    "title_head_extra",
    "title_tail_extra",
    "title_inner_missing",
    "title_numbers_differ",
    "authors_known",
    "authors_min",
    "authors_max",
    "first_author",
    "authors_disjoint",
    "last_author",
    "authors_family",
    "title_strong_no_authors",
    "year_known",
    "year_same",
    "year_near",
    "year_far",
    "venue_known",
    "venue_same",
    "venue_words",
    "venue_report",
)


# Features that are 0 or 1 (the model gives them one weight instead of a shape).
BINARY_FEATURES = frozenset(
    {"title_exact", "title_numbers_differ", "authors_known", "first_author", "authors_disjoint", "last_author", "year_known", "year_same", "year_near", "year_far", "venue_known", "venue_same", "venue_report"}
)


@dataclass(frozen=True)
class PairFeatures:
    """Feature values of one pair, in :data:`FEATURE_NAMES` order, plus the counts behind them."""

    values: tuple[float, ...]
    author_hits: int
    authors_a: int
    authors_b: int

    def as_dict(self) -> dict[str, float]:
        return dict(zip(FEATURE_NAMES, self.values, strict=True))

    @property
    def title_best(self) -> float:
        """The most lenient title similarity (character, token-set, partial, compact)."""
        v = self.values
        return max(v[_TITLE_RATIO], v[_TITLE_TOKEN_SET], v[_TITLE_PARTIAL], v[_TITLE_COMPACT])


_TITLE_RATIO, _TITLE_TOKEN_SET, _TITLE_PARTIAL, _TITLE_COMPACT = (FEATURE_NAMES.index(n) for n in ("title_ratio", "title_token_set", "title_partial", "title_compact"))

# The character similarity (``title_ratio``) from which two titles count as the same title for the
# title-and-authors rule (matcher.agreement_floor). Under it, titles not the same, the rule cannot
# lift a pair: the matcher's and the screen's bounds rule pairs out only there.
SAME_TITLE_RATIO = 0.9


# The author features a pair's author lists decide (``authors_known`` and
# ``title_strong_no_authors`` only need to know whether both lists are there).
AUTHOR_FEATURES: frozenset[int] = frozenset(
    FEATURE_NAMES.index(n) for n in ("authors_min", "authors_max", "first_author", "authors_disjoint", "last_author", "authors_family")
)


# The features that need the best-aligned window of the longer title (rapidfuzz's partial
# ratios, the dearest title comparisons), or the best title similarity they are part of.
WINDOW_FEATURES: frozenset[int] = frozenset(
    FEATURE_NAMES.index(n) for n in ("title_partial", "title_compact", "title_strong_specific", "title_strong_no_authors")
)


def compute(a: Prepared, b: Prepared) -> PairFeatures:
    """All features of the pair ``(a, b)``; symmetric in its arguments. :class:`StagedFeatures`
    computes the same in parts, for a caller that may stop early."""
    staged = StagedFeatures(a, b)
    staged.add_windows()
    staged.add_authors()
    return PairFeatures(staged.values(), staged.hits, len(a.authors), len(b.authors))


class StagedFeatures:
    """A pair's features computed in parts, dearest last: the title words, years and venues at
    once; then, on request, the partial title ratios (:meth:`add_windows`) and the author lists
    (:meth:`add_authors`). :meth:`values` is the feature vector of what is computed so far: the
    features in :data:`WINDOW_FEATURES` and :data:`AUTHOR_FEATURES` not yet computed are
    placeholders (0), every other one is exact; a matcher can rule a pair out on a bound before
    paying for the rest (:func:`profilesync.match.matcher.features_unless_ruled_out`)."""

    __slots__ = ("a", "b", "_title", "_partial", "_compact", "_authors", "hits", "_year_venue", "has_windows", "has_authors")

    def __init__(self, a: Prepared, b: Prepared) -> None:
        self.a, self.b = a, b
        ta, tb = a.title, b.title
        if ta and tb:
            inter = len(a.content & b.content)
            small = min(len(a.content), len(b.content)) or 1
            union = len(a.content | b.content) or 1
            head_extra, tail_extra = _extras(a, b)
            self._title: tuple[float, ...] = (
                fuzz.ratio(ta, tb) / 100.0,
                fuzz.token_set_ratio(ta, tb) / 100.0,
                inter / small,  # containment
                inter / union,  # jaccard
                1.0 if a.compact_title == b.compact_title else 0.0,  # exact
                min(len(a.content), len(b.content), 6) / 6.0,  # specific
                max(a.generic, b.generic),
                head_extra,
                tail_extra,
                max(_inner_missing(a, b.content), _inner_missing(b, a.content)),
                _numbers_differ(a, b),
            )
        else:
            self._title = (0.0,) * 11
        self._partial = self._compact = 0.0
        self.has_windows = self.has_authors = False
        na, nb = len(a.authors), len(b.authors)
        # Placeholders until add_authors: whether both lists are there is known now.
        self._authors: tuple[float, ...] = (1.0 if na and nb else 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        self.hits = 0
        if a.year and b.year:
            gap = abs(a.year - b.year)
            year: tuple[float, ...] = (1.0, float(gap == 0), float(gap <= 1), float(gap >= 3))
        else:
            year = (0.0, 0.0, 0.0, 0.0)
        if a.venue and b.venue:
            venue: tuple[float, ...] = (1.0, float(a.venue == b.venue))
        else:
            venue = (0.0, 0.0)
        if a.venue_words and b.venue_words:
            words = len(a.venue_words & b.venue_words) / min(len(a.venue_words), len(b.venue_words))
        else:
            words = 0.0
        self._year_venue = (*year, *venue, words, float(a.report != b.report))

    def add_windows(self) -> None:
        """The partial ratios of the titles and of the titles without spaces."""
        a, b = self.a, self.b
        ta, tb = a.title, b.title
        self.has_windows = True
        if not (ta and tb):
            return
        ratio = self._title[0]
        self._partial = fuzz.partial_ratio(ta, tb) / 100.0 if min(len(ta), len(tb)) >= 20 else ratio
        ca, cb = a.compact_title, b.compact_title
        compact = fuzz.ratio(ca, cb) / 100.0
        if min(len(ca), len(cb)) >= 20:
            compact = max(compact, fuzz.partial_ratio(ca, cb) / 100.0)
        self._compact = compact

    def add_authors(self) -> None:
        """The author features: who of one list is on the other, first and last author, families."""
        a, b = self.a, self.b
        self.has_authors = True
        na, nb = len(a.authors), len(b.authors)
        if not (na and nb):
            return
        hits = author_matches(a.authors, b.authors)
        first = 1.0 if _same_author(a.authors[0], b.authors[0]) else 0.0
        last = 1.0 if _same_author(a.authors[-1], b.authors[-1]) else 0.0
        fam_a, fam_b = {x.family for x in a.authors}, {x.family for x in b.authors}
        family = len(fam_a & fam_b) / min(len(fam_a), len(fam_b))
        self.hits = hits
        self._authors = (1.0, hits / min(na, nb), hits / max(na, nb), first, float(hits == 0), last, family)

    @property
    def title_best(self) -> float:
        """The most lenient title similarity (character, token-set, partial, compact): exact once
        the windows are added, a lower bound before."""
        return max(self._title[0], self._title[1], self._partial, self._compact)

    def values(self) -> tuple[float, ...]:
        """The feature vector in :data:`FEATURE_NAMES` order."""
        ratio, token_set, containment, jaccard, exact, specific, generic, head_extra, tail_extra, inner, numbers = self._title
        authors_known, amin, amax, first, disjoint, last, family = self._authors
        if not self.has_authors:
            disjoint = 0.0
        title_best = self.title_best
        return (
            ratio,
            token_set,
            self._partial,
            containment,
            jaccard,
            exact,
            self._compact,
            specific,
            generic,
            title_best * specific * (1.0 - generic),
            head_extra,
            tail_extra,
            inner,
            numbers,
            authors_known,
            amin,
            amax,
            first,
            disjoint,
            last,
            family,
            title_best * (1.0 - authors_known),
            *self._year_venue,
        )
