"""Where the ``profilesync`` logger writes: one setup for the CLI and the schedule worker child, so
a scheduled run's log lines look like a run by hand."""

from __future__ import annotations

import logging
from typing import TextIO


def configure_logging(stream: TextIO, *, quiet: bool, verbose: int) -> None:
    """Errors only with ``quiet``; else warnings, info (``-v``) or debug (``-vv``), to ``stream``."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    root = logging.getLogger("profilesync")
    root.handlers[:] = []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
