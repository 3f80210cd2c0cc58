"""Google Scholar: one profile by user id, read from the profile page itself.

Why not ``scholarly``
---------------------
The design named scholarly 1.7.11 (an optional extra). We installed it with the pins
docs/sources.md 4.1 asks for (``bibtexparser<2``, ``httpx<0.28``) and ran it against the saved
real profile pages served locally, with its host rewritten as 4.5 describes. It parsed name,
metrics and rows, but the findings decided against it:

- it drops the author column of every list row (``author_parser`` keeps only the venue line), so
  "authors as shown", and with them the foreign-work test, would need one detail request per
  publication: exactly the traffic that gets an IP blocked;
- it needs ``bibtexparser<2``, while profilesync reads BibTeX with bibtexparser 2 (the Scholar
  export import below, the CV adapters): both cannot be installed in one environment;
- its install is about 166 MiB (selenium, sphinx via ``sphinx-rtd-theme``) against nothing extra
  here: the page parser needs only lxml, which profilesync already depends on;
- its host is hard-coded (only monkeypatching a private method redirects it), a DOS-CAPTCHA page
  makes it loop forever, a 403 makes it sleep 60-120 s per retry, a CAPTCHA makes it open a
  browser, and importing it loads a ``.env`` file into the environment.

So this connector fetches ``/citations?user=<id>&cstart=N&pagesize=100`` through profilesync's
own HTTP policy (User-Agent with contact address, per-host rate limit, cache; no retries for
Scholar unless configured) and parses the documented CSS ids (``scholar_page``). ``base_url`` works as for every
other source. There is no browser, no CAPTCHA solving and no proxy rotation (one proxy may be set,
``sources.scholar.proxy``, or taken from HTTPS_PROXY; a failure names it): a refusal is reported,
never worked around.

Safety: the fetch runs in a worker process under ``sources.scholar.timeout_s`` (default 120 s) and
is killed when that passes (``scholar_worker``). Every failure ends as ``ScholarUnavailable`` with
a plain reason; the connector writes nothing, so the pipeline keeps the last good snapshot.

Blocked users can read their own export instead: ``profilesync import scholar FILE``
(``scholar_import``).
"""

from __future__ import annotations

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
    SourceOptions,
    min_interval,
    setting,
    source_id,
)
from profilesync.connectors.scholar_errors import ScholarFailure, ScholarUnavailable
from profilesync.connectors.scholar_worker import STARTUP_S, run_with_deadline
from profilesync.errors import Problem, UserError

# The fetch, its HTTP layer (requests) and the page parser are imported in ``fetch``: loading a
# config imports every connector module for its options, and must stay fast.
if TYPE_CHECKING:
    from profilesync.connectors.http import HttpPolicy
    from profilesync.model import Snapshot

DEFAULT_MAX_PAGES = 20  # 2,000 works: more than any real profile, and a bound on a looping server

__all__ = ["ScholarConnector", "ScholarFailure", "ScholarOptions", "ScholarUnavailable"]


@dataclass(frozen=True)
class ScholarOptions(SourceOptions):
    """``sources.scholar``: a slow pace, no retries, and an optional proxy."""

    id: str | None = setting(None, source_id("^[A-Za-z0-9_-]{12}$", 'expected a Google Scholar user id like "310QUvQAAAAJ" (the user= part of the profile URL)'))
    base_url: str = setting("https://scholar.google.com", URL)
    # The whole fetch, worker process included, within this (the worker is killed after it).
    timeout_s: float = setting(120.0, TIMEOUT)
    detail_budget: int = setting(0, {"type": "integer", "minimum": 0, "x-hint": "how many publications may be filled with a detail request per pull (default 0)"})
    max_pages: int = setting(
        DEFAULT_MAX_PAGES, {"type": "integer", "minimum": 1, "maximum": 100, "x-hint": "how many pages of 100 publications to read at most (default 20)"}
    )
    # No retries unless the user asks: a second request to a server that just refused us only
    # deepens the block (the default of 3 is for APIs).
    retries: int = setting(0, {**RETRIES, "x-hint": "how many times a failed request is retried (default 0)"})
    min_interval_s: float = setting(5.0, min_interval("seconds between two requests to this source's host"))
    proxy: str | None = setting(
        None,
        {
            "type": "string",
            "pattern": "^(https?|socks5h?|socks4a?)://[^\\s/]+(:[0-9]+)?/?$",
            "x-hint": "a proxy URL such as \"socks5h://127.0.0.1:9050\" (Tor) or \"http://user:pass@proxy.example.org:3128\"; socks needs pip install 'profilesync[scholar]'",
        },
    )

    # The only source of citation counts; after DBLP and ORCID for everything else.
    precedence: ClassVar[Mapping[str, int]] = MappingProxyType(
        {"title": 30, "authors": 30, "venue": 30, "year": 30, "doi": 30, "arxiv": 30, "citations": 10, "homepage": 30, "affiliation": 30, "name": 30}
    )


class ScholarConnector(Connector):
    """Read-only connector for one Google Scholar profile (``sources.scholar.id``)."""

    name: ClassVar[str] = "scholar"
    capabilities: ClassVar[Capability] = Capability.READ
    options_class: ClassVar[type[SourceOptions]] = ScholarOptions
    options: ScholarOptions
    overhead_s: ClassVar[float] = STARTUP_S  # the worker's start-up is bounded separately

    def fetch(self, context: FetchContext) -> Snapshot:
        """Pull the profile: person, metrics and every publication row.

        Returns the snapshot; raises ``ScholarUnavailable`` (a ``SourceError``) when Scholar
        cannot be read within ``timeout_s``, and ``UserError`` when no user id is configured.
        """
        from profilesync.connectors.http import environment_proxy, proxy_label
        from profilesync.connectors.scholar_fetch import ScholarJob, profile_url
        from profilesync.connectors.scholar_map import to_snapshot

        user_id = self.config.id or context.person.ids.scholar
        if not user_id:
            raise UserError(
                [
                    Problem(
                        None,
                        "sources.scholar.id",
                        "no Google Scholar user id is set",
                        'copy the user= part of your profile URL, e.g. id: "310QUvQAAAAJ"',
                    )
                ]
            )
        job = ScholarJob(
            user_id=user_id,
            base_url=self.config.base_url,
            policy=self._policy(),
            budget_s=self.config.timeout_s,
            refresh=context.refresh,
            detail_budget=self.options.detail_budget,
            max_pages=self.options.max_pages,
            retries=self.options.retries,
        )
        try:
            fetched = run_with_deadline(job, self.config.timeout_s)
        except ScholarUnavailable as exc:
            # Scholar is mostly reached through a proxy to get past its blocking, so a failure
            # names the proxy it went through (credentials masked): the proxy may be the problem.
            proxy = job.policy.proxy or environment_proxy(profile_url(self.config.base_url))
            if proxy:
                raise type(exc)(exc.failure, f"{exc.reason} (through the proxy {proxy_label(proxy)})", exc.reset_at) from None
            raise
        if self.http is not None:
            # The worker sent them with its own client built from this policy; count them here so
            # the pull summary tells network from cache as it does for the other sources.
            self.http.requests_sent += fetched.requests
        return to_snapshot(fetched, user_id=user_id, base_url=self.config.base_url, now=context.now)

    def _policy(self) -> HttpPolicy:
        """The HTTP policy the registry built for Scholar, or one from the options without it."""
        if self.http is not None:
            return self.http.policy
        from profilesync.connectors.registry import build_policy

        return build_policy(self.options, self.name)
