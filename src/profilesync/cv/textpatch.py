"""Carry an edit made on a normalised copy of a file back onto the original text.

Round-trip serialisers (ruamel.yaml, json) keep comments and order but not every byte: ruamel
re-indents a block sequence and writes ``~`` as nothing, json re-spaces. To keep every line the
edit did not touch byte-identical, we diff three texts::

    original  --(normalise, no edit)-->  before  --(the edit)-->  after

The hunks between ``before`` and ``after`` are the real edit. Each is widened over any place where
``original`` and ``before`` disagree inside it, then spliced into ``original``. The caller checks
that the result parses to the same data as ``after`` and falls back to ``after`` if not (see
``cv.document``), so a surprise here can cost formatting, never content.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def _gap_map(opcodes: list[tuple[str, int, int, int, int]], size: int) -> tuple[list[int], list[int]]:
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
    ob = SequenceMatcher(None, o_lines, b_lines, autojunk=False).get_opcodes()
    ba = SequenceMatcher(None, b_lines, a_lines, autojunk=False).get_opcodes()
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
