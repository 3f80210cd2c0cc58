"""ORCID: read a researcher's record from the public API v3.0, and find an iD for ``init``.

A pull costs ``3 + ceil(works / details_chunk)`` requests (docs/sources.md §2.3):

1. ``GET {base_url}/{orcid}/person``: names, other names, researcher urls;
2. ``GET {base_url}/{orcid}/works``: every work summary, grouped by ORCID;
3. ``GET {base_url}/{orcid}/employments``: the current affiliation (skipped with
   ``employments: false``; a failure here is a note, not a failed pull);
4. ``GET {base_url}/{orcid}/works/<pc>,<pc>,...``: full works with contributors (authors), one
   put-code per group (the chosen summary), ``details_chunk`` put-codes per request.

``/{orcid}/record`` would give person, employments and work groups in one request, but not the
contributors, so it saves one request at most; the three small endpoints are kept because they
are what the recorded test fixtures hold. The default chunk is 50: the v3.0 README allows 100 per
bulk call, the older works tutorial says 50, and 50 satisfies both (docs/sources.md §2.3).

When the details fail (a chunk errors, or single slots come back as errors) the summaries still
make a usable snapshot: titles, types, years, venues and ids are all in the summaries; only the
authors are missing, and ``Snapshot.notes`` says for how many works.

The token in ``token_env``, when set, is sent on reads too: a registered client's token gets a
per-client quota instead of the per-IP anonymous one (docs/sources.md §2.7). The same variable
may hold a sandbox write token for ``push``, which the production public API refuses with 401
(§2.6); then the pull drops the token, reads anonymously and says so in a note.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from profilesync.connectors.base import (
    ENV_NAME,
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
from profilesync.connectors.orcid_parse import (
    SOURCE,
    Employment,
    Summary,
    build_person,
    group_to_work,
    read_bulk,
    read_employments,
    read_groups,
    read_person,
    self_added_copies,
)
from profilesync.connectors.shapes import Node, texts
from profilesync.errors import Problem, SourceError, SourceFormatError, SourceUnavailable, UserError
from profilesync.model import Person, Snapshot
from profilesync.normalize.identifiers import normalize_orcid, orcid_checksum_ok

if TYPE_CHECKING:
    from profilesync.connectors.http import FetchResult, HttpClient

log = logging.getLogger(__name__)

T = TypeVar("T")

ACCEPT = {"Accept": "application/json"}
DEFAULT_DETAILS_CHUNK = 50
MAX_DETAILS_CHUNK = 100  # ORCID's documented maximum per bulk call


# ORCID answers 404 for an iD it never issued and 410 for a deactivated record.
_NO_RECORD = (404, 410)


class OrcidRecordNotFound(SourceError):
    """The configured iD has no record on ORCID (HTTP 404 or 410)."""


def no_record(orcid: str, status: int) -> str:
    """How `init --orcid` and a pull say that ORCID does not know an iD (one wording for both)."""
    return f"ORCID has no record {orcid} (HTTP {status})"


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


@dataclass(frozen=True)
class OrcidOptions(SourceOptions):
    """``sources.orcid``: the public API for pulls; ``member_base_url``/``production`` for ``push``."""

    id: str | None = setting(None, source_id("^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$", 'expected an ORCID iD like "0000-0003-4209-9451" (16 digits in four groups, no URL)'))
    base_url: str = setting("https://pub.orcid.org/v3.0", URL)
    member_base_url: str | None = setting(None, URL)
    production: bool = setting(False, {"type": "boolean", "x-hint": "true to let `push --to orcid` write to the production member API"})
    token_env: str | None = setting(None, ENV_NAME)
    timeout_s: float = setting(60.0, TIMEOUT)
    details_chunk: int = setting(
        DEFAULT_DETAILS_CHUNK, {"type": "integer", "minimum": 1, "maximum": 100, "x-hint": "put-codes per bulk details request, 1 to 100 (default 50)"}
    )
    employments: bool = setting(True, {"type": "boolean", "x-hint": "false to skip reading /employments (the affiliation); saves one request per pull"})
    min_interval_s: float = setting(0.1, min_interval("seconds between two requests to ORCID, e.g. 0.1"))
    retries: int = setting(3, RETRIES)

    @classmethod
    def check(cls, raw: Mapping[str, Any], where: str) -> list[Problem]:
        problems = []
        orcid = raw.get("id")
        if isinstance(orcid, str) and len(orcid) == 19 and not orcid_checksum_ok(orcid):
            problems.append(Problem(None, f"{where}.id", f'"{orcid}" fails the ORCID checksum (ISO 7064 MOD 11-2)', "copy the iD again from your ORCID record; a digit is probably mistyped"))
        member = raw.get("member_base_url")
        if isinstance(member, str) and insecure_url(member):
            # Said by `validate` already, not only when a push is about to send the token.
            problems.append(Problem(None, f"{where}.member_base_url", f"{member} is not an https URL; the ORCID token and your works would travel unencrypted", MEMBER_URL_FIX))
        return problems

    # The researcher's own record: first for who they are, second for the bibliography.
    precedence: ClassVar[Mapping[str, int]] = MappingProxyType(
        {"title": 20, "authors": 20, "venue": 20, "year": 20, "pages": 20, "doi": 20, "arxiv": 20, "type": 20, "homepage": 20, "affiliation": 10, "name": 10}
    )


MEMBER_URL_FIX = "use https://api.sandbox.orcid.org/v3.0, or https://api.orcid.org/v3.0 with production: true (plain http is accepted for 127.0.0.1, ::1 and localhost only)"


def insecure_url(url: str) -> bool:
    """True unless ``url`` is https, or plain http to this machine (a local test server)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if not parsed.hostname:
        return True
    return not (parsed.scheme == "https" or (parsed.scheme == "http" and is_loopback(parsed.hostname)))


