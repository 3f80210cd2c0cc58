"""Load ``config.yaml`` into a frozen ``Config``.

The file is validated against ``schemas/config.schema.json``; every problem names the file, the
key path and the fix, and loading stops before anything is written. Relative paths in the config
are relative to the config file, so a profile directory can be moved as a whole.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from profilesync.connectors.registry import SOURCE_NAMES, options_class
from profilesync.errors import Problem, UserError
from profilesync.validation import check
from profilesync.yamlio import read_yaml

if TYPE_CHECKING:
    from profilesync.connectors.base import SourceOptions

__all__ = ["SOURCE_NAMES", "Config", "Policy", "SourceConfig", "default_precedence", "load_config"]

# The fields policy.precedence orders sources for (config.schema.json lists the same).
PRECEDENCE_FIELDS: tuple[str, ...] = ("title", "authors", "venue", "year", "pages", "doi", "arxiv", "type", "citations", "homepage", "affiliation", "name")


@cache
def default_precedence() -> Mapping[str, tuple[str, ...]]:
    """Each field's sources in the order they win, from the ranks each source's options declare
    (lower rank first, ties in report order); a source that declares no rank for a field is not
    asked for it."""
    ranks = {name: options_class(name).precedence for name in SOURCE_NAMES}

    def order(fname: str) -> tuple[str, ...]:
        speakers = [n for n in SOURCE_NAMES if fname in ranks[n]]  # already in report order
        return tuple(sorted(speakers, key=lambda n: ranks[n][fname]))  # sorted() is stable

    return MappingProxyType({fname: order(fname) for fname in PRECEDENCE_FIELDS})


class CvFormat(str, enum.Enum):
    PROFILESYNC = "profilesync"
    BIBTEX = "bibtex"
    RENDERCV = "rendercv"
    JSONRESUME = "jsonresume"


class AutoApply(str, enum.Enum):
    NONE = "none"
    STRONG = "strong"


@dataclass(frozen=True)
class SourceConfig:
    """One source's settings: the keys every connector reads, and ``options``, the source's typed
    options (its ``SourceOptions`` subclass, which holds these keys too).

    ``SourceConfig.of(name, options)`` is how the config builds it. Constructed by hand (tests),
    ``options`` may be a mapping of the connector's own keys as config.yaml writes them; it is
    parsed together with the fields given here, so both always agree.
    """

    name: str
    enabled: bool
    id: str | None
    base_url: str
    timeout_s: float
    token_env: str | None = None
    options: SourceOptions = field(default_factory=dict)  # type: ignore[assignment]  # a mapping is parsed below

    def __post_init__(self) -> None:
        if isinstance(self.options, Mapping):
            try:
                cls = options_class(self.name)
            except KeyError:  # not a registered source (the in-memory test connector)
                from profilesync.connectors.base import SourceOptions as cls
            given = {"enabled": self.enabled, "id": self.id, "base_url": self.base_url, "timeout_s": self.timeout_s, "token_env": self.token_env}
            typed = cls.parse({**self.options, **{k: v for k, v in given.items() if k in cls.config_keys()}})
            # Keys the source does not take from config.yaml (token_env for DBLP) still hold what was given.
            typed = replace(typed, enabled=self.enabled, id=self.id, base_url=self.base_url, timeout_s=float(self.timeout_s), token_env=self.token_env)
            object.__setattr__(self, "options", typed)

    @classmethod
    def of(cls, name: str, options: SourceOptions) -> SourceConfig:
        return cls(name=name, enabled=options.enabled, id=options.id, base_url=options.base_url, timeout_s=options.timeout_s, token_env=options.token_env, options=options)


@dataclass(frozen=True)
class Policy:
    precedence: Mapping[str, tuple[str, ...]] = field(default_factory=default_precedence)
    suspicious_drop: float = 0.5
    auto_apply: AutoApply = AutoApply.NONE


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str | None = None
    timezone: str = "UTC"
    report_dir: Path | None = None
    deadline_s: float = 900.0
    push_cv: bool = False
    on_change: str | None = None
    keep_reports: int = 50
    # What `schedule --print github-actions` installs; None: worked out from how this copy was installed.
    pip_spec: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    name: str
    aliases: tuple[str, ...]
    cv_path: Path
    cv_format: CvFormat
    cache_dir: Path
    report_dir: Path
    contact_email: str | None
    sources: Mapping[str, SourceConfig]
    policy: Policy
    schedule: ScheduleConfig
    matching: Mapping[str, Any] = field(default_factory=dict)

    @property
    def snapshot_dir(self) -> Path:
        return self.cache_dir / "snapshots"

    def enabled_sources(self) -> tuple[str, ...]:
        return tuple(n for n in SOURCE_NAMES if n in self.sources and self.sources[n].enabled)


def load_config(path: Path, *, label: str | None = None, cache_dir_override: Path | None = None) -> Config:
    """Read and validate ``path``. Raises ``UserError`` listing every problem found."""
    name = label or path.name
    data = read_yaml(path, name)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise UserError([Problem(name, None, "expected a mapping of settings at the top level", "see the README for an example config")])
    problems = check(data, config_schema(), name)
    problems.extend(_semantic_problems(data, name))
    if problems:
        raise UserError(problems)
    return _build(path, data, cache_dir_override)


@cache
def config_schema() -> dict[str, Any]:
    """config.schema.json with each registered source's section, from its options class: the
    keys a source takes, their defaults and hints live next to the connector that reads them."""
    import copy

    from profilesync.validation import load_schema

    schema = copy.deepcopy(load_schema("config.schema.json"))
    schema["properties"]["sources"]["properties"] = {name: options_class(name).schema() for name in SOURCE_NAMES}
    schema["properties"]["policy"]["properties"]["precedence"]["additionalProperties"]["items"]["enum"] = list(SOURCE_NAMES)
    return schema


def _semantic_problems(data: Mapping[str, Any], name: str) -> list[Problem]:
    """Checks a JSON Schema cannot express; each source's own are declared with its options."""
    problems: list[Problem] = []
    sources = data.get("sources")
    if not isinstance(sources, Mapping):
        return problems
    for source in SOURCE_NAMES:
        section = sources.get(source)
        if isinstance(section, Mapping):
            problems.extend(replace(p, file=name) for p in options_class(source).check(section, f"sources.{source}"))
    return problems


