"""The one HTTP policy every connector uses.

- a User-Agent naming profilesync and the configured contact address (DBLP, Crossref and OpenAlex
  ask for one; GitHub requires a User-Agent);
- connect and read timeouts on every request, and a wall-clock deadline per source;
- retries with exponential backoff on 429/5xx and connection errors (urllib3 ``Retry``), which
  honour ``Retry-After`` in seconds or as an HTTP-date, but never sleep longer than
  ``max_retry_wait``: a longer wait becomes a ``RateLimited`` error that says when to come back;
- a per-host rate limit (requests-ratelimiter over pyrate-limiter);
- an on-disk HTTP cache with conditional requests (requests-cache: ETag / Last-Modified are sent
  back as If-None-Match / If-Modified-Since, and a 304 reuses the stored body).

Connectors get an ``HttpClient`` and call ``get_json`` / ``get``; every failure comes back
as one of the typed ``SourceError``s, never as a requests exception.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from profilesync import __version__
from profilesync.connectors.shapes import FormatProblem
from profilesync.deadline import Deadline
from profilesync.errors import (
    Problem,
    RateLimited,
    SourceBlocked,
    SourceError,
    SourceFormatError,
    SourceUnavailable,
    UserError,
)

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)


def proxy_label(proxy: str) -> str:
    """A proxy URL fit for a message: its user name and password replaced by ``***``."""
    from urllib.parse import urlsplit

    parts = urlsplit(proxy)
    if parts.username is None and parts.password is None:
        return proxy
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://***@{host}{port}"


def environment_proxy(url: str) -> str | None:
    """The proxy requests would take from the environment for ``url`` (HTTPS_PROXY, ALL_PROXY,
    honouring NO_PROXY), or None."""
    from requests.utils import get_environ_proxies, select_proxy

    return select_proxy(url, get_environ_proxies(url))


@dataclass(frozen=True)
class HttpPolicy:
    """How one source is spoken to. Built from the source's options by ``registry.build_policy``."""

    source: str
    contact_email: str | None = None
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    deadline_s: float = 120.0
    retries: int = 3
    backoff_factor: float = 1.0
    max_retry_wait_s: float = 60.0
    min_interval_s: float = 1.0
    cache_dir: Path | None = None
    cache_expire_s: float = 3600.0
    max_redirects: int = 5
    max_bytes: int = 50 * 1024 * 1024
    headers: Mapping[str, str] = field(default_factory=dict)
    # Statuses the HTTP cache stores. GitHub adds 404: "this repository has no CITATION.cff".
    cache_statuses: tuple[int, ...] = (200,)
    # An explicit proxy for this source (http://, https://, socks5h:// with the scholar extra);
    # without it requests still honours HTTPS_PROXY / ALL_PROXY / NO_PROXY from the environment.
    proxy: str | None = None

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.contact_email}" if self.contact_email else ""
        return f"profilesync/{__version__} (+https://github.com/profilesync/profilesync{contact})"


class _CappedRetry(Retry):
    """urllib3 Retry that refuses to sleep longer than ``max_wait`` for a Retry-After.

    A server that says "come back in an hour" is answered by giving up now; the caller turns the
    response into a ``RateLimited`` error carrying the reset time. This keeps scheduled runs from
    hanging on a polite but long wait.
    """

    max_wait: float = 60.0
    # Seconds left of the source's deadline (HttpClient.remaining_s). urllib3 retries inside one
    # request, so without this a retried read timeout would run past the deadline.
    remaining: Callable[[], float] | None = None

    def new(self, **kw: Any) -> _CappedRetry:
        new = super().new(**kw)
        new.max_wait = self.max_wait
        new.remaining = self.remaining
        return new

    def _left(self) -> float:
        return self.remaining() if self.remaining is not None else float("inf")

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # noqa: ANN001
        left = self._left()
        if response is not None:
            retry_after = self.get_retry_after(response)
            if (retry_after is not None and retry_after > min(self.max_wait, left)) or left <= 0:
                # Give the response back to the caller instead of waiting.
                raise _GiveUp(response)
        elif left <= 0:
            # The deadline passed: no more attempts; the caller reports this last error.
            raise MaxRetryError(_pool, url, error)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_backoff_time(self) -> float:
        return min(super().get_backoff_time(), max(0.0, self._left()))


