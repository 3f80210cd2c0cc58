"""``profilesync push --to orcid``: add the CV's works that the ORCID record lacks.

Writes go to the member API (``sources.orcid.member_base_url``; the sandbox
``https://api.sandbox.orcid.org/v3.0`` unless the config says ``production: true``). The token
comes from the environment variable ``sources.orcid.token_env`` names (default ``ORCID_TOKEN``);
it is sent only in the ``Authorization`` header of the POSTs, masked in every printed request,
and never written anywhere.

Only ``POST /{orcid}/work`` is implemented. profilesync never edits (PUT) or deletes a work on
ORCID, not even one it created, so it cannot damage what the researcher or another source put
there.

Safety rails:
- what ORCID lacks is decided against the last ORCID snapshot (``pull --source orcid`` first),
  by the matcher *and* by a plain id + normalised-title comparison: a work either finds on the
  record is not sent (a missed push is cheap to notice; a duplicate on a public record is not);
- ``cache/orcid_pushed.json`` remembers every work ORCID accepted (put-code from ``Location``), so
  a second push sends nothing; ORCID's own 409/9021 ("you have already added this activity") is
  recorded the same way;
- without a terminal and without ``--yes`` the push is a dry run that prints the exact requests
  (``commands/push_orcid.py`` asks and prints; this module plans and sends);
- a 401/403 stops at once with how to get a token with ``/activities/update``; exit 2.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from profilesync.connectors.base import PushResult
from profilesync.errors import AuthError, Problem, SourceError, UserError
from profilesync.model import Snapshot, Work, format_time
from profilesync.normalize.identifiers import (
    normalize_arxiv,
    normalize_doi,
    normalize_orcid,
    orcid_checksum_ok,
)
from profilesync.normalize.sanitize import clean_text
from profilesync.normalize.text import normalize_title
from profilesync.push.orcid_body import external_ids, identifier_digest, work_body
from profilesync.push.orcid_state import PushedWork, PushState

if TYPE_CHECKING:
    from datetime import datetime

    import requests

    from profilesync.config import Config, SourceConfig
    from profilesync.connectors.http import HttpClient
    from profilesync.cv.record import CvRecord

log = logging.getLogger(__name__)

SANDBOX_MEMBER_URL = "https://api.sandbox.orcid.org/v3.0"
PRODUCTION_MEMBER_URL = "https://api.orcid.org/v3.0"
PRODUCTION_HOSTS = frozenset({"api.orcid.org", "pub.orcid.org", "orcid.org", "www.orcid.org"})
DEFAULT_TOKEN_ENV = "ORCID_TOKEN"
WRITE_HEADERS = {"Accept": "application/json", "Content-Type": "application/vnd.orcid+json"}
DUPLICATE_ERROR = 9021
RETRY_STATUSES = frozenset({500, 502, 503, 504})
POST_RETRIES = 2
MAX_RETRY_WAIT_S = 30.0
_PUT_CODE_IN_LOCATION = re.compile(r"/work/(\d+)/?$")
_PUT_CODE_IN_MESSAGE = re.compile(r"put-code\s+(\d+)", re.IGNORECASE)


class Outcome:
    """``PushResult.outcome`` values this module produces."""

    CREATED = "created"
    EXISTS = "exists"
    FAILED = "failed"


@dataclass(frozen=True)
class PushTarget:
    """Where the works go: the iD, the member API base URL, and which ORCID (sandbox or not)."""

    orcid: str
    base_url: str
    production: bool
    token_env: str

    @property
    def host(self) -> str:
        return urlparse(self.base_url).netloc.lower()

    @property
    def orcid_host(self) -> str:
        """The registry host iDs live on (for contributor iD URIs and OAuth)."""
        return "orcid.org" if self.production and "sandbox" not in self.host else "sandbox.orcid.org"

    @property
    def state_key(self) -> str:
        return f"{self.host}/{self.orcid}"

    @property
    def post_url(self) -> str:
        return f"{self.base_url}/{self.orcid}/work"


@dataclass(frozen=True)
class PlannedPost:
    key: str
    work: Work
    url: str
    body: dict[str, Any]
    digest: str


@dataclass(frozen=True)
class Skip:
    key: str
    reason: str


def resolve_target(source: SourceConfig, cv: CvRecord, config_label: str) -> PushTarget:
    """The push target from the config; raises ``UserError`` for a bad iD or an unsafe URL.

    Production is used only when ``production: true``; a production ``member_base_url``
    without it is refused rather than silently written to.
    """
    raw = source.id or cv.person.ids.orcid
    orcid = normalize_orcid(raw)
    if not orcid or not orcid_checksum_ok(orcid):
        what = f'"{raw}" is not a valid ORCID iD' if raw else "no ORCID iD is configured"
        raise UserError([Problem(config_label, "sources.orcid.id", what, "set your iD, e.g. id: 0000-0003-4209-9451")])
    from profilesync.connectors.orcid import MEMBER_URL_FIX, OrcidOptions, insecure_url

    options = source.options if isinstance(source.options, OrcidOptions) else OrcidOptions()
    production = options.production
    base = str(options.member_base_url or (PRODUCTION_MEMBER_URL if production else SANDBOX_MEMBER_URL)).rstrip("/")
    parsed = urlparse(base)
    host = parsed.netloc.lower()
    if insecure_url(base):
        raise UserError([Problem(config_label, "sources.orcid.member_base_url", f"{base} is not an https URL; the ORCID token and your works would travel unencrypted", MEMBER_URL_FIX)])
    if host in PRODUCTION_HOSTS and not production:
        raise UserError(
            [Problem(config_label, "sources.orcid.member_base_url", f"{base} is the production ORCID API, but production is not enabled", "add `production: true` under sources.orcid to write to your real record, or use the sandbox https://api.sandbox.orcid.org/v3.0")]
        )
    if host.startswith("pub.") or host.startswith("pub-"):
        raise UserError([Problem(config_label, "sources.orcid.member_base_url", f"{base} is a public (read-only) API host", "use the member API: https://api.sandbox.orcid.org/v3.0, or https://api.orcid.org/v3.0 with production: true")])
    return PushTarget(orcid=orcid, base_url=base, production=production, token_env=source.token_env or DEFAULT_TOKEN_ENV)


# --- what ORCID lacks ---------------------------------------------------------------------------


def _id_tokens(work: Work) -> set[str]:
    """``kind:value`` for every identifier of ``work``, ORCID group put-codes and ids included."""
    tokens = {f"{kind}:{value.lower()}" for kind, value in work.ids.items() if kind not in {"url", "scholar", "github"}}
    extra = work.extra or {}
    group = extra.get("orcid_group")
    if isinstance(group, Mapping):
        tokens.update(f"orcid_put_code:{pc}" for pc in group.get("put_codes") or ())
    for raw in extra.get("orcid_ids") or ():
        if not isinstance(raw, Mapping) or raw.get("relationship") == "part-of":
            continue
        value = str(raw.get("value") or "")
        if raw.get("type") == "doi" and normalize_doi(value):
            tokens.add(f"doi:{normalize_doi(value)}")
        elif raw.get("type") == "arxiv" and normalize_arxiv(value):
            tokens.add(f"arxiv:{normalize_arxiv(value)}")
    return tokens


def simple_missing(cv_works: Sequence[Work], orcid_works: Sequence[Work]) -> list[Work]:
    """CV works that share no identifier and no normalised title with any ORCID work.

    The plain comparison the push relies on whatever the matcher says: DOI, arXiv id, DBLP key
    and put-codes (every put-code of an ORCID group), then the title in comparison form.
    """
    known: set[str] = set()
    titles: set[str] = set()
    for work in orcid_works:
        known |= _id_tokens(work)
        titles.add(normalize_title(work.title))
    out = []
    for work in cv_works:
        if _id_tokens(work) & known:
            continue
        if normalize_title(work.title) in titles:
            continue
        out.append(work)
    return out


def missing_on_orcid(cv_works: Sequence[Work], orcid_works: Sequence[Work], matching: Any = None) -> list[Work]:
    """CV works neither the matcher nor the plain comparison finds on the ORCID record.

    Any match the matcher makes (strong, probable or a preprint/published version pair) counts
    as "ORCID has it": adding a near-duplicate to a public record is worse than a missed add.
    """
    from profilesync.match.matcher import load_params, match_works

    candidates = simple_missing(cv_works, orcid_works)
    result = match_works(list(cv_works), list(orcid_works), load_params(matching))
    unmatched = {id(cv_works[i]) for i in result.unmatched_cv}
    return [w for w in candidates if id(w) in unmatched]


def plan_posts(works: Sequence[Work], target: PushTarget, state: PushState, researcher: Sequence[str]) -> tuple[list[PlannedPost], list[Skip]]:
    """The POSTs to send, and the works left out with the reason for each."""
    plan: list[PlannedPost] = []
    skipped: list[Skip] = []
    for work in works:
        key = work.key or work.title
        if work.ids.orcid_put_code:
            skipped.append(Skip(key, f"has ORCID put-code {work.ids.orcid_put_code} in the CV but is not on the record any more; not added again (remove ids.orcid_put_code to add it)"))
            continue
        body = work_body(work, researcher=researcher, orcid=target.orcid, orcid_host=target.orcid_host)
        if body is None:
            skipped.append(Skip(key, "has no DOI, arXiv id, DBLP key or url; ORCID needs one to add a work (add one to the CV entry)"))
            continue
        digest = identifier_digest(external_ids(work))
        done = state.done(key, digest)
        if done is not None:
            where = f" (put-code {done.put_code})" if done.put_code else ""
            skipped.append(Skip(key, f"already pushed on {done.at[:10]}{where}"))
            continue
        plan.append(PlannedPost(key, work, target.post_url, body, digest))
    return plan, skipped


# --- sending --------------------------------------------------------------------------------


def token_help(target: PushTarget) -> str:
    """How to get a token that can add works (docs/sources.md §2.2)."""
    registry = f"https://{target.orcid_host}"
    return (
        f"adding works needs a member-API access token with the /activities/update scope, granted by the "
        f"record holder through ORCID's three-legged OAuth: open {registry}/oauth/authorize?client_id=<your "
        f"member client id>&response_type=code&scope=/activities/update&redirect_uri=<your redirect URI>, "
        f"sign in and authorise, then exchange the returned code at {registry}/oauth/token "
        f"(grant_type=authorization_code). Put the access_token in the environment variable "
        f"{target.token_env}. A {'production' if target.production else 'sandbox'} token works only with "
        f"{target.host}."
    )


class OrcidWriter:
    """Sends the planned POSTs. Only POST exists here: no PUT, no DELETE."""

    def __init__(self, http: HttpClient, target: PushTarget, token: str, *, sleep: Callable[[float], None] = time.sleep):
        self.http = http
        self.target = target
        self._token = token
        self._sleep = sleep
        self.requests = 0

    def post(self, planned: PlannedPost) -> PushResult:
        """POST one work. Raises ``AuthError`` on 401/403; other failures are a ``failed`` result.

        Retrying a POST is normally unsafe (it may create a second copy). Here it is bounded
        (``POST_RETRIES``) and limited to 5xx answers that carry no ``Location``, i.e. the server
        did not report a creation. Even if a 5xx hid a creation, the retry cannot duplicate:
        the body always carries a ``self`` external id, and ORCID rejects a second work with
        the same ``self`` ids from the same client with 409/9021, which is recorded as "already
        there" with the put-code ORCID names. HttpClient's own retries skip POST for this reason.
        """
        headers = {**WRITE_HEADERS, "Authorization": f"Bearer {self._token}"}
        attempt = 0
        while True:
            self.http.restart_deadline()
            try:
                response = self.http.request("POST", planned.url, headers=headers, json_body=planned.body, cache=False, follow_redirects=False)
            except SourceError as exc:
                return PushResult(planned.key, Outcome.FAILED, detail=exc.reason)
            self.requests += 1
            status = response.status_code
            if status in RETRY_STATUSES and "Location" not in response.headers and attempt < POST_RETRIES:
                attempt += 1
                wait = _retry_wait(response, attempt)
                log.info("ORCID answered HTTP %d for %s; retrying in %.1f s (%d/%d)", status, planned.key, wait, attempt, POST_RETRIES)
                self._sleep(wait)
                continue
            return self._result(planned, response)

    def _result(self, planned: PlannedPost, response: requests.Response) -> PushResult:
        status = response.status_code
        error = _error_body(response)
        # Member-API errors carry developer-message; OAuth refusals (401) carry error_description.
        # The text is the server's and reaches the terminal: no control sequence, and not a novel.
        message = clean_text(str(error.get("developer-message") or error.get("user-message") or error.get("error_description") or ""))[:300]
        if status == 201:
            match = _PUT_CODE_IN_LOCATION.search(response.headers.get("Location", ""))
            return PushResult(planned.key, Outcome.CREATED, remote_id=match.group(1) if match else None)
        if 300 <= status < 400:
            # Never followed: a 307/308 would re-send the work and the token to wherever it points.
            where = response.headers.get("Location") or "nowhere (no Location header)"
            raise SourceError(
                "orcid",
                f"{planned.url} answered HTTP {status} pointing to {where}; profilesync does not follow redirects when writing. "
                "Check sources.orcid.member_base_url (the member API is https://api.sandbox.orcid.org/v3.0, or https://api.orcid.org/v3.0). "
                "Nothing was sent there",
            )
        if status in (401, 403):
            reason = f"HTTP {status}" + (f": {message}" if message else "")
            raise AuthError(f"ORCID refused the token in ${self.target.token_env} ({reason}). {token_help(self.target)} Nothing was changed.")
        if status == 409 and _error_code(error) == DUPLICATE_ERROR:
            match = _PUT_CODE_IN_MESSAGE.search(message)
            return PushResult(planned.key, Outcome.EXISTS, remote_id=match.group(1) if match else None, detail="ORCID already has this work from profilesync (409, error 9021)")
        detail = f"HTTP {status}" + (f": {message}" if message else "")
        return PushResult(planned.key, Outcome.FAILED, detail=detail)


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error_code(error: dict[str, Any]) -> int | None:
    try:
        return int(error.get("error-code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _retry_wait(response: requests.Response, attempt: int) -> float:
    from profilesync.connectors.http import retry_after_time

    reset = retry_after_time(response.headers)
    if reset is not None:
        from profilesync.model import utcnow

        return max(0.0, min(MAX_RETRY_WAIT_S, (reset - utcnow()).total_seconds()))
    return float(2 ** (attempt - 1))


# --- printing -------------------------------------------------------------------------------


def masked_request(planned: PlannedPost, target: PushTarget, token_present: bool) -> str:
    """The exact request as text, with the token replaced by a mask naming its variable."""
    mask = "********" if token_present else "<not set>"
    lines = [f"POST {planned.url}"]
    for name, value in WRITE_HEADERS.items():
        lines.append(f"{name}: {value}")
    lines.append(f"Authorization: Bearer {mask}  (from ${target.token_env})")
    lines.append("")
    lines.append(json.dumps(planned.body, indent=2, ensure_ascii=False))
    return "\n".join(lines)


# --- the command ----------------------------------------------------------------------------


def _select(cv: CvRecord, only: Sequence[str] | None, cv_label: str) -> list[Work]:
    if not only:
        return list(cv.works)
    keys = {w.key for w in cv.works}
    unknown = [k for k in only if k not in keys]
    if unknown:
        raise UserError([Problem(cv_label, "--only", f'no publication with key "{k}"', "use a key from publications[].key in the CV") for k in unknown])
    wanted = set(only)
    return [w for w in cv.works if w.key in wanted]


def _snapshot(config: Config, target: PushTarget) -> Snapshot:
    from profilesync.snapshots import SnapshotStore

    snapshot = SnapshotStore(config.snapshot_dir).load("orcid")
    if snapshot is None:
        raise UserError([Problem(str(config.snapshot_dir / "orcid.json"), None, "no ORCID snapshot yet, so what ORCID lacks is unknown", "run `profilesync pull --source orcid` first")])
    held = snapshot.extra.get("orcid") or (snapshot.person.ids.orcid if snapshot.person else None)
    if held and held != target.orcid:
        raise UserError([Problem(str(config.snapshot_dir / "orcid.json"), None, f"the ORCID snapshot is of {held}, not of {target.orcid}", "run `profilesync pull --source orcid` again")])
    return snapshot


def _client(config: Config, source: SourceConfig) -> HttpClient:
    from profilesync.connectors.http import HttpClient
    from profilesync.connectors.registry import policy_for

    # No HTTP cache for writes: nothing of a write (and never its Authorization) is stored.
    return HttpClient(policy_for(config, source, cache=False))


@dataclass(frozen=True)
class OrcidPushPlan:
    """What a push to ORCID would do: decided from the config, the CV and the ORCID snapshot."""

    target: PushTarget
    snapshot: Snapshot
    checked: int  # CV works looked at (all, or those --only names)
    missing: int  # of those, the works the record lacks
    posts: tuple[PlannedPost, ...]
    skipped: tuple[Skip, ...]
    state: PushState


def plan_push(config: Config, cv: CvRecord, *, only: Sequence[str] | None, config_label: str, cv_label: str) -> OrcidPushPlan:
    """Plan the POSTs that add the CV works the ORCID record lacks; sends nothing.

    Raises ``UserError`` (ORCID not configured, a bad iD or URL, no snapshot, an unknown --only key).
    """
    source = config.sources.get("orcid")
    if source is None:
        raise UserError([Problem(config_label, "sources.orcid", "ORCID is not configured", "add sources: {orcid: {id: <your iD>, token_env: ORCID_TOKEN}}")])
    target = resolve_target(source, cv, config_label)
    snapshot = _snapshot(config, target)
    works = _select(cv, only, cv_label)
    missing = missing_on_orcid(works, snapshot.works, config.matching)
    state = PushState.load(config.cache_dir, target.state_key)
    researcher = (cv.person.name, *cv.person.aliases)
    plan, skipped = plan_posts(missing, target, state, researcher)
    return OrcidPushPlan(target, snapshot, len(works), len(missing), tuple(plan), tuple(skipped), state)


@dataclass(frozen=True)
class SentPost:
    planned: PlannedPost
    result: PushResult

    @property
    def ok(self) -> bool:
        return self.result.outcome in (Outcome.CREATED, Outcome.EXISTS)


def send_posts(config: Config, plan: OrcidPushPlan, token: str | None, *, now: Callable[[], datetime], on_sent: Callable[[SentPost], None] | None = None) -> tuple[tuple[SentPost, ...], int]:
    """Send the planned POSTs, recording each accepted work; returns what each did and the
    number of requests sent. ``on_sent`` hears of each as it happens (the command prints it).

    Raises ``UserError`` (the snapshot is sample data) and ``AuthError`` (no or refused token)
    before anything is sent, or at the first refusal.
    """
    target = plan.target
    if plan.snapshot.sample:
        raise UserError([Problem(str(config.snapshot_dir / "orcid.json"), None, "the ORCID snapshot is sample data, not your live record", "run `profilesync pull --source orcid` first")])
    if token is None:
        raise AuthError(f"${target.token_env} is not set. {token_help(target)} Nothing was sent.")
    source = config.sources["orcid"]
    http = _client(config, source)
    writer = OrcidWriter(http, target, token)
    sent: list[SentPost] = []
    try:
        for planned in plan.posts:
            one = SentPost(planned, writer.post(planned))
            if one.ok:
                plan.state.record(PushedWork(planned.key, planned.digest, one.result.remote_id, one.result.outcome, format_time(now())))
            sent.append(one)
            if on_sent is not None:
                on_sent(one)
    finally:
        http.close()
    return tuple(sent), writer.requests
