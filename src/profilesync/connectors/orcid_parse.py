"""Parse ORCID public API v3.0 JSON (``/person``, ``/works``, bulk ``/works/<pcs>``, ``/employments``).

ORCID's JSON is generous with ``null``: a whole ``publication-date``, a ``month`` inside it,
``external-ids`` (``{"external-id": null}``), ``journal-title``, ``credit-name`` and ``url`` may be
null, and urls may be the empty string. Values are wrapped (``{"value": ...}``). Everything here
reads through ``shapes.Node`` so a missing or null level is "unknown", while a level of the wrong
type (a title that is a number, a list where an object belongs) is a ``ShapeError``, never a
crash: ``HttpClient.reading`` reports it and drops the response from the HTTP cache.

A ``/works`` response is a list of *groups*; a group is one logical work that ORCID assembled
from one ``work-summary`` per source (Crossref, Europe PMC, the researcher, ...), grouped on
normalised external ids. A group becomes one ``Work``: the best summary gives the fields, the
others add the identifiers it lacks (docs/sources.md §2.4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlparse

from profilesync.connectors.shapes import Node, ShapeError, at
from profilesync.errors import SourceFormatError
from profilesync.model import Author, ExternalIds, Person, PersonIds, Work, WorkStatus, WorkType
from profilesync.normalize.identifiers import arxiv_from_doi, normalize_arxiv, normalize_doi, normalize_orcid
from profilesync.normalize.text import clean_title

SOURCE = "orcid"

# ORCID v3.0 work type -> our WorkType. Anything else is OTHER. Keys are the v3.0 spelling;
# ``_type_key`` maps v2-style ``JOURNAL_ARTICLE`` and the documented input aliases onto them.
WORK_TYPES: Mapping[str, WorkType] = MappingProxyType(
    {
        "journal-article": WorkType.JOURNAL,
        "journal-issue": WorkType.JOURNAL,
        "magazine-article": WorkType.JOURNAL,
        "newsletter-article": WorkType.JOURNAL,
        "newspaper-article": WorkType.JOURNAL,
        "review": WorkType.JOURNAL,
        "book-review": WorkType.JOURNAL,
        "conference-paper": WorkType.CONFERENCE,
        "conference-abstract": WorkType.CONFERENCE,
        "conference-poster": WorkType.CONFERENCE,
        "preprint": WorkType.PREPRINT,
        "working-paper": WorkType.PREPRINT,
        "book-chapter": WorkType.CHAPTER,
        "encyclopedia-entry": WorkType.CHAPTER,
        "dictionary-entry": WorkType.CHAPTER,
        "book": WorkType.BOOK,
        "edited-book": WorkType.BOOK,
        "dissertation-thesis": WorkType.THESIS,
        "dissertation": WorkType.THESIS,  # v2.x name
        "supervised-student-publication": WorkType.THESIS,
        "software": WorkType.SOFTWARE,
        "data-set": WorkType.DATASET,
    }
)
TYPE_ALIASES: Mapping[str, str] = MappingProxyType(
    {"article-journal": "journal-article", "chapter": "book-chapter", "dataset": "data-set", "standard": "standards-and-policy"}
)
PREPRINT_TYPES = frozenset({"preprint", "working-paper"})

# A researcher-url whose name says "this is my home page"; otherwise the first url is taken.
_HOMEPAGE_NAME = re.compile(r"home\s*-?page|homepage|personal|website|web\s*site|^web$|^home$", re.IGNORECASE)
_PUT_CODE_IN_PATH = re.compile(r"/work/(\d+)$")


def type_key(raw: str | None) -> str | None:
    """The v3.0 spelling of a work type: lower case with dashes, aliases resolved."""
    if not raw:
        return None
    key = str(raw).strip().lower().replace("_", "-")
    return TYPE_ALIASES.get(key, key)


def work_type(raw: str | None) -> WorkType:
    return WORK_TYPES.get(type_key(raw) or "", WorkType.OTHER)


def publication_year(date: Node) -> int | None:
    """The year of a ``publication-date`` object; None for a null date, a null year or junk."""
    year = date["year"].wrapped_number()
    if year is None:
        return None
    try:
        value = int(year)
    except ValueError:
        return None
    return value if 1000 <= value <= 2999 else None


@dataclass(frozen=True)
class RawId:
    """One external id as ORCID wrote it, with the relationship in lower case."""

    type: str
    value: str
    relationship: str
    url: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"type": self.type, "value": self.value, "relationship": self.relationship}
        if self.url:
            out["url"] = self.url
        return out

    @property
    def token(self) -> str:
        return f"{self.type}:{self.value}"


def external_ids(node: Node) -> list[RawId]:
    """The ``external-id`` entries of an ``external-ids`` object; null anywhere -> []."""
    out: list[RawId] = []
    for item in node["external-id"].objects():
        kind = (item["external-id-type"].text() or "").lower()
        value = item["external-id-value"].wrapped_number()
        if not kind or value is None:
            continue
        # Relationship is lower case in v3.0 but some serialisers emit "SELF"; a missing one
        # (v2-era data) means the id is the work's own.
        relationship = (item["external-id-relationship"].text() or "self").lower()
        out.append(RawId(kind, value, relationship, item["external-id-url"].wrapped()))
    return out


def ids_from_raw(raw_ids: Iterable[RawId], url: str | None = None) -> ExternalIds:
    """Canonical ``ExternalIds`` from ORCID ids.

    Only ``self`` ids (and an arXiv id in any relationship but ``part-of``) describe this work: a
    ``part-of`` DOI or ISBN is the container's (the proceedings, the book), and a ``version-of``
    DOI is another version. arXiv ``version-of`` is kept as ``arxiv`` because the CV records a
    published paper's preprint id too, and the matcher treats the two as one work.
    """
    doi = arxiv = dblp = github = None
    for rid in raw_ids:
        if rid.relationship == "part-of":
            continue
        if rid.type == "doi" and rid.relationship == "self":
            candidate = normalize_doi(rid.value) or normalize_doi(rid.url)
            if candidate:
                from_arxiv = arxiv_from_doi(candidate)
                if from_arxiv:
                    arxiv = arxiv or from_arxiv
                else:
                    doi = doi or candidate
        elif rid.type == "arxiv":
            arxiv = arxiv or normalize_arxiv(rid.value)
        elif rid.type in {"uri", "url"} and rid.relationship == "self":
            dblp = dblp or dblp_key_from_url(rid.value)
    if url:
        dblp = dblp or dblp_key_from_url(url)
        github = github_repo_from_url(url)
    return ExternalIds(doi=doi, arxiv=arxiv, dblp=dblp, github=github, url=url)


def dblp_key_from_url(url: str | None) -> str | None:
    """``https://dblp.org/rec/conf/nsdi/ZhangJTLJ23`` -> ``conf/nsdi/ZhangJTLJ23``."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if not parsed.netloc.lower().endswith("dblp.org") and "dblp" not in parsed.netloc.lower():
        return None
    match = re.match(r"^/(?:rec/(?:bib[0-2]/|html/)?)([a-z]+/[^?#]+?)(?:\.(?:html|bib|xml))?$", parsed.path)
    return match.group(1) if match and parsed.path.startswith("/rec/") else None