class _GiveUp(Exception):
    def __init__(self, response: Any):
        super().__init__("retry-after too long")
        self.response = response


class _Adapter(HTTPAdapter):
    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        try:
            return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        except _GiveUp as give_up:
            return self.build_response(request, give_up.response)


def _build_session(policy: HttpPolicy, remaining: Callable[[], float] | None = None, on_response: Callable[..., Any] | None = None) -> requests.Session:
    from requests_cache import CacheMixin
    from requests_ratelimiter import LimiterMixin

    classes: list[type] = []
    kwargs: dict[str, Any] = {}
    if policy.cache_dir is not None:
        classes.append(CacheMixin)
        kwargs.update(
            cache_name=str(_cache_file(policy.cache_dir)),
            backend="sqlite",
            expire_after=timedelta(seconds=policy.cache_expire_s),
            allowable_codes=policy.cache_statuses,
            # Authorization and token headers are never part of the cache key nor stored.
            ignored_parameters=("Authorization", "access_token", "token", "api_key"),
            match_headers=("Accept",),
            stale_if_error=False,
            serializer=_private_serializer(),
        )
    if policy.min_interval_s > 0:
        classes.append(LimiterMixin)
        kwargs.update(per_minute=60.0 / policy.min_interval_s, per_host=True, max_delay=policy.deadline_s)
    session_cls = type("PoliteSession", (*classes, requests.Session), {})
    session = session_cls(**kwargs)
    if policy.proxy:
        session.proxies = {"http": policy.proxy, "https": policy.proxy}
    retry = _CappedRetry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.max_retry_wait_s,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=True,
        redirect=policy.max_redirects,
    )
    retry.max_wait = policy.max_retry_wait_s
    retry.remaining = remaining
    adapter = _Adapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = policy.max_redirects
    session.headers.update({"User-Agent": policy.user_agent, **policy.headers})
    if on_response is not None:
        # Runs before requests-cache copies the body into the cache, which would otherwise read
        # it without the size cap and the deadline.
        session.hooks["response"].append(on_response)
    return session


# Request headers the cache may keep: content negotiation only (requests-cache compares them with
# a later request when the answer says ``Vary: Accept``). Nothing else is stored: Authorization,
# cookies and custom token headers would otherwise land on disk, and requests-cache's own
# redaction covers only the final request, not the hops of a redirect (GitHub 301s renamed
# users and repositories, and the token rides along to the new path).
_STORED_REQUEST_HEADERS = frozenset({"accept", "accept-encoding", "accept-language"})


def _private_copy(request: Any) -> None:
    """Keep only ``_STORED_REQUEST_HEADERS`` of a stored request; drop its cookies and body."""
    from requests.cookies import RequestsCookieJar
    from requests.structures import CaseInsensitiveDict

    if request is None:
        return
    request.headers = CaseInsensitiveDict({k: v for k, v in (request.headers or {}).items() if k.lower() in _STORED_REQUEST_HEADERS})
    request.cookies = RequestsCookieJar()
    request.body = None


def _strip_requests(response: Any) -> Any:
    """The serializer's first stage: a response, every hop of its redirect history and the
    request each would have led to next lose their secrets before anything is written."""
    for hop in (response, *(getattr(response, "history", None) or ())):
        _private_copy(getattr(hop, "request", None))
        _private_copy(getattr(hop, "_next", None))
    return response


def _private_serializer() -> Any:
    from requests_cache.serializers import SerializerPipeline, Stage, pickle_serializer

    stage = Stage(dumps=_strip_requests, loads=lambda response: response)
    return SerializerPipeline([stage, *pickle_serializer.stages], name="profilesync-private", is_binary=True)


