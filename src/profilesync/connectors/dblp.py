"""The DBLP connector: a person's publications from ``{base_url}/pid/<pid>.xml``.

The pid comes from ``sources.dblp.id``, else from the CV's ``person.ids.dblp``, else it is
resolved: the author search lists people with the researcher's name, and the one who shares
clearly the most coauthors with the CV is chosen (``dblp_resolve``). The snapshot says which pid
was used and why, so a report never silently follows a namesake.

Parsing lives in ``dblp_xml`` and the search API in ``dblp_search``; this module only fetches
and decides.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from profilesync.connectors.base import (
    RETRIES,
    TIMEOUT,
    URL,
    Capability,
    Connector,
    FetchContext,
    PeopleSearch,
    PersonCandidate,
    SourceOptions,
    min_interval,
    setting,
    source_id,
)
from profilesync.connectors.dblp_resolve import decide, known_coauthors, score
from profilesync.errors import SourceError, SourceFormatError
from profilesync.model import Snapshot
from profilesync.normalize.names import same_person_name, strip_dblp_suffix

# The XML parser (lxml) and the search are imported where they are used: loading a config imports
# every connector module for its options, and must stay fast.
if TYPE_CHECKING:
    from profilesync.connectors.dblp_search import AuthorHit
    from profilesync.connectors.dblp_xml import DblpPerson
    from profilesync.connectors.http import HttpClient

SOURCE = "dblp"

log = logging.getLogger(__name__)

# At most this many namesakes are fetched to compare coauthors: each costs one polite request.
MAX_CANDIDATES = 5


class DblpPersonNotFound(SourceError):
    """The configured pid does not exist on DBLP (HTTP 404)."""


class DblpPersonUnresolved(SourceError):
    """No pid is configured and the name plus coauthors did not single out one DBLP person."""


@dataclass(frozen=True)
class DblpOptions(SourceOptions):
    """``sources.dblp``: no token (DBLP is open); the rate DBLP's FAQ asks for."""

    id: str | None = setting(
        None,
        source_id(
            "^([0-9]+/[0-9]+(-[0-9]+)?|[a-z]/[A-Za-z0-9_.'-]+)$",
            'expected a DBLP pid like "95/7448-1" (find it with `profilesync init --name ...`), or leave it out to resolve the person by name and coauthors',
        ),
    )
    base_url: str = setting("https://dblp.org", URL)
    timeout_s: float = setting(60.0, TIMEOUT)
    min_interval_s: float = setting(2.0, min_interval("seconds between two requests to DBLP, e.g. 2"))
    coauthors: tuple[str, ...] = setting(
        (), {"type": "array", "items": {"type": "string", "minLength": 1}, "x-hint": "names of frequent coauthors, used to pick the right DBLP person when no pid is set"}
    )
    retries: int = setting(3, RETRIES)

    # DBLP is the curated bibliography: first for bibliographic fields, last for the homepage.
    precedence: ClassVar[Mapping[str, int]] = MappingProxyType(
        {"title": 10, "authors": 10, "venue": 10, "year": 10, "pages": 10, "doi": 10, "arxiv": 10, "type": 10, "homepage": 40, "affiliation": 20, "name": 20}
    )


