"""The data model every stage shares: works, people, snapshots.

Everything here is a frozen dataclass, so a value that a connector produced cannot be changed
behind the matcher's back. Each type converts to and from plain JSON-able dicts (``to_dict`` /
``from_dict``); that is the on-disk form of snapshots in ``cache/snapshots/<source>.json``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any

SNAPSHOT_FORMAT = 1


class WorkType(str, enum.Enum):
    """What kind of work a record is. The CV's ``type`` field uses these values."""

    CONFERENCE = "conference"
    JOURNAL = "journal"
    PREPRINT = "preprint"
    CHAPTER = "chapter"
    BOOK = "book"
    THESIS = "thesis"
    SOFTWARE = "software"
    DATASET = "dataset"
    OTHER = "other"

    @classmethod
    def parse(cls, value: str | None) -> WorkType:
        if not value:
            return cls.OTHER
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER


class WorkStatus(str, enum.Enum):
    PUBLISHED = "published"
    PREPRINT = "preprint"
    ACCEPTED = "accepted"
    SUBMITTED = "submitted"


_STATUS_VALUES = frozenset(s.value for s in WorkStatus)


# The identifier kinds a work can carry, in the order the matcher trusts them.
ID_KINDS: tuple[str, ...] = ("doi", "arxiv", "dblp", "orcid_put_code", "scholar", "github", "url")


@dataclass(frozen=True)
class ExternalIds:
    """Identifiers of one work, each in canonical form (see ``normalize.identifiers``).

    ``None`` means "not known to this source", never "known to be absent".
    """

    doi: str | None = None
    arxiv: str | None = None
    dblp: str | None = None
    orcid_put_code: str | None = None
    scholar: str | None = None
    github: str | None = None
    url: str | None = None

    def items(self) -> Iterable[tuple[str, str]]:
        for kind in ID_KINDS:
            value = getattr(self, kind)
            if value:
                yield kind, value

    def merged(self, other: ExternalIds) -> ExternalIds:
        """Fill the ids this one lacks from ``other``; ids already set win."""
        return ExternalIds(**{k: getattr(self, k) or getattr(other, k) for k in ID_KINDS})

    def to_dict(self) -> dict[str, str]:
        return dict(self.items())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ExternalIds:
        if not data:
            return cls()
        return cls(**{k: (str(data[k]) if data.get(k) not in (None, "") else None) for k in ID_KINDS if k in data})


@dataclass(frozen=True)
class Author:
    """One author as the source wrote the name. ``pid`` is the DBLP person id when known."""

    name: str
    orcid: str | None = None
    pid: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"name": self.name}
        if self.orcid:
            out["orcid"] = self.orcid
        if self.pid:
            out["pid"] = self.pid
        return out

    @classmethod
    def from_any(cls, data: str | Mapping[str, Any]) -> Author:
        if isinstance(data, str):
            return cls(name=data)
        return cls(name=str(data["name"]), orcid=data.get("orcid"), pid=data.get("pid"))


