"""Versions: a preprint (arXiv / DBLP's CoRR) and its published form are one work.

At publication a title is often reworded ("Fast Distributed Inference Serving for Large Language
Models", arXiv 2305.05920, becomes "FastServe: Iteration-Level Preemptive Scheduling for Large
Language Model Inference" at NSDI '26) and the author list grows (6 to 9 authors). The fitted
model, trained on records of one publication, rightly scores such a pair low; this rule looks
for the evidence that survives the rewrite: the preprint's authors, in particular its first
author, reappear in the published list; the titles still share their content words; and the
published form is not older than the preprint.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from profilesync.match.features import Prepared, _generic, _same_author, author_matches, filed_as_preprint
from profilesync.match.params import MatchParams
from profilesync.match.verdict import Feature, MatchScore, Tier
from profilesync.model import Work, WorkStatus, WorkType


def is_preprint(work: Work, prepared: Prepared | None = None) -> bool:
    """True for arXiv/CoRR records and works the CV marks as preprints."""
    if work.type is WorkType.PREPRINT or work.status is WorkStatus.PREPRINT:
        return True
    if prepared is not None and prepared.preprint:
        return True
    if prepared is None and filed_as_preprint(work):
        return True  # a CV entry filed under "CoRR" or ECCC as an article (a .bib export's @article)
    return bool(work.ids.arxiv and not work.ids.doi and work.type is WorkType.OTHER and not work.venue)


def title_overlap(a: Prepared, b: Prepared) -> float:
    """Title similarity that tolerates rewording: the larger of word-set similarity and the share
    of the shorter title's content words (system names split or joined, ``FastServe``/``Fast Serving``)
    that the other title also has."""
    token_set = fuzz.token_set_ratio(a.title, b.title) / 100.0
    small = min(len(a.content), len(b.content))
    if not small:
        return token_set
    shared = len(a.content & b.content)
    # Singular/plural and prefix variants ("model"/"models", "fastserve"/"fast"): count a word as
    # shared when one is a prefix of the other and both have 4+ letters.
    rest_a = a.content - b.content
    rest_b = b.content - a.content
    for x in rest_a:
        if len(x) >= 4 and any(len(y) >= 4 and (x.startswith(y) or y.startswith(x)) for y in rest_b):
            shared += 1
    return max(token_set, min(1.0, shared / small))


def version_score(a: Work, b: Work, pa: Prepared, pb: Prepared, params: MatchParams) -> MatchScore | None:
    """The version verdict on ``(a, b)``, or None when they are not a preprint/published pair.

    Returns a ``MatchScore`` with ``by="version"``: ``probable`` normally; ``strong`` only when the
    title is essentially unchanged and every preprint author is on the published paper.
    """
    pre_a, pre_b = is_preprint(a, pa), is_preprint(b, pb)
    if pre_a == pre_b:
        return None
    pre, pub = (pa, pb) if pre_a else (pb, pa)
    if not pre.title or not pub.title:
        return None
    if pre.year and pub.year and not (pre.year - 1 <= pub.year <= pre.year + 5):
        return None
    if not pre.authors or not pub.authors:
        return _without_authors(pre, pub)
    hits = author_matches(pre.authors, pub.authors)
    authors = hits / len(pre.authors)
    first = _same_author(pre.authors[0], pub.authors[0]) or any(_same_author(pre.authors[0], x) for x in pub.authors[:3])
    title = title_overlap(pre, pub)
    if authors < params.version_authors or title < params.version_title:
        return None
    if not first and authors < 0.9 and title < 0.95:
        return None  # (an unchanged title by most of the authors survives a misspelt first author)
    # A single shared author is weak evidence: demand a nearly unchanged title then.
    if len(pre.authors) < 2 and title < 0.85:
        return None
    score = 0.5 * title + 0.5 * authors
    tier = Tier.STRONG if title >= 0.95 and authors >= 1.0 and first else Tier.PROBABLE
    years = f"{pre.year} preprint, {pub.year} published" if pre.year and pub.year else "year unknown"
    features = (
        Feature("version_title", title, 1.0, f"title words {title:.2f} (reworded at publication)" if title < 0.95 else f"title {title:.2f}"),
        Feature("version_authors", authors, 1.0, f"{hits}/{len(pre.authors)} preprint authors on the published paper ({len(pub.authors)} listed)"),
        Feature("version_first_author", float(first), 1.0, "same first author" if first else ""),
        Feature("version_years", 1.0, 1.0, years),
    )
    return MatchScore(score, tier, "version", features)


# Without authors (ORCID works often list no contributors) only the title can speak: it must be
# the same title, specific enough that two papers are unlikely to share it.
MIN_CONTENT_WORDS_WITHOUT_AUTHORS = 4


def _without_authors(pre: Prepared, pub: Prepared) -> MatchScore | None:
    if pre.title != pub.title or len(pre.content) < MIN_CONTENT_WORDS_WITHOUT_AUTHORS:
        return None
    if _generic(pre.content) > 0.0:
        return None  # "Editorial", "Keynote": recurring titles say nothing
    years = f"{pre.year} preprint, {pub.year} published" if pre.year and pub.year else "year unknown"
    features = (
        Feature("version_title", 1.0, 1.0, "same title"),
        Feature("version_authors", 0.0, 0.0, "authors unknown"),
        Feature("version_years", 1.0, 1.0, years),
    )
    return MatchScore(0.75, Tier.PROBABLE, "version", features)
