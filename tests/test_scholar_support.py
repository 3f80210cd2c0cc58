"""Helpers shared by the Scholar tests (no tests here): a config pointing Scholar at the local server."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from profilesync.config import Config, load_config
from profilesync.connectors import registry
from profilesync.connectors.base import FetchContext
from profilesync.connectors.scholar import ScholarConnector
from profilesync.model import Person

FIXTURES = Path(__file__).parent / "fixtures" / "scholar"
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
HTML = "text/html; charset=utf-8"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def write_config(directory: Path, base_url: str, user_id: str = "LZ5D_p4AAAAJ", *, timeout_s: float = 20, extra: str = "") -> Path:
    """A profile directory whose config sends Scholar requests to ``base_url``."""
    path = directory / "config.yaml"
    path.write_text(
        "profile:\n"
        "  name: Test Researcher\n"
        "cache_dir: cache\n"
        "contact_email: tests@example.org\n"
        "sources:\n"
        "  scholar:\n"
        f'    id: "{user_id}"\n'
        f'    base_url: "{base_url}"\n'
        f"    timeout_s: {timeout_s}\n"
        "    min_interval_s: 0\n" + extra,
        encoding="utf-8",
    )
    return path


def connector_for(directory: Path, base_url: str, user_id: str = "LZ5D_p4AAAAJ", **kwargs) -> tuple[Config, ScholarConnector]:
    """The connector exactly as the pipeline builds it: config file, schema, registry."""
    config = load_config(write_config(directory, base_url, user_id, **kwargs))
    connector = registry.create(config, "scholar", {})
    assert isinstance(connector, ScholarConnector)
    return config, connector


def context(refresh: bool = False) -> FetchContext:
    return FetchContext(person=Person(name="Test Researcher"), now=NOW, refresh=refresh)


def base_url(httpserver) -> str:
    return httpserver.url_for("/").rstrip("/")
