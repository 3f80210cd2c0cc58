"""Stable CV keys for works the CV does not have yet: ``<first author's family name><year><first word>``.

The key is derived from the work alone (not from a counter), so the same paper gets the same key
on every run; a letter is appended only when the key is already taken (``zhang2024fastb``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from profilesync.model import Work
from profilesync.normalize.names import name_key

# Words that say nothing about a paper; the first other word of the title goes into the key.
_STOPWORDS = frozenset(
    "a an the on of for and in to with from towards toward via by at is are using your our its into beyond".split()
)


def base_key(work: Work) -> str:
    """``zhang2023fast`` for "Fast, Approximate ..." by Zili Zhang (2023)."""
    from unidecode import unidecode

    family = ""
    if work.authors:
        family = re.sub(r"[^a-z]", "", unidecode(name_key(work.authors[0].name)[0]))
    words = re.findall(r"[a-z0-9]+", unidecode(work.title).lower())
    word = next((w for w in words if w not in _STOPWORDS and not w.isdigit()), words[0] if words else "work")
    year = str(work.year) if work.year else ""
    return (family or "anon") + year + word


def unique_key(work: Work, taken: Collection[str]) -> str:
    """``base_key(work)``, with ``b``, ``c``, ... appended until it is not in ``taken``."""
    key = base_key(work)
    if key not in taken:
        return key
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if key + suffix not in taken:
            return key + suffix
    number = 2
    while f"{key}{number}" in taken:
        number += 1
    return f"{key}{number}"


def derived_keys(entries: Sequence[Mapping[str, Any]], to_work: Callable[[Mapping[str, Any]], Work]) -> list[str]:
    """Keys for the entries of a format without a key field (RenderCV, JSON Resume), in order: an
    entry's own ``key`` (or ``id``), else ``unique_key`` of the work ``to_work`` reads from it."""
    own = [str(e.get("key") or e.get("id") or "") for e in entries]
    taken = {k for k in own if k}
    keys = []
    for entry, key in zip(entries, own, strict=True):
        if not key:
            key = unique_key(to_work(entry), taken)
            taken.add(key)
        keys.append(key)
    return keys
