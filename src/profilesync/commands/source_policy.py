"""The HTTP policy of a source outside a pull (``init``'s lookups), from an existing config when
there is one. Here rather than in the registry, which must not load configs: the config module
imports the registry, so the registry importing it back would make a cycle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from profilesync.connectors.http import HttpPolicy


def source_policy(name: str, config_path: Path, on_invalid: Callable[[], None] | None = None) -> tuple[str, HttpPolicy]:
    """Base URL and HTTP policy of source ``name``: from the config at ``config_path`` when it
    exists, validates and configures the source, else from the source's defaults (``on_invalid``
    is called when the config does not validate)."""
    from profilesync.config import load_config
    from profilesync.connectors.registry import build_policy, options_class, policy_for
    from profilesync.errors import UserError

    if config_path.exists():
        try:
            config = load_config(config_path)
        except UserError:
            if on_invalid is not None:
                on_invalid()
        else:
            if name in config.sources:
                return config.sources[name].base_url, policy_for(config, config.sources[name])
    defaults = options_class(name)()
    return defaults.base_url, build_policy(defaults, name)