def is_loopback(hostname: str | None) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    import ipaddress

    if not hostname:
        return False
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


class OrcidConnector(Connector):
    """Reads ``/person``, ``/works``, ``/employments`` and bulk work details; pushes via ``push.orcid``."""

    name: ClassVar[str] = "orcid"
    # Reading only: adding works needs the CV, this snapshot and the push state together, which is
    # push/orcid.py's job (the member API, with a token), not a connector's.
    capabilities: ClassVar[Capability] = Capability.READ
    write_with: ClassVar[str | None] = "ORCID works are added with `profilesync push --to orcid`"
    options_class: ClassVar[type[SourceOptions]] = OrcidOptions
    options: OrcidOptions
    # A second service asked about the name: only when the user says so (--orcid-search).
    people_search: ClassVar[PeopleSearch] = PeopleSearch.ON_REQUEST

    @classmethod
    def find_people(cls, http: HttpClient, base_url: str, name: str, *, rows: int) -> list[PersonCandidate]:
        """ORCID's expanded search: iD, name and up to three institutions."""
        found = search_people(http, base_url, name, rows=rows)
        return [PersonCandidate(SOURCE, c.orcid, c.name, f"https://orcid.org/{c.orcid}", "; ".join(c.institutions[:3]) or None) for c in found]

    @property
    def details_chunk(self) -> int:
        return max(1, min(MAX_DETAILS_CHUNK, self.options.details_chunk))

    def orcid_for(self, context: FetchContext) -> str:
        """The iD to read: the config's ``sources.orcid.id``, else the CV's ``person.ids.orcid``.

        Raises ``UserError`` when neither holds a valid iD.
        """
        raw = self.config.id or context.person.ids.orcid
        orcid = normalize_orcid(raw)
        if not orcid or not orcid_checksum_ok(orcid):
            where = "sources.orcid.id" if self.config.id else "person.ids.orcid"
            what = f'"{raw}" is not a valid ORCID iD' if raw else "no ORCID iD is configured"
            raise UserError([Problem("config.yaml", where, what, "set sources.orcid.id to your iD, e.g. 0000-0003-4209-9451, or run `profilesync init --orcid ...`")])
        return orcid

    def fetch(self, context: FetchContext) -> Snapshot:
        """Pull the record. Raises ``SourceError`` when the person or the works cannot be read."""
        if self.http is None:  # pragma: no cover - the registry always passes a client
            raise SourceUnavailable(SOURCE, "no HTTP client")
        orcid = self.orcid_for(context)
        base = self.config.base_url.rstrip("/")
        notes: list[str] = []
        self._anonymous = False
        person_url, works_url = f"{base}/{orcid}/person", f"{base}/{orcid}/works"
        where = "sources.orcid.id in config.yaml" if self.config.id else "person.ids.orcid in the CV"
        facts = self._read(person_url, context.refresh, lambda doc: read_person(doc, orcid, where=person_url), notes, missing=(orcid, where))
        groups = self._read(works_url, context.refresh, lambda doc: read_groups(doc, orcid, where=works_url), missing=(orcid, where))
        employments: list[Employment] = []
        if self.options.employments:
            employments = self._employments(base, orcid, context.refresh, notes)
        details, failed = self._details(base, orcid, [g.best.put_code for g in groups], context.refresh)
        works = [group_to_work(g, details.get(g.best.put_code), orcid) for g in groups]
        if failed:
            reasons = "; ".join(sorted(set(failed.values())))
            notes.append(
                f"authors of {len(failed)} of {len(groups)} works could not be fetched from ORCID ({reasons}); "
                "titles, years, venues and ids come from the work summaries"
            )
        no_authors = sum(1 for w, g in zip(works, groups, strict=True) if g.best.put_code in details and not w.authors)
        if no_authors:
            notes.append(f"{no_authors} works on ORCID list no authors (contributors)")
        # The researcher's own second entries of a DOI, hidden inside a group: listed as works of
        # their own so the diff reports them as duplicates on the record.
        copies = [copy for g in groups for copy in self_added_copies(g, orcid)]
        if copies:
            notes.append(f"{len(copies)} works were added to the record twice by the researcher (same DOI, one ORCID group)")
        works.extend(copies)
        person: Person = build_person(facts, orcid, employments)
        extra: dict[str, Any] = {
            "orcid": orcid,
            "groups": len(groups),
            "summaries": sum(len(g.summaries) for g in groups),
        }
        if failed:
            extra["details_missing"] = sorted(failed)
        return Snapshot(source=SOURCE, fetched_at=context.now, person=person, works=tuple(works), notes=tuple(notes), extra=extra)

    def _headers(self) -> dict[str, str]:
        if self._token and not self._anonymous:
            return {**ACCEPT, "Authorization": f"Bearer {self._token}"}
        return dict(ACCEPT)

    def _get(self, url: str, refresh: bool, notes: list[str] | None = None, missing: tuple[str, str] | None = None) -> FetchResult:
        """GET a JSON document; a token the public API refuses (401) is dropped once, with a note.

        ``missing`` is (iD, where it is configured) for the record's own endpoints: a 404 or 410
        there means the iD has no record, said as such (not "unexpected HTTP 404")."""
        assert self.http is not None
        headers = self._headers()
        gone = _NO_RECORD if missing else ()
        result = self.http.get(url, headers=headers, refresh=refresh, ok=(200, *gone, 401) if "Authorization" in headers else (200, *gone))
        if result.status == 401:
            self._anonymous = True
            if notes is not None:
                notes.append(f"ORCID's public API refused the token in ${self.config.token_env} (HTTP 401); the record was read anonymously")
            result = self.http.get(url, headers=ACCEPT, refresh=refresh, ok=(200, *gone))
        if missing and result.status in _NO_RECORD:
            orcid, where = missing
            raise OrcidRecordNotFound(SOURCE, f"{no_record(orcid, result.status)} at {url}; check the iD ({where}) on https://orcid.org/{orcid}")
        return result

    def _read(self, url: str, refresh: bool, parse: Callable[[Any], T], notes: list[str] | None = None, missing: tuple[str, str] | None = None) -> T:
        """GET ``url`` and ``parse`` its JSON. Raises ``SourceFormatError`` for an unusable body
        (not JSON, nested too deeply, a value of the wrong type), after ``HttpClient.reading``
        dropped it from the HTTP cache: otherwise every pull until the entry expires would
        replay the broken response instead of asking ORCID again."""
        assert self.http is not None
        result = self._get(url, refresh, notes, missing)
        with self.http.reading(result):
            return parse(result.json())

    def _employments(self, base: str, orcid: str, refresh: bool, notes: list[str]) -> list[Employment]:
        """Employments, best effort: the affiliation is a nicety, never a reason to fail the pull."""
        url = f"{base}/{orcid}/employments"
        assert self.http is not None
        try:
            result = self.http.get(url, headers=self._headers(), refresh=refresh, ok=(200, 404))
            if result.status == 404:
                return []
            with self.http.reading(result):
                return read_employments(result.json())
        except SourceError as exc:
            notes.append(f"the ORCID employments could not be read ({exc.reason}); affiliation unknown")
        return []

    def _details(self, base: str, orcid: str, put_codes: Sequence[str], refresh: bool) -> tuple[dict[str, Summary], dict[str, str]]:
        """Full works by put-code, and the put-codes that failed with a short reason each."""
        details: dict[str, Summary] = {}
        failed: dict[str, str] = {}
        assert self.http is not None
        for chunk in chunks(list(put_codes), self.details_chunk):
            url = f"{base}/{orcid}/works/{','.join(chunk)}"
            try:
                found, _errors = self._read(url, refresh, partial(read_bulk, where=url))
            except SourceError as exc:
                log.info("ORCID details failed for %d works: %s", len(chunk), exc.reason)
                reason = exc.reason.replace(url, "/works/<put-codes>")
                for pc in chunk:
                    failed[pc] = reason if not isinstance(exc, SourceFormatError) else "unreadable bulk response"
                continue
            for pc in chunk:
                if pc in found:
                    details[pc] = found[pc]
                else:
                    failed[pc] = "ORCID returned an error for single works"
        return details, failed

    _anonymous: bool = False