def github_repo_from_url(url: str | None) -> str | None:
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.netloc.lower() not in {"github.com", "www.github.com"}:
        return None
    parts = [p for p in parsed.path.split("/") if p]
    return f"{parts[0]}/{parts[1].removesuffix('.git')}".lower() if len(parts) >= 2 else None


@dataclass(frozen=True)
class Summary:
    """One ``work-summary`` (or a full ``work``) read into plain fields."""

    put_code: str
    title: str
    type_raw: str | None
    year: int | None
    venue: str | None
    url: str | None
    raw_ids: tuple[RawId, ...]
    source_name: str | None
    source_orcid: str | None
    source_client: str | None
    display_index: int
    authors: tuple[Author, ...] = ()
    has_contributors: bool = False

    @property
    def completeness(self) -> int:
        """How much this summary tells; used to pick the best summary of a group."""
        return sum(bool(x) for x in (self.title, self.year, self.venue, self.url, self.type_raw not in (None, "other"))) + len(self.raw_ids)


def read_summary(node: Node) -> Summary | None:
    """A summary or full work; None when it has no put-code or no title (nothing to report).

    Raises ``ShapeError`` for a value of the wrong type (a title that is a number, a list where
    an object belongs): ``HttpClient.reading`` reports it as the response's format error.
    """
    node.object()
    put_code = node["put-code"].wrapped_number()
    if put_code is None:
        match = _PUT_CODE_IN_PATH.search(node["path"].text() or "")
        put_code = match.group(1) if match else None
    if put_code is not None and not put_code.isdigit():
        # It goes into request paths (/works/<put-codes>): digits only.
        raise ShapeError(at(node.where, "put-code"), "a put-code (digits)", put_code)
    title = clean_title(node.dig("title", "title").wrapped() or "")
    if put_code is None or not title:
        return None
    source = node["source"]
    display = node["display-index"].wrapped_number()
    try:
        display_index = int(display or 0)
    except ValueError:
        display_index = 0
    return Summary(
        put_code=put_code,
        title=title,
        type_raw=type_key(node["type"].text()),
        year=publication_year(node["publication-date"]),
        venue=clean_title(node["journal-title"].wrapped() or "") or None,
        url=node["url"].wrapped(),
        raw_ids=tuple(external_ids(node["external-ids"])),
        source_name=source["source-name"].wrapped(),
        source_orcid=source.dig("source-orcid", "path").wrapped(),
        source_client=source.dig("source-client-id", "path").wrapped(),
        display_index=display_index,
        authors=tuple(contributor_authors(node.dig("contributors", "contributor"))),
        has_contributors=isinstance(node["contributors"].value, Mapping),
    )


