"""Where the config file is: ``--config``, ``$PROFILESYNC_CONFIG``, ``./profilesync.yaml``,
``./config.yaml`` (only when it is ours), then the user's config folder.

``config.yaml`` is the most common name there is: a Hugo site root, where ``export --format hugo
--output .`` sends people, has one, and so do MkDocs, Docker Compose and Quarto projects. Reading
such a file as ours would fail on its first key (``baseURL: unknown key``) and tell the user to
"fix" a file that is not theirs to fix for us. So ``./config.yaml`` is taken only when its top
level looks like a profilesync config; otherwise discovery says whose file it looks like and how to
point at ours.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from profilesync.errors import Problem, UserError

log = logging.getLogger(__name__)

OWN_NAME = "profilesync.yaml"
SHARED_NAME = "config.yaml"
# A profilesync config must have ``profile`` (config.schema.json); its other top-level keys.
_OWN_KEYS = frozenset({"profile", "cv", "cache_dir", "report_dir", "contact_email", "sources", "policy", "matching", "schedule"})
# Keys that name the program a config.yaml belongs to, checked in this order (the first hit names it).
_FOREIGN_MARKERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("a Hugo site config", frozenset({"baseURL", "baseurl", "languageCode", "theme", "markup", "module", "taxonomies"})),
    ("a Jekyll site config", frozenset({"plugins", "collections", "remote_theme", "kramdown", "permalink", "markdown"})),
    ("an MkDocs config", frozenset({"site_name", "nav", "docs_dir"})),
    ("a Docker Compose file", frozenset({"services", "volumes", "networks"})),
    ("a Quarto project", frozenset({"project", "website", "format"})),
)
# A config file is a few KiB; a larger config.yaml is someone else's data, not worth parsing to find out.
_MAX_SNIFF_BYTES = 1 << 20


class ConfigOrigin(str, enum.Enum):
    ARGUMENT = "--config"
    ENVIRONMENT = "$PROFILESYNC_CONFIG"
    OWN_FILE = "./profilesync.yaml"
    SHARED_FILE = "./config.yaml"
    USER_DIR = "user config folder"
    NONE = "none"


@dataclass(frozen=True)
class FoundConfig:
    """The config to read (``origin`` says why this one), or, with ``origin`` NONE, where
    ``init --write`` would put a new one. ``foreign`` describes a ./config.yaml passed over."""

    path: Path
    origin: ConfigOrigin
    looked_at: tuple[Path, ...] = ()
    foreign: str | None = None

    @property
    def found(self) -> bool:
        return self.origin is not ConfigOrigin.NONE

    def init_target(self, cwd: Path) -> Path:
        """Where ``init --write`` writes: the path given, else this folder's own config
        (config.yaml, or profilesync.yaml beside another program's config.yaml), never the user
        folder's, which serves every project."""
        if self.origin in (ConfigOrigin.ARGUMENT, ConfigOrigin.ENVIRONMENT, ConfigOrigin.OWN_FILE, ConfigOrigin.SHARED_FILE):
            return self.path
        return cwd / (OWN_NAME if self.foreign else SHARED_NAME)

    def missing_error(self, label) -> UserError:
        """The error for a command that needs a config when none was found."""
        where = ", ".join(label(p) for p in self.looked_at)
        if self.foreign:
            return UserError(
                [
                    Problem(
                        label(self.looked_at[1]),
                        None,
                        f"this is {self.foreign}, not a profilesync config, and no profilesync config was found (looked at {where})",
                        f"put profilesync's settings in {OWN_NAME} (`profilesync init --write` writes one here), "
                        "or point at them with --config FILE or $PROFILESYNC_CONFIG",
                    )
                ]
            )
        return UserError(
            [
                Problem(
                    None,
                    "config",
                    f"no profilesync config found (looked at {where})",
                    "run `profilesync init --write --name \"Your Name\"` to write one, or pass --config FILE",
                )
            ]
        )


def user_config_path(environ: Mapping[str, str]) -> Path | None:
    """``$XDG_CONFIG_HOME/profilesync/config.yaml``, ``~/.config/...`` when XDG_CONFIG_HOME is unset."""
    base = environ.get("XDG_CONFIG_HOME")
    if base and Path(base).is_absolute():  # the XDG spec says to ignore a relative value
        return Path(base) / "profilesync" / "config.yaml"
    home = environ.get("HOME")
    return Path(home) / ".config" / "profilesync" / "config.yaml" if home else None


def find_config(cwd: Path, environ: Mapping[str, str], argument: Path | None) -> FoundConfig:
    """Resolve the config path in the documented order. Explicit choices are taken as given (a
    missing file is then reported by the loader, naming that path)."""
    if argument is not None:
        return FoundConfig(argument, ConfigOrigin.ARGUMENT)
    if environ.get("PROFILESYNC_CONFIG"):
        path = Path(environ["PROFILESYNC_CONFIG"]).expanduser()
        return FoundConfig(path if path.is_absolute() else cwd / path, ConfigOrigin.ENVIRONMENT)
    own, shared, user = cwd / OWN_NAME, cwd / SHARED_NAME, user_config_path(environ)
    looked = (own, shared) + ((user,) if user else ())
    if own.is_file():
        return FoundConfig(own, ConfigOrigin.OWN_FILE, looked)
    foreign = None
    if shared.is_file():
        foreign = foreign_config(shared)
        if foreign is None:
            return FoundConfig(shared, ConfigOrigin.SHARED_FILE, looked)
        log.info("passing over %s: it is %s", shared, foreign)
    if user is not None and user.is_file():
        return FoundConfig(user, ConfigOrigin.USER_DIR, looked, foreign)
    # Nothing to read: a new config goes to config.yaml unless that name is taken by another program.
    return FoundConfig(own if foreign else shared, ConfigOrigin.NONE, looked, foreign)


def foreign_config(path: Path) -> str | None:
    """None when ``path`` looks like a profilesync config (or cannot be judged: then the loader's
    own error, with its line number, serves the user better); else what it looks like."""
    from profilesync.yamlio import read_yaml

    try:
        if path.stat().st_size > _MAX_SNIFF_BYTES:
            return "a large data file"
        # The bounded reader every YAML file goes through: another program's config.yaml may hold
        # aliases or depth that an unbounded parser would expand.
        data = read_yaml(path)
    except (OSError, UserError):
        return None
    if data is None:
        return None  # empty: the loader says what a config needs
    if not isinstance(data, Mapping):
        return "not a mapping of settings"
    keys = {str(k) for k in data}
    if "profile" in keys:
        return None
    for name, markers in _FOREIGN_MARKERS:
        if keys & markers:
            return f"{name} ({', '.join(sorted(keys & markers))})"
    if keys and not keys & _OWN_KEYS:
        return f"another program's config (top-level keys: {', '.join(sorted(keys)[:5])})"
    return None