def _make_private(cache_dir: Path) -> None:
    """The cache folder 0700 and its files 0600, also when an older version left them readable:
    the cache holds private records and answers to authenticated requests."""
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    cache_dir.chmod(0o700)
    database = cache_dir / "http_cache.sqlite"
    if not database.exists():
        # SQLite creates its journal and WAL files with the database's mode: create it 0600
        # ourselves rather than leave its mode to the umask.
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in cache_dir.glob("http_cache*.sqlite*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o600)


# Sources are pulled in parallel threads that share one cache file: only one of them may check a
# damaged file and move it aside, or the second finds it gone.
_CACHE_CHECK_LOCK = threading.Lock()


def _cache_file(cache_dir: Path) -> Path:
    """The HTTP cache database; a corrupt one is moved aside so the pull can go on."""
    path = cache_dir / "http_cache.sqlite"
    with _CACHE_CHECK_LOCK:
        if not path.exists():
            return path
        try:
            conn = sqlite3.connect(path)
            try:
                conn.execute("PRAGMA schema_version").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            broken = path.with_name(f"http_cache.corrupt-{time.time_ns()}.sqlite")
            try:
                path.replace(broken)
            except FileNotFoundError:
                return path  # another process moved it first
            log.warning("HTTP cache %s was corrupt; moved it to %s and started a new one", path, broken)
    return path


@dataclass(frozen=True)
class FetchResult:
    """A successful response: body, status and whether it came from the HTTP cache.

    ``cache_key`` is the HTTP cache's key for it (None when it was not stored): what
    ``HttpClient.reading`` drops when the body turns out unusable.
    """

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str]
    from_cache: bool
    cache_key: str | None = None

    def json(self) -> Any:
        """The decoded JSON; raises ``ValueError`` (not JSON) or ``RecursionError`` (nested too
        deeply for the decoder). Use it inside ``HttpClient.reading``, which reports both."""
        return decode_json(self.content)


def decode_json(content: bytes) -> Any:
    import json

    return json.loads(content)


# Exceptions that mean "this body is not what the source documents": a typed check failed
# (ShapeError, SourceFormatError), the JSON/XML decoder refused it or ran out of stack, or
# code that relied on the documented shape met something else (the last line: a safety net for
# a shape no check covered yet, so the source is reported stale instead of a traceback).
_UNUSABLE: tuple[type[BaseException], ...] = (
    SourceFormatError,
    FormatProblem,
    RecursionError,
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
)
_PATH_LIMIT = 120


