"""Carry an edit made on a normalised copy of a file back onto the original text.

Round-trip serialisers (ruamel.yaml, json) keep comments and order but not every byte: ruamel
re-indents a block sequence and writes ``~`` as nothing, json re-spaces. To keep every line the
edit did not touch byte-identical, we diff three texts::

    original  --(normalise, no edit)-->  before  --(the edit)-->  after

The hunks between ``before`` and ``after`` are the real edit. Each is widened over any place where
``original`` and ``before`` disagree inside it, then spliced into ``original``. The caller checks
that the result parses to the same data as ``after`` and falls back to ``after`` if not (see
``cv.formats.base.SplicedDocument``), so a surprise here can cost formatting, never content.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from difflib import SequenceMatcher

Opcode = tuple[str, int, int, int, int]
# A gap without unique lines is diffed by difflib; above this size its junk heuristic is used so
# a pathological file cannot take quadratic time.
_SMALL = 2000


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of ``pairs`` (sorted by the first item) increasing in the second."""
    tails: list[int] = []  # tails[k]: the smallest second item ending a chain of length k+1
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(pairs)
    for index, (_, second) in enumerate(pairs):
        k = bisect_left(tails, second)
        if k == len(tails):
            tails.append(second)
            tail_index.append(index)
        else:
            tails[k] = second
            tail_index[k] = index
        previous[index] = tail_index[k - 1] if k else -1
    chain = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _blocks(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int, out: list[tuple[int, int, int]]) -> None:
    """Matching (i, j, 1) lines of a[alo:ahi] and b[blo:bhi], in order ("patience" diff: lines
    unique on both sides anchor the match, the gaps between anchors are diffed recursively)."""
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        out.append((alo, blo, 1))
        alo, blo = alo + 1, blo + 1
    suffix = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
        suffix.append((ahi, bhi, 1))
    if alo < ahi and blo < bhi:
        count_a, count_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
        where_b = {line: j for j, line in enumerate(b[blo:bhi], blo) if count_b[line] == 1}
        pairs = [(i, where_b[line]) for i, line in enumerate(a[alo:ahi], alo) if count_a[line] == 1 and line in where_b]
        anchors = _longest_increasing(pairs)
        if anchors:
            prev_a, prev_b = alo, blo
            for i, j in anchors:
                _blocks(a, b, prev_a, i, prev_b, j, out)
                out.append((i, j, 1))
                prev_a, prev_b = i + 1, j + 1
            _blocks(a, b, prev_a, ahi, prev_b, bhi, out)
        else:
            small = (ahi - alo) + (bhi - blo) <= _SMALL
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=not small)
            out.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
    out.extend(reversed(suffix))


def line_opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """``difflib.SequenceMatcher(None, a, b).get_opcodes()``, computed in near-linear time for
    files where most lines are unique (a CV: every title, key and DOI line is)."""
    blocks: list[tuple[int, int, int]] = []
    _blocks(a, b, 0, len(a), 0, len(b), blocks)
    ops: list[Opcode] = []
    i = j = 0
    for ai, bj, size in [*blocks, (len(a), len(b), 0)]:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            ops.append((tag, i, ai, j, bj))
        if size:
            if ops and ops[-1][0] == "equal" and ops[-1][2] == ai and ops[-1][4] == bj:
                ops[-1] = ("equal", ops[-1][1], ai + size, ops[-1][3], bj + size)
            else:
                ops.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return ops


def _gap_map(opcodes: list[Opcode], size: int) -> tuple[list[int], list[int]]:
    """For each gap (position between lines) 0..size on the left side, the lowest and highest
    matching gap on the right side."""
    low = [0] * (size + 1)
    high = [0] * (size + 1)
    seen = [False] * (size + 1)
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            pairs = [(i1 + k, j1 + k) for k in range(i2 - i1 + 1)]
        else:
            pairs = [(i1, j1), (i2, j2)]
        for left, right in pairs:
            if not seen[left]:
                low[left] = high[left] = right
                seen[left] = True
            else:
                low[left] = min(low[left], right)
                high[left] = max(high[left], right)
    return low, high


def patch_text(original: str, before: str, after: str) -> str:
    """``original`` with the line edits that turn ``before`` into ``after`` applied.

    ``before`` must be ``original`` normalised by the same serialiser that produced ``after``.
    """
    if before == after:
        return original
    o_lines = original.splitlines(keepends=True)
    b_lines = before.splitlines(keepends=True)
    a_lines = after.splitlines(keepends=True)
    ob = line_opcodes(o_lines, b_lines)
    ba = line_opcodes(b_lines, a_lines)
    # Opcodes for "b -> o" (swap sides) so both maps are indexed by gaps in ``before``.
    bo = [(tag, j1, j2, i1, i2) for tag, i1, i2, j1, j2 in ob]
    o_low, o_high = _gap_map(bo, len(b_lines))
    a_low, a_high = _gap_map(ba, len(b_lines))

    dirty = [(j1, j2) for tag, _i1, _i2, j1, j2 in ob if tag != "equal"]
    regions: list[list[int]] = []
    for tag, i1, i2, _j1, _j2 in ba:
        if tag == "equal":
            continue
        start, end = i1, i2
        grown = True
        while grown:  # widen over normalised spots that overlap the edit
            grown = False
            for d1, d2 in dirty:
                overlaps = (d1 < end and d2 > start) or (start == end and d1 < start < d2) or (d1 == d2 and start < d1 < end)
                if overlaps and (d1 < start or d2 > end):
                    start, end = min(start, d1), max(end, d2)
                    grown = True
        if regions and start <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], end)
        else:
            regions.append([start, end])

    out: list[str] = []
    cursor = 0
    for start, end in regions:
        o_start = o_high[start]
        o_end = o_high[start] if start == end else max(o_start, o_low[end])
        out.extend(o_lines[cursor:o_start])
        out.extend(a_lines[a_low[start] : a_high[end]])
        cursor = o_end
    out.extend(o_lines[cursor:])
    return "".join(out)
