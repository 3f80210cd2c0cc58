"""The line splice behind byte-preserving CV edits (``cv.formats.textpatch``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from profilesync.cv.formats.textpatch import line_opcodes, patch_text

lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "title: x\n", "- key: k\n", "\n", "# note\n"]), max_size=40)


def replay(a: list[str], b: list[str], ops) -> list[str]:
    out: list[str] = []
    cursor_a = cursor_b = 0
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (cursor_a, cursor_b)  # contiguous, in order
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out += a[i1:i2]
        else:
            out += b[j1:j2]
        cursor_a, cursor_b = i2, j2
    assert (cursor_a, cursor_b) == (len(a), len(b))
    return out


@settings(max_examples=300, deadline=None)
@given(lines, lines)
def test_line_opcodes_is_a_valid_edit_script(a, b):
    assert replay(a, b, line_opcodes(a, b)) == b


@settings(max_examples=200, deadline=None)
@given(lines, lines)
def test_without_normalisation_the_splice_is_the_edit(original, after):
    text, new = "".join(original), "".join(after)
    assert patch_text(text, text, new) == new


def test_normalised_lines_away_from_the_edit_keep_their_bytes():
    original = "a: 1\nlist:\n    -   x   # odd indent\nb: ~\nc: 3\n"
    before = "a: 1\nlist:\n- x     # odd indent\nb:\nc: 3\n"  # what a serialiser makes of it
    after = "a: 1\nlist:\n- x     # odd indent\nb:\nc: 4\n"  # the edit: c
    assert patch_text(original, before, after) == "a: 1\nlist:\n    -   x   # odd indent\nb: ~\nc: 4\n"


def test_an_edit_inside_a_normalised_spot_takes_the_whole_spot():
    original = "k: ~\nz: 1\n"
    before = "k:\nz: 1\n"
    after = "k: v\nz: 1\n"
    assert patch_text(original, before, after) == "k: v\nz: 1\n"


def test_an_insertion_next_to_a_dropped_line_keeps_it():
    original = "a: 1\n\n\nb: 2\n"
    before = "a: 1\n\nb: 2\n"  # one blank line dropped by the serialiser
    after = "a: 1\n\nb: 2\nc: 3\n"
    assert patch_text(original, before, after) == "a: 1\n\n\nb: 2\nc: 3\n"
