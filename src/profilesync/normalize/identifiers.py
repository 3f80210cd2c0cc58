"""Canonical forms of identifiers, so that equal ids compare equal whatever the source wrote.

- DOI: lower case, no ``https://doi.org/`` or ``doi:`` prefix, LaTeX ``\\_`` unescaped.
- arXiv: the bare id without version (``2305.05920``; old style ``cs/0112017``); DataCite DOIs
  ``10.48550/arXiv.<id>`` and DBLP's CoRR volumes ``abs/<id>`` are recognised.
- DBLP key: without the ``DBLP:`` prefix.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")


def normalize_doi(value: str | None) -> str | None:
    """Return the DOI in canonical form, or None when ``value`` is not a DOI."""
    if not value:
        return None
    text = unquote(value.strip()).replace("\\_", "_")
    text = _DOI_PREFIX.sub("", text).strip().rstrip(".")
    text = text.lower()
    return text if _DOI_SHAPE.match(text) else None


def normalize_arxiv(value: str | None) -> str | None:
    """Return the bare arXiv id (no version), or None when ``value`` holds none."""
    if not value:
        return None
    text = value.strip()
    doi = _ARXIV_DOI.match(_DOI_PREFIX.sub("", text))
    if doi:
        text = doi.group(1)
    text = re.sub(r"^(?:arxiv:|abs/)", "", text, flags=re.IGNORECASE)
    match = _ARXIV_NEW.search(text)
    if match:
        return match.group(1)
    match = _ARXIV_OLD.search(text)
    return match.group(1) if match else None


def arxiv_from_doi(doi: str | None) -> str | None:
    """``10.48550/arxiv.2305.05920`` -> ``2305.05920``; None for other DOIs."""
    if not doi:
        return None
    match = _ARXIV_DOI.match(doi)
    return normalize_arxiv(match.group(1)) if match else None


def normalize_dblp_key(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    if text.upper().startswith("DBLP:"):
        text = text[5:]
    return text or None


def normalize_orcid(value: str | None) -> str | None:
    """Extract ``0000-0000-0000-0000`` from an iD or an orcid.org URL."""
    if not value:
        return None
    match = _ORCID.search(value.upper())
    return match.group(1) if match else None


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check digit, as ORCID defines it."""
    digits = orcid.replace("-", "")
    if len(digits) != 16 or not digits[:15].isdigit():
        return False
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return digits[15].upper() == expected
