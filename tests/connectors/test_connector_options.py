"""Each connector's typed options: the registry, the config schema and the defaults come from them.

And the ``Deadline`` the pull hands down to the HTTP client, on an injected clock.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jsonschema
import pytest
from werkzeug import Response

from profilesync.commands.source_policy import source_policy
from profilesync.config import (
    PRECEDENCE_FIELDS,
    SOURCE_NAMES,
    SourceConfig,
    config_schema,
    default_precedence,
    load_config,
)
from profilesync.connectors import registry
from profilesync.connectors.base import SourceOptions
from profilesync.connectors.dblp import DblpOptions
from profilesync.connectors.github import GithubOptions
from profilesync.connectors.http import HttpClient, HttpPolicy
from profilesync.connectors.orcid import OrcidOptions
from profilesync.connectors.scholar import ScholarOptions
from profilesync.deadline import Deadline
from profilesync.errors import SourceUnavailable, UserError


def _config(tmp_path: Path, sources: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("profile:\n  name: Ada Lovelace\nsources:\n" + sources, encoding="utf-8")
    return path


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the registry and the options classes ----------------------------------------------------------


def test_registry_order_is_the_report_order_and_each_source_has_its_options_class():
    assert SOURCE_NAMES == ("dblp", "orcid", "scholar", "github")
    assert [registry.options_class(n) for n in SOURCE_NAMES] == [DblpOptions, OrcidOptions, ScholarOptions, GithubOptions]
    for name in SOURCE_NAMES:
        cls = registry.options_class(name)
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
        assert issubclass(cls, SourceOptions)


def test_empty_sections_get_each_sources_own_defaults(tmp_path):
    config = load_config(_config(tmp_path, "  dblp: {}\n  orcid: {}\n  scholar: {}\n  github: {}\n"))
    dblp, orcid, scholar, github = (config.sources[n] for n in SOURCE_NAMES)
    assert isinstance(dblp.options, DblpOptions) and isinstance(github.options, GithubOptions)
    assert [s.base_url for s in (dblp, orcid, scholar, github)] == ["https://dblp.org", "https://pub.orcid.org/v3.0", "https://scholar.google.com", "https://api.github.com"]
    assert [s.timeout_s for s in (dblp, orcid, scholar, github)] == [60.0, 60.0, 120.0, 60.0]
    assert [s.options.min_interval_s for s in (dblp, orcid, scholar, github)] == [2.0, 0.1, 5.0, 0.0]
    # One default per source, declared once: Scholar does not retry (a retry deepens its block).
    assert [s.options.retries for s in (dblp, orcid, scholar, github)] == [3, 3, 0, 3]
    assert orcid.options.details_chunk == 50 and orcid.options.employments is True
    assert scholar.options.max_pages == 20 and scholar.options.proxy is None
    assert github.options.max_pages == 10 and github.options.quota_reserve == 5


def test_values_are_converted_to_the_declared_types(tmp_path):
    config = load_config(
        _config(
            tmp_path,
            "  dblp:\n    base_url: http://127.0.0.1:8080/\n    timeout_s: 5\n    coauthors: [Xin Jin]\n"
            "  github:\n    id: octocat\n    include: [a/b]\n    extra_repos: [lab/paper-code]\n    token_env: GITHUB_TOKEN\n",
        )
    )
    dblp, github = config.sources["dblp"], config.sources["github"]
    assert dblp.base_url == dblp.options.base_url == "http://127.0.0.1:8080"
    assert isinstance(dblp.timeout_s, float) and dblp.timeout_s == 5.0
    assert dblp.options.coauthors == ("Xin Jin",)
    assert github.options.include == ("a/b",) and github.options.extra_repos == ("lab/paper-code",)
    assert github.id == "octocat" and github.token_env == github.options.token_env == "GITHUB_TOKEN"
    with pytest.raises(dataclasses.FrozenInstanceError):
        github.options.retries = 9  # type: ignore[misc]


def test_a_hand_built_source_config_parses_its_mapping_with_the_fields_given():
    source = SourceConfig(name="orcid", enabled=True, id=None, base_url="http://127.0.0.1:9/v3.0", timeout_s=7, options={"details_chunk": 40})
    assert isinstance(source.options, OrcidOptions)
    assert source.options.details_chunk == 40
    assert source.options.base_url == "http://127.0.0.1:9/v3.0" and source.options.timeout_s == 7
    assert source.options.retries == 3  # the source's default for what was not given


# --- the config schema is made from the options ----------------------------------------------------


def test_the_schema_has_one_section_per_registered_source_made_of_its_settings():
    schema = config_schema()
    sections = schema["properties"]["sources"]["properties"]
    assert list(sections) == list(SOURCE_NAMES)
    for name in SOURCE_NAMES:
        assert set(sections[name]["properties"]) == set(registry.options_class(name).config_keys())
        assert sections[name]["additionalProperties"] is False
    assert schema["properties"]["policy"]["properties"]["precedence"]["additionalProperties"]["items"]["enum"] == list(SOURCE_NAMES)
    assert schema["properties"]["policy"]["properties"]["precedence"]["propertyNames"]["enum"] == list(PRECEDENCE_FIELDS) == list(default_precedence())
    # Keys a source does not take stay out of its section (DBLP has no token).
    assert "token_env" not in sections["dblp"]["properties"] and "proxy" not in sections["github"]["properties"]


@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_every_default_is_a_value_the_schema_accepts(name):
    """A default the user could not write back into config.yaml would be a contradiction."""
    cls = registry.options_class(name)
    defaults = cls()
    section = {key: getattr(defaults, key) for key in cls.config_keys() if getattr(defaults, key) is not None}
    section = {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}
    validator = jsonschema.Draft202012Validator(config_schema())
    errors = list(validator.iter_errors({"profile": {"name": "A"}, "sources": {name: section}}))
    assert errors == []


def test_unknown_keys_and_sources_are_named_with_the_fix(tmp_path):
    with pytest.raises(UserError) as raised:
        load_config(_config(tmp_path, "  dblp:\n    coauthor: [Xin Jin]\n  zotero: {}\n"))
    text = str(raised.value)
    assert 'sources.dblp.coauthor: unknown key "coauthor"' in text and 'did you mean "coauthors"?' in text
    assert 'sources.zotero: unknown key "zotero"' in text and "known keys here: dblp, github, orcid, scholar" in text


def test_a_bad_value_gets_the_hint_declared_next_to_the_option(tmp_path):
    with pytest.raises(UserError) as raised:
        load_config(_config(tmp_path, "  orcid:\n    details_chunk: 500\n  scholar:\n    id: not-an-id\n"))
    text = str(raised.value)
    assert "sources.orcid.details_chunk" in text and "put-codes per bulk details request, 1 to 100 (default 50)" in text
    assert 'sources.scholar.id: expected a Google Scholar user id like "310QUvQAAAAJ"' in text


# --- precedence hints ------------------------------------------------------------------------------


def test_default_precedence_comes_from_the_ranks_each_source_declares():
    precedence = default_precedence()
    assert precedence["title"] == ("dblp", "orcid", "scholar")
    assert precedence["pages"] == ("dblp", "orcid")  # Scholar does not speak for pages
    assert precedence["citations"] == ("scholar",)
    assert precedence["homepage"] == ("github", "orcid", "scholar", "dblp")
    assert precedence["name"] == ("orcid", "dblp", "scholar", "github")
    for field, order in precedence.items():
        ranks = [registry.options_class(n).precedence[field] for n in order]
        assert ranks == sorted(ranks), field


def test_configured_precedence_overrides_only_the_fields_it_names(tmp_path):
    path = _config(tmp_path, "  dblp: {}\n")
    path.write_text(path.read_text() + "policy:\n  precedence:\n    title: [orcid, dblp]\n")
    config = load_config(path)
    assert config.policy.precedence["title"] == ("orcid", "dblp")
    assert config.policy.precedence["venue"] == default_precedence()["venue"]


# --- one HTTP policy factory -----------------------------------------------------------------------


def test_the_policy_is_built_from_the_sources_options(tmp_path):
    path = _config(tmp_path, "  scholar:\n    timeout_s: 40\n    proxy: socks5h://127.0.0.1:9050\n  github: {}\n")
    path.write_text(path.read_text() + "contact_email: ada@example.org\n")
    config = load_config(path)
    scholar = registry.policy_for(config, config.sources["scholar"])
    assert (scholar.source, scholar.retries, scholar.min_interval_s, scholar.proxy) == ("scholar", 0, 5.0, "socks5h://127.0.0.1:9050")
    assert (scholar.deadline_s, scholar.read_timeout_s, scholar.connect_timeout_s, scholar.max_retry_wait_s) == (40.0, 30.0, 10.0, 20.0)
    assert scholar.cache_dir == config.cache_dir / "http" and scholar.contact_email == "ada@example.org"
    github = registry.policy_for(config, config.sources["github"])
    assert github.cache_statuses == (200, 404) and github.retries == 3
    # Writes keep nothing: no HTTP cache at all.
    assert registry.policy_for(config, config.sources["github"], cache=False).cache_dir is None


def test_without_a_config_init_uses_the_sources_defaults(tmp_path):
    base_url, policy = source_policy("dblp", tmp_path / "missing.yaml")
    assert base_url == "https://dblp.org"
    assert (policy.source, policy.min_interval_s, policy.deadline_s, policy.cache_dir) == ("dblp", 2.0, 60.0, None)


# --- the Deadline, on an injected clock ------------------------------------------------------------


def test_deadline_counts_on_the_clock_it_is_given():
    clock = FakeClock()
    deadline = Deadline.start(10, clock)
    clock.now += 4
    assert deadline.remaining() == 6 and not deadline.expired
    assert deadline.extended(5).remaining() == 11
    clock.now += 6
    assert deadline.expired
    assert deadline.restarted().remaining() == 10


def test_an_expired_deadline_stops_the_client_before_it_sends(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    clock = FakeClock()
    deadline = Deadline.start(5, clock)
    clock.now += 5
    client = HttpClient(HttpPolicy(source="dblp", min_interval_s=0, retries=0), deadline=deadline)
    with pytest.raises(SourceUnavailable, match="the 5 s deadline passed"):
        client.get(httpserver.url_for("/x"))
    assert httpserver.log == []


def test_a_response_that_outlasts_the_deadline_is_cut_off(httpserver):
    """The server "takes" a minute by moving the injected clock: the fault costs no real time."""
    clock = FakeClock()

    def slow(request):
        clock.now += 60
        return Response("late body", content_type="text/plain")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    client = HttpClient(HttpPolicy(source="orcid", min_interval_s=0, retries=0), deadline=Deadline.start(30, clock))
    with pytest.raises(SourceUnavailable, match="did not finish within the 30 s deadline"):
        client.get(httpserver.url_for("/slow"))
    assert client.remaining_s() == -30


# --- people search, declared by the connectors -----------------------------------------------------


def test_init_asks_the_sources_whose_connectors_search_people():
    import argparse

    from profilesync.commands.init_cmd import finders

    assert finders(argparse.Namespace()) == ("dblp",)
    # ORCID's search asks a second service about the name: only on request.
    assert finders(argparse.Namespace(orcid_search=True)) == ("dblp", "orcid")
    assert [n for n in SOURCE_NAMES if registry.connector_class(n).people_search.value == "none"] == ["scholar", "github"]


# --- adding a source: one module plus one registry line --------------------------------------------

_NEW_SOURCE = '''
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

from profilesync.connectors.base import URL, Connector, FetchContext, SourceOptions, min_interval, setting, source_id
from profilesync.model import Person, Snapshot


@dataclass(frozen=True)
class CrossrefOptions(SourceOptions):
    id: str | None = setting(None, source_id("^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$", "expected an ORCID iD"))
    base_url: str = setting("https://api.crossref.org", URL)
    min_interval_s: float = setting(1.0, min_interval("seconds between two requests to Crossref"))
    rows: int = setting(100, {"type": "integer", "minimum": 1, "maximum": 1000, "x-hint": "works per page, 1 to 1000"})
    precedence: ClassVar[Mapping[str, int]] = MappingProxyType({"doi": 15, "venue": 25})


class CrossrefConnector(Connector):
    name: ClassVar[str] = "crossref"
    options_class: ClassVar[type[SourceOptions]] = CrossrefOptions

    def fetch(self, context: FetchContext) -> Snapshot:
        data = self.http.get_json(f"{self.options.base_url}/works", params={"rows": self.options.rows})
        return Snapshot(source=self.name, fetched_at=context.now, person=Person(name=str(data["name"])), works=())
'''

_CHECK = '''
import json, sys
from pathlib import Path
from profilesync.connectors import registry

registry.SOURCES["crossref"] = "crossref_demo:CrossrefConnector"  # the one registry line
registry.SOURCE_NAMES = tuple(registry.SOURCES)

from profilesync.config import default_precedence, load_config
from profilesync.errors import UserError

folder = Path(sys.argv[1])
good = folder / "good.yaml"
good.write_text("profile: {name: Ada}\\nsources:\\n  crossref: {rows: 20}\\n")
config = load_config(good)
crossref = config.sources["crossref"]
policy = registry.policy_for(config, crossref)
bad = folder / "bad.yaml"
bad.write_text("profile: {name: Ada}\\nsources:\\n  crossref: {rows: 0, row: 1}\\n")
try:
    load_config(bad)
    problems = ""
except UserError as exc:
    problems = str(exc)
print(json.dumps({
    "enabled": config.enabled_sources(),
    "rows": crossref.options.rows,
    "base_url": crossref.base_url,
    "doi": default_precedence()["doi"],
    "venue": default_precedence()["venue"],
    "interval": policy.min_interval_s,
    "problems": problems,
}))
'''


@pytest.mark.slow
def test_a_new_source_is_one_module_and_one_registry_line(tmp_path):
    """The example of docs/architecture.md, run in a fresh interpreter (the registry is read once)."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "crossref_demo.py").write_text(_NEW_SOURCE, encoding="utf-8")
    src = Path(__import__("profilesync").__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(src)])}
    done = subprocess.run([sys.executable, "-c", _CHECK, str(tmp_path)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["enabled"] == ["crossref"]
    assert (seen["rows"], seen["base_url"], seen["interval"]) == (20, "https://api.crossref.org", 1.0)
    assert seen["doi"] == ["dblp", "crossref", "orcid", "scholar"]
    assert seen["venue"] == ["dblp", "orcid", "crossref", "scholar"]
    assert "sources.crossref.rows" in seen["problems"] and "works per page, 1 to 1000" in seen["problems"]
    assert 'sources.crossref.row: unknown key "row"' in seen["problems"] and 'did you mean "rows"?' in seen["problems"]
