"""GitHub as a source of research software: the profile, the public repositories, their CITATION.cff.

Read-only, through the REST API (``sources.github.base_url``, default ``https://api.github.com``):

- ``GET /users/<login>``: name, bio, company (the affiliation), blog (the homepage), location;
- ``GET /users/<login>/repos?per_page=100&type=owner&sort=updated``, every page, following the
  ``Link: rel="next"`` URL exactly as GitHub wrote it (bounded by ``max_pages``);
- ``GET /repos/<owner>/<name>`` for ``extra_repos`` (paper code kept under a lab's account);
- ``GET /repos/<owner>/<name>/contents/CITATION.cff`` per kept repository (404 means none);
- ``GET /repos/<owner>/<name>/readme`` only when ``readme: true`` and the repository has neither a
  CITATION.cff nor a DOI/arXiv id in its description or homepage (off by default: one more request
  per repository, and READMEs cite related work, so they are the weakest hint).

Quota (docs/sources.md section 3.3/3.4): 60 requests/hour without a token, 5,000 with one. The
profile and the listing pages are always revalidated with ``If-None-Match`` (requests-cache sends
the stored ETag; a 304 reuses the stored body and, with a token, costs no quota). The per-repository
CITATION.cff lookups are revalidated only when the listing changed or the run asks for a refresh:
a repository cannot gain a CITATION.cff without a push, and a push changes the listing. While the
listing is unchanged, the stored answers (a file, or a 404 "none") are reused whatever their age,
so a repeated pull of an unchanged account costs two conditional requests. A lookup with no stored
answer is sent; optional lookups stop while the quota left is at or below ``quota_reserve``, and the
snapshot says so (an unauthenticated 100-repository account thus completes over several runs).

The token (constructor ``token=``, read by the registry from the environment variable the config
names) is sent only in the ``Authorization`` header: never in a URL, a log line, a note or the
snapshot, and the HTTP cache is configured not to store it.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

from profilesync.connectors.base import (
    ENV_NAME,
    RETRIES,
    TIMEOUT,
    URL,
    Capability,
    Connector,
    FetchContext,
    SourceOptions,
    min_interval,
    setting,
    source_id,
)
from profilesync.connectors.github_cff import CffError, CffRecord, CitedPaper, parse_cff
from profilesync.connectors.github_cites import (
    build_cites,
    dois_in,
    hints_from_readme,
    hints_from_text,
    is_software_doi,
)
from profilesync.connectors.shapes import Node, ShapeError, array, at, flag, integer, texts
from profilesync.errors import (
    AuthError,
    Problem,
    RateLimited,
    SourceBlocked,
    SourceError,
    SourceFormatError,
    UserError,
)
from profilesync.model import Cites, ExternalIds, Person, PersonIds, Snapshot, Work, WorkType

# The HTTP layer (requests, urllib3) is imported where a request is made, not here: loading a
# config imports every connector module for its options, and must stay fast.
if TYPE_CHECKING:
    import requests

    from profilesync.connectors.base import SourceSettings
    from profilesync.connectors.http import HttpClient

API_VERSION = "2022-11-28"
PER_PAGE = 100
# While the listing is unchanged, a stored CITATION.cff/README answer is reused however old it is
# (requests-cache: only-if-cached with max-stale). Ten years stands for "no age limit".
_STORED_ANSWER = "only-if-cached,max-stale=315360000"  # no space: requests-cache re-joins the parts


_REPOS = {"type": "array", "items": {"type": "string"}}


@dataclass(frozen=True)
class GithubOptions(SourceOptions):
    """``sources.github``: which repositories count as software works, and how much quota to spend."""

    id: str | None = setting(None, source_id("^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$", 'expected a GitHub login like "Gold-Sea"'))
    base_url: str = setting("https://api.github.com", URL)
    token_env: str | None = setting(None, ENV_NAME)
    timeout_s: float = setting(60.0, TIMEOUT)
    include_forks: bool = setting(False, {"type": "boolean"})
    include_archived: bool = setting(False, {"type": "boolean"})
    include: tuple[str, ...] = setting(
        (), {**_REPOS, "x-hint": 'repositories to keep even if they are forks or archived, as owner/name, a bare name or a wildcard such as "*-artifact"'}
    )
    exclude: tuple[str, ...] = setting((), {**_REPOS, "x-hint": 'repositories to leave out, as owner/name, a bare name or a wildcard such as "*.github.io"'})
    extra_repos: tuple[str, ...] = setting(
        (),
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[^/\\s]+/[^/\\s]+$"},
            "x-hint": "repositories under other owners that hold your papers' code, as owner/name",
        },
    )
    citation_files: bool = setting(
        True, {"type": "boolean", "x-hint": "true (default) to read each kept repository's CITATION.cff (one request per repository, cached)"}
    )
    readme: bool = setting(
        False,
        {"type": "boolean", "x-hint": "true to read the README of repositories without a CITATION.cff or DOI/arXiv id in the description (one more request each; default false)"},
    )
    max_pages: int = setting(10, {"type": "integer", "minimum": 1, "maximum": 100, "x-hint": "how many pages of 100 repositories to read at most (default 10)"})
    quota_reserve: int = setting(
        5, {"type": "integer", "minimum": 0, "x-hint": "stop the optional CITATION.cff/README lookups when this many API requests are left in the hour (default 5)"}
    )
    retries: int = setting(3, RETRIES)
    # No pause of our own: GitHub's hourly quota is the limit (and what quota_reserve guards).
    min_interval_s: float = setting(0.0, min_interval("seconds between two requests to this source's host"))

    # "This repository has no CITATION.cff" (404) is an answer worth keeping: repeated pulls are free.
    cache_statuses: ClassVar[tuple[int, ...]] = (200, 404)
    # The profile's blog link is the homepage the researcher maintains; the rest is weak.
    precedence: ClassVar[Mapping[str, int]] = MappingProxyType({"homepage": 10, "affiliation": 40, "name": 40})


@dataclass(frozen=True)
class Reply:
    """One answered GET: the parsed JSON, the headers, and how the HTTP cache served it."""

    url: str
    data: Any
    headers: Mapping[str, str]
    not_modified: bool  # the server answered 304 and the stored body was reused
    from_cache: bool  # no request at all, or a 304 (both reuse the stored body)


_NOT_STORED = object()  # _get(stored_only=True): the HTTP cache holds no answer for the URL


@dataclass(frozen=True)
class PullStats:
    """What one fetch cost. ``requests`` counts every request that reached GitHub, 304s included."""

    requests: int
    not_modified: int
    authenticated: bool
    quota_remaining: int | None

    @property
    def quota_cost(self) -> int:
        """Requests GitHub counts against the hourly quota: with a token a 304 is free, without one it is not."""
        return self.requests - self.not_modified if self.authenticated else self.requests


@dataclass
class _PullState:
    """Book-keeping of one fetch (mutable on purpose: it lives only inside ``fetch``)."""

    now: datetime
    remaining: int | None = None
    limit: int | None = None
    reset_at: datetime | None = None
    not_modified: int = 0
    stopped_optional: str | None = None  # why optional lookups stopped, for the note
    skipped_optional: int = 0
    notes: list[str] = field(default_factory=list)


class GithubConnector(Connector):
    """Pull the researcher's GitHub profile and public repositories as ``software`` works."""

    name: ClassVar[str] = "github"
    capabilities: ClassVar[Capability] = Capability.READ
    options_class: ClassVar[type[SourceOptions]] = GithubOptions
    options: GithubOptions

    def __init__(self, config: SourceSettings, http: HttpClient | None = None, *, token: str | None = None):
        super().__init__(config, http, token=token)
        self.stats: PullStats | None = None  # of the last fetch; tests and benchmarks read it

    # ----------------------------------------------------------------------------------- fetch

    def fetch(self, context: FetchContext) -> Snapshot:
        """Return the profile and the kept repositories.

        Raises ``UserError`` when no login is configured or GitHub has no such user,
        ``AuthError`` when GitHub rejects the token, ``RateLimited`` (with ``reset_at``) when the
        quota is spent before the profile and the listing are read, ``SourceBlocked`` on another
        403, and the other ``SourceError``s for network and format failures.
        """
        if self.http is None:
            raise SourceError(self.name, "no HTTP client was given to the GitHub connector")
        login = self.config.id or context.person.ids.github
        if not login:
            raise UserError([Problem(None, "sources.github.id", "no GitHub login is configured", 'set sources.github.id (e.g. "Gold-Sea") or person.ids.github in the CV')])
        options = self.options
        state = _PullState(now=context.now)
        sent_before = self.http.requests_sent
        try:
            return self._fetch(context, login, options, state)
        finally:
            self.stats = PullStats(
                requests=self.http.requests_sent - sent_before,
                not_modified=state.not_modified,
                authenticated=bool(self._token),
                quota_remaining=state.remaining,
            )

    def _fetch(self, context: FetchContext, login: str, options: GithubOptions, state: _PullState) -> Snapshot:
        base = self.config.base_url.rstrip("/")

        profile = self._get(f"{base}/users/{quote(login)}", state, refresh=True, missing_ok=True, check=check_profile)
        if profile is None:
            raise UserError([Problem(None, "sources.github.id", f'GitHub has no user "{login}" (HTTP 404)', "check the login in the address of your GitHub profile page")])
        owner = Node(profile.data)["login"].text() or login

        listed, listing_changed = self._list_repos(base, owner, options, state)
        kept, dropped = select_repos(listed, owner, options)
        seen = {str(r.get("full_name", "")).lower() for r in kept}
        for spec in options.extra_repos:
            if spec.lower() in seen:
                continue
            repo = self._get(f"{base}/repos/{spec}", state, refresh=True, missing_ok=True, check=lambda data: check_repo(Node(data)))
            if repo is None:
                state.notes.append(f"extra repository {spec} was not found (HTTP 404); check sources.github.extra_repos")
                continue
            if isinstance(repo.data, Mapping) and repo.data.get("full_name"):
                kept.append(repo.data)
                seen.add(str(repo.data["full_name"]).lower())

        # A repository cannot gain a CITATION.cff without a push, and a push changes the listing:
        # when every listing page came back 304, the stored lookups are still right.
        revalidate_files = context.refresh or listing_changed
        works = tuple(self._work(base, repo, options, state, revalidate_files) for repo in kept)
        if state.stopped_optional and state.skipped_optional:
            state.notes.append(
                f"CITATION.cff/README not checked for {state.skipped_optional} repositories: {state.stopped_optional}"
            )
        return Snapshot(
            source=self.name,
            fetched_at=context.now,
            person=person_from_profile(profile.data, owner),
            works=works,
            notes=tuple(state.notes),
            extra={
                "login": owner,
                "repositories_listed": len(listed),
                "repositories_kept": len(works),
                "excluded": dropped,
            },
        )

    # ---------------------------------------------------------------------------- repositories

    def _list_repos(self, base: str, owner: str, options: GithubOptions, state: _PullState) -> tuple[list[Mapping[str, Any]], bool]:
        """Every page of the owner's repositories; also whether any page changed since last time."""
        url: str | None = f"{base}/users/{quote(owner)}/repos?per_page={PER_PAGE}&type=owner&sort=updated"
        repos: list[Mapping[str, Any]] = []
        changed = False
        pages = 0
        while url is not None:
            if pages >= options.max_pages:
                state.notes.append(f"only the first {options.max_pages} pages of repositories were read (sources.github.max_pages)")
                break
            reply = self._get(url, state, refresh=True, check=check_repo_list)
            pages += 1
            changed = changed or not reply.from_cache
            repos.extend(reply.data)
            url = self._next_page(reply, base, state)
        return repos, changed

    def _next_page(self, reply: Reply, base: str, state: _PullState) -> str | None:
        """The ``rel="next"`` URL of ``reply``, or None on the last page.

        The URL is followed as GitHub wrote it, but only on the API host itself: the request
        carries the token, which must not be sent to whatever host a header names.
        """
        link = reply.headers.get("Link") or reply.headers.get("link")
        if not link:
            return None
        from requests.utils import parse_header_links

        for entry in parse_header_links(link):
            if entry.get("rel") == "next" and entry.get("url"):
                target, api = urlsplit(entry["url"]), urlsplit(base)
                if (target.scheme, target.netloc) != (api.scheme, api.netloc):
                    state.notes.append(f"the next page of repositories is on another host ({target.netloc}); it was not read")
                    return None
                return entry["url"]
        return None

    def _work(self, base: str, repo: Mapping[str, Any], options: GithubOptions, state: _PullState, revalidate: bool) -> Work:
        full_name = str(repo.get("full_name") or "")
        description = _text(repo.get("description"))
        homepage = _text(repo.get("homepage"))
        cff: CffRecord | None = None
        if options.citation_files:
            cff = self._citation_file(base, full_name, state, revalidate)
        readme: CitedPaper | None = None
        if options.readme and cff is None and not any(any(hints_from_text(t)) for t in (description, homepage)):
            readme = self._readme_hints(base, full_name, state, revalidate)
        cites = build_cites(
            cff.preferred if cff else None,
            [("description", description), ("homepage", homepage)],
            readme,
        )
        extra: dict[str, Any] = {
            "homepage": homepage,
            "topics": list(repo.get("topics") or ()),
            "language": repo.get("language"),
            "stars": _first_int(repo, "stargazers_count", "watchers_count", "watchers"),
            "forks": _first_int(repo, "forks_count", "forks"),
            "archived": bool(repo.get("archived", False)),
            "fork": bool(repo.get("fork", False)),
            "created_at": repo.get("created_at"),
            "pushed_at": repo.get("pushed_at"),
        }
        if cff is not None:
            extra["citation_file"] = {
                "version": cff.version,
                "doi": cff.doi,
                "date_released": cff.date_released,
                "valid": cff.valid,
                "problems": list(cff.problems),
            }
        created = _text(repo.get("created_at"))
        return Work(
            title=(cff.title if cff and cff.title else None) or str(repo.get("name") or full_name),
            authors=cff.authors if cff else (),
            year=int(created[:4]) if created and created[:4].isdigit() else None,
            type=WorkType.SOFTWARE,
            ids=ExternalIds(github=full_name.lower() or None, doi=_software_doi(cff, description, homepage)),
            url=_text(repo.get("html_url")),
            source_ref=full_name,
            extra=extra,
            description=description,
            cites=Cites.from_dict(cites),
        )

    def _citation_file(self, base: str, full_name: str, state: _PullState, revalidate: bool) -> CffRecord | None:
        reply = self._optional(f"{base}/repos/{full_name}/contents/CITATION.cff", state, revalidate)
        if reply is None:
            return None
        text = _decoded_file(reply.data)
        if text is None:
            state.notes.append(f"{full_name}: CITATION.cff is not a readable file in the contents response; ignored")
            return None
        try:
            record = parse_cff(text)
        except CffError as exc:
            state.notes.append(f"{full_name}: CITATION.cff could not be read ({exc}); fix the file in the repository")
            return None
        if record.problems:
            state.notes.append(
                f"{full_name}: CITATION.cff does not follow CFF 1.2.0 ({'; '.join(record.problems[:2])}); the readable fields were used"
            )
        return record

    def _readme_hints(self, base: str, full_name: str, state: _PullState, revalidate: bool) -> CitedPaper | None:
        reply = self._optional(f"{base}/repos/{full_name}/readme", state, revalidate)
        text = _decoded_file(reply.data) if reply is not None else None
        return hints_from_readme(text) if text else None

    # ------------------------------------------------------------------------------------ HTTP

    @property
    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _optional(self, url: str, state: _PullState, revalidate: bool) -> Reply | None:
        """A lookup the pull can do without (CITATION.cff, README): None when absent or skipped.

        Unless ``revalidate``, the stored answer is used whatever its age (it costs nothing).
        A request is skipped while the quota left is at or below ``quota_reserve``, and for the
        rest of the pull once the quota runs out or the host stops answering; a note says so.
        """
        try:
            if not revalidate:
                stored = self._get(url, state, refresh=False, missing_ok=True, stored_only=True)
                if stored is not _NOT_STORED:
                    return stored
            if not state.stopped_optional and state.remaining is not None and state.remaining <= self.options.quota_reserve:
                state.stopped_optional = self._quota_reason(state, f"only {state.remaining} requests were left")
            if state.stopped_optional:
                state.skipped_optional += 1
                return None
            return self._get(url, state, refresh=revalidate, missing_ok=True)
        except (SourceBlocked, SourceFormatError) as exc:
            # One repository's file is refused or garbled: note it and go on with the others.
            state.notes.append(f"{url.split('/repos/', 1)[-1]}: not read ({exc.reason})")
            return None
        except SourceError as exc:
            # Rate limited, or the host stopped answering: asking again per repository would only
            # burn quota or wait out a timeout each time.
            state.stopped_optional = exc.reason
        state.skipped_optional += 1
        return None

    def _quota_reason(self, state: _PullState, what: str) -> str:
        when = f"; the quota resets at {_utc(state.reset_at)}" if state.reset_at else ""
        token = "" if self._token else f" (set a token in ${self.config.token_env or 'GITHUB_TOKEN'} for 5,000 requests/hour)"
        return f"{what} of the GitHub API quota{when}{token}"

    def _get(
        self,
        url: str,
        state: _PullState,
        *,
        refresh: bool,
        missing_ok: bool = False,
        stored_only: bool = False,
        check: Callable[[Any], None] | None = None,
    ) -> Any:
        """GET ``url`` from the API; None on 404 when ``missing_ok``; a typed error otherwise.

        ``check`` validates the decoded JSON's types and shape (raising ``ShapeError``); a body
        that fails it, or is not JSON, is dropped from the HTTP cache and reported as a
        ``SourceFormatError`` naming the URL path (``HttpClient.reading``).

        With ``stored_only`` nothing is sent: the stored answer is used whatever its age, and
        ``_NOT_STORED`` is returned when there is none.
        """
        assert self.http is not None
        headers = self._headers
        if stored_only:
            headers["Cache-Control"] = _STORED_ANSWER
        response = self.http.request("GET", url, headers=headers, refresh=refresh)
        if stored_only and response.status_code == 504 and getattr(response, "from_cache", False):
            return _NOT_STORED
        revalidated = bool(getattr(response, "revalidated", False))
        from_cache = bool(getattr(response, "from_cache", False))
        if revalidated:
            state.not_modified += 1
        if revalidated or not from_cache:
            self._note_quota(response.headers, state)
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        if status != 200:
            raise self._error(response, state)
        from profilesync.connectors.http import decode_json

        # An unusable body leaves the HTTP cache here: otherwise the next pull would revalidate
        # the stored body, get a 304 and reuse it forever.
        with self.http.reading(response):
            data = decode_json(response.content)
            if check is not None:
                check(data)
        return Reply(url=url, data=data, headers=dict(response.headers), not_modified=revalidated, from_cache=from_cache)

    def _note_quota(self, headers: Mapping[str, str], state: _PullState) -> None:
        remaining = _header_int(headers, "X-RateLimit-Remaining")
        if remaining is not None:
            state.remaining = remaining
        limit = _header_int(headers, "X-RateLimit-Limit")
        if limit is not None:
            state.limit = limit
        reset = _header_int(headers, "X-RateLimit-Reset")
        if reset is not None:
            state.reset_at = datetime.fromtimestamp(reset, timezone.utc)

    def _error(self, response: requests.Response, state: _PullState) -> Exception:
        """The typed error for a failed API call (GitHub signals limits with 403 as well as 429)."""
        from profilesync.connectors.http import error_for_status, retry_after_time

        status = response.status_code
        headers = response.headers
        message = _api_message(response)
        if status == 401:
            where = f"${self.config.token_env}" if self.config.token_env else "the token"
            return AuthError(f"GitHub rejected the token in {where} (HTTP 401: {message or 'Bad credentials'}); create a new token and set it there")
        if status in (403, 429):
            if headers.get("X-RateLimit-Remaining") == "0":
                reset = _header_int(headers, "X-RateLimit-Reset")
                reset_at = datetime.fromtimestamp(reset, timezone.utc) if reset is not None else None
                limit = _header_int(headers, "X-RateLimit-Limit")
                per_hour = f" of {limit} requests/hour" if limit else ""
                state.reset_at = reset_at or state.reset_at
                when = f"; it resets at {_utc(reset_at)}" if reset_at else ""
                hint = "" if self._token else f"; set a token in ${self.config.token_env or 'GITHUB_TOKEN'} for 5,000 requests/hour"
                return RateLimited(self.name, f"GitHub API rate limit{per_hour} used up (HTTP {status}){when}{hint}", reset_at)
            retry_at = retry_after_time(headers, state.now)
            if retry_at is not None or "secondary rate limit" in message.lower():
                when = f"; try again after {_utc(retry_at)}" if retry_at else "; wait at least a minute before trying again"
                return RateLimited(self.name, f"GitHub secondary rate limit (HTTP {status}){when}", retry_at)
            if status == 403:
                detail = f": {message}" if message else ""
                return SourceBlocked(self.name, f"{response.url}: access refused (HTTP 403{detail})")
        return error_for_status(self.name, response)


