"""A JSON Resume (``resume.json``) as the canonical CV (its ``publications``).

JSON Resume's publication has ``name`` (the title), ``publisher`` (the venue), ``releaseDate``,
``url`` and ``summary``, and allows extra keys: the CV fields it has no slot for (authors, doi,
arxiv, pages, code, lock) are written as extra keys of the item. Everything else in the file
(``basics``, ``work``, ``education``, ...) is left as it is. Only the lines of the items that
change are rewritten; the rest of the file stays byte-identical.

Items have no key; a key is derived from the work (``cv.keys``) unless the item has ``key``/``id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from profilesync.config import CvFormat
from profilesync.cv.fields import (
    doi_and_arxiv,
    looks_like_preprint,
    split_venue,
    text_of,
    venue_replaceable,
    with_year,
    year_of,
)
from profilesync.cv.formats.base import SplicedDocument, insertion_index
from profilesync.cv.keys import derived_keys
from profilesync.errors import Problem, UserError
from profilesync.model import Author, Work
from profilesync.normalize.dates import parse_month
from profilesync.normalize.identifiers import normalize_arxiv, normalize_doi
from profilesync.yamlio import check_depth

ITEM_ORDER: tuple[str, ...] = ("name", "publisher", "releaseDate", "url", "summary", "authors", "doi", "arxiv", "pages", "code", "lock")


def _detect_indent(text: str) -> int | str:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) != len(line):
            prefix = line[: len(line) - len(stripped)]
            return prefix if "\t" in prefix else len(prefix)
    return 2


class JsonResumeCvDocument(SplicedDocument):
    format = CvFormat.JSONRESUME
    stable_keys = False

    def __init__(self, path: Path, text: str, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()):
        super().__init__(path, text, label, person_name=person_name, aliases=aliases)
        try:
            self.data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError([Problem(self.label, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}", "fix the syntax at that place")]) from None
        except ValueError as exc:
            raise UserError([Problem(self.label, None, f"invalid JSON: {exc}", "fix the syntax at that place")]) from None
        except RecursionError:
            raise UserError([Problem(self.label, None, "nested too deeply to read", "flatten the structure")]) from None
        check_depth(self.data, self.label)  # the same nesting limit as a YAML CV (yamlio)
        if not isinstance(self.data, dict):
            raise UserError([Problem(self.label, None, "expected a JSON object (a resume.json)", "see https://jsonresume.org/schema")])
        items = self.data.get("publications")
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            raise UserError([Problem(self.label, "publications", "expected a list of objects", "see https://jsonresume.org/schema")])
        self._indent = _detect_indent(text)
        entries = self._items()
        self._keys: dict[int, str] = dict(zip((id(e) for e in entries), derived_keys(entries, self._work_for_key), strict=True))
        self._remember_initial()

    def _items(self) -> list[dict[str, Any]]:
        return self.data.get("publications") or []

    def _item(self, key: str) -> dict[str, Any]:
        for item in self._items():
            if self._keys.get(id(item)) == key:
                return item
        raise KeyError(key)

    @staticmethod
    def _work_for_key(item: Mapping[str, Any]) -> Work:
        authors = tuple(Author(str(a)) for a in item.get("authors") or () if isinstance(a, str))
        return Work(title=str(item.get("name") or ""), authors=authors, year=year_of(item.get("releaseDate")))

    def _to_publication(self, item: Mapping[str, Any]) -> dict[str, Any]:
        pub: dict[str, Any] = {"key": self._keys.get(id(item), ""), "title": str(item.get("name") or "")}
        if isinstance(item.get("authors"), list):
            pub["authors"] = [str(a) for a in item["authors"]]
        publisher = item.get("publisher")
        pub.update(split_venue(str(publisher)) if publisher else {})
        year = year_of(item.get("releaseDate"))
        if year:
            pub["year"] = year
            month = parse_month(item.get("releaseDate"))  # "2023-05" or "2023-05-12"
            if month:
                pub["month"] = month
        doi, arxiv = doi_and_arxiv(normalize_doi(text_of(item.get("doi"))))
        url = str(item.get("url") or "")
        if not doi and "doi.org/" in url:
            doi, arxiv = doi_and_arxiv(normalize_doi(url)) if not arxiv else (None, arxiv)
        if item.get("arxiv"):
            arxiv = normalize_arxiv(str(item["arxiv"]))
        elif not arxiv and "arxiv.org/" in url:
            arxiv = normalize_arxiv(url)
        preprint = item.get("type") == "preprint" or looks_like_preprint(str(publisher or ""))
        pub["type"] = str(item["type"]) if item.get("type") else ("preprint" if preprint else "other")
        pub["status"] = "preprint" if preprint else "published"
        for name in ("pages", "url", "code"):
            if item.get(name):
                pub[name] = str(item[name])
        ids = {k: v for k, v in (("doi", doi), ("arxiv", arxiv)) if v}
        if ids:
            pub["ids"] = ids
        if isinstance(item.get("lock"), list):
            pub["lock"] = [str(x) for x in item["lock"]]
        return pub

    def publications(self) -> list[dict[str, Any]]:
        return [self._to_publication(i) for i in self._items()]

    def find(self, key: str) -> dict[str, Any]:
        return self._to_publication(self._item(key))

    def to_data(self) -> dict[str, Any]:
        basics = self.data.get("basics") or {}
        person: dict[str, Any] = {"name": str(basics.get("name") or self.person_name or "Unknown"), "aliases": list(self.aliases)}
        if isinstance(basics.get("url"), str):
            person["homepage"] = basics["url"]
        return {"person": person, "publications": self.publications()}

    # --- editing ----------------------------------------------------------------------------------

    def _translate(self, item: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in updates.items():
            if name in ("key", "status"):
                continue
            if name == "title":
                out["name"] = value
            elif name == "venue_full":
                out["publisher"] = value
            elif name == "venue":
                if "venue_full" not in updates and venue_replaceable(item.get("publisher")):
                    out["publisher"] = value
            elif name == "year":
                out["releaseDate"] = with_year(item.get("releaseDate"), int(value), as_text=True)
            elif name == "ids":
                for id_name in ("doi", "arxiv"):
                    if value.get(id_name):
                        out[id_name] = value[id_name]
            elif name == "type":
                if "type" in item or value == "preprint":
                    out["type"] = value
            elif name in ("authors", "pages", "url", "code", "lock"):
                out[name] = value
        return out

    @staticmethod
    def _set_ordered(item: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """``item`` with ``values`` set; new keys go where ``ITEM_ORDER`` puts them."""
        merged = dict(item)
        merged.update(values)
        if all(k in item for k in values):
            return merged
        rank = {k: i for i, k in enumerate(ITEM_ORDER)}
        ordered: dict[str, Any] = {}
        pending = [k for k in ITEM_ORDER if k in values and k not in item]
        for key in item:
            while pending and rank[pending[0]] < rank.get(key, len(ITEM_ORDER)):
                first = pending.pop(0)
                ordered[first] = merged[first]
            ordered[key] = merged[key]
        for key in pending + [k for k in values if k not in item and k not in rank]:
            ordered[key] = merged[key]
        return ordered

    def update_publication(self, key: str, updates: Mapping[str, Any]) -> None:
        self._touch()
        item = self._item(key)
        new = self._set_ordered(item, self._translate(item, updates))
        if new != item or list(new) != list(item):
            # Replace the item's contents in place so the key map (by object id) stays valid.
            item.clear()
            item.update(new)

    def add_publication(self, entry: Mapping[str, Any]) -> None:
        self._touch()
        values = self._translate({}, {k: v for k, v in entry.items() if k != "key"})
        item = self._set_ordered({}, values)
        items = self.data.setdefault("publications", [])
        items.insert(insertion_index([year_of(i.get("releaseDate")) for i in items], entry.get("year")), item)
        self._keys[id(item)] = str(entry["key"])

    def update_person(self, field: str, value: Any) -> str | None:
        self._touch()
        target = {"name": "name", "homepage": "url"}.get(field)
        if target is None:
            return f"a JSON Resume has no place for the person's {field}"
        self.data.setdefault("basics", {})[target] = value
        return None

    def add_ignore(self, rule: Mapping[str, Any]) -> str | None:
        return "a JSON Resume has no ignore list (reject the change in `profilesync review` instead)"

    # --- writing ----------------------------------------------------------------------------------

    def _dump(self, data: Any) -> str:
        ascii_only = bool(re.search(r"\\u[0-9a-fA-F]{4}", self.original_text))
        text = json.dumps(data, indent=self._indent, ensure_ascii=ascii_only)
        return text + "\n" if self.original_text.endswith("\n") else text

    def _unedited_dump(self) -> str:
        return self._dump(json.loads(self.original_text))

    def _parse(self, text: str) -> Any:
        return json.loads(text)
