"""Find the paper a repository points at: DOIs and arXiv ids in its description, homepage or README.

What a repository cites is gathered into one dict, the JSON form of ``model.Cites`` (``Work.cites``):
``doi``, ``arxiv``, ``title``, ``year``, ``venue``, ``authors`` and ``from`` (where each hint came
from, e.g. ``["preferred-citation", "description"]``).

DOIs of archives that mint DOIs for software releases (Zenodo, figshare) name the software itself,
not a paper, so they are kept apart as the repository's own DOI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from profilesync.connectors.github_cff import CitedPaper
from profilesync.normalize.identifiers import arxiv_from_doi, normalize_arxiv, normalize_doi

# Registrant prefixes whose DOIs are minted for software/data deposits, not for papers.
SOFTWARE_DOI_PREFIXES: tuple[str, ...] = ("10.5281/", "10.6084/")

_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>\])}]+)", re.IGNORECASE)
# arXiv ids only where the text says arXiv: a bare 2305.05920 could as well be a version number.
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})",
    re.IGNORECASE,
)
_BIBTEX_TITLE = re.compile(r"^\s*title\s*=\s*[{\"](.+?)[}\"]\s*,?\s*$", re.IGNORECASE | re.MULTILINE)


def dois_in(text: str | None) -> list[str]:
    """Every DOI written in ``text``, canonical, in order of appearance, without repeats."""
    found: list[str] = []
    for match in _DOI_IN_TEXT.finditer(text or ""):
        doi = normalize_doi(match.group(1).rstrip(".,;:"))
        if doi and doi not in found:
            found.append(doi)
    return found


def arxiv_ids_in(text: str | None) -> list[str]:
    found: list[str] = []
    for match in _ARXIV_IN_TEXT.finditer(text or ""):
        arxiv = normalize_arxiv(match.group(1))
        if arxiv and arxiv not in found:
            found.append(arxiv)
    return found


def is_software_doi(doi: str) -> bool:
    return doi.startswith(SOFTWARE_DOI_PREFIXES)


def hints_from_text(text: str | None) -> tuple[list[str], list[str]]:
    """(paper DOIs, arXiv ids) in ``text``; arXiv DataCite DOIs count as arXiv ids."""
    dois, arxivs = [], arxiv_ids_in(text)
    for doi in dois_in(text):
        arxiv = arxiv_from_doi(doi)
        if arxiv:
            if arxiv not in arxivs:
                arxivs.append(arxiv)
        elif not is_software_doi(doi):
            dois.append(doi)
    return dois, arxivs


def hints_from_readme(text: str) -> CitedPaper | None:
    """The paper a README asks to be cited, when that is unambiguous.

    READMEs cite related work too, so only a single DOI / single arXiv id counts, plus the title of
    a BibTeX entry when the README has exactly one. Returns None when nothing unambiguous is found.
    """
    dois, arxivs = hints_from_text(text)
    titles = _BIBTEX_TITLE.findall(text)
    doi = dois[0] if len(dois) == 1 else None
    arxiv = arxivs[0] if len(arxivs) == 1 else None
    title = titles[0].replace("{", "").replace("}", "").strip() if len(titles) == 1 else None
    paper = CitedPaper(title=title, doi=doi, arxiv=arxiv)
    return None if paper.is_empty() else paper


def build_cites(
    preferred: CitedPaper | None,
    texts: Iterable[tuple[str, str | None]],
    readme: CitedPaper | None = None,
) -> dict[str, Any]:
    """Merge the hints into the ``cites`` dict; the preferred citation wins field by field.

    ``texts`` are (label, text) pairs such as ("description", ...), ("homepage", ...). Returns an
    empty dict when the repository points at no paper.
    """
    cites: dict[str, Any] = {}
    origin: list[str] = []
    if preferred is not None and not preferred.is_empty():
        _fill(cites, preferred)
        origin.append("preferred-citation")
    for label, text in texts:
        dois, arxivs = hints_from_text(text)
        added = False
        if dois and not cites.get("doi"):
            cites["doi"] = dois[0]
            added = True
        if arxivs and not cites.get("arxiv"):
            cites["arxiv"] = arxivs[0]
            added = True
        if added:
            origin.append(label)
    if readme is not None and not readme.is_empty():
        before = dict(cites)
        _fill(cites, readme)
        if cites != before:
            origin.append("readme")
    if cites:
        cites["from"] = origin
    return cites


def _fill(cites: dict[str, Any], paper: CitedPaper) -> None:
    for key in ("doi", "arxiv", "title", "year", "venue"):
        value = getattr(paper, key)
        if value and not cites.get(key):
            cites[key] = value
    if paper.authors and not cites.get("authors"):
        cites["authors"] = list(paper.authors)