# --------------------------------------------------------------------------------- pure helpers


def select_repos(
    repos: Sequence[Mapping[str, Any]], owner: str, options: GithubOptions
) -> tuple[list[Mapping[str, Any]], dict[str, list[str]]]:
    """Apply the fork/archived defaults and the include/exclude lists.

    ``include`` and ``exclude`` hold ``owner/name`` or a bare ``name`` (meaning the owner's),
    with shell wildcards (``*.github.io``), compared without case. ``exclude`` wins over
    everything; ``include`` brings back a fork or an archived repository. Returns the kept
    repositories (listing order) and the names dropped, by reason.
    """
    include = [_pattern(p, owner) for p in options.include]
    exclude = [_pattern(p, owner) for p in options.exclude]
    kept: list[Mapping[str, Any]] = []
    dropped: dict[str, list[str]] = {"config": [], "fork": [], "archived": []}
    for repo in repos:
        full = str(repo.get("full_name") or "")
        key = full.lower()
        if any(fnmatch.fnmatchcase(key, p) for p in exclude):
            dropped["config"].append(full)
            continue
        forced = any(fnmatch.fnmatchcase(key, p) for p in include)
        if repo.get("fork") and not (options.include_forks or forced):
            dropped["fork"].append(full)
            continue
        if repo.get("archived") and not (options.include_archived or forced):
            dropped["archived"].append(full)
            continue
        kept.append(repo)
    return kept, {k: v for k, v in dropped.items() if v}


