"""The compiled schema test (fastjsonschema, issue 14) against jsonschema: a CV (or config) it calls
valid must be one jsonschema calls valid, and the reverse, or a broken file would pass unexplained
(or a good one would be refused). Documents are the demo's CV and config mutated at random: values
of every type put in every place, keys removed and added."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from profilesync.config import config_schema
from profilesync.errors import Problem
from profilesync.validation import _compiled, _compiled_built, _keywords, check, is_valid, load_schema
from profilesync.yamlio import read_yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO_CV = read_yaml(ROOT / "cv.yaml")
DEMO_CONFIG = read_yaml(ROOT / "config.yaml")

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "10.1145/1", "10.1145/1\n", "2301.00001", "journals/x/Y20", "preprint", "published", "article", "https://example.org", "0000-0002-1825-0097", "1-12"]),
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


_CV_PATHS = [p for p in _paths(DEMO_CV) if p]
_CONFIG_PATHS = [p for p in _paths(DEMO_CONFIG) if p]


def _at(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated(draw, base, paths):
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        try:
            parent = _at(data, path[:-1])
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, (dict, list)):
            continue  # an earlier mutation replaced this place with a scalar
        action = draw(st.sampled_from(["set", "delete", "add"]))
        place = path[-1]
        fits = isinstance(parent, dict) and isinstance(place, str) or isinstance(parent, list) and isinstance(place, int) and place < len(parent)
        if action == "set" and fits:
            parent[path[-1]] = draw(_values)
        elif action == "delete" and isinstance(parent, dict):
            parent.pop(place, None)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["titel", "venue", "x-note", "ids", "lock", "enabled", "format", "base_url"]))] = draw(_values)
    return data


def test_the_cv_and_config_schemas_have_a_compiled_test():
    # The CV is the one large document every command validates, the config the first; if a schema
    # edit brings in a keyword the compiled test cannot check, the fast path goes quietly: this
    # says so. A property called "format" (cv.format in the config) is a name, not the keyword.
    assert _compiled("cv.schema.json") is not None
    assert _compiled_built(config_schema()) is not None
    assert "format" not in _keywords(config_schema())
    assert "format" in _keywords({"properties": {"url": {"type": "string", "format": "uri"}}})


def _jsonschema_valid(data, schema) -> bool:
    return jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker()).is_valid(data)


def _agree(data, schema, name) -> None:
    # What must hold: the compiled test never passes a file jsonschema refuses, and check()
    # reports problems exactly when jsonschema does. (The compiled test may be stricter: it reads
    # a pattern's "$" as the very end, where re.search also allows a final newline; check() then
    # asks jsonschema.)
    valid = _jsonschema_valid(data, schema)
    if is_valid(data, name):
        assert valid
    assert (check(data, name, "f.yaml") == []) == valid


@settings(max_examples=400, deadline=None)
@given(mutated(DEMO_CV, _CV_PATHS))
def test_compiled_and_jsonschema_agree_on_every_cv(data):
    _agree(data, load_schema("cv.schema.json"), "cv.schema.json")


@settings(max_examples=300, deadline=None)
@given(mutated(DEMO_CONFIG, _CONFIG_PATHS))
def test_compiled_and_jsonschema_agree_on_every_config(data):
    _agree(data, config_schema(), config_schema())


def test_a_value_the_compiled_test_is_stricter_about_is_judged_by_jsonschema():
    data = copy.deepcopy(DEMO_CV)
    data["publications"][0].setdefault("ids", {})["doi"] = "10.1145/3600006\n"
    assert is_valid(data, "cv.schema.json") is False  # "\Z" in the generated pattern
    assert _jsonschema_valid(data, load_schema("cv.schema.json"))  # re.search's "$"
    assert check(data, "cv.schema.json", "cv.yaml") == []


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


def test_compiling_leaves_the_schema_as_it_was():
    # fastjsonschema rewrites the "$ref"s of the schema it compiles; the hints are looked up by
    # the relative ones, so it must be given a copy.
    before = json.dumps(load_schema("cv.schema.json"), sort_keys=True)
    config_before = json.dumps(config_schema(), sort_keys=True)
    _compiled.cache_clear()
    assert _compiled("cv.schema.json") is not None and _compiled_built(config_schema()) is not None
    assert json.dumps(load_schema("cv.schema.json"), sort_keys=True) == before
    assert json.dumps(config_schema(), sort_keys=True) == config_before
    data = copy.deepcopy(DEMO_CV)
    data["publications"][0]["key"] = "has spaces"
    [problem] = check(data, "cv.schema.json", "cv.yaml")
    assert problem.where == "publications[0].key" and "BibTeX" in (problem.fix or problem.what)


def test_the_shipped_compiled_tests_are_current():
    # `python -m profilesync.compile_schemas` writes them; a schema edit without it fails here.
    from importlib import resources

    from profilesync.compile_schemas import compiled_sources
    from profilesync.validation import COMPILED_PACKAGE

    directory = resources.files(COMPILED_PACKAGE)
    shipped = {p.name: p.read_text(encoding="utf-8") for p in directory.iterdir() if p.name.startswith("schema_") and p.name.endswith(".py")}
    assert shipped == compiled_sources(), "run `python -m profilesync.compile_schemas` and commit profilesync/schemas/compiled/"
    assert _compiled("cv.schema.json").__module__.startswith(COMPILED_PACKAGE)


def test_a_value_the_compiled_test_chokes_on_goes_to_jsonschema(monkeypatch):
    # Whatever the generated code raises besides its own verdict, the file is judged by jsonschema,
    # which words the problems (or finds none), instead of the command crashing.
    import profilesync.validation as validation

    def broken(data):
        raise RecursionError("deep")

    monkeypatch.setattr(validation, "_compiled", lambda name: broken)
    assert is_valid(copy.deepcopy(DEMO_CV), "cv.schema.json") is False
    assert check(copy.deepcopy(DEMO_CV), "cv.schema.json", "cv.yaml") == []
