"""``init --orcid`` / ``--orcid-search``, and the ORCID iD checksum in config.yaml, through the CLI."""

from __future__ import annotations

import re

import pytest
from werkzeug import Request, Response

from profilesync.config import load_config
from profilesync.cv.record import load_cv
from test_orcid_fixtures import EGLEN, fixture_bytes, person_file

# CONSTRUCTED in the documented shape of GET /v3.0/expanded-search/ (fields orcid-id,
# given-names, family-names, credit-name, other-name, email, institution-name); no recorded
# expanded-search response exists among the fixtures.
SEARCH = (
    b'{"expanded-result":[{"orcid-id":"0000-0001-8607-8025","given-names":"Stephen","family-names":"Eglen",'
    b'"credit-name":null,"other-name":[],"email":[],"institution-name":["University of Cambridge"]}],"num-found":1}'
)

NO_DBLP_HITS = {"result": {"hits": {"@total": "0", "@sent": "0", "@first": "0"}}}  # so --name asks no real DBLP


@pytest.fixture
def public_api(httpserver):
    """/person of the recorded Eglen record, 404 for other iDs, and the expanded search."""
    seen: list[Request] = []

    def handle(request: Request) -> Response:
        seen.append(request)
        if request.path == f"/v3.0/{EGLEN}/person":
            return Response(fixture_bytes(person_file(EGLEN)), content_type="application/json")
        if request.path == "/v3.0/expanded-search/":
            return Response(SEARCH, content_type="application/json")
        return Response(b'{"response-code":404,"error-code":9016}', status=404, content_type="application/json")

    httpserver.expect_request(re.compile(r"^/v3\.0/.*$")).respond_with_handler(handle)
    return httpserver.url_for("/v3.0"), seen


def test_init_orcid_checks_the_record_and_writes_the_orcid_part(public_api, httpserver, tmp_path, cli):
    base_url, seen = public_api
    httpserver.expect_request("/search/author/api").respond_with_json(NO_DBLP_HITS)
    dblp = httpserver.url_for("/").rstrip("/")
    result = cli(["init", "--write", "--name", "Stephen Eglen", "--orcid", "https://orcid.org/0000-0001-8607-8025", "--orcid-base-url", base_url, "--dblp-base-url", dblp], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "orcid: 0000-0001-8607-8025 is Stephen Eglen" in result.stdout
    assert [r.path for r in seen] == [f"/v3.0/{EGLEN}/person"]
    config = load_config(tmp_path / "config.yaml")
    assert config.sources["orcid"].id == EGLEN
    assert config.sources["orcid"].base_url == base_url
    assert config.sources["orcid"].token_env == "ORCID_TOKEN"
    assert load_cv(tmp_path / "cv.yaml").person.ids.orcid == EGLEN
    assert cli(["validate"], cwd=tmp_path).exit_code == 0


def test_init_orcid_offline_writes_without_asking(tmp_path, cli):
    result = cli(["init", "--write", "--name", "Stephen Eglen", "--orcid", EGLEN, "--offline"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert load_config(tmp_path / "config.yaml").sources["orcid"].id == EGLEN


def test_init_orcid_with_a_bad_check_digit_writes_nothing(tmp_path, cli, digest):
    result = cli(["init", "--write", "--name", "X", "--orcid", "0000-0001-8607-8026", "--offline"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "--orcid" in result.stderr
    assert "check digit" in result.stderr
    assert digest(tmp_path) == {}


def test_init_orcid_unknown_to_orcid_writes_nothing(public_api, tmp_path, cli, digest):
    base_url, _ = public_api
    result = cli(["init", "--write", "--name", "X", "--orcid", "0000-0002-1825-0097", "--orcid-base-url", base_url], cwd=tmp_path)
    assert result.exit_code == 2
    assert "ORCID has no record 0000-0002-1825-0097 (HTTP 404)" in result.stderr
    assert digest(tmp_path) == {}


def test_orcid_search_by_name_is_opt_in(public_api, httpserver, tmp_path, cli):
    base_url, seen = public_api
    httpserver.expect_request("/search/author/api").respond_with_json(NO_DBLP_HITS)
    result = cli(["init", "--name", "Stephen Eglen", "--dblp-base-url", httpserver.url_for("/").rstrip("/"), "--orcid-base-url", base_url], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert seen == []  # without --orcid-search ORCID is not asked
    result = cli(["init", "--name", "Stephen Eglen", "--orcid-search", "--dblp-base-url", httpserver.url_for("/").rstrip("/"), "--orcid-base-url", base_url], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert 'orcid: 1 candidate(s) for "Stephen Eglen":' in result.stdout
    assert "0000-0001-8607-8025  Stephen Eglen" in result.stdout
    assert "University of Cambridge" in result.stdout
    assert seen[0].args["q"] == 'given-names:Stephen AND family-name:Eglen'


@pytest.mark.parametrize("command", [["validate"], ["pull", "--source", "orcid"]])
def test_a_bad_orcid_checksum_in_config_is_exit_2_naming_the_key(tmp_path, cli, digest, command):
    (tmp_path / "config.yaml").write_text('profile: {name: X}\ncv: cv.yaml\nsources:\n  orcid: {id: "0000-0001-8607-8026"}\n', encoding="utf-8")
    (tmp_path / "cv.yaml").write_text("person: {name: X}\npublications: []\n", encoding="utf-8")
    before = digest(tmp_path)
    result = cli(command, cwd=tmp_path)
    assert result.exit_code == 2
    assert 'config.yaml: sources.orcid.id: "0000-0001-8607-8026" fails the ORCID checksum' in result.stderr
    assert digest(tmp_path) == before
