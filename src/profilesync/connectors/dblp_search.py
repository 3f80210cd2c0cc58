"""DBLP's author search API (``/search/author/api``): names to candidate person ids.

Used by the connector to resolve a person who has no configured pid, and by ``profilesync init
--name`` to list candidates. The JSON collapses one-element collections into a bare object and
omits ``hit`` when nothing matched (docs/sources.md §1.3), so every collection is normalised to a
list here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from profilesync.connectors.dblp_xml import SOURCE, is_pid
from profilesync.errors import SourceFormatError

if TYPE_CHECKING:
    from profilesync.connectors.http import HttpClient

DEFAULT_HITS = 30
_PID_IN_URL = re.compile(r"/pid/(.+?)(?:\.html|\.xml)?/?$")


@dataclass(frozen=True)
class AuthorHit:
    """One candidate person from the author search."""

    name: str
    pid: str
    url: str
    affiliations: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def affiliation(self) -> str | None:
        return self.affiliations[0] if self.affiliations else None


def as_list(value: Any) -> list[Any]:
    """DBLP's JSON writes one item as a bare object and none as a missing key; always give a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def search_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/search/author/api"


def search_authors(http: HttpClient, base_url: str, name: str, *, hits: int = DEFAULT_HITS, refresh: bool = False) -> list[AuthorHit]:
    """Ask DBLP for people named ``name``. Returns the hits in DBLP's order.

    Raises the ``HttpClient``'s typed ``SourceError``s, and ``SourceFormatError`` when the JSON
    does not have the documented shape.
    """
    url = search_url(base_url)
    params = {"q": name, "format": "json", "h": str(hits), "c": "0"}
    result = http.get(url, params=params, refresh=refresh)
    # A body that is not the search format leaves the HTTP cache (HttpClient.reading).
    with http.reading(result):
        return parse_author_search(result.json(), url)


def parse_author_search(data: Any, url: str = "author search") -> list[AuthorHit]:
    """Hits of an author-search JSON document. Hits without a usable pid URL are dropped.

    Raises ``SourceFormatError`` when ``data`` lacks ``result.hits``.
    """
    result = data.get("result") if isinstance(data, Mapping) else None
    hits = result.get("hits") if isinstance(result, Mapping) else None
    if not isinstance(hits, Mapping):
        raise SourceFormatError(SOURCE, f"{url}: expected a JSON object with result.hits (the DBLP search format)")
    found: list[AuthorHit] = []
    for hit in as_list(hits.get("hit")):
        info = hit.get("info") if isinstance(hit, Mapping) else None
        if not isinstance(info, Mapping):
            continue
        link = str(info.get("url") or "")
        match = _PID_IN_URL.search(link)
        pid = match.group(1) if match else None
        name = _text(info.get("author"))
        if not pid or not is_pid(pid) or not name:
            continue
        notes = as_list((info.get("notes") or {}).get("note") if isinstance(info.get("notes"), Mapping) else None)
        affiliations = tuple(
            _text(note) for note in notes if isinstance(note, Mapping) and note.get("@type") == "affiliation" and _text(note)
        )
        aliases_field = info.get("aliases")
        aliases = tuple(_text(a) for a in as_list(aliases_field.get("alias") if isinstance(aliases_field, Mapping) else None) if _text(a))
        found.append(AuthorHit(name=name, pid=pid, url=link, affiliations=affiliations, aliases=aliases))
    return found


def _text(value: Any) -> str:
    """A JSON text node: either a plain string or an object with ``text``."""
    if isinstance(value, Mapping):
        value = value.get("text")
    return " ".join(str(value).split()) if value is not None else ""
