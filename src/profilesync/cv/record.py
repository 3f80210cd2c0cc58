"""Read the canonical CV (``cv.yaml``) into a ``CvRecord``.

The record is what the matcher and the diff engine see. The other CV formats become the same
record through their ``CvDocument`` (``cv.formats``). Editing is the formats' job (each keeps
comments, order and the fields profilesync does not know), and ``cv.writer`` writes the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilesync.errors import Problem, UserError
from profilesync.model import Author, ExternalIds, Person, PersonIds, Work, WorkStatus, WorkType
from profilesync.normalize.dates import parse_month
from profilesync.normalize.identifiers import normalize_arxiv, normalize_dblp_key, normalize_doi
from profilesync.normalize.text import normalize_title
from profilesync.validation import check
from profilesync.yamlio import read_yaml


@dataclass(frozen=True)
class IgnoreRule:
    """A work the researcher said is not theirs, or a change not to propose again."""

    title: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    dblp: str | None = None
    scholar: str | None = None
    source: str | None = None
    reason: str | None = None

    def matches(self, work: Work, source: str) -> bool:
        if self.source and self.source != source:
            return False
        if self.doi and work.ids.doi == normalize_doi(self.doi):
            return True
        if self.arxiv and work.ids.arxiv == normalize_arxiv(self.arxiv):
            return True
        if self.dblp and work.ids.dblp == normalize_dblp_key(self.dblp):
            return True
        if self.scholar and work.ids.scholar == self.scholar:
            return True
        return bool(self.title) and normalize_title(self.title) == normalize_title(work.title)


@dataclass(frozen=True)
class CvRecord:
    path: Path
    person: Person
    works: tuple[Work, ...]
    software: tuple[Mapping[str, Any], ...] = ()
    ignore: tuple[IgnoreRule, ...] = ()
    locks: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def by_key(self, key: str) -> Work | None:
        return next((w for w in self.works if w.key == key), None)


def load_cv(path: Path, label: str | None = None) -> CvRecord:
    """Read and validate a profilesync-format CV. Raises ``UserError`` naming file and place."""
    name = label or path.name
    data = read_yaml(path, name)
    if not isinstance(data, Mapping):
        raise UserError([Problem(name, None, "expected a mapping with person: and publications:", "see cv.yaml in the README")])
    problems = check(data, "cv.schema.json", name)
    problems.extend(_duplicate_keys(data, name))
    if problems:
        raise UserError(problems)
    return record_from_data(path, data)


def _duplicate_keys(data: Mapping[str, Any], name: str) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for section in ("publications", "software"):
        for index, entry in enumerate(data.get(section) or ()):
            key = entry.get("key") if isinstance(entry, Mapping) else None
            if not isinstance(key, str) or not key:
                continue  # a missing or mistyped key is the schema's to report
            if key in seen:
                problems.append(
                    Problem(name, f"{section}[{index}].key", f'"{key}" is used twice (also by entry {seen[key]})', "keys must be unique; give this entry a new key")
                )
            else:
                seen[key] = index
    return problems


def publication_to_work(entry: Mapping[str, Any]) -> Work:
    ids = entry.get("ids") or {}
    put_code = ids.get("orcid_put_code")
    status = entry.get("status")
    wtype = WorkType.parse(entry.get("type"))
    if status is None:
        status = "preprint" if wtype is WorkType.PREPRINT else "published"
    return Work(
        title=str(entry["title"]),
        authors=tuple(Author(str(a)) for a in entry.get("authors") or ()),
        year=entry.get("year"),
        month=parse_month(entry.get("month")),
        venue=entry.get("venue_full") or entry.get("venue"),
        venue_acronym=entry.get("venue"),
        type=wtype,
        ids=ExternalIds(
            doi=normalize_doi(ids.get("doi")),
            arxiv=normalize_arxiv(ids.get("arxiv")),
            dblp=normalize_dblp_key(ids.get("dblp")),
            orcid_put_code=str(put_code) if put_code not in (None, "") else None,
            scholar=ids.get("scholar"),
            github=_repo_from_url(entry.get("code")),
        ),
        pages=str(entry["pages"]) if entry.get("pages") else None,
        url=entry.get("url"),
        key=str(entry["key"]),
        source_ref=str(entry["key"]),
        status=WorkStatus(status),
    )


def _repo_from_url(url: str | None) -> str | None:
    if not url or "github.com/" not in url:
        return None
    tail = url.split("github.com/", 1)[1].strip("/").split("/")
    return f"{tail[0]}/{tail[1]}".lower() if len(tail) >= 2 else None


def record_from_data(path: Path, data: Mapping[str, Any]) -> CvRecord:
    raw_person = data["person"]
    person = Person(
        name=str(raw_person["name"]),
        aliases=tuple(raw_person.get("aliases") or ()),
        ids=PersonIds.from_dict(raw_person.get("ids")),
        affiliation=raw_person.get("affiliation"),
        homepage=raw_person.get("homepage"),
    )
    publications = data.get("publications") or ()
    works = tuple(publication_to_work(p) for p in publications)
    locks = {str(p["key"]): frozenset(p.get("lock") or ()) for p in publications if p.get("lock")}
    ignore = tuple(
        IgnoreRule(**{k: (str(v) if v is not None else None) for k, v in rule.items() if k in IgnoreRule.__dataclass_fields__})
        for rule in data.get("ignore") or ()
    )
    return CvRecord(
        path=path,
        person=person,
        works=works,
        software=tuple(dict(s) for s in data.get("software") or ()),
        ignore=ignore,
        locks=locks,
    )
