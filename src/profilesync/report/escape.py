"""Make values safe to print: no byte of a title may act on the terminal (or on a viewer of a report).

Sources are cleaned at the boundary (``normalize.sanitize``), but a report also shows the CV and
snapshot files a person may have edited by hand, so every report format passes its data through
``visible_report`` first. Control characters are not removed here but **shown**: ESC becomes the
four characters ``\\x1b``, a right-to-left override ``\\u202e``, so what was in the file is visible
and nothing in it is executed (erase line, window title, OSC 52 clipboard, hyperlinks) or hides
text (bidi overrides and isolates, zero-width characters). Newlines and tabs inside one value
become spaces: a value never starts a line of its own (nor a new table row or Markdown block).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# C0 and C1 controls and DEL; bidi embeddings, overrides, isolates and marks; zero-width and
# invisible characters; line/paragraph separators; tag characters; lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2028\u2029"
    "\u2060-\u2064\ufeff\u180e\U000e0000-\U000e007f\ud800-\udfff]"
)
# A line break or tab inside one value folds into a space: a value never starts a line of its own.
_NAMED = {"\n": " ", "\t": " ", "\r": " "}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` with every control, bidi or invisible character written as an escape."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_show, text)


def visible_report(value: Any) -> Any:
    """A copy of report data (dicts, lists, strings) with every string, key included, ``visible``."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, Mapping):
        return {(visible(k) if isinstance(k, str) else k): visible_report(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [visible_report(v) for v in value]
    return value
