"""The Connector ABC: the one extension point for sources.

A connector turns one source into a ``Snapshot``. It receives its ``SourceSettings`` (a ``config.SourceConfig``) and an
``HttpClient`` (never reads global config) and raises only ``SourceError`` subclasses for
source failures and ``UserError`` for configuration it cannot use.

Capabilities are enforced structurally: ``push`` on a connector without ``Capability.WRITE``
fails in this base class, whatever the subclass does.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from profilesync.errors import Problem, ReadOnlyError

if TYPE_CHECKING:
    from pathlib import Path

    from profilesync.connectors.http import HttpClient
    from profilesync.model import Person, Snapshot, Work


# --- what a connector is given ----------------------------------------------------------------------
# The config module builds these (config.SourceConfig, config.Config) and imports the registry to
# do so; connectors name only the shape they read, so connectors/ never imports config (no cycle).


class SourceSettings(Protocol):
    """One source's settings as a connector reads them (``config.SourceConfig``)."""

    @property
    def name(self) -> str: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def id(self) -> str | None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout_s(self) -> float: ...
    @property
    def token_env(self) -> str | None: ...
    @property
    def options(self) -> SourceOptions: ...


class ProfileSettings(Protocol):
    """What building a connector needs of the whole config (``config.Config``)."""

    @property
    def contact_email(self) -> str | None: ...
    @property
    def cache_dir(self) -> Path: ...
    @property
    def sources(self) -> Mapping[str, SourceSettings]: ...


# --- options --------------------------------------------------------------------------------------

_SCHEMA = "schema"  # field metadata: the JSON Schema of the config key (absent: not a config key)


def setting(default: Any, schema: Mapping[str, Any]) -> Any:
    """A config key of ``sources.<name>``: its default and its JSON Schema (type, bounds and the
    ``x-hint`` that explains a bad value). The YAML value is converted to the default's type."""
    return field(default=default, metadata={_SCHEMA: MappingProxyType(dict(schema))})


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in value or ())


def _convert(default: Any, value: Any) -> Any:
    """The YAML value (already checked by the schema) in the type of the field's default."""
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, tuple):
        return _strings(value)
    return value


# The schema of the keys every source shares; a subclass re-declares a key to change its default
# or its hint (DBLP's id pattern is not ORCID's).
ENABLED = {"type": "boolean"}
URL = {"$ref": "#/$defs/url"}
TIMEOUT = {"$ref": "#/$defs/timeout"}
ENV_NAME = {"$ref": "#/$defs/env_name"}
RETRIES = {"type": "integer", "minimum": 0, "maximum": 10, "x-hint": "how many times a failed request is retried (default 3)"}


def min_interval(hint: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "x-hint": hint}


def source_id(pattern: str, hint: str) -> dict[str, Any]:
    return {"type": ["string", "null"], "pattern": pattern, "x-hint": hint}


