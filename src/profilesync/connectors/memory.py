"""An in-memory connector: a real backend that serves a fixed snapshot (tests, demos).

It goes through the same ``Connector`` contract as the network connectors, so the pipeline,
diff and reports can be exercised without HTTP. ``fail_with`` makes it fail like a source does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from profilesync.connectors.base import Capability, Connector, FetchContext, PushResult

if TYPE_CHECKING:
    from profilesync.connectors.base import SourceSettings
    from profilesync.errors import SourceError
    from profilesync.model import Snapshot, Work


class MemoryConnector(Connector):
    name: ClassVar[str] = "memory"
    capabilities: ClassVar[Capability] = Capability.READ | Capability.WRITE

    def __init__(self, config: SourceSettings, snapshot: Snapshot, fail_with: SourceError | None = None):
        super().__init__(config, None)
        self.snapshot = snapshot
        self.fail_with = fail_with
        self.pushed: list[Work] = []
        self.fetches = 0

    def fetch(self, context: FetchContext) -> Snapshot:
        self.fetches += 1
        if self.fail_with is not None:
            raise self.fail_with
        return replace(self.snapshot, source=self.config.name, fetched_at=context.now)

    def _push(self, works: Sequence[Work], *, dry_run: bool) -> list[PushResult]:
        results = []
        for work in works:
            if not dry_run:
                self.pushed.append(work)
            results.append(PushResult(key=work.key or work.title, outcome="created" if not dry_run else "would-create"))
        return results
