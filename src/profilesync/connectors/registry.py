"""Connector names are data: a table from name to dotted path, imported only when used.

Importing lazily keeps ``profilesync --help`` fast and lets an optional connector (Scholar, which
needs the ``scholar`` extra) fail only when it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from profilesync.connectors.http import HttpClient, HttpPolicy

if TYPE_CHECKING:
    from profilesync.config import Config, SourceConfig
    from profilesync.connectors.base import Connector

BUILTIN: dict[str, str] = {
    "dblp": "profilesync.connectors.dblp:DblpConnector",
    "orcid": "profilesync.connectors.orcid:OrcidConnector",
    "scholar": "profilesync.connectors.scholar:ScholarConnector",
    "github": "profilesync.connectors.github:GithubConnector",
}

# Seconds between two requests to one host, as each service asks (docs/sources.md).
DEFAULT_MIN_INTERVAL: dict[str, float] = {"dblp": 2.0, "orcid": 0.1, "scholar": 5.0, "github": 0.0}

# Statuses worth caching besides 200: GitHub's 404 for "no CITATION.cff" keeps repeated pulls free.
CACHE_STATUSES: dict[str, tuple[int, ...]] = {"github": (200, 404)}


def connector_class(name: str) -> type[Connector]:
    module_name, _, attr = BUILTIN[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    if cls.name != name:  # pragma: no cover - a packaging mistake, not a user error
        raise RuntimeError(f"connector {BUILTIN[name]} declares name {cls.name!r}, expected {name!r}")
    return cls


def policy_for(config: Config, source: SourceConfig) -> HttpPolicy:
    interval = source.options.get("min_interval_s", DEFAULT_MIN_INTERVAL.get(source.name, 1.0))
    return HttpPolicy(
        source=source.name,
        contact_email=config.contact_email,
        deadline_s=source.timeout_s,
        read_timeout_s=min(30.0, source.timeout_s),
        connect_timeout_s=min(10.0, source.timeout_s),
        max_retry_wait_s=min(60.0, source.timeout_s / 2),
        min_interval_s=float(interval),
        retries=int(source.options.get("retries", 3)),
        cache_dir=config.cache_dir / "http",
        cache_statuses=CACHE_STATUSES.get(source.name, (200,)),
        proxy=source.options.get("proxy") or None,
    )


def create(config: Config, name: str, environ: Mapping[str, str]) -> Connector:
    """Build the connector for source ``name``; its token, if any, comes from ``environ``."""
    source = config.sources[name]
    cls = connector_class(name)
    token = environ.get(source.token_env) if source.token_env else None
    return cls(source, HttpClient(policy_for(config, source)), token=token or None)
