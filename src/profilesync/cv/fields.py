"""Field conventions shared by the CV formats that have no slot for every CV field (RenderCV,
JSON Resume): one venue string, a free-form date, arXiv DOIs."""

from __future__ import annotations

import re
from typing import Any

from profilesync.normalize.identifiers import arxiv_from_doi

_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&+\-]{1,15}(?:\s?'?\d{2}|\s\d{4})?$")
_PREPRINT = re.compile(r"arxiv|corr\b|preprint|biorxiv|medrxiv|ssrn", re.IGNORECASE)


def looks_like_acronym(venue: str | None) -> bool:
    """``NSDI``, ``SIGCOMM'23``, ``TOSEM`` yes; ``USENIX Symposium on ...`` no."""
    return venue is not None and bool(_ACRONYM.match(venue.strip()))


def looks_like_preprint(venue: str | None) -> bool:
    return venue is not None and bool(_PREPRINT.search(venue))


def split_venue(venue: str | None) -> dict[str, str]:
    """One venue string as the CV's ``venue`` (acronym) or ``venue_full``."""
    if not venue:
        return {}
    return {"venue": venue.strip()} if looks_like_acronym(venue) else {"venue_full": venue.strip()}


def venue_replaceable(current: str | None) -> bool:
    """May an acronym overwrite ``current``? Only an empty, acronym or preprint venue; a full
    name the researcher wrote is more informative than an acronym."""
    return not current or looks_like_acronym(current) or looks_like_preprint(current)


def text_of(value: Any) -> str | None:
    """A free-form field as text (``None`` stays ``None``): JSON and YAML may give a number."""
    return None if value is None else str(value)


def year_of(date: Any) -> int | None:
    if isinstance(date, int) and not isinstance(date, bool):
        return date if 1900 <= date <= 2100 else None
    match = re.search(r"(19|20)\d{2}", str(date or ""))
    return int(match.group(0)) if match else None


def with_year(date: Any, year: int, *, as_text: bool) -> Any:
    """``date`` with its year replaced (``2023-05`` -> ``2024-05``), or just the year."""
    if isinstance(date, str) and re.search(r"(19|20)\d{2}", date):
        return re.sub(r"(19|20)\d{2}", str(year), date, count=1)
    return str(year) if as_text else year


def arxiv_doi(arxiv: str) -> str:
    """The DOI arXiv registers for a preprint (``10.48550/arXiv.2305.05920``)."""
    return f"10.48550/arXiv.{arxiv}"


def doi_and_arxiv(doi: str | None) -> tuple[str | None, str | None]:
    """Split a DOI field: an arXiv DOI is an arXiv id, not a publisher DOI."""
    if not doi:
        return None, None
    arxiv = arxiv_from_doi(doi)
    return (None, arxiv) if arxiv else (doi, None)


def strip_markup(name: str) -> str:
    """``**Zili Zhang**`` -> ``Zili Zhang`` (RenderCV bolds the researcher with Markdown)."""
    return re.sub(r"^[*_]+|[*_]+$", "", name.strip()).strip()
