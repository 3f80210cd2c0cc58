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
