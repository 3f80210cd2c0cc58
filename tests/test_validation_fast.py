"""The compiled schema test (fastjsonschema, issue 14) against jsonschema: a CV it calls valid must
be one jsonschema calls valid, and the reverse, or a broken CV would pass unexplained (or a good
one would be refused). Documents are the demo CV mutated at random: values of every type put in
every place, keys removed and added."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from profilesync.errors import Problem
from profilesync.report.json import render_json
from profilesync.validation import _compiled, check, is_valid, load_schema
from profilesync.yamlio import read_yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO_CV = read_yaml(ROOT / "cv.yaml")

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "10.1145/1", "2301.00001", "journals/x/Y20", "preprint", "published", "article", "https://example.org", "0000-0002-1825-0097", "1-12"]),
    st.text(max_size=8),
    st.lists(st.sampled_from(["A. One", "", 3, None]), max_size=3),
    st.dictionaries(st.sampled_from(["doi", "arxiv", "x", "dblp", "key"]), st.sampled_from(["10.1/x", "", 1, None]), max_size=2),
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


_ALL_PATHS = [p for p in _paths(DEMO_CV) if p]


def _at(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated_cv(draw):
    data = copy.deepcopy(DEMO_CV)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_ALL_PATHS))
        try:
            parent = _at(data, path[:-1])
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, (dict, list)):
            continue  # an earlier mutation replaced this place with a scalar
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set" and (isinstance(parent, dict) or path[-1] < len(parent)):
            parent[path[-1]] = draw(_values)
        elif action == "delete" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["titel", "venue", "x-note", "ids", "lock"]))] = draw(_values)
    return data


def test_the_cv_schema_has_a_compiled_test():
    # The CV is the one large document every command validates; if a schema edit brings in a
    # keyword the compiled test cannot check, the fast path goes quietly: this says so.
    assert _compiled("cv.schema.json") is not None


@settings(max_examples=400, deadline=None)
@given(mutated_cv())
def test_compiled_and_jsonschema_agree_on_every_cv(data):
    schema = load_schema("cv.schema.json")
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    assert is_valid(data, "cv.schema.json") == validator.is_valid(data)


def test_a_valid_cv_passes_and_is_not_changed():
    data = copy.deepcopy(DEMO_CV)
    assert check(data, "cv.schema.json", "cv.yaml") == []
    assert data == DEMO_CV  # fastjsonschema would write schema defaults into the data if allowed


def test_an_invalid_cv_is_still_explained():
    data = copy.deepcopy(DEMO_CV)
    data["publications"][0]["year"] = "soon"
    data["publications"][1]["status"] = "publishd"
    problems = check(data, "cv.schema.json", "cv.yaml")
    assert is_valid(data, "cv.schema.json") is False
    wheres = {p.where for p in problems}
    assert "publications[0].year" in wheres
    assert any(p.where == "publications[1].status" and "did you mean" in (p.fix or "") for p in problems)
    assert all(isinstance(p, Problem) and p.file == "cv.yaml" for p in problems)


def test_the_json_report_is_what_json_dumps_writes():
    import datetime

    report = {"summary": {"n": 3, "score": 0.9731, "ratio": 1.0}, "é": "naïve “quotes” \u2028", "when": datetime.date(2026, 12, 7), "at": datetime.datetime(2026, 12, 7, 10, 0), "nested": [{"a": None, "b": [True, False]}], 7: "int key"}
    assert render_json(report) == json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
