"""A RenderCV YAML file as the canonical CV (publications in ``cv.sections.publications``).

RenderCV's publication entry has ``title``, ``authors`` (the researcher bolded as
``**Name**``), ``journal`` (one venue string), ``date``, ``doi`` and ``url``, and allows extra
keys. The CV fields RenderCV has no slot for (pages, code, lock, a second arXiv id) are kept as
extra keys of the entry, which RenderCV ignores. The file is edited with the same round-trip
machinery as ``cv.yaml`` (``cv.formats.yaml.RoundTripYamlDocument``): comments, order, quoting and
everything outside the publication entries (``design``, ``locale``, other sections) stay
byte-identical.

Entries have no key field; a key is derived from the work (``cv.keys``) when the file is opened,
unless the entry carries a ``key:`` of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from profilesync.config import CvFormat
from profilesync.cv.fields import (
    arxiv_doi,
    doi_and_arxiv,
    looks_like_preprint,
    split_venue,
    strip_markup,
    text_of,
    venue_replaceable,
    with_year,
    year_of,
)
from profilesync.cv.formats.base import insertion_index
from profilesync.cv.formats.yaml import RoundTripYamlDocument, insert_ordered, like, plain
from profilesync.cv.keys import derived_keys
from profilesync.model import Author, Work
from profilesync.normalize.bibliography import is_self
from profilesync.normalize.dates import parse_month
from profilesync.normalize.identifiers import normalize_arxiv, normalize_doi

# Entry keys RenderCV defines for a publication; everything else is an extra key.
ENTRY_ORDER: tuple[str, ...] = ("title", "authors", "summary", "doi", "url", "journal", "date", "arxiv", "pages", "code", "lock")


class RenderCvDocument(RoundTripYamlDocument):
    format = CvFormat.RENDERCV
    stable_keys = False

    def __init__(self, path: Path, text: str, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = (), data: Any = None):
        self._keys: dict[int, str] = {}
        super().__init__(path, text, label, person_name=person_name, aliases=aliases, data=data)

    def _prepare(self) -> None:
        # The sections are created only when a publication is added. Keys are derived once, on
        # opening, so an edit of a title does not move the key the diff named.
        entries = list(self._entries())
        self._keys = dict(zip((id(e) for e in entries), derived_keys(entries, self._work_for_key), strict=True))

    def _section_name(self) -> str | None:
        sections = (self.data.get("cv") or {}).get("sections") or {}
        for name in sections:
            if "publication" in str(name).lower():
                return str(name)
        return None

    def _entries(self) -> Any:
        name = self._section_name()
        if name is None:
            return []
        return self.data["cv"]["sections"][name] or []

    def _ensure_section(self) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        cv = self.data.get("cv")
        if cv is None:
            cv = self.data["cv"] = CommentedMap()
        if cv.get("sections") is None:
            cv["sections"] = CommentedMap()
        name = self._section_name() or "publications"
        if cv["sections"].get(name) is None:
            cv["sections"][name] = CommentedSeq()
        return cv["sections"][name]

    def _entry(self, key: str) -> Any:
        for entry in self._entries():
            if self._keys.get(id(entry)) == key:
                return entry
        raise KeyError(key)

    # --- reading ----------------------------------------------------------------------------------

    @staticmethod
    def _work_for_key(entry: Mapping[str, Any]) -> Work:
        authors = tuple(Author(strip_markup(str(a))) for a in entry.get("authors") or ())
        return Work(title=str(entry.get("title") or ""), authors=authors, year=year_of(entry.get("date")))

    def _to_publication(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        pub: dict[str, Any] = {"key": self._keys.get(id(entry), ""), "title": str(entry.get("title") or "")}
        pub["authors"] = [strip_markup(str(a)) for a in entry.get("authors") or ()]
        journal = entry.get("journal")
        pub.update(split_venue(str(journal)) if journal else {})
        year = year_of(entry.get("date"))
        if year:
            pub["year"] = year
            month = parse_month(entry.get("date"))  # "2023-05" or "2023-05-12"
            if month:
                pub["month"] = month
        doi, arxiv = doi_and_arxiv(normalize_doi(text_of(entry.get("doi"))))
        arxiv = normalize_arxiv(str(entry["arxiv"])) if entry.get("arxiv") else arxiv
        preprint = looks_like_preprint(str(journal or "")) or (arxiv is not None and doi is None and not journal)
        pub["type"] = "preprint" if preprint else "other"
        pub["status"] = "preprint" if preprint else "published"
        for name in ("pages", "url", "code"):
            if entry.get(name):
                pub[name] = str(entry[name])
        ids = {k: v for k, v in (("doi", doi), ("arxiv", arxiv)) if v}
        if ids:
            pub["ids"] = ids
        if entry.get("lock"):
            pub["lock"] = [str(x) for x in entry["lock"]]
        return pub

    def publications(self) -> list[dict[str, Any]]:
        return [self._to_publication(e) for e in self._entries()]

    def find(self, key: str) -> dict[str, Any]:
        return self._to_publication(self._entry(key))

    def to_data(self) -> dict[str, Any]:
        cv = self.data.get("cv") or {}
        person: dict[str, Any] = {"name": str(cv.get("name") or self.person_name or "Unknown"), "aliases": list(self.aliases)}
        if isinstance(cv.get("website"), str):
            person["homepage"] = str(cv["website"])
        return {"person": person, "publications": self.publications()}

    # --- editing ----------------------------------------------------------------------------------

    def _bolds_self(self) -> bool:
        return any(str(a).startswith("**") for e in self._entries() for a in e.get("authors") or ())

    def _author_list(self, names: list[str]) -> list[str]:
        own = (self.person_name, *self.aliases) if self.person_name else ()
        bold = self._bolds_self()
        return [f"**{n}**" if bold and own and is_self(n, own) else n for n in names]

    def _translate(self, entry: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
        """CV field updates as RenderCV entry keys."""
        out: dict[str, Any] = {}
        for name, value in updates.items():
            if name in ("type", "status", "key"):
                continue  # RenderCV has no type; the venue and DOI say whether it is a preprint
            if name == "title":
                out["title"] = value
            elif name == "authors":
                out["authors"] = self._author_list(list(value))
            elif name == "venue_full":
                out["journal"] = value
            elif name == "venue":
                if "venue_full" not in updates and venue_replaceable(entry.get("journal")):
                    out["journal"] = value
            elif name == "year":
                out["date"] = with_year(entry.get("date"), int(value), as_text=False)
            elif name == "ids":
                current_doi, current_arxiv = doi_and_arxiv(normalize_doi(text_of(entry.get("doi"))))
                if value.get("doi"):
                    if current_arxiv and not entry.get("arxiv"):
                        out["arxiv"] = current_arxiv  # keep the preprint's id when the DOI becomes the publisher's
                    out["doi"] = value["doi"]
                if value.get("arxiv"):
                    if not entry.get("doi") and not value.get("doi"):
                        out["doi"] = arxiv_doi(value["arxiv"])
                    elif current_arxiv != value["arxiv"]:
                        out["arxiv"] = value["arxiv"]
            elif name in ("pages", "url", "code", "lock"):
                out[name] = value
        return out

    def update_publication(self, key: str, updates: Mapping[str, Any]) -> None:
        self._touch()
        entry = self._entry(key)
        for name, value in self._translate(plain(entry), updates).items():
            insert_ordered(entry, name, like(entry[name], value) if name in entry else self._styled(name, value), ENTRY_ORDER)

    def add_publication(self, entry: Mapping[str, Any]) -> None:
        self._touch()
        values = self._translate({}, {k: v for k, v in entry.items() if k != "key"})
        new = self._new_map(False)
        for name in sorted(values, key=lambda n: ENTRY_ORDER.index(n) if n in ENTRY_ORDER else len(ENTRY_ORDER)):
            new[name] = self._styled(name, values[name])
        section = self._ensure_section()
        section.insert(insertion_index([year_of(e.get("date")) for e in section], entry.get("year")), new)
        self._keys[id(new)] = str(entry["key"])

    def update_person(self, field: str, value: Any) -> str | None:
        self._touch()
        target = {"name": "name", "homepage": "website"}.get(field)
        if target is None:
            return f"a RenderCV file has no place for the person's {field}"
        cv = self.data.setdefault("cv", self._new_map(False))
        cv[target] = like(cv.get(target), value)
        return None

    def ignore_rules(self) -> list[dict[str, Any]]:
        return []

    def add_ignore(self, rule: Mapping[str, Any]) -> str | None:
        return "a RenderCV file has no ignore list (reject the change in `profilesync review` instead)"
