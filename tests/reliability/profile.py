"""Profile directories for the reliability suite: config.yaml, cv.yaml and cache/, as a user has them.

The CV holds 50 publications of the researcher (synthetic titles: the suite needs a CV whose works
a source could be accused of losing, not real bibliographic data). ``fifty_work_snapshot`` is the
matching "last pull had 50 works" snapshot used by the empty-profile case.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from profilesync.model import Author, ExternalIds, Person, PulledFor, Snapshot, Work, WorkType

from .sources import SourceCase

TIMEOUT_S = 4.0  # each source's own deadline in the suite (sources.<name>.timeout_s)
RETRIES = 1
WORKS = 50
LAST_PULL = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)

_ADJECTIVES = ("Scalable", "Robust", "Adaptive", "Verified", "Incremental")
_TOPICS = (
    "Stream Processing",
    "Graph Partitioning",
    "Cache Coherence",
    "Query Optimisation",
    "Packet Scheduling",
    "Garbage Collection",
    "Consensus Protocols",
    "Storage Tiering",
    "Program Repair",
    "Model Serving",
)


def titles(count: int = WORKS) -> list[str]:
    return [f"{adjective} {topic} in Setting {i + 1}" for i, (adjective, topic) in enumerate((a, t) for t in _TOPICS for a in _ADJECTIVES)][:count]


def cv_yaml(person: str, count: int = WORKS) -> str:
    lines = ["person:", f"  name: {json.dumps(person)}", "publications:"]
    for i, title in enumerate(titles(count)):
        lines += [
            f"  - key: rel{i:02d}",
            f"    title: {json.dumps(title)}",
            f"    authors: [{json.dumps(person)}, \"Ada Coauthor\"]",
            "    venue: RELCONF",
            f"    year: {2015 + i % 10}",
            "    type: conference",
            # 10.5555 is the DOI prefix set aside for examples: ORCID pushes need an identifier.
            f"    ids: {{doi: 10.5555/rel.{i:02d}}}",
        ]
    return "\n".join(lines) + "\n"


def fifty_work_snapshot(case: SourceCase) -> Snapshot:
    """What the last good pull of ``case`` held: the CV's 50 works, with the source's own ids."""
    works = []
    for i, title in enumerate(titles()):
        ident = f"{case.ident}/work{i:02d}" if case.id_kind in ("dblp", "github") else f"{900000 + i}" if case.id_kind == "orcid_put_code" else f"rel{i:02d}xyz"
        works.append(
            Work(
                title=title,
                authors=(Author(case.person), Author("Ada Coauthor")),
                year=2015 + i % 10,
                venue="RELCONF",
                type=WorkType(case.work_type),
                ids=ExternalIds(**{case.id_kind: ident.lower() if case.id_kind == "github" else ident}),
            )
        )
    # A pull records the id it was made for; a snapshot of another id would never be used.
    return Snapshot(source=case.name, fetched_at=LAST_PULL, person=Person(name=case.person), works=tuple(works), pulled_for=PulledFor(case.ident, case.person))


@dataclass(frozen=True)
class Settings:
    timeout_s: float = TIMEOUT_S
    retries: int = RETRIES
    schedule: Mapping[str, Any] | None = None
    token_env: Mapping[str, str] | None = None  # source -> variable name
    policy: Mapping[str, Any] | None = None
    cv_works: int = WORKS  # publications in the generated CV


def write_config(directory: Path, cases: Sequence[SourceCase], roots: Mapping[str, str], settings: Settings | None = None) -> Path:
    settings = settings or Settings()
    """Write config.yaml sending each source in ``cases`` to ``roots[name]``."""
    sources = {}
    for case in cases:
        section = case.config_section(roots[case.name], timeout_s=settings.timeout_s, retries=settings.retries)
        if settings.token_env and case.name in settings.token_env:
            section["token_env"] = settings.token_env[case.name]
        sources[case.name] = section
    data: dict[str, Any] = {
        "profile": {"name": cases[0].person},
        "cv": "cv.yaml",
        "cache_dir": "cache",
        "contact_email": "reliability@example.org",
        "sources": sources,
    }
    if settings.policy:
        data["policy"] = dict(settings.policy)
    if settings.schedule:
        data["schedule"] = dict(settings.schedule)
    path = directory / "config.yaml"
    # JSON is YAML: no quoting surprises in URLs or cron expressions.
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def new_profile(directory: Path, cases: Sequence[SourceCase], roots: Mapping[str, str], settings: Settings | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cv.yaml").write_text(cv_yaml(cases[0].person, (settings or Settings()).cv_works), encoding="utf-8")
    write_config(directory, cases, roots, settings)
    return directory


def copy_profile(template: Path, directory: Path) -> Path:
    shutil.copytree(template, directory)
    return directory


# Files a failed pull may change, relative to the profile directory: the record of the attempt
# and the HTTP cache (requests-cache's SQLite file and its journal). Everything else (CV,
# config, snapshots, metrics history, state database) must stay byte-identical.
ALLOWED_TO_CHANGE = frozenset(
    {
        "cache/status.json",
        "cache/http/http_cache.sqlite",
        "cache/http/http_cache.sqlite-journal",
        "cache/http/http_cache.sqlite-wal",
        "cache/http/http_cache.sqlite-shm",
    }
)


def changed_files(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> set[str]:
    return {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
