"""The ORCID part of ``profilesync init``: ``--orcid ID`` and ``--orcid-search``.

CLI code (argparse options, printing), so it lives with the command; the connector part is
``connectors.orcid.lookup_person`` / ``search_people``.

- ``--orcid 0000-...`` checks the iD's checksum, asks the public API whose record it is (unless
  ``--offline``) and, with ``--write``, puts it in ``sources.orcid.id`` and ``person.ids.orcid``.
- ``--orcid-search`` adds ORCID's expanded search to the name search (``--name``). It is opt-in
  because it asks a second service about the name.

``commands/init_cmd.py`` calls these through ``configure``, ``check_orcid_arg`` and ``orcid_block``;
the lookups themselves are ``connectors.orcid.lookup_person`` and ``OrcidConnector.find_people``.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from profilesync.errors import Problem, UserError
from profilesync.normalize.identifiers import normalize_orcid, orcid_checksum_ok

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.connectors.http import HttpClient


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orcid", metavar="iD", help="your ORCID iD, e.g. 0000-0003-4209-9451; checked on ORCID, and with --write put in the config")
    parser.add_argument("--orcid-search", action="store_true", help="with --name: also list ORCID records with that name (public API expanded search)")
    parser.add_argument("--orcid-base-url", metavar="URL", help="ORCID public API to ask (default: the config's, else https://pub.orcid.org/v3.0)")


def normalized_arg(args: argparse.Namespace) -> str | None:
    """The ``--orcid`` value in canonical form; raises ``UserError`` when it is not a valid iD."""
    raw = getattr(args, "orcid", None)
    if not raw:
        return None
    orcid = normalize_orcid(raw)
    if not orcid or not orcid_checksum_ok(orcid):
        raise UserError([Problem(None, "--orcid", f'"{raw}" is not a valid ORCID iD (the check digit, ISO 7064 MOD 11-2, does not match)', "copy the iD from your ORCID record, e.g. 0000-0003-4209-9451")])
    return orcid


def _client(args: argparse.Namespace, app: App) -> tuple[str, HttpClient]:
    """Base URL and HTTP client: the flag, else an existing config's ORCID settings, else defaults."""
    from profilesync.commands.source_policy import source_policy
    from profilesync.connectors.http import HttpClient

    base_url, policy = source_policy("orcid", app.config_path)
    return (getattr(args, "orcid_base_url", None) or base_url).rstrip("/"), HttpClient(policy)


def check_orcid_arg(args: argparse.Namespace, app: App) -> None:
    """Validate ``--orcid`` and, unless ``--offline``, print whose record it is.

    Raises ``UserError`` (bad or unknown iD) before anything is written; ``SourceError`` when
    ORCID cannot be reached (use ``--offline`` to write the files anyway).
    """
    from profilesync.connectors.orcid import lookup_person

    orcid = normalized_arg(args)
    if orcid is None or getattr(args, "offline", False):
        return
    base_url, http = _client(args, app)
    try:
        found = lookup_person(http, base_url, orcid)
    finally:
        http.close()
    aka = f" (also: {', '.join(found.other_names)})" if found.other_names else ""
    app.out(f"orcid: {orcid} is {found.name}{aka}")


def orcid_block(args: argparse.Namespace) -> list[str]:
    """The ``sources.orcid`` lines of the starter config."""
    orcid = normalized_arg(args)
    if orcid is None:
        return []
    lines = ["  orcid:", f"    id: {json.dumps(orcid)}", "    token_env: ORCID_TOKEN   # only for `push --to orcid`: a member-API token with /activities/update"]
    if getattr(args, "orcid_base_url", None):
        lines.append(f"    base_url: {json.dumps(args.orcid_base_url.rstrip('/'))}")
    return lines
