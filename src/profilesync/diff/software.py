"""Link repositories to the CV publications they implement.

A repository is linked to a CV publication by, in this order of trust:

1. ``code``: the publication's ``code:`` URL already names the repository;
2. ``doi``: the DOI the repository cites (CITATION.cff ``preferred-citation``, a DOI in its
   description or homepage, its README when read) or its own CITATION.cff ``doi`` equals the
   publication's DOI;
3. ``arxiv``: the same for arXiv ids (an arXiv DataCite DOI on either side counts as its id);
4. ``title``: a strong title match only. The cited title (or the CITATION.cff title) and the CV
   title, both normalised, must reach ``TITLE_THRESHOLD`` on rapidfuzz's ``token_sort_ratio``
   AND have the same content words (stop words, plural ``s`` and British/American spellings
   aside; a title may also match the other's part after the colon); or the whole CV title (at
   least ``MIN_CONTAINED_WORDS`` words) appears word for word in the repository's description.
   When both sides list authors, at least half of the shorter list must be shared; when both
   give a year, they may differ by one at most. A character ratio alone is not enough: "...
   Structured Datasets" scores 0.985 against "... Unstructured Datasets", and must stay unlinked.

The result is what the diff engine turns into report items: a link to a publication without
``code:`` becomes an offer to add it; a repository citing a paper no CV entry matches
(``cv_key=None``) is evidence for a ``missing_in_cv`` change.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from profilesync.model import Cites, Work
from profilesync.normalize.identifiers import arxiv_from_doi, normalize_arxiv, normalize_doi
from profilesync.normalize.names import same_person_name
from profilesync.normalize.text import normalize_title

# token_sort_ratio / 100 on normalised titles. Rewordings of one title score >= 0.95; titles that
# differ in one content word ("Unstructured"/"Structured", "Queries"/"Search") stay below 0.92.
TITLE_THRESHOLD = 0.92
# A title found inside a description must be long enough not to occur there by chance.
MIN_CONTAINED_WORDS = 5
# Titles shorter than this (normalised words) are too generic to link on alone ("PyTorch").
MIN_TITLE_WORDS = 4
# Words that may differ between two renderings of one title.
STOP_WORDS = frozenset({"a", "an", "the", "of", "for", "on", "in", "and", "with", "to", "via", "using", "by", "at", "from"})


class LinkBasis(str, enum.Enum):
    """What tied a repository to a paper."""

    CODE = "code"
    DOI = "doi"
    ARXIV = "arxiv"
    TITLE = "title"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class SoftwareLink:
    """One repository and the CV publication it implements (``cv_key=None``: none in the CV).

    ``repo`` is ``owner/name`` in lower case; ``how`` is the evidence that linked it (for an
    unlinked repository, the strongest identifier it cites); ``score`` is 1.0 for identifier
    links and the title similarity (0..1) for title links and for unlinked repositories (the best
    similarity any CV title reached); ``cited`` is the repository's ``Work.cites``.
    """

    repo: str
    cv_key: str | None
    how: LinkBasis
    score: float
    cited: Cites = field(default_factory=Cites)


def link_software(cv_works: Sequence[Work], software: Sequence[Work]) -> list[SoftwareLink]:
    """Link each repository in ``software`` to the CV publication it implements.

    Returns one ``SoftwareLink`` per repository that is linked to a CV publication or that cites
    a paper (then with ``cv_key=None`` when no CV publication matches); repositories that neither
    link nor cite anything are left out. Sorted by repository name.
    """
    papers = [w for w in cv_works if w.key]
    links: list[SoftwareLink] = []
    for repo in software:
        name = (repo.ids.github or repo.source_ref or "").lower()
        if not name:
            continue
        link = _link_one(name, repo, repo.cites, papers)
        if link is not None:
            links.append(link)
    return sorted(links, key=lambda link: link.repo)


def _link_one(name: str, repo: Work, cited: Cites, papers: Sequence[Work]) -> SoftwareLink | None:
    by_code = next((p for p in papers if (p.ids.github or "").lower() == name), None)
    if by_code is not None:
        return SoftwareLink(name, by_code.key, LinkBasis.CODE, 1.0, cited)

    dois = {d for d in (normalize_doi(cited.doi), repo.ids.doi) if d}
    arxivs = {a for a in (normalize_arxiv(cited.arxiv), *(arxiv_from_doi(d) for d in dois)) if a}
    for paper in papers:
        if paper.ids.doi and paper.ids.doi in dois:
            return SoftwareLink(name, paper.key, LinkBasis.DOI, 1.0, cited)
    for paper in papers:
        paper_arxiv = paper.ids.arxiv or arxiv_from_doi(paper.ids.doi)
        if paper_arxiv and paper_arxiv in arxivs:
            return SoftwareLink(name, paper.key, LinkBasis.ARXIV, 1.0, cited)

    best_key, best_score = _best_title_match(repo, cited, papers)
    if best_key is not None:
        return SoftwareLink(name, best_key, LinkBasis.TITLE, best_score, cited)
    if not (cited.doi or cited.arxiv or cited.title):
        return None
    how = LinkBasis.DOI if cited.doi else LinkBasis.ARXIV if cited.arxiv else LinkBasis.TITLE
    return SoftwareLink(name, None, how, round(best_score, 3), cited)


def _best_title_match(repo: Work, cited: Cites, papers: Sequence[Work]) -> tuple[str | None, float]:
    """(key of the CV paper whose title matches strongly, its score); (None, best score) if none."""
    cited_authors = cited.authors or repo.author_names
    cited_year = cited.year
    titles = [v for t in (cited.title, repo.title) for v in _title_variants(t)]
    description = f" {normalize_title(repo.description or '')} "
    best_key: str | None = None
    best_score = 0.0
    for paper in papers:
        paper_title = normalize_title(paper.title)
        if len(paper_title.split()) < MIN_TITLE_WORDS:
            continue
        score, strong = 0.0, False
        for mine in titles:
            for theirs in _title_variants(paper.title):
                ratio = fuzz.token_sort_ratio(mine, theirs) / 100.0
                score = max(score, ratio)
                strong = strong or (ratio >= TITLE_THRESHOLD and _content_words(mine) == _content_words(theirs))
        contained = len(paper_title.split()) >= MIN_CONTAINED_WORDS and f" {paper_title} " in description
        if contained:
            score, strong = 1.0, True
        if not strong:
            best_score = max(best_score, score)
            continue
        # Only the paper's own year and authors can veto; a repository's creation year cannot.
        if cited_year and paper.year and abs(cited_year - paper.year) > 1:
            continue
        if not contained and not _authors_agree(cited_authors, paper.author_names):
            continue
        if score > best_score or best_key is None:
            best_key, best_score = paper.key, score
    return best_key, round(best_score, 3)


def _title_variants(title: str | None) -> list[str]:
    """The normalised title, plus its part after the first colon ("Auncel: Fast ..." -> "fast ...")."""
    if not title:
        return []
    out = [normalize_title(title)]
    head, colon, tail = str(title).partition(":")
    if colon and head.strip():
        out.append(normalize_title(tail))
    return [v for v in dict.fromkeys(out) if len(v.split()) >= MIN_TITLE_WORDS]


def _content_words(title: str) -> Counter[str]:
    """The title's words without stop words, plural ``s`` and -ise/-isation spellings."""
    return Counter(_word_key(w) for w in title.split() if w not in STOP_WORDS)


def _word_key(word: str) -> str:
    word = re.sub(r"isation(s?)$", r"ization\1", word)
    word = re.sub(r"ise([sd]?)$", r"ize\1", word) if len(word) > 5 else word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _authors_agree(cited: Sequence[str], cv: Sequence[str]) -> bool:
    """True when either side lists no authors, or at least half of the shorter list is shared."""
    if not cited or not cv:
        return True
    shared = sum(1 for a in cited if any(same_person_name(a, b) for b in cv))
    return shared * 2 >= min(len(cited), len(cv))


def repository_of(repo: str, software: Sequence[Work]) -> tuple[Work | None, str]:
    """The repository record named ``repo`` ("owner/name") among ``software``, and its URL."""
    work = next((w for w in software if (w.ids.github or "").lower() == repo.lower()), None)
    return work, work.url if work is not None and work.url else f"https://github.com/{repo}"


def repo_label(url: str) -> str:
    """"owner/name" of a repository URL, as a sentence names it."""
    return url.split("github.com/")[-1]
