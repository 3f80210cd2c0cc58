"""Parse DBLP's person XML (``/pid/<pid>.xml``) into ``Person`` and ``Work`` values.

The XML comes over HTTP, so it is parsed from bytes (the parser reads the encoding from the XML
declaration) with entity resolution, DTD loading and network access switched off: a response
can never make the parser fetch or expand anything. Person API XML carries no named entities
(docs/sources.md §1.6), so nothing is lost by this.

What is read, and why in this way:
- ``<person>``: the profile. Affiliation from ``<note type="affiliation">``, links from ``<url>``.
  ``<homonyms>`` describes *other* people with the same name and is never read.
- ``<r>``: one publication each; ``<www>`` records are home pages, not publications, and skipped.
- ``<coauthors>``: the names the person resolver compares with the CV's coauthors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlparse

from lxml import etree

from profilesync.connectors.shapes import ShapeError
from profilesync.errors import SourceFormatError
from profilesync.model import Author, ExternalIds, Person, PersonIds, Work, WorkStatus, WorkType
from profilesync.normalize.identifiers import arxiv_from_doi, normalize_arxiv, normalize_doi, normalize_orcid
from profilesync.normalize.names import strip_dblp_suffix
from profilesync.normalize.text import clean_title

SOURCE = "dblp"
RECORD_URL = "https://dblp.org/rec/{key}"

# DBLP element name -> work type. ``article`` is refined to PREPRINT for informal records.
RECORD_TYPES: Mapping[str, WorkType] = MappingProxyType(
    {
        "article": WorkType.JOURNAL,
        "inproceedings": WorkType.CONFERENCE,
        "proceedings": WorkType.BOOK,
        "book": WorkType.BOOK,
        "incollection": WorkType.CHAPTER,
        "phdthesis": WorkType.THESIS,
        "mastersthesis": WorkType.THESIS,
        "data": WorkType.DATASET,
    }
)

# Key segments whose venue is not simply the segment in upper case. DBLP keys are lower case,
# so mixed-case acronyms and venues filed under another name need a table.
VENUE_ACRONYMS: Mapping[str, str] = MappingProxyType(
    {
        "corr": "CoRR",
        "usenix": "USENIX ATC",
        "cloud": "SoCC",
        "nips": "NeurIPS",
        "eurosys": "EuroSys",
        "mlsys": "MLSys",
        "hotos": "HotOS",
        "hotnets": "HotNets",
        "hotcloud": "HotCloud",
        "hotstorage": "HotStorage",
        "conext": "CoNEXT",
        "middleware": "Middleware",
        "pvldb": "PVLDB",
        "pacmmod": "PACMMOD",
    }
)

# Hosts of <person><url> links that are profiles elsewhere, not the person's own home page.
_PROFILE_HOSTS = (
    "orcid.org",
    "wikidata.org",
    "scholar.google",
    "github.com",
    "researcherid.com",
    "d-nb.info",
    "mathgenealogy.org",
    "genealogy.math.ndsu.nodak.edu",
    "id.loc.gov",
    "viaf.org",
    "isni.org",
    "zbmath.org",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "researchgate.net",
    "acm.org",
    "ieee.org",
    "semanticscholar.org",
    "wikipedia.org",
    "mathscinet",
)

_INFORMAL = {"informal", "informal publication"}
_PID_SHAPE = re.compile(r"^([0-9]+/[0-9]+(-[0-9]+)?|[a-z]/[A-Za-z0-9_.'=-]+)$")


_YEAR = re.compile(r"[0-9]{1,4}")

@dataclass(frozen=True)
class DblpPerson:
    """One parsed person page: the profile, the works, and the coauthor names DBLP lists."""

    pid: str
    person: Person
    works: tuple[Work, ...]
    coauthors: tuple[str, ...]
    skipped: int = 0  # <r> records that were not publications (www) or had no title


def is_pid(text: str | None) -> bool:
    """True when ``text`` has the shape of a DBLP person id (``95/7448-1``, ``m/AndrewMcCallum``)."""
    return bool(text and _PID_SHAPE.match(text))


def parse_xml(content: bytes, url: str) -> etree._Element:
    """Parse untrusted XML bytes. Raises ``SourceFormatError`` naming ``url`` when they are not XML."""
    if not content or not content.strip():
        raise SourceFormatError(SOURCE, f"{url}: the response is empty, expected DBLP person XML")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SourceFormatError(SOURCE, f"{url}: the response is not well-formed XML ({exc.msg or exc})") from None
    if root is None:
        raise SourceFormatError(SOURCE, f"{url}: the response holds no XML element")
    return root


def parse_person_xml(content: bytes, url: str) -> DblpPerson:
    """Parse a ``/pid/<pid>.xml`` response.

    Returns a ``DblpPerson``. Raises ``SourceFormatError`` when the body is not XML or its root is
    not ``<dblpperson>`` (an HTML error page, a changed format).
    """
    root = parse_xml(content, url)
    if root.tag != "dblpperson":
        raise SourceFormatError(SOURCE, f"{url}: expected a <dblpperson> document, got <{root.tag}>")
    pid = (root.get("pid") or "").strip()
    raw_name = (root.get("name") or "").strip()
    if not pid or not raw_name:
        raise SourceFormatError(SOURCE, f"{url}: <dblpperson> lacks its pid or name attribute")

    works: list[Work] = []
    skipped = 0
    for index, wrapper in enumerate(root.iterfind("r")):
        record = next(iter(wrapper), None)
        work = parse_record(record, where=f"record {index + 1}") if record is not None else None
        if work is None:
            skipped += 1
        else:
            works.append(work)
    return DblpPerson(
        pid=pid,
        person=_parse_person(root, pid, raw_name),
        works=tuple(works),
        coauthors=_coauthor_names(root, pid, works),
        skipped=skipped,
    )


def parse_record(record: etree._Element, *, where: str = "record") -> Work | None:
    """One publication element (the child of ``<r>``) as a ``Work``; None for ``www`` and untitled records.

    Raises ``ShapeError`` when a field that must be a number is not (``<year>20x1</year>``).
    """
    tag = record.tag if isinstance(record.tag, str) else ""
    if tag == "www" or not tag:
        return None
    key = (record.get("key") or "").strip()
    title_el = record.find("title")
    title = clean_title("".join(title_el.itertext())) if title_el is not None else ""
    if not key or not title:
        return None

    journal = _text(record, "journal")
    volume = _text(record, "volume")
    informal = (record.get("publtype") or "").strip().lower() in _INFORMAL or journal == "CoRR" or key.startswith("journals/corr/")
    work_type = WorkType.PREPRINT if informal else RECORD_TYPES.get(tag, WorkType.OTHER)

    doi, arxiv = _ids_from_ee(record.findall("ee"))
    if arxiv is None and journal == "CoRR" and volume:
        arxiv = normalize_arxiv(volume)

    people = record.findall("author") or record.findall("editor")
    authors = tuple(Author(name=_clean(a), pid=(a.get("pid") or None), orcid=normalize_orcid(a.get("orcid"))) for a in people if _clean(a))
    booktitle = _text(record, "booktitle")
    venue = booktitle or journal or _text(record, "school") or _text(record, "series") or _text(record, "publisher")
    year_text = _text(record, "year")
    if year_text is not None and not _YEAR.fullmatch(year_text):
        # ASCII digits only: str.isdigit() also accepts superscripts, which int() refuses.
        raise ShapeError(f"{where} ({ascii(key)[1:-1][:80]}) <year>", "a year (up to four digits)", year_text)
    extra: dict[str, object] = {"dblp_type": tag}
    if record.get("mdate"):
        extra["mdate"] = record.get("mdate")
    if record.get("publtype"):
        extra["publtype"] = record.get("publtype")
    if people and people[0].tag == "editor":
        extra["editors_as_authors"] = True
    return Work(
        title=title,
        authors=authors,
        year=int(year_text) if year_text else None,
        venue=venue,
        venue_acronym=venue_acronym(key, booktitle),
        type=work_type,
        ids=ExternalIds(doi=doi, arxiv=arxiv, dblp=key),
        pages=_text(record, "pages"),
        url=RECORD_URL.format(key=key),
        source_ref=key,
        status=WorkStatus.PREPRINT if informal else WorkStatus.PUBLISHED,
        extra=extra,
    )


def venue_acronym(key: str, booktitle: str | None = None) -> str | None:
    """The venue's short name from a record key: ``conf/nsdi/...`` -> ``NSDI``, ``journals/corr/...`` -> ``CoRR``.

    Returns None for keys outside ``conf/`` and ``journals/`` (theses, books, data). A one-word
    booktitle that the key segment starts with is preferred (``eurosys`` -> ``EuroSys``,
    ``iccel`` -> ``ICCE``): DBLP writes the acronym correctly there, while keys are lower case and
    sometimes carry a suffix.
    """
    parts = key.split("/")
    if len(parts) < 3 or parts[0] not in ("conf", "journals"):
        return None
    segment = parts[1].lower()
    if segment in VENUE_ACRONYMS:
        return VENUE_ACRONYMS[segment]
    short = (booktitle or "").strip()
    if len(short) >= 3 and " " not in short and segment.startswith(short.lower()):
        return short
    return segment.upper()


def _ids_from_ee(ees: Iterable[etree._Element]) -> tuple[str | None, str | None]:
    """(publisher DOI, arXiv id) from the ``ee`` links.

    A DataCite arXiv DOI (10.48550/arXiv.*) is an arXiv id, not the work's DOI: keeping it out of
    ``doi`` lets the matcher see that a CoRR record and the published paper are versions of one work.
    """
    doi = arxiv = None
    for ee in ees:
        link = (ee.text or "").strip()
        if re.match(r"^https?://(dx\.)?doi\.org/", link, re.IGNORECASE):
            value = normalize_doi(link)
            from_datacite = arxiv_from_doi(value)
            if from_datacite:
                arxiv = arxiv or from_datacite
            elif value and doi is None:
                doi = value
        elif "arxiv.org/" in link and arxiv is None:
            arxiv = normalize_arxiv(link.split("arxiv.org/", 1)[1])
    return doi, arxiv


def _parse_person(root: etree._Element, pid: str, raw_name: str) -> Person:
    profile = root.find("person")  # the direct child only; <homonyms> holds other people's <person>
    display = strip_dblp_suffix(raw_name)
    names: list[str] = [raw_name]
    affiliation = homepage = orcid = None
    links: list[str] = []
    former: list[str] = []
    if profile is not None:
        names.extend(_clean(a) for a in profile.findall("author"))
        notes = [n for n in profile.findall("note") if n.get("type") == "affiliation" and _clean(n)]
        # An unlabelled note is the current affiliation; labelled ones ("former", "PhD 2023") are history.
        current = [n for n in notes if not n.get("label")]
        chosen = current[0] if current else (notes[0] if notes else None)
        affiliation = _clean(chosen) if chosen is not None else None
        former = [_clean(n) for n in notes if n is not chosen]
        for url_el in profile.findall("url"):
            link = _clean(url_el)
            if not link:
                continue
            links.append(link)
            host = urlparse(link).netloc.lower()
            if "orcid.org" in host:
                orcid = orcid or normalize_orcid(link)
            elif homepage is None and not any(h in host for h in _PROFILE_HOSTS):
                homepage = link
    aliases: list[str] = []
    for name in names:
        for variant in (name, strip_dblp_suffix(name)):
            if variant and variant != display and variant not in aliases:
                aliases.append(variant)
    extra: dict[str, object] = {}
    if links:
        extra["links"] = links
    if former:
        extra["other_affiliations"] = former
    return Person(
        name=display,
        aliases=tuple(aliases),
        ids=PersonIds(dblp=pid, orcid=orcid),
        affiliation=affiliation,
        homepage=homepage,
        extra=extra,
    )


def _coauthor_names(root: etree._Element, pid: str, works: Iterable[Work]) -> tuple[str, ...]:
    """Coauthor names from ``<coauthors>``, plus record authors in case the list is absent or trimmed."""
    seen: dict[str, None] = {}
    coauthors = root.find("coauthors")
    if coauthors is not None:
        for na in coauthors.iter("na"):
            if _clean(na):
                seen.setdefault(_clean(na), None)
    for work in works:
        for author in work.authors:
            if author.pid != pid:
                seen.setdefault(author.name, None)
    return tuple(seen)


def _text(record: etree._Element, tag: str) -> str | None:
    element = record.find(tag)
    if element is None:
        return None
    return _clean(element) or None


def _clean(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())