class HttpClient:
    """A polite HTTP client for one source. Not shared across sources (each has its own policy)."""

    def __init__(self, policy: HttpPolicy, *, session: requests.Session | None = None, deadline: Deadline | None = None):
        self.policy = policy
        self._session = session
        # The source's time budget: the caller's (the pull waits on the same one), else
        # ``policy.deadline_s`` from now.
        self.deadline = deadline if deadline is not None else Deadline.start(policy.deadline_s)
        self.requests_sent = 0  # network requests, cache hits excluded; tests and benchmarks read it

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            try:
                if self.policy.cache_dir is not None:
                    _make_private(self.policy.cache_dir)
                self._session = _build_session(self.policy, self.remaining_s, self._body_hook)
            except (OSError, sqlite3.Error) as exc:
                raise _cache_error(self.policy.cache_dir, exc) from None
        return self._session

    def restart_deadline(self) -> None:
        """A fresh budget, on the same clock (each write gets its own)."""
        self.deadline = self.deadline.restarted()

    def remaining_s(self) -> float:
        return self.deadline.remaining()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        refresh: bool = False,
        json_body: Any = None,
        cache: bool = True,
        follow_redirects: bool = True,
    ) -> requests.Response:
        """Send one request under the policy; return the response whatever its status.

        Network failures become ``SourceUnavailable``; a passed deadline too. With
        ``follow_redirects=False`` a 3xx comes back as it is (writes: a 307/308 would re-send
        the body, and the token, to wherever it points).
        """
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise SourceUnavailable(self.policy.source, f"gave up: the {self.deadline.budget_s:g} s deadline passed")
        # Every attempt urllib3 may make must fit in what is left of the deadline.
        share = remaining / (1 + max(0, self.policy.retries))
        timeout = (min(self.policy.connect_timeout_s, share), min(self.policy.read_timeout_s, share))
        kwargs: dict[str, Any] = {"params": params, "headers": dict(headers or {}), "timeout": timeout, "stream": True, "allow_redirects": follow_redirects}
        if json_body is not None:
            kwargs["json"] = json_body
        session = self.session
        if hasattr(session, "cache_disabled"):
            if not cache:
                with session.cache_disabled():
                    response = self._send(session, method, url, kwargs)
            else:
                if refresh:
                    kwargs["refresh"] = True
                response = self._send(session, method, url, kwargs)
                if refresh and getattr(response, "from_cache", False) and not (response.headers.get("ETag") or response.headers.get("Last-Modified")):
                    # Nothing to revalidate with: requests-cache would hand back the stored body,
                    # but --refresh promises current data, so fetch it again.
                    kwargs.pop("refresh", None)
                    kwargs["force_refresh"] = True
                    response = self._send(session, method, url, kwargs)
        else:
            response = self._send(session, method, url, kwargs)
        # A 304 comes back as the cached response (from_cache) but was a request all the same.
        if not getattr(response, "from_cache", False) or getattr(response, "revalidated", False):
            self.requests_sent += 1
        return response

    def _send(self, session: requests.Session, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        source = self.policy.source
        try:
            response = session.request(method, url, **kwargs)
            self._read_body(response)
            return response
        except requests.exceptions.TooManyRedirects:
            raise SourceUnavailable(source, f"too many redirects from {url} (a redirect loop?)") from None
        except requests.exceptions.RetryError as exc:
            raise SourceUnavailable(source, f"{url}: still failing after {self.policy.retries} retries ({_reason(exc)})") from None
        except requests.exceptions.Timeout:
            raise SourceUnavailable(source, f"{url}: no answer within the timeout") from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc):
                raise SourceUnavailable(source, f"{url}: no answer within the timeout") from None
            raise SourceUnavailable(source, f"{url}: cannot connect ({_reason(exc)})") from None
        except requests.exceptions.ChunkedEncodingError:
            raise SourceUnavailable(source, f"{url}: the response was cut off") from None
        except requests.exceptions.RequestException as exc:
            raise SourceUnavailable(source, f"{url}: {_reason(exc)}") from None
        except sqlite3.Error as exc:  # requests-cache could not read or write its database
            raise _cache_error(self.policy.cache_dir, exc) from None

    def _body_hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._read_body(response)

    def _read_body(self, response: requests.Response) -> None:
        """Read the body under the deadline and the size cap (a server may drip bytes forever).

        ``read1`` returns whatever one socket read brings, so the deadline is checked between
        drips (``iter_content`` would block until a whole chunk arrived).
        """
        if getattr(response, "from_cache", False) or response._content_consumed:  # noqa: SLF001
            return
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
            response.close()
            raise SourceFormatError(self.policy.source, f"{response.url}: response of {int(declared):,} bytes is larger than the {self.policy.max_bytes:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        read = raw.read1 if hasattr(raw, "read1") else raw.read
        try:
            while True:
                if self.deadline.expired:
                    response.close()
                    raise SourceUnavailable(self.policy.source, f"{response.url}: the response did not finish within the {self.deadline.budget_s:g} s deadline")
                chunk = read(64 * 1024, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > self.policy.max_bytes:
                    response.close()
                    raise SourceFormatError(self.policy.source, f"{response.url}: response larger than the {self.policy.max_bytes:,}-byte limit")
        except urllib3.exceptions.ReadTimeoutError:
            raise SourceUnavailable(self.policy.source, f"{response.url}: no answer within the timeout") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise SourceUnavailable(self.policy.source, f"{response.url}: the response was cut off ({_reason(exc)})") from None
        response._content = b"".join(chunks)  # noqa: SLF001
        response._content_consumed = True  # noqa: SLF001

    def get(self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None, refresh: bool = False, ok: tuple[int, ...] = (200,)) -> FetchResult:
        """GET ``url`` and return it when its status is in ``ok``; raise a typed error otherwise."""
        response = self.request("GET", url, params=params, headers=headers, refresh=refresh)
        if response.status_code not in ok:
            raise error_for_status(self.policy.source, response)
        return FetchResult(
            url=response.url,
            status=response.status_code,
            content=response.content,
            headers=dict(response.headers),
            from_cache=bool(getattr(response, "from_cache", False)),
            cache_key=getattr(response, "cache_key", None),
        )

    def get_json(self, url: str, **kwargs: Any) -> Any:
        result = self.get(url, **kwargs)
        with self.reading(result):
            return result.json()

    @contextlib.contextmanager
    def reading(self, response: FetchResult | requests.Response) -> Iterator[None]:
        """The one place a response's body is judged unusable.

        Decode and check ``response`` inside this block. Whatever goes wrong there (a
        ``ShapeError`` from a type check, a ``SourceFormatError``, invalid or too deeply nested
        JSON, or a shape no check anticipated) drops the response from the HTTP cache, so the
        next pull asks the source again instead of replaying it (a 304 would otherwise keep
        the broken body alive forever), and leaves the block as one ``SourceFormatError``
        naming the source, the URL path and what was wrong: that source is stale, exit 3.
        """
        try:
            yield
        except _UNUSABLE as exc:
            self.discard(response)
            raise self._unusable(response, exc) from None

    def discard(self, response: FetchResult | requests.Response) -> None:
        """Drop ``response`` from the HTTP cache (a no-op when it was never stored)."""
        key = getattr(response, "cache_key", None)
        cache = getattr(self._session, "cache", None) if self._session is not None else None
        if not key or cache is None:
            return
        try:
            cache.delete(key)
        except sqlite3.Error as exc:
            log.warning("%s: could not drop an unusable response from the HTTP cache: %s", self.policy.source, exc)

    def _unusable(self, response: FetchResult | requests.Response, exc: BaseException) -> SourceFormatError:
        source = self.policy.source
        if isinstance(exc, SourceFormatError):
            return exc
        path = urlsplit(str(response.url)).path or "/"
        if len(path) > _PATH_LIMIT:
            path = path[: _PATH_LIMIT - 3] + "..."
        if isinstance(exc, FormatProblem):
            what = str(exc)
        elif isinstance(exc, RecursionError):
            what = "the response is nested too deeply to be read"
        elif isinstance(exc, ValueError) and type(exc).__name__ in ("JSONDecodeError", "UnicodeDecodeError"):
            what = f"the response is not valid JSON ({_short(str(exc))})"
        else:
            # A shape no check covers yet: keep the details for a bug report, not the user.
            log.debug("%s: unusable response from %s", source, path, exc_info=exc)
            what = f"unexpected content ({type(exc).__name__}: {_short(str(exc))})"
        return SourceFormatError(source, f"{path}: {what}")

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def _cache_error(cache_dir: Path | None, exc: BaseException) -> UserError:
    """A local HTTP-cache failure (not a directory, read-only, disk full) as a user error."""
    what = getattr(exc, "strerror", None) or str(exc)
    return UserError([Problem(str(cache_dir), None, f"the HTTP cache cannot be used: {what}", "check that cache_dir is a writable directory and the disk is not full")])


def retry_after_time(headers: Mapping[str, str], now: datetime | None = None) -> datetime | None:
    """When a ``Retry-After`` header (seconds or HTTP-date) says we may come back."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    if not value:
        return None
    now = now or datetime.now(timezone.utc)
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def error_for_status(source: str, response: requests.Response) -> SourceError:
    """The typed error for a non-success response; connectors refine 403/404 where they know more."""
    status = response.status_code
    where = response.url
    if status == 429:
        reset = retry_after_time(response.headers)
        when = f"; try again after {reset.strftime('%Y-%m-%d %H:%M:%S UTC')}" if reset else ""
        return RateLimited(source, f"rate limited by the server (HTTP 429){when}", reset)
    if status == 403:
        return SourceBlocked(source, f"{where}: access refused (HTTP 403)")
    if status >= 500:
        return SourceUnavailable(source, f"{where}: server error HTTP {status}")
    return SourceUnavailable(source, f"{where}: unexpected HTTP {status}")


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text or "Failed to resolve" in text:
        return "host name not found (offline?)"
    return text if len(text) < 160 else text[:157] + "..."