class DblpConnector(Connector):
    name: ClassVar[str] = "dblp"
    capabilities: ClassVar[Capability] = Capability.READ
    options_class: ClassVar[type[SourceOptions]] = DblpOptions
    options: DblpOptions
    people_search: ClassVar[PeopleSearch] = PeopleSearch.ALWAYS

    @classmethod
    def find_people(cls, http: HttpClient, base_url: str, name: str, *, rows: int) -> list[PersonCandidate]:
        """DBLP's author search: pid, name, affiliations and the person page."""
        from profilesync.connectors.dblp_search import search_authors

        return [PersonCandidate(SOURCE, h.pid, h.name, h.url, "; ".join(h.affiliations) or None) for h in search_authors(http, base_url, name, hits=rows)]

    def fetch(self, context: FetchContext) -> Snapshot:
        """Fetch the person page and return it as a snapshot.

        Raises ``DblpPersonNotFound`` (404), ``DblpPersonUnresolved`` (no pid and no clear
        candidate), ``SourceFormatError`` (not DBLP XML) and the HTTP client's typed errors.
        """
        from profilesync.connectors.dblp_xml import is_pid

        if self.http is None:  # pragma: no cover - the registry always passes a client
            raise SourceError(SOURCE, "no HTTP client was given to the DBLP connector")
        notes: list[str] = []
        pid = self.config.id or context.person.ids.dblp
        if pid:
            resolved_by = "config" if self.config.id else "cv"
            if not is_pid(pid):
                raise DblpPersonNotFound(SOURCE, f'"{pid}" is not a DBLP pid (expected something like "95/7448-1"); {_fix_hint(context)}')
            page = self.fetch_person(pid, refresh=context.refresh)
        else:
            resolved_by = "author search"
            page, why = self._resolve(context)
            notes.append(why)
        if page.skipped:
            notes.append(f"{page.skipped} DBLP record(s) were not publications (home pages) or had no title and were skipped")
        return Snapshot(
            source=SOURCE,
            fetched_at=context.now,
            person=page.person,
            works=page.works,
            notes=tuple(notes),
            extra={"pid": page.pid, "resolved_by": resolved_by},
        )

    def person_url(self, pid: str) -> str:
        # The pid's "/" is part of the path on DBLP (95/7448-1 -> /pid/95/7448-1.xml): not encoded.
        return f"{self.config.base_url.rstrip('/')}/pid/{pid}.xml"

    def fetch_person(self, pid: str, *, refresh: bool = False) -> DblpPerson:
        """GET and parse one person page. Raises ``DblpPersonNotFound`` on 404."""
        from profilesync.connectors.dblp_xml import parse_person_xml

        assert self.http is not None  # set by the connector's setup before any fetch
        url = self.person_url(pid)
        result = self.http.get(url, refresh=refresh, ok=(200, 404))
        if result.status == 404:
            raise DblpPersonNotFound(
                SOURCE,
                f'DBLP has no person with pid "{pid}" ({url} answered 404); check sources.dblp.id, '
                f'or find the right pid with `profilesync init --name "<your name>"`',
            )
        log.info("dblp: %s %s", url, "from cache" if result.from_cache else "from network")
        # An unusable page leaves the HTTP cache, so the next pull asks DBLP again.
        with self.http.reading(result):
            return parse_person_xml(result.content, url)

    def _resolve(self, context: FetchContext) -> tuple[DblpPerson, str]:
        """Find the person by name and coauthors; returns the page and a sentence saying why."""
        from profilesync.connectors.dblp_search import search_authors

        person = context.person
        names = person.all_names
        known = known_coauthors([*self.options.coauthors, *context.coauthors], names)
        assert self.http is not None
        hits = search_authors(self.http, self.config.base_url, person.name, refresh=context.refresh)
        candidates = _plausible(hits, names)[:MAX_CANDIDATES]
        pages: dict[str, DblpPerson] = {}
        scores = []
        for hit in candidates:
            try:
                page = self.fetch_person(hit.pid, refresh=context.refresh)
            except (DblpPersonNotFound, SourceFormatError) as exc:
                # One broken candidate page must not hide the others; it simply cannot be chosen.
                log.warning("dblp: skipping candidate %s: %s", hit.pid, exc.reason)
                continue
            pages[hit.pid] = page
            scores.append(score(hit.pid, hit.name, page.coauthors, known))
        decision = decide(scores, known)
        if decision.chosen is None:
            listed = ", ".join(f"{h.pid} ({h.name})" for h in candidates) or "none"
            raise DblpPersonUnresolved(
                SOURCE,
                f'cannot tell which DBLP person is "{person.name}": {decision.reason}. Candidates: {listed}. '
                f"{_fix_hint(context)}",
            )
        chosen = decision.chosen
        why = f'resolved "{person.name}" to DBLP pid {chosen.pid} ({decision.reason})'
        return pages[chosen.pid], why


def _plausible(hits: list[AuthorHit], names: tuple[str, ...]) -> list[AuthorHit]:
    """Hits whose name (or an alias) can be the researcher's; the search is a prefix match and returns more."""
    out = []
    for hit in hits:
        variants = (hit.name, *hit.aliases)
        if any(same_person_name(strip_dblp_suffix(v), own) for v in variants for own in names):
            out.append(hit)
    return out


def _fix_hint(context: FetchContext) -> str:
    return f'set sources.dblp.id in config.yaml; `profilesync init --name "{context.person.name}"` lists the candidates'