def _build(path: Path, data: Mapping[str, Any], cache_dir_override: Path | None) -> Config:
    base = path.parent
    profile = data["profile"]
    cv = data.get("cv", "cv.yaml")
    cv_path, cv_format = (cv, "profilesync") if isinstance(cv, str) else (cv["path"], cv.get("format") or _guess_format(cv["path"]))
    cache_dir = cache_dir_override or base / data.get("cache_dir", "cache")
    raw_sources = data.get("sources") or {}
    sources: dict[str, SourceConfig] = {}
    for source in SOURCE_NAMES:
        if source in raw_sources:
            sources[source] = SourceConfig.of(source, options_class(source).parse(raw_sources.get(source) or {}))
    raw_policy = data.get("policy") or {}
    precedence = dict(default_precedence())
    precedence.update({k: tuple(v) for k, v in (raw_policy.get("precedence") or {}).items()})
    policy = Policy(
        precedence=MappingProxyType(precedence),
        suspicious_drop=float(raw_policy.get("suspicious_drop", 0.5)),
        auto_apply=AutoApply(raw_policy.get("auto_apply", "none")),
    )
    raw_schedule = data.get("schedule") or {}
    report_dir = base / (raw_schedule.get("report_dir") or data.get("report_dir") or "reports")
    schedule = ScheduleConfig(
        cron=raw_schedule.get("cron"),
        timezone=raw_schedule.get("timezone", "UTC"),
        report_dir=report_dir,
        deadline_s=float(raw_schedule.get("deadline_s", 900)),
        push_cv=bool(raw_schedule.get("push_cv", False)),
        on_change=raw_schedule.get("on_change"),
        keep_reports=int(raw_schedule.get("keep_reports", 50)),
        pip_spec=raw_schedule.get("pip_spec"),
    )
    return Config(
        path=path,
        name=str(profile["name"]),
        aliases=tuple(profile.get("aliases") or ()),
        cv_path=base / cv_path,
        cv_format=CvFormat(cv_format),
        cache_dir=cache_dir,
        report_dir=report_dir,
        contact_email=data.get("contact_email"),
        sources=MappingProxyType(sources),
        policy=policy,
        schedule=schedule,
        matching=MappingProxyType(dict(data.get("matching") or {})),
    )


def _guess_format(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".bib"):
        return "bibtex"
    if lower.endswith(".json"):
        return "jsonresume"
    return "profilesync"