@dataclass(frozen=True)
class Cites:
    """The paper a repository points at, from its CITATION.cff, description, homepage or README
    (``origin``: where each hint came from). Empty (false) when it points at none."""

    doi: str | None = None
    arxiv: str | None = None
    title: str | None = None
    year: int | None = None
    venue: str | None = None
    authors: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.doi or self.arxiv or self.title or self.year or self.venue or self.authors)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k in ("doi", "arxiv", "title", "year", "venue") if (v := getattr(self, k))}
        if self.authors:
            out["authors"] = list(self.authors)
        if out:
            out["from"] = list(self.origin)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Cites:
        if not isinstance(data, Mapping):
            return cls()
        year = data.get("year")

        def text(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value not in (None, "") else None

        return cls(
            doi=text("doi"),
            arxiv=text("arxiv"),
            title=text("title"),
            year=int(year) if isinstance(year, int) and not isinstance(year, bool) else None,
            venue=text("venue"),
            authors=tuple(str(a) for a in data.get("authors") or ()),
            origin=tuple(str(o) for o in data.get("from") or ()),
        )


@dataclass(frozen=True)
class Work:
    """One publication or piece of software, as one source (or the CV) describes it.

    ``key`` is the CV's stable key on CV works and ``None`` on source works. ``source_ref`` is the
    source's own handle for the record (DBLP key, ORCID put-code, Scholar id, repo name) so a report
    can point at it. ``extra`` holds source-specific facts that have no field of their own (ORCID
    group hints, GitHub stars, a CITATION.cff's preferred citation); the matcher may read it.
    """

    title: str
    authors: tuple[Author, ...] = ()
    year: int | None = None
    venue: str | None = None
    venue_acronym: str | None = None
    type: WorkType = WorkType.OTHER
    ids: ExternalIds = field(default_factory=ExternalIds)
    pages: str | None = None
    citations: int | None = None
    url: str | None = None
    key: str | None = None
    source_ref: str | None = None
    status: WorkStatus | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    month: int | None = None  # 1-12 when known (the CV's month:, a source's publication date)
    # Fields the source shortened (Scholar's "…" on long titles and author lists, the value
    # boundary's length caps): a cut value proposes nothing. Typed here, not an ``extra`` flag,
    # because connectors set it and the matcher and the diff read it.
    cut: frozenset[str] = frozenset()
    # Listed on the researcher's own record (every work of their ORCID record): authorship is
    # settled without looking at the author list.
    own_record: bool = False
    # A repository (software work): its description, and the paper it points at. Typed because
    # the GitHub connector sets them and diff/software.py links repositories to papers with them.
    description: str | None = None
    cites: Cites = field(default_factory=Cites)

    @property
    def author_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.authors)

    @property
    def declared_preprint(self) -> bool:
        """A preprint by what the record says (its type or status). The matcher's
        ``match.versions.is_preprint`` also infers it (an arXiv-only record, a CoRR venue)."""
        return self.type is WorkType.PREPRINT or self.status is WorkStatus.PREPRINT

    def with_(self, **changes: Any) -> Work:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "authors": [a.to_dict() for a in self.authors]}
        for name in ("year", "month", "venue", "venue_acronym", "pages", "citations", "url", "key", "source_ref"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.cut:
            out["cut"] = sorted(self.cut)
        if self.own_record:
            out["own_record"] = True
        if self.description:
            out["description"] = self.description
        if self.cites:
            out["cites"] = self.cites.to_dict()
        out["type"] = self.type.value
        if self.status is not None:
            out["status"] = self.status.value
        ids = self.ids.to_dict()
        if ids:
            out["ids"] = ids
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Work:
        year = data.get("year")
        month = data.get("month")
        citations = data.get("citations")
        status = data.get("status")
        # Snapshots written before these were typed carried them as extra flags
        # ("title_truncated", "own_record"): read them into the fields, once.
        extra = dict(data.get("extra") or {})
        cut_before = frozenset(key.removesuffix("_truncated") for key in list(extra) if key.endswith("_truncated") and extra.pop(key))
        own_before = bool(extra.pop("own_record", False))
        description = data.get("description", extra.pop("description", None))
        cites = data.get("cites", extra.pop("cites", None))
        return cls(
            title=str(data.get("title") or ""),
            authors=tuple(Author.from_any(a) for a in data.get("authors") or ()),
            year=int(year) if year not in (None, "") else None,
            venue=data.get("venue"),
            venue_acronym=data.get("venue_acronym"),
            type=WorkType.parse(data.get("type")),
            ids=ExternalIds.from_dict(data.get("ids")),
            pages=str(data["pages"]) if data.get("pages") not in (None, "") else None,
            citations=int(citations) if citations not in (None, "") else None,
            url=data.get("url"),
            key=data.get("key"),
            source_ref=data.get("source_ref"),
            status=WorkStatus(status) if status in _STATUS_VALUES else None,
            extra=extra,
            month=month if isinstance(month, int) and not isinstance(month, bool) and 1 <= month <= 12 else None,
            cut=frozenset(str(name) for name in data.get("cut") or ()) | cut_before,
            own_record=bool(data.get("own_record")) or own_before,
            description=str(description) if description else None,
            cites=Cites.from_dict(cites),
        )


@dataclass(frozen=True)
class PersonIds:
    orcid: str | None = None
    dblp: str | None = None
    scholar: str | None = None
    github: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PersonIds:
        data = data or {}
        return cls(**{f.name: (str(data[f.name]) if data.get(f.name) else None) for f in fields(cls)})


@dataclass(frozen=True)
class Person:
    """The researcher as one source (or the CV) describes them."""

    name: str
    aliases: tuple[str, ...] = ()
    ids: PersonIds = field(default_factory=PersonIds)
    affiliation: str | None = None
    homepage: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.aliases:
            out["aliases"] = list(self.aliases)
        ids = self.ids.to_dict()
        if ids:
            out["ids"] = ids
        if self.affiliation:
            out["affiliation"] = self.affiliation
        if self.homepage:
            out["homepage"] = self.homepage
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Person:
        return cls(
            name=str(data.get("name") or ""),
            aliases=tuple(str(a) for a in data.get("aliases") or ()),
            ids=PersonIds.from_dict(data.get("ids")),
            affiliation=data.get("affiliation"),
            homepage=data.get("homepage"),
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True)
class Metrics:
    """Citation metrics a source reports for the whole profile (Scholar has them; DBLP does not)."""

    citations: int | None = None
    h_index: int | None = None
    i10_index: int | None = None
    citations_recent: int | None = None
    h_index_recent: int | None = None
    i10_index_recent: int | None = None
    recent_since: int | None = None
    citations_per_year: Mapping[int, int] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, {}) for f in fields(self))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "citations_per_year":
                if value:
                    out[f.name] = {str(y): int(c) for y, c in sorted(value.items())}
            elif value is not None:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Metrics:
        data = data or {}
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "citations_per_year":
                kwargs[f.name] = {int(y): int(c) for y, c in (data.get(f.name) or {}).items()}
            elif data.get(f.name) is not None:
                kwargs[f.name] = int(data[f.name])
        return cls(**kwargs)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class PulledFor:
    """Whose profile a snapshot holds: the source id the pull asked for (``sources.<name>.id``, else
    the CV's ``person.ids.<name>``), or None when none was set and the source searched for the
    profile ``name`` (DBLP without a pid). A snapshot is only used for the same target."""

    id: str | None
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, data: Any) -> PulledFor:
        # Raises ValueError for a malformed record, which the store reports as a corrupt snapshot.
        if not isinstance(data, Mapping) or not isinstance(data.get("name", ""), str) or not isinstance(data.get("id"), (str, type(None))):
            raise ValueError('"pulled_for" must be {"id": <string or null>, "name": <string>}')
        return cls(id=data.get("id") or None, name=str(data.get("name") or ""))