# --------------------------------------------------------------------------------- shapes
# What the connector reads of GitHub's answers, type-checked before anything uses it: a
# ``"topics": 5`` or a repository that is null is a format error of that response (and the
# response leaves the HTTP cache), not a traceback later on. Fields the connector does not read
# are not checked.

_REPO_TEXT = ("name", "description", "homepage", "language", "created_at", "pushed_at", "html_url")
_REPO_INTS = ("stargazers_count", "watchers_count", "watchers", "forks_count", "forks")
_REPO_FLAGS = ("archived", "fork")
_PROFILE_TEXT = ("login", "name", "company", "blog", "bio", "location", "html_url")


def check_repo(repo: Node) -> None:
    """A repository object as the listing and ``/repos/<owner>/<name>`` send it."""
    repo.object()
    if not repo["full_name"].text():
        raise ShapeError(at(repo.where, "full_name"), "the repository's owner/name", repo["full_name"].value)
    for key in _REPO_TEXT:
        repo[key].text()
    for key in _REPO_INTS:
        integer(repo[key].value, at(repo.where, key))
    for key in _REPO_FLAGS:
        flag(repo[key].value, at(repo.where, key))
    texts(repo["topics"].value, at(repo.where, "topics"))


def check_repo_list(data: Any) -> None:
    for i, item in enumerate(array(data, "the repository list")):
        check_repo(Node(item, f"[{i}]"))