def contributor_authors(contributors: Node) -> list[Author]:
    """Authors from a full work's ``contributors.contributor`` list, in ORCID's order.

    Editors, translators and other roles are left out; a null role counts as author (it is
    what most sources send). A ``first``-sequence contributor is moved to the front.
    """
    firsts: list[Author] = []
    rest: list[Author] = []
    for item in contributors.objects():
        name = item["credit-name"].wrapped()
        if not name:
            continue
        attributes = item["contributor-attributes"]
        role = (attributes["contributor-role"].text() or "author").lower()
        if role not in {"author", "co-investigator", "principal-investigator"}:
            continue
        orcid = normalize_orcid(item.dig("contributor-orcid", "path").wrapped() or item.dig("contributor-orcid", "uri").wrapped())
        author = Author(name=" ".join(name.split()), orcid=orcid)
        sequence = (attributes["contributor-sequence"].text() or "").lower()
        (firsts if sequence == "first" else rest).append(author)
    return firsts + rest


@dataclass(frozen=True)
class Group:
    """One ORCID group: its own external ids and its summaries (best first)."""

    raw_ids: tuple[RawId, ...]
    summaries: tuple[Summary, ...]

    @property
    def best(self) -> Summary:
        return self.summaries[0]


def _rank(summary: Summary, orcid: str | None) -> tuple[int, int, int, int]:
    # ORCID's preferred version (the user can pick it) carries the highest display-index; then
    # the summary that tells the most; then the researcher's own entry; then the oldest put-code
    # so the choice is stable between pulls.
    own = 1 if orcid and summary.source_orcid == orcid else 0
    try:
        age = -int(summary.put_code)
    except ValueError:
        age = 0
    return (summary.display_index, summary.completeness, own, age)


def read_groups(works_doc: Any, orcid: str | None = None, *, where: str = "/works") -> list[Group]:
    """The groups of a ``/works`` response (or an ``activities-summary.works``), best summary first.

    Raises ``SourceFormatError`` when the document is not a works response at all.
    """
    if not isinstance(works_doc, Mapping) or "group" not in works_doc:
        raise SourceFormatError(SOURCE, f"{where}: expected a works response with a 'group' list")
    groups: list[Group] = []
    for node in Node(works_doc)["group"].objects():
        summaries = [s for s in (read_summary(w) for w in node["work-summary"].objects()) if s]
        if not summaries:
            continue
        summaries.sort(key=lambda s: _rank(s, orcid), reverse=True)
        groups.append(Group(tuple(external_ids(node["external-ids"])), tuple(summaries)))
    return groups


def read_bulk(bulk_doc: Any, *, where: str) -> tuple[dict[str, Summary], int]:
    """Full works of a bulk ``/works/<pc>,<pc>`` response by put-code, and the count of error slots.

    An item that failed comes back as ``{"error": {...}}`` in its slot (docs/sources.md §2.4).
    """
    if not isinstance(bulk_doc, Mapping) or not isinstance(bulk_doc.get("bulk"), list):
        raise SourceFormatError(SOURCE, f"{where}: expected a bulk works response with a 'bulk' list")
    works: dict[str, Summary] = {}
    errors = 0
    for item in Node(bulk_doc)["bulk"].items(single_ok=False):
        # A slot that failed holds {"error": {...}} instead of {"work": ...}.
        node = item["work"]
        summary = read_summary(node) if not node.is_null else None
        if summary is None:
            errors += 1
            continue
        works[summary.put_code] = summary
    return works, errors


