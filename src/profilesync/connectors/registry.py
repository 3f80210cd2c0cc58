"""The sources profilesync knows: one line each, in report order.

Adding a source is one module (its ``Connector`` subclass and its ``SourceOptions`` subclass, see
docs/architecture.md "Adding a source") plus one line in ``SOURCES``. Everything else is derived:
the names the CLI accepts, the config schema of ``sources.<name>``, the defaults, the default
precedence, the HTTP policy.

Connector modules are imported only when used, which keeps ``profilesync --help`` fast and lets an
optional connector fail only when it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from profilesync.connectors.base import Connector, ProfileSettings, SourceOptions, SourceSettings
    from profilesync.connectors.http import HttpPolicy
    from profilesync.deadline import Deadline

# name -> "module:Connector". The order is the report order (columns, sorting, precedence ties).
SOURCES: Mapping[str, str] = {
    "dblp": "profilesync.connectors.dblp:DblpConnector",
    "orcid": "profilesync.connectors.orcid:OrcidConnector",
    "scholar": "profilesync.connectors.scholar:ScholarConnector",
    "github": "profilesync.connectors.github:GithubConnector",
}

SOURCE_NAMES: tuple[str, ...] = tuple(SOURCES)


@cache
def connector_class(name: str) -> type[Connector]:
    """The connector of source ``name``; ``KeyError`` for a name that is not registered."""
    module_name, _, attr = SOURCES[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    if cls.name != name:  # pragma: no cover - a packaging mistake, not a user error
        raise RuntimeError(f"connector {SOURCES[name]} declares name {cls.name!r}, expected {name!r}")
    return cls


def options_class(name: str) -> type[SourceOptions]:
    """The typed options (settings and defaults) of source ``name``."""
    return connector_class(name).options_class


def build_policy(options: SourceOptions, source: str, *, contact_email: str | None = None, cache_dir: Path | None = None) -> HttpPolicy:
    """The one place an ``HttpPolicy`` is made from a source's options (pull, init, push).

    ``cache_dir`` None means no HTTP cache (writes, which must store nothing of a request).
    """
    from profilesync.connectors.http import HttpPolicy

    timeout = options.timeout_s
    return HttpPolicy(
        source=source,
        contact_email=contact_email,
        deadline_s=timeout,
        read_timeout_s=min(30.0, timeout),
        connect_timeout_s=min(10.0, timeout),
        max_retry_wait_s=min(60.0, timeout / 2),
        min_interval_s=options.min_interval_s,
        retries=options.retries,
        cache_dir=cache_dir,
        cache_statuses=options.cache_statuses,
        proxy=options.proxy or None,
    )


def policy_for(config: ProfileSettings, source: SourceSettings, *, cache: bool = True) -> HttpPolicy:
    """The HTTP policy of a configured source (``cache=False``: no HTTP cache, for writes)."""
    return build_policy(source.options, source.name, contact_email=config.contact_email, cache_dir=config.cache_dir / "http" if cache else None)


def create(config: ProfileSettings, name: str, environ: Mapping[str, str], *, deadline: Deadline | None = None) -> Connector:
    """Build the connector for source ``name``; its token, if any, comes from ``environ``.

    ``deadline`` is the source's time budget (started by the caller, who waits on the same one);
    without it the HTTP client starts its own from ``timeout_s``.
    """
    from profilesync.connectors.http import HttpClient

    source = config.sources[name]
    cls = connector_class(name)
    token = environ.get(source.token_env) if source.token_env else None
    return cls(source, HttpClient(policy_for(config, source), deadline=deadline), token=token or None)
