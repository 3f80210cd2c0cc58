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


# --- syntax checks for values a source hands over -----------------------------------------------
#
# The ``normalize_*`` functions above find an identifier in what a source wrote; the checks below
# decide whether a value in canonical form may be trusted at all (``normalize.sanitize`` drops one
# that fails, with a note). They are deliberately strict about characters that have a meaning in
# HTML, Markdown, YAML or LaTeX: such a value is far more likely an injection than an identifier.

# DOI: "10.", a registrant code, "/", a suffix. The DOI Handbook allows almost any printable
# character in the suffix; these are the ones that end an HTML attribute or tag, a Markdown link,
# a BibTeX field or a URL, and which no DOI registered since the 1990s uses. (Old Wiley SICI DOIs
# with "<" and ">" are refused too: the researcher can still write them into the CV by hand.)
_DOI_STRICT = re.compile(r"^10\.\d{4,9}/[^\s\"<>{}|\\^`\x00-\x1f\x7f-\x9f]+$")
DOI_MAX = 300
# arXiv: new style YYMM.NNNN(N) since April 2007, old style archive[.SUBJ]/YYMMNNN before.
_ARXIV_NEW_STRICT = re.compile(r"^\d{2}(0[1-9]|1[0-2])\.\d{4,5}(v\d{1,3})?$")
_ARXIV_OLD_STRICT = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{2}(0[1-9]|1[0-2])\d{3}(v\d{1,3})?$")
_ORCID_STRICT = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
# DBLP record key ("conf/nsdi/ZhangX23", "journals/corr/abs-2305-05920", "homepages/95/7448-1")
# and person id ("95/7448-1", "z/ZiliZhang").
_DBLP_KEY = re.compile(r"^[a-z]+(?:/[A-Za-z0-9][A-Za-z0-9_.+'\-]*)+$")
_DBLP_PID = re.compile(r"^[A-Za-z0-9]+(?:/[A-Za-z0-9][A-Za-z0-9_.\-]*)+$")
# GitHub login (39 characters, letters, digits, inner hyphens) and "owner/repository".
_GITHUB = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?$")
# Scholar user id (12 characters) and work id ("<user id>:<citation id>").
_SCHOLAR = re.compile(r"^[A-Za-z0-9_-]{1,40}(?::[A-Za-z0-9_-]{1,40})?$")
_PUT_CODE = re.compile(r"^\d{1,20}$")


def doi_ok(value: str | None) -> bool:
    """True for a DOI in canonical form with no character that could break out of a link or field."""
    return bool(value) and len(value) <= DOI_MAX and bool(_DOI_STRICT.match(value))  # type: ignore[arg-type]


def arxiv_ok(value: str | None) -> bool:
    """True for an arXiv id, new (``2305.05920``, ``2305.05920v2``) or old (``hep-th/9901001``)."""
    return bool(value) and bool(_ARXIV_NEW_STRICT.match(value) or _ARXIV_OLD_STRICT.match(value))  # type: ignore[arg-type]


def orcid_ok(value: str | None) -> bool:
    """True for an ORCID iD ``0000-0002-1825-0097`` whose ISO 7064 check digit is right."""
    return bool(value) and bool(_ORCID_STRICT.match(value)) and orcid_checksum_ok(value)  # type: ignore[arg-type]


def dblp_key_ok(value: str | None) -> bool:
    return bool(value) and len(value) <= 200 and bool(_DBLP_KEY.match(value))  # type: ignore[arg-type]


def dblp_pid_ok(value: str | None) -> bool:
    return bool(value) and len(value) <= 100 and bool(_DBLP_PID.match(value))  # type: ignore[arg-type]


def github_ok(value: str | None) -> bool:
    # Legacy logins may hold "--" or end in "-": only the character set and lengths are checked.
    return bool(value) and bool(_GITHUB.match(value))  # type: ignore[arg-type]


def scholar_ok(value: str | None) -> bool:
    return bool(value) and bool(_SCHOLAR.match(value))  # type: ignore[arg-type]


def put_code_ok(value: str | None) -> bool:
    return bool(value) and bool(_PUT_CODE.match(value))  # type: ignore[arg-type]


def isbn_ok(value: str | None) -> bool:
    """True for an ISBN-10 or ISBN-13 (hyphens and spaces allowed) whose check digit is right."""
    if not value:
        return False
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", digits):
        total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(digits))
        return total % 10 == 0
    return False


# URLs: only the web. A scheme-less value is taken as a host name (GitHub's ``blog`` is often
# "example.org"); anything else with a colon before the first slash is a scheme and must be http(s).
_URL_BAD_CHARS = re.compile(r"[\s\"<>\\^`{|}\x00-\x1f\x7f-\x9f]")
_BARE_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,63}(?::\d{1,5})?(?:[/?#]\S*)?$")
URL_MAX = 2048


def web_url_ok(value: str | None) -> bool:
    """True for an ``http``/``https`` URL with a host (or a bare host name), nothing that could
    break out of an HTML attribute or a Markdown link, at most ``URL_MAX`` characters."""
    from urllib.parse import urlsplit

    if not value or len(value) > URL_MAX or _URL_BAD_CHARS.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number ("https://javascript:alert(1)")
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and value.lower().startswith(parts.scheme.lower() + "://")
    return bool(_BARE_HOST.match(value))
