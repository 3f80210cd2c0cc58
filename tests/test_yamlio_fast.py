"""yamlio's libyaml path (issue 14): plain-data YAML is read by libyaml's event parser with the same
composer limits, resolver and constructor as the pure reader; anything else goes to the pure reader.
The two must agree on every value, and errors keep the pure reader's wording and lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from profilesync.errors import UserError
from profilesync.yamlio import _NOT_LOADED, _load_with_c_events, _safe_loader, default_limits, read_yaml

ROOT = Path(__file__).resolve().parent.parent

PLAIN = """person:
  name: "Ada Q. Researcher"
  ids: {dblp: "00/0001"}
publications:
  - key: w1
    title: "Data & Knowledge: a [bracketed] *starred* title"
    authors: ["H Hacigümüs", 'O''Neil, P.']
    venue: SIGMOD Conference
    year: 2002
    ids: {doi: "10.1145/564691.564717"}
  - key: w2
    title: Plain title, no quotes
    year: 2003
    pages: 1-12
    status: preprint
"""


def _pure(text: str):
    return _safe_loader(default_limits()).load(text)


def test_plain_data_takes_the_libyaml_path_and_reads_the_same():
    fast = _load_with_c_events(PLAIN, default_limits())
    assert fast is not _NOT_LOADED
    assert fast == _pure(PLAIN)
    assert fast["publications"][0]["authors"] == ["H Hacigümüs", "O'Neil, P."]


def test_the_bundled_cv_reads_the_same_either_way():
    text = (ROOT / "cv.yaml").read_text(encoding="utf-8")
    fast = _load_with_c_events(text, default_limits())
    assert fast is _NOT_LOADED or fast == _pure(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1]\nb: *x\n",  # anchors and aliases: the pure reader's own rules decide
        "a: !str 1\n",  # a tag
        "a: |\n  text\n",  # a block scalar
        "a:\tb\n",  # a tab, which libyaml takes as a separator and ruamel refuses
        "%YAML 1.1\n---\na: yes\n",  # a directive
        'a: "x\u2028y"\n',  # a character YAML 1.1 reads as a line break
    ],
)
def test_anything_but_plain_data_goes_to_the_pure_reader(text):
    assert _load_with_c_events(text, default_limits()) is _NOT_LOADED


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("a: 1\nb: 2\na: 3\n", "line 3, column 1", "duplicate key"),
        ("a: [1, 2\nb: 3\n", "line 2, column 2", "invalid YAML"),
        ("ids: {doi: 10.1023/a:1023219803219}\nx: [" + "[" * 70 + "]" * 71 + "\n", "line 2, column 67", "nested more than 64 levels deep"),
    ],
)
def test_errors_keep_the_pure_readers_place_and_wording(tmp_path, text, where, what):
    path = tmp_path / "cv.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_yaml(path)
    [problem] = caught.value.problems
    assert problem.where == where
    assert what in problem.what


def test_a_flow_value_libyaml_refuses_is_read_by_the_pure_reader(tmp_path):
    # YAML 1.2 lets ':' stand inside a plain scalar in a flow mapping; libyaml (1.1) refuses it.
    path = tmp_path / "cv.yaml"
    path.write_text("ids: {doi: 10.1023/a:1023219803219}\n", encoding="utf-8")
    assert read_yaml(path) == {"ids": {"doi": "10.1023/a:1023219803219"}}


# --- the event walk (yamlio._build) against ruamel's own composer and constructor ---------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Plain spellings whose resolution differs between YAML 1.1 and 1.2 or that need the constructor.
_SPELLINGS = ["yes", "no", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "", "010", "0o17", "0x1F", "1_000", "+1", "-0", ".5", "1e3", "1.0e+3", ".inf", "-.Inf", ".nan", "2023-05-01", "2023-5-1", "12:30", "1:20:30", "0.", "-", "=", "<<"]
_words = st.one_of(st.sampled_from(_SPELLINGS), st.text(alphabet="abcXYZ019 .,-_/#'\"é&*!|>%@?:[]{}", max_size=12))
_scalars = st.one_of(_words, st.integers(-(10**20), 10**20), st.booleans(), st.none(), st.floats(allow_nan=False))
_data = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_words, inner, max_size=4)), max_leaves=25)


def _agree(text: str) -> None:
    fast = _load_with_c_events(text, default_limits())
    try:
        pure = _pure(text)
    except Exception:  # noqa: BLE001 - any error of the pure reader
        assert fast is _NOT_LOADED, "the event walk accepted a text the pure reader refuses"
        return
    if fast is not _NOT_LOADED:
        assert fast == pure
        assert repr(fast) == repr(pure)  # the same types too: 1 and 1.0 and True compare equal


@settings(max_examples=300, deadline=None)
@given(_data, st.booleans())
def test_the_event_walk_reads_what_ruamel_reads(data, flow):
    from io import StringIO

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    out = StringIO()
    yaml.dump(data, out)
    _agree(out.getvalue())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", ":", " ", "\n", "- ", "  ", "[", "]", "{", "}", ",", '"', "'", "#", "yes", "1", "<<", "? ", "---\n", "..."]), max_size=30))
def test_on_any_text_the_event_walk_agrees_or_steps_aside(tokens):
    _agree("".join(tokens))


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a duplicate key
        "1: a\n1.0: b\n",  # a duplicate key only after resolution
        "a: 1\n---\nb: 2\n",  # two documents
        "<<: {a: 1}\n",  # a merge key
        "? [a]\n: 1\n",  # a collection as a key
        "x: " + "[" * 65 + "]" * 65 + "\n",  # deeper than the limit
    ],
)
def test_the_unusual_is_left_to_the_pure_reader(text):
    assert _load_with_c_events(text, default_limits()) is _NOT_LOADED


def test_a_long_cv_takes_the_event_walk(tmp_path):
    entries = "".join(f'  - key: w{i}\n    title: "Paper {i}: a title"\n    year: {2000 + i % 25}\n    authors: [A. One, B. Two]\n' for i in range(500))
    text = 'person:\n  name: "Ada"\npublications:\n' + entries
    fast = _load_with_c_events(text, default_limits())
    assert fast is not _NOT_LOADED
    assert fast == _pure(text)
    assert fast["publications"][499] == {"key": "w499", "title": "Paper 499: a title", "year": 2024, "authors": ["A. One", "B. Two"]}


def test_comments_do_not_send_a_file_to_the_pure_reader():
    # A comment may say anything ("# Papers & talks", "`matching:`"); only values decide.
    text = "# Papers & talks, see `matching:`\npublications: # *all* of them\n  - key: w1 # &x\n    title: C# in depth\n"
    fast = _load_with_c_events(text, default_limits())
    assert fast is not _NOT_LOADED
    assert fast == _pure(text) == {"publications": [{"key": "w1", "title": "C# in depth"}]}