@dataclass(frozen=True)
class SourceOptions:
    """One source's settings (``sources.<name>`` in config.yaml), typed, with the source's defaults.

    Each connector declares a subclass: its own keys, its defaults for the shared ones, the
    statuses its HTTP cache keeps and the fields it speaks for (``precedence``). A field declared
    with ``setting`` is a config key (its JSON Schema is part of config.schema.json); a plain
    field is a fixed default of the source that config.yaml cannot change.
    """

    enabled: bool = setting(True, ENABLED)
    id: str | None = None
    base_url: str = ""
    timeout_s: float = setting(60.0, TIMEOUT)
    token_env: str | None = None
    retries: int = setting(3, RETRIES)
    min_interval_s: float = 1.0  # seconds between two requests to the source's host
    proxy: str | None = None

    # Statuses worth caching besides 200 (GitHub: a 404 for "no CITATION.cff" keeps pulls free).
    cache_statuses: ClassVar[tuple[int, ...]] = (200,)
    # The fields this source speaks for, each with a rank: in the default policy.precedence the
    # lower rank wins, and sources of equal rank follow the report order (the registry's order).
    # Ranks go in tens so a new source can slot in between.
    precedence: ClassVar[Mapping[str, int]] = MappingProxyType({})

    @classmethod
    def config_keys(cls) -> dict[str, Mapping[str, Any]]:
        """Each config key and its JSON Schema, in declaration order."""
        return {f.name: f.metadata[_SCHEMA] for f in dataclasses.fields(cls) if _SCHEMA in f.metadata}

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """The JSON Schema of ``sources.<name>``."""
        return {"type": "object", "additionalProperties": False, "properties": {k: dict(v) for k, v in cls.config_keys().items()}}

    @classmethod
    def check(cls, raw: Mapping[str, Any], where: str) -> list[Problem]:
        """Problems of a ``sources.<name>`` section that a JSON Schema cannot express (``where``
        is its key path); run with the schema, before anything is built."""
        return []

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> SourceOptions:
        """The options of a ``sources.<name>`` section that passed the schema; absent keys keep
        their defaults (so does an explicit null, as before)."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if _SCHEMA not in f.metadata or raw.get(f.name) is None:
                continue
            values[f.name] = _convert(f.default, raw[f.name])
        if "base_url" in values:
            values["base_url"] = str(values["base_url"]).rstrip("/")
        return cls(**values)


class Capability(enum.Flag):
    READ = enum.auto()
    WRITE = enum.auto()


@dataclass(frozen=True)
class FetchContext:
    """What a fetch needs besides the connector's own config.

    ``person`` is the researcher as the CV and config describe them (names, aliases, known ids);
    ``refresh`` asks for revalidation of every cached response; ``now`` is the run's clock.
    """

    person: Person
    now: datetime
    refresh: bool = False
    coauthors: Sequence[str] = ()
    options: SourceOptions | None = None


class PeopleSearch(enum.Enum):
    """Whether ``profilesync init --name`` asks a source for people by name."""

    NONE = "none"  # the source cannot search people
    ALWAYS = "always"
    ON_REQUEST = "on request"  # only with ``--<source>-search``: it asks another service about the name


@dataclass(frozen=True)
class PersonCandidate:
    """One person a source knows under a searched name (``init --name`` lists them)."""

    source: str
    id: str
    name: str
    url: str
    detail: str | None = None


@dataclass(frozen=True)
class PushResult:
    """What a push did to one work: ``created``, ``exists`` (already there) or ``failed``."""

    key: str
    outcome: str
    remote_id: str | None = None
    detail: str | None = None


class Connector(abc.ABC):
    """Base class of every source. Subclasses set ``name`` and implement ``fetch``."""

    name: ClassVar[str]
    capabilities: ClassVar[Capability] = Capability.READ
    # For a read-only connector whose source profilesync writes to another way: that way, named
    # when ``push`` is refused (ORCID: the member API, through ``push --to orcid``).
    write_with: ClassVar[str | None] = None
    # The source's settings and defaults (a ``SourceOptions`` subclass declared next to it).
    options_class: ClassVar[type[SourceOptions]] = SourceOptions
    # Seconds a fetch may legitimately need beyond the source's timeout_s (e.g. starting a worker
    # process); the pipeline waits that much longer before it gives up on the source.
    overhead_s: ClassVar[float] = 0.0
    # Sources that can find a person by name implement ``find_people`` and say when to ask.
    people_search: ClassVar[PeopleSearch] = PeopleSearch.NONE

    def __init__(self, config: SourceSettings, http: HttpClient | None = None, *, token: str | None = None):
        self.config = config
        # Typed by the subclass (``options: DblpOptions``); parsed once, when the config was loaded.
        self.options = config.options
        self.http = http
        # The secret is held in memory only; it is never logged, reported or written to the cache.
        self._token = token

    @abc.abstractmethod
    def fetch(self, context: FetchContext) -> Snapshot:
        """Return the source's current view of the researcher.

        Raises ``SourceError`` (or a subclass) when the source cannot be read.
        """

    @classmethod
    def find_people(cls, http: HttpClient, base_url: str, name: str, *, rows: int) -> list[PersonCandidate]:
        """At most ``rows`` people called ``name``, in the source's order (``people_search``
        says whether ``init`` asks). Raises the HTTP client's ``SourceError``s."""
        raise NotImplementedError(f"{cls.name} cannot search people by name")  # pragma: no cover

    def push(self, works: Sequence[Work], *, dry_run: bool = True) -> list[PushResult]:
        """Write ``works`` to the source. Read-only connectors refuse here, in the base class."""
        if Capability.WRITE not in self.capabilities:
            how = f"; {self.write_with}" if self.write_with else ""
            raise ReadOnlyError(f"{self.name} is read-only here: this connector cannot write to it{how}")
        return self._push(works, dry_run=dry_run)

    def _push(self, works: Sequence[Work], *, dry_run: bool) -> list[PushResult]:
        raise NotImplementedError  # pragma: no cover - writable connectors override this

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
