"""A time budget that is started once and handed down, instead of floats and clock reads.

A pull gives each source a budget (``sources.<name>.timeout_s``); the pipeline, the connector and
the HTTP client all ask the same ``Deadline`` how much is left, so they agree on when the source
has run out of time. The clock is injectable: tests pass a fake one and a "the server never
answers" case takes milliseconds instead of the real timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

Clock = Callable[[], float]


@dataclass(frozen=True)
class Deadline:
    """``budget_s`` seconds from ``started`` on ``clock`` (monotonic seconds by default)."""

    budget_s: float
    started: float
    clock: Clock = field(default=time.monotonic, repr=False, compare=False)

    @classmethod
    def start(cls, budget_s: float, clock: Clock = time.monotonic) -> Deadline:
        """A deadline whose budget starts now."""
        return cls(budget_s=float(budget_s), started=clock(), clock=clock)

    def elapsed(self) -> float:
        return self.clock() - self.started

    def remaining(self) -> float:
        """Seconds left; zero or negative once the budget is spent."""
        return self.budget_s - self.elapsed()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def restarted(self) -> Deadline:
        """The same budget, starting now (a write that must not inherit a slow read's delay)."""
        return replace(self, started=self.clock())

    def extended(self, extra_s: float) -> Deadline:
        """The same start with ``extra_s`` more seconds (a grace period for the one who waits)."""
        return replace(self, budget_s=self.budget_s + extra_s)