# --- lookups for `profilesync init` ------------------------------------------------------------


@dataclass(frozen=True)
class OrcidCandidate:
    """One person an iD lookup or a name search found."""

    orcid: str
    name: str
    other_names: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()

    def describe(self) -> str:
        tail = f" ({', '.join(self.institutions[:3])})" if self.institutions else ""
        return f"{self.orcid}  {self.name}{tail}"


def lookup_person(http: HttpClient, base_url: str, orcid: str) -> OrcidCandidate:
    """Check that ``orcid`` exists and return its name.

    Raises ``UserError`` for a malformed iD or one ORCID does not know, ``SourceError`` when ORCID
    cannot be reached.
    """
    normal = normalize_orcid(orcid)
    if not normal or not orcid_checksum_ok(normal):
        raise UserError([Problem(None, "--orcid", f'"{orcid}" is not a valid ORCID iD (checksum ISO 7064 MOD 11-2)', "copy the iD from your ORCID record, e.g. 0000-0003-4209-9451")])
    base = base_url.rstrip("/")
    result = http.get(f"{base}/{normal}/person", headers=ACCEPT, ok=(200, *_NO_RECORD))
    if result.status in _NO_RECORD:
        raise UserError([Problem(None, "--orcid", no_record(normal, result.status), "check the iD on https://orcid.org")])
    with http.reading(result):
        facts = read_person(result.json(), normal)
    return OrcidCandidate(orcid=normal, name=facts.name, other_names=facts.aliases)


