"""Helpers every export format shares: slugs, display strings, links; and, from
``normalize.bibliography`` (shared with the CV's BibTeX and RenderCV formats), LaTeX escaping and
name parts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from profilesync.model import Work, WorkStatus, WorkType
from profilesync.normalize.bibliography import NameParts, is_self, latex_escape, split_name

__all__ = ["NameParts", "is_self", "latex_escape", "split_name"]  # re-exported for the export modules


def slugify(text: str) -> str:
    """A lower-case ASCII slug for file and directory names."""
    from unidecode import unidecode

    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug or "work"


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``, ... : the first one not in ``used`` (which it joins).

    Keys differing only in case or punctuation ("Zhang2023", "zhang2023", "a.b", "a-b") slugify
    alike; each still needs its own file and permalink.
    """
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate)
    return candidate


def display_venue(work: Work) -> str:
    """The venue as a reader would like to see it: full name, or acronym, or "Preprint"."""
    if work.venue:
        return work.venue
    if work.venue_acronym:
        return work.venue_acronym
    if work.type is WorkType.PREPRINT or work.status is WorkStatus.PREPRINT:
        return "Preprint"
    return ""


def short_venue(work: Work) -> str:
    """The acronym with a two-digit year (``NSDI'23``), as CVs print it; falls back to the full name."""
    if work.venue_acronym and work.year:
        return f"{work.venue_acronym}'{work.year % 100:02d}"
    return work.venue_acronym or display_venue(work)


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL (or a bare host name) that cannot break out of a link;
    otherwise None. A CV may hold a ``javascript:`` or ``data:`` URL written by hand or pulled
    before values were checked: no export turns it into a link."""
    from profilesync.normalize.identifiers import web_url_ok

    return url if url and web_url_ok(url) else None


def _path_part(value: str) -> str:
    """An identifier percent-encoded for a URL path (``/`` and ``:`` kept; ``( ) < > " '`` and
    spaces encoded, so it can end neither a Markdown link nor an HTML attribute)."""
    from urllib.parse import quote

    return quote(value, safe="/:;")


# The page of a record on the source that holds it, by identifier kind (the value is path-encoded).
_RECORD_PAGES: dict[str, tuple[str, str]] = {
    "doi": ("DOI", "https://doi.org/{}"),
    "arxiv": ("arXiv", "https://arxiv.org/abs/{}"),
    "dblp": ("dblp", "https://dblp.org/rec/{}"),
    "github": ("code", "https://github.com/{}"),
}
_SCHOLAR_PAGE = "https://scholar.google.com/citations?view_op=view_citation&citation_for_view={}"


def _page(kind: str, value: str | None) -> str | None:
    return _RECORD_PAGES[kind][1].format(_path_part(value)) if value else None


def code_url(work: Work) -> str | None:
    return _page("github", work.ids.github)


def doi_url(work: Work) -> str | None:
    """``https://doi.org/<DOI>``, the DOI percent-encoded (doi.org decodes it)."""
    return _page("doi", work.ids.doi)


def arxiv_url(work: Work) -> str | None:
    return _page("arxiv", work.ids.arxiv)


def identifier_links(ids: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, url)`` for every identifier that has a public page: DOI, arXiv, the DBLP record,
    the Scholar entry, the code repository, and the record's own http(s) URL when it is another
    page. A value that is not a string, or a URL that is not http(s), gives no link."""
    from urllib.parse import quote

    links: list[tuple[str, str]] = []
    for kind, (label, _) in _RECORD_PAGES.items():
        value = ids.get(kind)
        page = _page(kind, value) if isinstance(value, str) else None
        if page:
            links.append((label, page))
    scholar = ids.get("scholar")
    if isinstance(scholar, str) and scholar:
        links.append(("Scholar", _SCHOLAR_PAGE.format(quote(scholar, safe=":"))))
    url = ids.get("url")
    if isinstance(url, str) and web_url(url) and url not in {link for _, link in links}:
        links.append(("page", url))
    return links


def best_url(work: Work) -> str | None:
    """The link a reader should follow: the work's own (http/https) URL, else DOI, else arXiv."""
    return web_url(work.url) or doi_url(work) or arxiv_url(work)


def by_year_desc(works: tuple[Work, ...]) -> list[Work]:
    """Newest first; works of the same year keep the CV's order (the sort is stable)."""
    return sorted(works, key=lambda w: -(w.year or 0))
