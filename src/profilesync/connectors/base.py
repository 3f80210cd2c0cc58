"""The Connector ABC: the one extension point for sources.

A connector turns one source into a ``Snapshot``. It receives its ``SourceConfig`` and an
``HttpClient`` (never reads global config) and raises only ``SourceError`` subclasses for
source failures and ``UserError`` for configuration it cannot use.

Capabilities are enforced structurally: ``push`` on a connector without ``Capability.WRITE``
fails in this base class, whatever the subclass does.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from profilesync.errors import ReadOnlyError

if TYPE_CHECKING:
    from profilesync.config import SourceConfig
    from profilesync.connectors.http import HttpClient
    from profilesync.model import Person, Snapshot, Work


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
    options: Mapping[str, Any] = field(default_factory=dict)


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
    # Seconds a fetch may legitimately need beyond the source's timeout_s (e.g. starting a worker
    # process); the pipeline waits that much longer before it gives up on the source.
    overhead_s: ClassVar[float] = 0.0

    def __init__(self, config: SourceConfig, http: HttpClient | None = None, *, token: str | None = None):
        self.config = config
        self.http = http
        # The secret is held in memory only; it is never logged, reported or written to the cache.
        self._token = token

    @abc.abstractmethod
    def fetch(self, context: FetchContext) -> Snapshot:
        """Return the source's current view of the researcher.

        Raises ``SourceError`` (or a subclass) when the source cannot be read.
        """

    def push(self, works: Sequence[Work], *, dry_run: bool = True) -> list[PushResult]:
        """Write ``works`` to the source. Read-only connectors refuse here, in the base class."""
        if Capability.WRITE not in self.capabilities:
            raise ReadOnlyError(f"{self.name} is read-only: profilesync cannot write to it")
        return self._push(works, dry_run=dry_run)

    def _push(self, works: Sequence[Work], *, dry_run: bool) -> list[PushResult]:
        raise NotImplementedError  # pragma: no cover - writable connectors override this

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
