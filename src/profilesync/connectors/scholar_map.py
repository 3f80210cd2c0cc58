"""Turn what Scholar showed into profilesync's model, with Scholar's quirks recorded as facts.

Scholar's list is lossy in known ways, and the diff engine must not mistake them for real
differences. Each ``Work.extra`` may carry these flags (set only when true):

- ``title_truncated``: the title ends with Scholar's ellipsis (long titles are cut in the list);
- ``title_lowercased``: the title has no capital letter at all (Scholar copies lower-cased titles
  from some sources);
- ``authors_truncated``: the author list ended with "..." (Scholar shows about six names);
- ``venue_truncated``: the venue text ends with an ellipsis;
- ``year_missing``: the row shows no year;
- ``citations_merged``: Scholar merged several citation clusters into this row;
- ``details_filled``: authors/title/year were completed from the publication's own page.

Whether two rows are the same paper (``duplicate_in_source``) or a paper is someone else's
(``foreign_work``) is judged by the matcher and the diff engine, not here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from profilesync.connectors.scholar_fetch import TRUNCATION_MARKS, ScholarFetched
from profilesync.connectors.scholar_page import DetailPage, ProfileMetrics, ProfileRow
from profilesync.model import Author, ExternalIds, Metrics, Person, PersonIds, Snapshot, Work, WorkType
from profilesync.normalize.identifiers import normalize_arxiv, normalize_doi

SOURCE = "scholar"

_PAGES = re.compile(r",\s*([A-Za-z]?\d+\s*[-–]\s*[A-Za-z]?\d+)$")
# Words in a venue string that say what kind of work it is. Checked in this order: a thesis
# published "in proceedings" is rare, an arXiv "journal" field is common.
_TYPE_HINTS: tuple[tuple[WorkType, re.Pattern[str]], ...] = (
    (WorkType.PREPRINT, re.compile(r"\barxiv\b|\bbiorxiv\b|\bmedrxiv\b|\bssrn\b|\bpreprint\b", re.IGNORECASE)),
    (WorkType.THESIS, re.compile(r"\bthesis\b|\bdissertation\b", re.IGNORECASE)),
    (WorkType.CONFERENCE, re.compile(r"\bproceedings\b|\bconference\b|\bsymposium\b|\bworkshop\b|\bproc\.", re.IGNORECASE)),
    (WorkType.JOURNAL, re.compile(r"\bjournal\b|\btransactions\b|\bletters\b|\breview\b|\bmagazine\b", re.IGNORECASE)),
)


def guess_type(venue: str | None) -> WorkType:
    """A best guess from the venue text; ``OTHER`` when it says nothing recognisable."""
    if not venue:
        return WorkType.OTHER
    for kind, pattern in _TYPE_HINTS:
        if pattern.search(venue):
            return kind
    return WorkType.OTHER


def is_truncated(text: str) -> bool:
    return text.rstrip().endswith(TRUNCATION_MARKS)


def is_lowercased(text: str) -> bool:
    """True when a title has letters but not one capital (sentence case still has one)."""
    cased = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    return len(cased) >= 3 and not any(c.isupper() for c in cased)


def split_authors(text: str) -> tuple[tuple[Author, ...], bool]:
    """Scholar's comma list ("W Zuo, A Raman, ...") -> authors, and whether it was cut short."""
    names = [part.strip() for part in text.split(",")]
    truncated = bool(names) and names[-1] in TRUNCATION_MARKS
    return tuple(Author(name) for name in names if name and name not in TRUNCATION_MARKS), truncated


def quirk_flags(title: str, year: int | None) -> dict[str, Any]:
    """Scholar's quirks a report may mention (extra, for people): a lower-cased title, no year."""
    flags: dict[str, Any] = {}
    if is_lowercased(title):
        flags["title_lowercased"] = True
    if year is None:
        flags["year_missing"] = True
    return flags


def cut_fields(title: str, venue: str | None, authors_truncated: bool) -> frozenset[str]:
    """The fields Scholar shortened (``Work.cut``): they must propose nothing."""
    cut = set()
    if is_truncated(title):
        cut.add("title")
    if authors_truncated:
        cut.add("authors")
    if venue and is_truncated(venue):
        cut.add("venue")
    return frozenset(cut)


def arxiv_in(venue: str | None) -> str | None:
    if venue and "arxiv" in venue.lower():
        return normalize_arxiv(venue)
    return None


def row_to_work(row: ProfileRow, base_url: str, detail: DetailPage | None = None) -> Work:
    """One list row as a ``Work``; a detail page, when fetched, completes what the list cut."""
    authors, authors_truncated = split_authors(row.authors_text)
    title = row.title
    year = row.year
    venue = row.venue_text or None
    pages_match = _PAGES.search(venue) if venue else None
    url = f"{base_url.rstrip('/')}/citations?view_op=view_citation&hl=en&citation_for_view={row.pub_id}" if row.pub_id else None
    doi = None
    if detail is not None:
        if detail.authors:
            authors, authors_truncated = tuple(Author(n) for n in detail.authors), False
        if is_truncated(title) and detail.title and not is_truncated(detail.title):
            title = detail.title
        year = year or detail.year
        doi = normalize_doi(detail.url) if detail.url else None
    extra = quirk_flags(title, year)
    if row.citations_merged:
        extra["citations_merged"] = True
    if detail is not None:
        extra["details_filled"] = True
    return Work(
        title=title,
        authors=authors,
        year=year,
        venue=venue,
        type=guess_type(venue),
        ids=ExternalIds(doi=doi, arxiv=arxiv_in(venue), scholar=row.pub_id),
        pages=pages_match.group(1).replace(" ", "") if pages_match else None,
        citations=row.citations,
        url=(detail.url if detail is not None and detail.url else url),
        source_ref=row.pub_id,
        extra=extra,
        cut=cut_fields(title, venue, authors_truncated),
    )


def to_metrics(metrics: ProfileMetrics) -> Metrics:
    return Metrics(
        citations=metrics.citations,
        h_index=metrics.h_index,
        i10_index=metrics.i10_index,
        citations_recent=metrics.citations_recent,
        h_index_recent=metrics.h_index_recent,
        i10_index_recent=metrics.i10_index_recent,
        recent_since=metrics.recent_since,
        citations_per_year=dict(metrics.citations_per_year),
    )


def to_snapshot(fetched: ScholarFetched, *, user_id: str, base_url: str, now: datetime) -> Snapshot:
    """The snapshot of one successful pull."""
    header = fetched.header
    person_extra: dict[str, Any] = {"profile_url": f"{base_url.rstrip('/')}/citations?user={user_id}&hl=en"}
    if header.interests:
        person_extra["interests"] = list(header.interests)
    if header.email_domain:
        person_extra["email_domain"] = header.email_domain
    person = Person(
        name=header.name,
        ids=PersonIds(scholar=header.user_id or user_id),
        affiliation=header.affiliation,
        homepage=header.homepage,
        extra=person_extra,
    )
    works = tuple(row_to_work(row, base_url, fetched.details.get(row.pub_id or "")) for row in fetched.rows)
    return Snapshot(
        source=SOURCE,
        fetched_at=now,
        person=person,
        works=works,
        metrics=to_metrics(fetched.metrics),
        notes=fetched.notes,
        extra={"pages": fetched.pages, "complete": fetched.complete, "requests": fetched.requests, "details_filled": len(fetched.details)},
    )