def group_to_work(group: Group, detail: Summary | None, orcid: str | None) -> Work:
    """One ``Work`` from a group: the best summary's fields, every summary's ids, the details' authors.

    Every work is ``own_record``: a work on the researcher's own ORCID record is theirs, with no
    namesake test. ``extra`` carries what the push may use: ``orcid_source`` (who added the
    chosen version), ``orcid_group`` (the group's ids and put-codes, ORCID's own grouping as a
    hint) and ``orcid_ids`` (every external id as written, including types we have no field for:
    eid, pmid, other-id, ...).
    """
    best = group.best
    chosen = detail if detail is not None and detail.put_code == best.put_code else None
    all_raw = list(best.raw_ids)
    for summary in group.summaries[1:]:
        all_raw.extend(summary.raw_ids)
    if chosen is not None:
        all_raw = list(chosen.raw_ids) + all_raw
    url = (chosen.url if chosen else None) or best.url or next((s.url for s in group.summaries if s.url), None)
    ids = ids_from_raw(all_raw, url)
    ids = ExternalIds(
        doi=ids.doi, arxiv=ids.arxiv, dblp=ids.dblp, orcid_put_code=best.put_code, github=ids.github if work_type(best.type_raw) is WorkType.SOFTWARE else None, url=ids.url
    )
    type_raw = best.type_raw
    seen: set[tuple[str, str, str]] = set()
    orcid_ids = []
    for rid in all_raw:
        mark = (rid.type, rid.value.lower(), rid.relationship)
        if mark not in seen:
            seen.add(mark)
            orcid_ids.append(rid.to_dict())
    extra: dict[str, Any] = {
        "orcid_source": best.source_name,
        "orcid_type": type_raw,
        "orcid_group": {
            "ids": sorted({rid.token for rid in group.raw_ids}),
            "put_codes": [s.put_code for s in group.summaries],
            "sources": [s.source_name for s in group.summaries],
        },
        "orcid_ids": orcid_ids,
    }
    if chosen is not None:
        extra["orcid_details"] = True
    return Work(
        title=best.title,
        authors=chosen.authors if chosen else (),
        year=best.year or next((s.year for s in group.summaries if s.year), None),
        venue=best.venue or next((s.venue for s in group.summaries if s.venue), None),
        type=work_type(type_raw),
        ids=ids,
        url=url,
        source_ref=best.put_code,
        status=WorkStatus.PREPRINT if type_raw in PREPRINT_TYPES else None,
        extra=extra,
        own_record=True,
    )


def self_added_copies(group: Group, orcid: str | None) -> list[Work]:
    """The researcher's own extra entries of one DOI inside ``group``, one ``Work`` each.

    ORCID groups summaries by external id, so two copies of a paper that the researcher entered
    themselves (source = their own iD) with the same DOI land in one group, which ``group_to_work``
    makes one work: the duplicate on the record would never be reported. The first own entry of
    each DOI (in the group's ranked order) is the group's work; every further one is returned as a
    work of its own with the same DOI, so the diff's same-DOI duplicate rule reports it as
    ``duplicate_in_source``. Copies from other sources (Crossref beside Scopus) are ORCID's normal
    grouping, not a duplicate the researcher made, and are not returned.
    """
    if not orcid:
        return []
    seen: set[str] = set()
    copies: list[Work] = []
    for summary in group.summaries:
        if normalize_orcid(summary.source_orcid) != orcid:
            continue
        doi = ids_from_raw(summary.raw_ids).doi
        if not doi:
            continue
        if doi not in seen:
            seen.add(doi)
            continue
        copies.append(
            Work(
                title=summary.title,
                year=summary.year,
                venue=summary.venue,
                type=work_type(summary.type_raw),
                ids=ExternalIds(doi=doi, orcid_put_code=summary.put_code, url=summary.url),
                url=summary.url,
                source_ref=summary.put_code,
                status=WorkStatus.PREPRINT if summary.type_raw in PREPRINT_TYPES else None,
                own_record=True,
                extra={
                    "orcid_source": summary.source_name,
                    "orcid_type": summary.type_raw,
                    # Which work of the record this entry repeats (its group's chosen put-code).
                    "orcid_copy_of": group.best.put_code,
                    "orcid_group": {
                        "ids": sorted({rid.token for rid in group.raw_ids}),
                        "put_codes": [s.put_code for s in group.summaries],
                        "sources": [s.source_name for s in group.summaries],
                    },
                },
            )
        )
    return copies


