"""What profilesync has added to ORCID: ``cache/orcid_pushed.json``.

One entry per (member API host + iD, CV key); each remembers the digest of the identifiers the work
was sent with and the put-code ORCID gave it. A second push finds the entry and sends nothing.
A CV entry whose identifiers changed since (a DOI added) has a new digest and is considered
again; the ORCID snapshot comparison still stops it when the record already holds it.

The file holds no secret. It is replaced atomically after every work ORCID accepted, so an
interrupted push never loses what was already created.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilesync.errors import Problem, UserError
from profilesync.snapshots import atomic_write_text

STATE_FORMAT = 1
STATE_FILE = "orcid_pushed.json"


@dataclass(frozen=True)
class PushedWork:
    key: str
    digest: str
    put_code: str | None
    outcome: str  # "created" or "exists"
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"digest": self.digest, "put_code": self.put_code, "outcome": self.outcome, "at": self.at}


class PushState:
    """The state file for one target (member host + iD)."""

    def __init__(self, path: Path, target: str, data: Mapping[str, Any]):
        self.path = path
        self.target = target
        self._data: dict[str, Any] = {"format": STATE_FORMAT, "targets": dict(data.get("targets") or {})}

    @classmethod
    def load(cls, cache_dir: Path, target: str) -> PushState:
        """Read the state; a missing file is an empty state. Raises ``UserError`` for a corrupt one."""
        path = cache_dir / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (ValueError, OSError) as exc:
            raise UserError([Problem(str(path), None, f"cannot read the ORCID push state ({exc})", "move the file aside; the next push re-checks ORCID's own duplicate detection")]) from None
        if not isinstance(data, Mapping):
            raise UserError([Problem(str(path), None, "the ORCID push state is not a JSON object", "move the file aside")])
        targets = data.get("targets", {})
        if not isinstance(targets, Mapping) or not all(isinstance(t, Mapping) and isinstance(t.get("works", {}), Mapping) for t in targets.values()):
            raise UserError([Problem(str(path), "targets", "the ORCID push state is not shaped as targets -> works -> entries", "move the file aside; the next push re-checks ORCID's own duplicate detection")])
        return cls(path, target, data)

    def _works(self) -> dict[str, Any]:
        target = self._data["targets"].setdefault(self.target, {})
        return target.setdefault("works", {})

    def get(self, key: str) -> PushedWork | None:
        entry = self._data["targets"].get(self.target, {}).get("works", {}).get(key)
        if not isinstance(entry, Mapping):
            return None
        return PushedWork(key, str(entry.get("digest")), entry.get("put_code"), str(entry.get("outcome")), str(entry.get("at")))

    def done(self, key: str, digest: str) -> PushedWork | None:
        """The record of ``key`` when it was pushed with these same identifiers."""
        entry = self.get(key)
        return entry if entry is not None and entry.digest == digest else None

    def record(self, pushed: PushedWork) -> None:
        """Remember ``pushed`` and write the file at once (atomically)."""
        self._works()[pushed.key] = pushed.to_dict()
        try:
            atomic_write_text(self.path, json.dumps(self._data, indent=1, sort_keys=True) + "\n")
        except OSError as exc:
            raise UserError([Problem(str(self.path), None, f"cannot write the ORCID push state: {exc.strerror}", "check that the cache directory is writable")]) from None
