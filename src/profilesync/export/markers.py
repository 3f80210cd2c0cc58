"""Rewrite only the marked part of an existing file (``--between``).

A homepage file keeps its own text around a generated block::

    <!-- profilesync:start -->   (or "% profilesync:start", "# profilesync:start pubs", ...)
    ... replaced on every export ...
    <!-- profilesync:end -->

The marker lines themselves, and everything outside them, are kept byte for byte, so the
comment syntax is whatever the file uses. A name after the marker (``profilesync:start pubs``)
lets one file hold several blocks; ``--between pubs`` picks that one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from profilesync.errors import Problem, UserError

START = "profilesync:start"
END = "profilesync:end"


@dataclass(frozen=True)
class MarkedRegion:
    start_line: int  # index of the start marker line
    end_line: int  # index of the end marker line


def _marker_name(line: str, marker: str) -> str | None:
    """The name after ``marker`` on ``line`` ("" for a bare marker), or None if it is not there."""
    match = re.search(re.escape(marker) + r"(?:(?::|[ \t]+)([A-Za-z0-9][A-Za-z0-9_.\-]*))?", line)
    if not match:
        return None
    return match.group(1) or ""


def find_region(lines: list[str], name: str, file_label: str) -> MarkedRegion:
    """Locate the block named ``name`` ("" = unnamed). Raises ``UserError`` when it is missing,
    unterminated or present twice."""
    starts = [i for i, line in enumerate(lines) if _marker_name(line, START) == name]
    ends = [i for i, line in enumerate(lines) if _marker_name(line, END) == name]
    shown = f"{START} {name}".strip()
    shown_end = f"{END} {name}".strip()
    if not starts:
        raise UserError([Problem(file_label, None, f'no "{shown}" marker line', f'add a line containing "{shown}" and one containing "{shown_end}", in the file\'s comment syntax')])
    if len(starts) > 1 or len(ends) > 1:
        raise UserError([Problem(file_label, f"line {starts[-1] + 1}", f'the "{shown}" block is marked more than once', "keep one start and one end marker per name")])
    if not ends or ends[0] < starts[0]:
        raise UserError([Problem(file_label, f"line {starts[0] + 1}", f'"{shown}" has no "{shown_end}" after it', f'add a line containing "{shown_end}" after the block')])
    return MarkedRegion(starts[0], ends[0])


def replace_between(text: str, generated: str, name: str = "", file_label: str = "file") -> str:
    """``text`` with the lines between the markers replaced by ``generated``.

    Line endings follow the file (CRLF stays CRLF). Raises ``UserError`` if the markers are wrong.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    region = find_region(lines, name, file_label)
    body = generated if generated.endswith("\n") or not generated else generated + "\n"
    if newline != "\n":
        body = body.replace("\r\n", "\n").replace("\n", newline)
    return "".join(lines[: region.start_line + 1]) + body + "".join(lines[region.end_line :])
