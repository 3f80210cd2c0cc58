"""What a directory export wrote, so the next export removes its own stale files and nothing else.

A Hugo or Jekyll export writes one file (or bundle) per work, named after the work. When a push
changes a work's year, key or title, the next export writes it under a new name, and the old page
stays beside it: the paper is listed twice on the site. The manifest
(``<export dir>/.profilesync-manifest.json``; Jekyll skips dotfiles, and Hugo reads no page from a
``.json``) records every path written with the SHA-256 of its bytes. A later export deletes a path it
no longer writes only while the file still holds exactly those bytes: a page the user edited, or a
file profilesync never wrote, is never deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST_NAME = ".profilesync-manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    """``files``: path relative to the site root -> SHA-256 of the bytes written there."""

    format: str
    files: Mapping[str, str]

    def to_text(self) -> str:
        data = {"generator": "profilesync", "manifest_format": MANIFEST_FORMAT, "format": self.format, "files": dict(sorted(self.files.items()))}
        return json.dumps(data, indent=1) + "\n"


def digest_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_for(fmt: str, files: Mapping[str, str]) -> Manifest:
    return Manifest(fmt, {path: digest_text(text) for path, text in files.items()})


def read_manifest(path: Path, base: str) -> tuple[Manifest | None, str | None]:
    """The manifest at ``path`` and None, or None and why it cannot be used (then nothing is
    deleted). Only paths inside ``base`` with a SHA-256 are kept: a hand-edited manifest must not
    make an export delete anything outside its own directory."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"{path.name} is unreadable ({exc}); no stale file was removed"
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None, f"{path.name} is not a profilesync manifest; no stale file was removed"
    files = {str(rel): str(sha) for rel, sha in data["files"].items() if _inside(str(rel), base) and isinstance(sha, str) and len(sha) == 64}
    return Manifest(str(data.get("format") or ""), files), None


def _inside(relative: str, base: str) -> bool:
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts and path.parts[: len(PurePosixPath(base).parts)] == PurePosixPath(base).parts


@dataclass(frozen=True)
class Stale:
    """A file the last export wrote and this one does not: ``removable`` when it is unchanged."""

    relative: str
    removable: bool


def stale_files(root: Path, previous: Manifest, current: Mapping[str, str]) -> list[Stale]:
    out = []
    for relative, sha in sorted(previous.files.items()):
        if relative in current:
            continue
        path = root / relative
        if path.is_symlink() or not path.is_file():
            continue  # gone already, or not a plain file: not ours to touch
        out.append(Stale(relative, _sha_of(path) == sha))
    return out


def _sha_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def remove_stale(root: Path, base: str, stale: Stale) -> None:
    """Delete the file, then the folders it leaves empty, up to (not including) ``base``."""
    path = root / stale.relative
    path.unlink()
    stop = (root / base).resolve()
    parent = path.parent
    while parent.resolve() != stop and stop in parent.resolve().parents:
        try:
            parent.rmdir()  # only when empty
        except OSError:
            break
        parent = parent.parent
