"""Text normalisation for comparing titles and venues across sources."""

from __future__ import annotations

import html
import re
import unicodedata

_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clean_title(text: str | None) -> str:
    """Title as a person would read it: entities unescaped, braces and the trailing full stop gone."""
    if not text:
        return ""
    out = html.unescape(text).replace("{", "").replace("}", "")
    out = _SPACES.sub(" ", out).strip()
    return out[:-1] if out.endswith(".") and not out.endswith("..") else out


def normalize_title(text: str | None) -> str:
    """Comparison key: lower case, no accents, punctuation or LaTeX commands, single spaces."""
    if not text:
        return ""
    out = html.unescape(text)
    out = _LATEX_CMD.sub("", out)
    out = strip_accents(out).casefold()
    out = _NON_WORD.sub(" ", out).replace("_", " ")
    return _SPACES.sub(" ", out).strip()