def search_people(http: HttpClient, base_url: str, name: str, rows: int = 10) -> list[OrcidCandidate]:
    """Find iDs for a name with the public API's expanded search (``/expanded-search/?q=...``).

    The query asks for the given and family names (the last word is taken as the family name).
    Returns at most ``rows`` candidates in ORCID's relevance order.
    """
    words = name.split()
    if not words:
        return []
    family = words[-1]
    given = " ".join(words[:-1])
    query = f"family-name:{_solr_quote(family)}"
    if given:
        query = f"given-names:{_solr_quote(given)} AND {query}"
    result = http.get(f"{base_url.rstrip('/')}/expanded-search/", params={"q": query, "rows": int(rows)}, headers=ACCEPT)
    out: list[OrcidCandidate] = []
    with http.reading(result):
        for item in Node(result.json())["expanded-result"].objects(single_ok=False):
            orcid = normalize_orcid(item["orcid-id"].text() or "")
            if not orcid:
                continue
            full = " ".join(p for p in (item["given-names"].text(), item["family-names"].text()) if p)
            other, institutions = item["other-name"], item["institution-name"]
            out.append(
                OrcidCandidate(
                    orcid=orcid,
                    name=item["credit-name"].text() or full or orcid,
                    other_names=tuple(texts(other.value, other.where)),
                    institutions=tuple(texts(institutions.value, institutions.where)),
                )
            )
    return out[:rows]


def _solr_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' if " " in text else escaped.replace(":", "\\:")