@dataclass(frozen=True)
class Employment:
    organization: str
    department: str | None = None
    role: str | None = None
    start_year: int | None = None
    end_year: int | None = None

    @property
    def current(self) -> bool:
        return self.end_year is None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("organization", self.organization), ("department", self.department), ("role", self.role), ("start_year", self.start_year), ("end_year", self.end_year)) if v is not None}


def read_employments(doc: Any) -> list[Employment]:
    """Employments of an ``/employments`` response (``affiliation-group`` -> ``summaries``), in ORCID's order."""
    out: list[Employment] = []
    for group in Node(doc)["affiliation-group"].objects():
        for item in group["summaries"].objects():
            node = item["employment-summary"]
            name = node.dig("organization", "name").wrapped()
            if not name:
                continue
            out.append(
                Employment(
                    organization=name,
                    department=node["department-name"].wrapped(),
                    role=node["role-title"].wrapped(),
                    start_year=publication_year(node["start-date"]),
                    end_year=publication_year(node["end-date"]),
                )
            )
    return out


@dataclass(frozen=True)
class PersonFacts:
    """What ``/person`` says, before it is combined with employments into a ``Person``."""

    name: str
    aliases: tuple[str, ...]
    urls: tuple[tuple[str | None, str], ...]
    biography: str | None = None
    external: tuple[tuple[str, str], ...] = field(default=())


def read_person(doc: Any, orcid: str, *, where: str = "/person") -> PersonFacts:
    """Names, other names and researcher urls of a ``/person`` response.

    The display name is the credit name when the researcher set one, else "given family".
    Raises ``SourceFormatError`` when the document is not a person response.
    """
    if not isinstance(doc, Mapping) or "name" not in doc:
        raise SourceFormatError(SOURCE, f"{where}: expected a person response with a 'name'")
    root = Node(doc)
    name_node = root["name"]
    given = name_node["given-names"].wrapped()
    family = name_node["family-name"].wrapped()
    credit = name_node["credit-name"].wrapped()
    full = " ".join(p for p in (given, family) if p)
    display = credit or full or orcid
    aliases: list[str] = []
    for candidate in [full, *(o["content"].wrapped() for o in root.dig("other-names", "other-name").objects())]:
        if candidate and candidate != display and candidate not in aliases:
            aliases.append(candidate)
    urls: list[tuple[str | None, str]] = []
    for item in root.dig("researcher-urls", "researcher-url").objects():
        url = item["url"].wrapped()
        if url:
            urls.append((item["url-name"].wrapped(), url))
    external = []
    for item in root.dig("external-identifiers", "external-identifier").objects():
        kind = item["external-id-type"].text()
        value = item["external-id-value"].wrapped_number()
        if kind and value:
            external.append((kind, value))
    return PersonFacts(display, tuple(aliases), tuple(urls), root.dig("biography", "content").wrapped(), tuple(external))


def homepage(urls: Sequence[tuple[str | None, str]]) -> str | None:
    """The researcher url named like a home page, else the first one that is not a code host."""
    for name, url in urls:
        if name and _HOMEPAGE_NAME.search(name):
            return url
    for _name, url in urls:
        if github_login(url) is None:
            return url
    return None


def github_login(url: str) -> str | None:
    """``https://github.com/sckott`` -> ``sckott``; None for repositories and other hosts."""
    parsed = urlparse(url.strip())
    if parsed.netloc.lower() not in {"github.com", "www.github.com"}:
        return None
    parts = [p for p in parsed.path.split("/") if p]
    return parts[0] if len(parts) == 1 else None


def build_person(facts: PersonFacts, orcid: str, employments: Sequence[Employment]) -> Person:
    current = next((e for e in employments if e.current), None)
    github = next((login for _n, url in facts.urls if (login := github_login(url))), None)
    extra: dict[str, Any] = {}
    if facts.urls:
        extra["urls"] = [{"name": n, "url": u} if n else {"url": u} for n, u in facts.urls]
    if employments:
        extra["employments"] = [e.to_dict() for e in employments]
    if facts.external:
        extra["external_ids"] = [{"type": t, "value": v} for t, v in facts.external]
    return Person(
        name=facts.name,
        aliases=facts.aliases,
        ids=PersonIds(orcid=orcid, github=github),
        affiliation=current.organization if current else None,
        homepage=homepage(facts.urls),
        extra=extra,
    )
