"""Fetch one Scholar profile page by page (runs inside the worker process).

One request per page of 100 rows, no retries unless ``sources.scholar.retries`` asks: a CAPTCHA
or a 429 is answered by stopping, never by asking again, because repeated requests are what turn
Scholar's soft block into a long one. Every way this can fail ends as ``ScholarUnavailable``; a
page Scholar refused is kept out of the HTTP cache so the next pull asks again instead of
replaying the refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from profilesync.connectors.http import HttpClient, HttpPolicy, retry_after_time
from profilesync.connectors.scholar_errors import ScholarFailure, ScholarFormatError, ScholarUnavailable
from profilesync.connectors.scholar_page import (
    DetailPage,
    ProfileHeader,
    ProfileMetrics,
    ProfileRow,
    detect_block,
    parse_detail,
    parse_profile,
)
from profilesync.deadline import Deadline
from profilesync.errors import SourceError, SourceFormatError

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the largest page Scholar serves; fewer requests means fewer chances to be blocked
TRUNCATION_MARKS = ("…", "...")


@dataclass(frozen=True)
class ScholarJob:
    """Everything the worker needs, picklable: no open sockets, no config objects."""

    user_id: str
    base_url: str
    policy: HttpPolicy
    budget_s: float
    max_pages: int  # ScholarOptions.max_pages (its default lives there)
    refresh: bool = False
    detail_budget: int = 0
    retries: int = 0


@dataclass(frozen=True)
class ScholarFetched:
    """What one successful pull read: the profile as shown plus any detail pages."""

    header: ProfileHeader
    metrics: ProfileMetrics
    rows: tuple[ProfileRow, ...]
    pages: int
    complete: bool
    details: Mapping[str, DetailPage] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    requests: int = 0


def profile_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/citations"


def fetch_profile(job: ScholarJob, deadline: Deadline | None = None) -> ScholarFetched:
    """Read every page of the profile, then up to ``detail_budget`` detail pages, within
    ``deadline`` (default: ``job.budget_s`` from now).

    Raises ``ScholarUnavailable`` for every failure of the profile pages. A failing detail page
    only adds a note: the list already holds everything the pull promises.
    """
    if deadline is None:
        deadline = Deadline.start(max(job.budget_s, 0.1))
    policy = replace(job.policy, deadline_s=deadline.budget_s, retries=job.retries)
    client = HttpClient(policy, deadline=deadline)
    try:
        _drop_refusals_from_cache(client)
        return _fetch(job, client)
    finally:
        client.close()


def _fetch(job: ScholarJob, client: HttpClient) -> ScholarFetched:
    rows: list[ProfileRow] = []
    seen: set[str] = set()
    notes: list[str] = []
    header: ProfileHeader | None = None
    metrics: ProfileMetrics | None = None
    pages = 0
    complete = False
    cstart = 0
    max_pages = max(1, job.max_pages)
    while pages < max_pages:
        params = {"hl": "en", "user": job.user_id, "cstart": cstart, "pagesize": PAGE_SIZE}
        page = _page(client, profile_url(job.base_url), params, job.refresh, parse_profile)
        pages += 1
        if header is None:
            header, metrics = page.header, page.metrics
        keys = [row.pub_id or f"{row.title}|{row.year}" for row in page.rows]
        if page.rows and all(key in seen for key in keys):
            # The server answered the same rows again (it ignored cstart): without this check a
            # misbehaving mirror or a changed paging scheme would loop until the deadline.
            raise ScholarUnavailable(
                ScholarFailure.LAYOUT_CHANGED,
                f"Scholar repeated the publication list instead of continuing after row {cstart}: its paging may have changed",
            )
        seen.update(keys)
        rows.extend(page.rows)
        if not page.has_more or not page.rows:
            complete = True
            break
        # The next page starts after the rows actually received: a server may serve fewer than asked.
        cstart += len(page.rows)
    if not complete:
        notes.append(f"stopped after {pages} pages ({len(rows)} works); set sources.scholar.max_pages higher to read the rest")
    assert header is not None  # the loop runs at least once
    assert metrics is not None
    details = _fetch_details(job, client, rows, notes) if job.detail_budget > 0 else {}
    return ScholarFetched(
        header=header,
        metrics=metrics,
        rows=tuple(rows),
        pages=pages,
        complete=complete,
        details=details,
        notes=tuple(notes),
        requests=client.requests_sent,
    )


def detail_candidates(rows: tuple[ProfileRow, ...] | list[ProfileRow], budget: int) -> list[ProfileRow]:
    """Which rows deserve a detail request: cut-off author lists and titles first, then the
    most cited (most likely to matter in a report)."""
    usable = [r for r in rows if r.pub_id]

    def wanted(row: ProfileRow) -> tuple[int, int]:
        cut = row.authors_text.endswith(TRUNCATION_MARKS) or row.title.endswith(TRUNCATION_MARKS)
        return (0 if cut else 1, -row.citations)

    return sorted(usable, key=wanted)[:budget]


def _fetch_details(job: ScholarJob, client: HttpClient, rows: list[ProfileRow], notes: list[str]) -> dict[str, DetailPage]:
    details: dict[str, DetailPage] = {}
    wanted = detail_candidates(rows, job.detail_budget)
    for row in wanted:
        assert row.pub_id is not None
        params = {"view_op": "view_citation", "hl": "en", "citation_for_view": row.pub_id}
        try:
            details[row.pub_id] = _page(client, profile_url(job.base_url), params, job.refresh, parse_detail)
        except ScholarUnavailable as exc:
            # Keep what the list gave; one refused detail page means the next would be refused too.
            notes.append(f"details for {len(wanted) - len(details)} of {len(wanted)} works were not fetched: {exc.reason}")
            break
    return details


def _page(client: HttpClient, url: str, params: Mapping[str, Any], refresh: bool, parse):  # noqa: ANN001, ANN202
    """GET one Scholar page and parse it; every failure becomes ``ScholarUnavailable``."""
    try:
        response = client.request("GET", url, params=params, refresh=refresh)
    except SourceError as exc:
        raise _from_http_error(exc, client) from None
    status = response.status_code
    text = response.content.decode(response.encoding or "utf-8", errors="replace")
    # A refusal page says more than its status (Google's "unusual traffic" page comes as a 429).
    block = detect_block(response.url, text)
    if block is not None:
        reset = retry_after_time(response.headers) if status == 429 else None
        raise ScholarUnavailable(block.failure, block.reason, reset)
    if status != 200:
        raise _from_status(status, response.url, response.headers, params)
    # An unreadable page (LayoutError, a value of the wrong kind) leaves the HTTP cache, so the
    # next pull asks Scholar again instead of replaying it.
    try:
        with client.reading(response):
            return parse(text)
    except SourceFormatError as exc:
        raise ScholarFormatError(ScholarFailure.LAYOUT_CHANGED, f"cannot read the Scholar page {exc.reason}") from None


def _from_status(status: int, url: str, headers: Mapping[str, str], params: Mapping[str, Any]) -> ScholarUnavailable:
    if status == 429:
        reset = retry_after_time(headers)
        when = f"; it allows more after {reset.strftime('%Y-%m-%d %H:%M UTC')}" if reset else "; try again in a few hours"
        return ScholarUnavailable(ScholarFailure.RATE_LIMITED, f"rate limited by Scholar (HTTP 429){when}", reset)
    if status == 403:
        return ScholarUnavailable(
            ScholarFailure.FORBIDDEN,
            "Scholar refused access (HTTP 403); it blocks automated access from some networks: try again later or use `profilesync import scholar FILE`",
        )
    if status == 404:
        user = params.get("user") or params.get("citation_for_view")
        return ScholarUnavailable(ScholarFailure.NOT_FOUND, f"Scholar has no page for {user} (HTTP 404); check sources.scholar.id")
    if status >= 500:
        return ScholarUnavailable(ScholarFailure.SERVER_ERROR, f"Scholar answered with a server error (HTTP {status})")
    return ScholarUnavailable(ScholarFailure.SERVER_ERROR, f"Scholar answered {url} with an unexpected HTTP {status}")


def _from_http_error(exc: SourceError, client: HttpClient) -> ScholarUnavailable:
    reason = exc.reason
    lowered = reason.lower()
    if client.remaining_s() <= 0 or "timeout" in lowered or "deadline" in lowered or "did not finish" in lowered:
        return ScholarUnavailable(ScholarFailure.TIMEOUT, f"Scholar did not answer in time ({reason})")
    if "redirect" in lowered:
        return ScholarUnavailable(ScholarFailure.UNUSUAL_TRAFFIC, f"Scholar kept redirecting instead of showing the profile ({reason})")
    return ScholarUnavailable(ScholarFailure.NETWORK, f"cannot reach Scholar ({reason})")


def _drop_refusals_from_cache(client: HttpClient) -> None:
    """Keep CAPTCHA and "unusual traffic" pages (served with status 200) out of the HTTP cache."""
    session = client.session
    settings = getattr(session, "settings", None)
    if settings is None:
        return

    def cacheable(response: Any) -> bool:
        try:
            text = response.content.decode("utf-8", errors="replace")
        except Exception:  # noqa: BLE001 - an unreadable body is simply not cached
            return False
        return detect_block(str(response.url), text) is None

    settings.filter_fn = cacheable