def check_profile(data: Any) -> None:
    profile = Node(data, "the profile")
    profile.object()
    for key in _PROFILE_TEXT:
        profile[key].text()
    integer(profile["public_repos"].value, at(profile.where, "public_repos"))


def person_from_profile(profile: Mapping[str, Any], login: str) -> Person:
    """The researcher as their GitHub profile describes them.

    ``company`` becomes the affiliation (without the ``@`` GitHub uses for organisations) and
    ``blog`` the homepage, with ``https://`` added when the profile omits the scheme, so it
    compares equal to the CV's homepage.
    """
    company = _text(profile.get("company"))
    if company and company.startswith("@"):
        company = company[1:].strip() or None
    blog = _text(profile.get("blog"))
    if blog and "://" not in blog:
        blog = f"https://{blog}"
    extra = {k: profile[k] for k in ("bio", "location", "html_url", "public_repos") if profile.get(k) not in (None, "")}
    return Person(
        name=_text(profile.get("name")) or login,
        ids=PersonIds(github=login),
        affiliation=company,
        homepage=blog,
        extra=extra,
    )


def _pattern(spec: str, owner: str) -> str:
    spec = spec.strip().lower()
    return spec if "/" in spec else f"{owner.lower()}/{spec}"


def _software_doi(cff: CffRecord | None, *texts: str | None) -> str | None:
    """The repository's own DOI: the CITATION.cff ``doi``, else a Zenodo/figshare DOI in the texts."""
    if cff is not None and cff.doi:
        return cff.doi
    for text in texts:
        for doi in dois_in(text):
            if is_software_doi(doi):
                return doi
    return None


def _decoded_file(data: Any) -> str | None:
    """The text of a contents-API file object (``encoding: base64``), or None."""
    if not isinstance(data, Mapping) or data.get("type", "file") != "file":
        return None
    content = data.get("content")
    if not isinstance(content, str):
        return None
    if data.get("encoding", "base64") != "base64":
        return content
    try:
        return base64.b64decode(content).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _api_message(response: requests.Response) -> str:
    from profilesync.connectors.http import decode_json

    try:
        data = decode_json(response.content)
    except (ValueError, RecursionError):
        return ""
    return str(data.get("message") or "") if isinstance(data, Mapping) else ""


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _first_int(data: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "an unknown time"
