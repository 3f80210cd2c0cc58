"""Resolving a DBLP person by name plus known coauthors, through the author search API.

There is no recorded author-search response among the fixtures, so the search JSON below is
CONSTRUCTED in the shape docs/sources.md §1.2/§1.3 documents (``result.hits.hit[].info`` with
``author`` and ``url``; one hit collapsed to an object). The person page of the right candidate
is the REAL recorded DBLP XML for pid 95/7448-1. The namesake's page is CONSTRUCTED (labelled
below): only its coauthor list matters to these tests.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.config import SourceConfig
from profilesync.connectors.base import FetchContext
from profilesync.connectors.dblp import DblpConnector, DblpPersonUnresolved
from profilesync.connectors.dblp_resolve import CandidateScore, decide, known_coauthors
from profilesync.connectors.dblp_search import as_list, parse_author_search
from profilesync.connectors.http import HttpClient, HttpPolicy
from profilesync.errors import SourceFormatError
from profilesync.model import Person

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dblp"
PERSON_XML = (FIXTURES / "person_pid_95-7448-1_DiXu0001_extracted_from_openreview_test.xml").read_bytes()
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


def author_hit(name: str, pid: str, affiliation: str | None = None) -> dict:
    info: dict = {"author": name, "url": f"https://dblp.org/pid/{pid}"}
    if affiliation:
        info["notes"] = {"note": {"@type": "affiliation", "text": affiliation}}
    return {"@score": "6", "@id": "1", "info": info, "url": "URL#1"}


def search_json(*hits: dict) -> dict:
    """CONSTRUCTED author-search response (documented shape; DBLP collapses one hit to an object)."""
    body: dict = {"@total": str(len(hits)), "@computed": str(len(hits)), "@sent": str(len(hits)), "@first": "0"}
    if hits:
        body["hit"] = hits[0] if len(hits) == 1 else list(hits)
    return {"result": {"query": "Di* Xu*", "status": {"@code": "200", "text": "OK"}, "hits": body}}


# CONSTRUCTED namesake person page: another "Di Xu" who wrote with different people.
NAMESAKE_XML = b"""<?xml version="1.0"?>
<dblpperson name="Di Xu 0002" pid="95/7448-2" n="1">
<person key="homepages/95/7448-2" mdate="2020-01-01"><author pid="95/7448-2">Di Xu 0002</author></person>
<r><article key="journals/x/XuWN20" mdate="2020-01-01">
<author pid="95/7448-2">Di Xu 0002</author><author pid="1/1">Wei Wang</author><author pid="55/3871">Panos Nasiopoulos</author>
<title>Something else entirely.</title><year>2020</year><journal>J</journal>
</article></r>
</dblpperson>
"""

KNOWN = ["Panos Nasiopoulos", "Colin Doutre", "Mahsa T. Pourazad", "Lino E. Coria", "Grace Hopper"]


def make_connector(httpserver, tmp_path: Path, options: dict | None = None) -> DblpConnector:
    config = SourceConfig(
        name="dblp", enabled=True, id=None, base_url=httpserver.url_for("/").rstrip("/"), timeout_s=20, options=options or {}
    )
    policy = HttpPolicy(source="dblp", min_interval_s=0, cache_dir=tmp_path / "http", connect_timeout_s=2, read_timeout_s=5, deadline_s=20, backoff_factor=0)
    return DblpConnector(config, HttpClient(policy))


def serve(httpserver, search: dict, pages: dict[str, bytes]) -> None:
    httpserver.expect_request("/search/author/api").respond_with_json(search)
    for pid, body in pages.items():
        httpserver.expect_request(f"/pid/{pid}.xml").respond_with_data(body, content_type="application/xml")


def context(coauthors=KNOWN, name="Di Xu") -> FetchContext:
    return FetchContext(person=Person(name=name, aliases=("Xu, Di",)), now=NOW, coauthors=tuple(coauthors))


def test_resolves_by_coauthors_and_says_why(httpserver, tmp_path):
    serve(
        httpserver,
        search_json(author_hit("Di Xu 0002", "95/7448-2"), author_hit("Di Xu 0001", "95/7448-1", "University of British Columbia"), author_hit("Dixie Xuan", "9/9")),
        {"95/7448-1": PERSON_XML, "95/7448-2": NAMESAKE_XML},
    )
    snapshot = make_connector(httpserver, tmp_path).fetch(context())

    assert snapshot.extra == {"pid": "95/7448-1", "resolved_by": "author search"}
    assert snapshot.person.ids.dblp == "95/7448-1"
    assert len(snapshot.works) == 8
    assert snapshot.notes == ('resolved "Di Xu" to DBLP pid 95/7448-1 (4 of 5 known coauthors appear; next best 95/7448-2: 1)',)
    search = httpserver.log[0][0]
    assert search.path == "/search/author/api"
    assert search.args["q"] == "Di Xu"
    assert search.args["format"] == "json"
    assert search.args["c"] == "0"
    # "Dixie Xuan" cannot be the researcher: the search is a prefix match, the page is not fetched.
    assert all(req.path != "/pid/9/9.xml" for req, _ in httpserver.log)


def test_coauthors_from_config_count_too(httpserver, tmp_path):
    serve(httpserver, search_json(author_hit("Di Xu 0001", "95/7448-1")), {"95/7448-1": PERSON_XML})
    connector = make_connector(httpserver, tmp_path, options={"coauthors": ["Colin Doutre", "P. Nasiopoulos"]})
    snapshot = connector.fetch(context(coauthors=()))
    assert snapshot.extra["pid"] == "95/7448-1"
    assert "2 of 2 known coauthors appear" in snapshot.notes[0]


def test_equal_evidence_is_not_a_choice(httpserver, tmp_path):
    # Both pages list the same coauthors, so nothing tells the two people apart.
    serve(
        httpserver,
        search_json(author_hit("Di Xu 0001", "95/7448-1"), author_hit("Di Xu 0003", "95/7448-3")),
        {"95/7448-1": PERSON_XML, "95/7448-3": PERSON_XML},
    )
    with pytest.raises(DblpPersonUnresolved) as info:
        make_connector(httpserver, tmp_path).fetch(context())
    reason = info.value.reason
    assert 'cannot tell which DBLP person is "Di Xu"' in reason
    assert "fit about equally well" in reason
    assert "95/7448-1 (Di Xu 0001)" in reason
    assert "95/7448-3 (Di Xu 0003)" in reason
    assert "set sources.dblp.id" in reason
    assert '`profilesync init --name "Di Xu"`' in reason


def test_no_known_coauthors_is_not_a_choice(httpserver, tmp_path):
    serve(httpserver, search_json(author_hit("Di Xu 0001", "95/7448-1")), {"95/7448-1": PERSON_XML})
    with pytest.raises(DblpPersonUnresolved) as info:
        make_connector(httpserver, tmp_path).fetch(context(coauthors=()))
    assert "no coauthors are known" in info.value.reason


def test_thin_evidence_is_not_a_choice(httpserver, tmp_path):
    serve(httpserver, search_json(author_hit("Di Xu 0002", "95/7448-2")), {"95/7448-2": NAMESAKE_XML})
    with pytest.raises(DblpPersonUnresolved) as info:
        make_connector(httpserver, tmp_path).fetch(context())
    assert "no candidate shares enough coauthors" in info.value.reason
    assert "1 of 5" in info.value.reason


def test_no_hits(httpserver, tmp_path):
    serve(httpserver, search_json(), {})
    with pytest.raises(DblpPersonUnresolved) as info:
        make_connector(httpserver, tmp_path).fetch(context())
    assert "found no person" in info.value.reason


def test_candidate_page_missing_is_skipped(httpserver, tmp_path):
    httpserver.expect_request("/pid/95/7448-2.xml").respond_with_data("gone", status=404)
    serve(httpserver, search_json(author_hit("Di Xu 0002", "95/7448-2"), author_hit("Di Xu 0001", "95/7448-1")), {"95/7448-1": PERSON_XML})
    snapshot = make_connector(httpserver, tmp_path).fetch(context())
    assert snapshot.extra["pid"] == "95/7448-1"


def test_search_response_in_another_shape_is_a_format_error(httpserver, tmp_path):
    httpserver.expect_request("/search/author/api").respond_with_json({"unexpected": True})
    with pytest.raises(SourceFormatError) as info:
        make_connector(httpserver, tmp_path).fetch(context())
    assert "result.hits" in info.value.reason


def test_parse_author_search_reads_affiliation_and_pid():
    hits = parse_author_search(search_json(author_hit("Di Xu 0001", "95/7448-1", "University of British Columbia")))
    assert len(hits) == 1
    assert hits[0].pid == "95/7448-1"
    assert hits[0].affiliation == "University of British Columbia"
    assert hits[0].url == "https://dblp.org/pid/95/7448-1"


def test_as_list_on_the_recorded_publication_search():
    # The real 2019 publication-search response writes one author as a bare string.
    data = json.loads((FIXTURES / "search_publ_q-test_h30_2019_extracted_from_tp2_mock.json").read_text())
    hits = as_list(data["result"]["hits"]["hit"])
    assert len(hits) == 30
    author_lists = [as_list(h["info"]["authors"]["author"]) for h in hits if "authors" in h["info"]]
    assert sum(1 for h in hits if isinstance(h["info"].get("authors", {}).get("author"), str)) == 9
    assert all(isinstance(a, list) and a for a in author_lists)
    # A publication search is not an author search: its hit URLs are records, not pids.
    assert parse_author_search(data) == []


def test_known_coauthors_drop_the_researcher_and_duplicates():
    assert known_coauthors(["Di Xu", "D. Xu", "Colin Doutre", "C. Doutre", "Xu, Di 0001"], ["Di Xu", "Xu, Di"]) == ("Colin Doutre",)


def test_decide_needs_twice_the_runner_up():
    known = ["a", "b", "c", "d"]
    close = [CandidateScore("1/1", "A", ("a", "b", "c"), 4), CandidateScore("2/2", "B", ("a", "b"), 4)]
    clear = [CandidateScore("1/1", "A", ("a", "b", "c", "d"), 4), CandidateScore("2/2", "B", ("a", "b"), 4)]
    assert decide(close, known).chosen is None
    assert decide(clear, known).chosen.pid == "1/1"