@dataclass(frozen=True)
class Snapshot:
    """One source's view of the researcher at one moment.

    ``sample`` marks hand-built demo data (the bundled profile), so a report never passes it off
    as a live pull. ``notes`` carries what the connector wants the researcher told (for example
    "details for 3 works could not be fetched").
    """

    source: str
    fetched_at: datetime
    person: Person | None
    works: tuple[Work, ...]
    metrics: Metrics = field(default_factory=Metrics)
    notes: tuple[str, ...] = ()
    sample: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Set by the pipeline when it saves a pull; None in snapshots written before it was recorded.
    pulled_for: PulledFor | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT,
            "source": self.source,
            "fetched_at": format_time(self.fetched_at),
        }
        if self.pulled_for is not None:
            out["pulled_for"] = self.pulled_for.to_dict()
        if self.sample:
            out["sample"] = True
        out["person"] = self.person.to_dict() if self.person else None
        metrics = self.metrics.to_dict()
        if metrics:
            out["metrics"] = metrics
        if self.notes:
            out["notes"] = list(self.notes)
        if self.extra:
            out["extra"] = dict(self.extra)
        out["works"] = [w.to_dict() for w in self.works]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        person = data.get("person")
        return cls(
            source=str(data["source"]),
            fetched_at=parse_time(str(data["fetched_at"])),
            person=Person.from_dict(person) if person else None,
            works=tuple(Work.from_dict(w) for w in data.get("works") or ()),
            metrics=Metrics.from_dict(data.get("metrics")),
            notes=tuple(data.get("notes") or ()),
            sample=bool(data.get("sample", False)),
            extra=dict(data.get("extra") or {}),
            pulled_for=PulledFor.from_dict(data["pulled_for"]) if data.get("pulled_for") is not None else None,
        )
