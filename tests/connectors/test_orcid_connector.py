"""The ORCID connector against a local server serving recorded public-API responses."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import pytest

from profilesync.connectors.base import FetchContext
from profilesync.errors import SourceFormatError, SourceUnavailable, UserError
from profilesync.model import Person, PersonIds, Snapshot, WorkType
from test_orcid_fixtures import (
    CHAMBERLAIN,
    EGLEN,
    JOHNSON,
    KREUTZER,
    fixture_bytes,
    fixture_json,
    full_work_record,
    make_connector,
    replicate_groups,
    server_factory,
    summaries_by_put_code,
    works_file,
)

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def orcid_server(httpserver):
    return server_factory(httpserver)


def context(orcid: str | None = None) -> FetchContext:
    return FetchContext(person=Person(name="Someone", ids=PersonIds(orcid=orcid)), now=NOW)


def pull(server, orcid: str, **kwargs) -> tuple[Snapshot, int]:
    connector = make_connector(server.base_url, orcid=orcid, **kwargs)
    snapshot = connector.fetch(context())
    return snapshot, connector.http.requests_sent


def test_eglen_record_parses_names_urls_and_all_groups(orcid_server):
    works_doc = fixture_json(works_file(EGLEN))
    server = orcid_server(EGLEN, details=summaries_by_put_code(works_doc))
    snapshot, _ = pull(server, EGLEN)
    assert snapshot.source == "orcid"
    assert snapshot.person.name == "Stephen Eglen"
    assert snapshot.person.homepage == "https://sje30.github.io"
    assert snapshot.person.ids.orcid == EGLEN
    assert len(snapshot.works) == 74  # 78 summaries in 74 groups: duplicates are one work
    assert snapshot.works[0].title == "Open Code and Peer Review"
    # 14 summaries have publication-date null; the works still parse, some without a year.
    assert any(w.year is None for w in snapshot.works)
    assert all(w.own_record for w in snapshot.works)
    assert sum(1 for w in snapshot.works if w.ids.doi) >= 54
    # "external-id-url": {"value": ""} is an empty url, not a url.
    assert all(w.url != "" for w in snapshot.works)
    # other-id values have no field of their own but are kept for the report.
    other = [i for w in snapshot.works for i in w.extra["orcid_ids"] if i["type"] == "other-id"]
    assert {"type": "other-id", "value": "115891", "relationship": "self"} in other
    assert json.loads(json.dumps(snapshot.to_dict()))["works"][0]["own_record"] is True


def test_duplicate_summaries_in_a_group_are_one_work_keeping_every_id(orcid_server):
    works_doc = fixture_json(works_file(CHAMBERLAIN))
    server = orcid_server(CHAMBERLAIN, details=summaries_by_put_code(works_doc))
    snapshot, _ = pull(server, CHAMBERLAIN)
    assert len(snapshot.works) == 111
    by_doi = {w.ids.doi: w for w in snapshot.works if w.ids.doi}
    density = by_doi["10.1890/07-1139.1"]
    # The researcher's own entry has an all-caps title and no journal; Scopus's has both.
    assert density.title.startswith("Density-mediated, context-dependent consumer")
    assert density.venue == "Ecology"
    assert density.extra["orcid_group"]["put_codes"] == ["5295427", "5295426"]
    assert density.extra["orcid_source"] == "Scopus - Elsevier"
    assert density.ids.orcid_put_code == "5295427"
    # A part-of ISSN is the journal's id: kept for the report, never taken as the work's own.
    ecology = by_doi["10.1111/ele.12279"]
    assert {"type": "issn", "value": "1461-023X", "relationship": "part-of"} in ecology.extra["orcid_ids"]
    # Two versions of one F1000 paper are two groups with their own DOIs.
    assert {"10.12688/f1000research.2-191.v1", "10.12688/f1000research.2-191.v2"} <= set(by_doi)
    assert snapshot.person.name == "Scott A Chamberlain"  # the credit name
    assert "Scott Chamberlain" in snapshot.person.aliases
    assert snapshot.person.ids.github == "sckott"
    assert snapshot.person.homepage == "http://scottchamberlain.info/"


def test_a_record_with_no_works_is_an_empty_snapshot_not_an_error(orcid_server):
    server = orcid_server(JOHNSON)
    snapshot, requests = pull(server, JOHNSON)
    assert snapshot.works == ()
    assert snapshot.person.name == "Thomas Johnson"
    assert requests == 3  # person, works, employments; no details call for zero works
    assert server.bulk_calls == []


def test_details_give_authors_with_unicode_and_null_external_ids(orcid_server):
    works_body, details = full_work_record()
    server = orcid_server(KREUTZER, person=fixture_bytes("eglen_0000-0001-8607-8025_person.json"), works=works_body, details=details)
    snapshot, _ = pull(server, KREUTZER)
    by_code = {w.ids.orcid_put_code: w for w in snapshot.works}
    chips = by_code["77226586"]
    assert chips.title == "Dose-Rate Estimation using α-Al2O3:C Chips: Aftermath"
    assert [a.name for a in chips.authors] == ["Sebastian Kreutzer", "Chantal Tribolo", "Loïc Martin", "Norbert Mercier"]
    assert chips.year == 2020
    assert chips.venue == "Ancient TL"
    assert chips.ids.doi is None  # its only id is a source-work-id
    assert chips.extra["orcid_ids"][0]["type"] == "source-work-id"
    package = by_code["40038622"]
    assert package.title == "Introducing an R package for luminescence dating analysis"  # trailing space gone
    assert package.authors == ()
    assert package.extra["orcid_ids"] == []  # "external-ids": {"external-id": null}
    assert package.year == 2012
    assert any("1 works on ORCID list no authors" in note for note in snapshot.notes)


def test_upper_case_relationship_and_type_are_understood(orcid_server):
    body = fixture_bytes("academic_tracker_ORCID_works_resorted.json")
    server = orcid_server("0000-0003-1910-4865", person=fixture_bytes("eglen_0000-0001-8607-8025_person.json"), works=body, details={})
    snapshot, _ = pull(server, "0000-0003-1910-4865")
    assert len(snapshot.works) == 6
    assert all(w.type is WorkType.JOURNAL for w in snapshot.works)
    assert snapshot.works[0].ids.doi == "10.1016/j.celrep.2021.110013"  # relationship "SELF"


def test_bulk_details_failure_still_gives_a_usable_snapshot_with_a_note(orcid_server):
    server = orcid_server(EGLEN)
    server.bulk_status = 500
    snapshot, _ = pull(server, EGLEN)
    assert len(snapshot.works) == 74
    assert all(w.authors == () for w in snapshot.works)
    assert snapshot.works[0].title == "Open Code and Peer Review"
    assert any(n.startswith("authors of 74 of 74 works could not be fetched from ORCID") and "HTTP 500" in n for n in snapshot.notes)
    assert len(snapshot.extra["details_missing"]) == 74


def test_single_error_slots_in_a_bulk_answer_are_noted(orcid_server):
    works_doc = fixture_json(works_file(EGLEN))
    details = summaries_by_put_code(works_doc)
    missing = str(works_doc["group"][0]["work-summary"][0]["put-code"])
    del details[missing]
    server = orcid_server(EGLEN, details=details)
    snapshot, _ = pull(server, EGLEN)
    assert snapshot.extra["details_missing"] == [missing]
    assert any("authors of 1 of 74 works" in n for n in snapshot.notes)


def test_details_are_asked_in_chunks_of_put_codes(orcid_server):
    server = orcid_server(CHAMBERLAIN, details={})
    pull(server, CHAMBERLAIN, options={"details_chunk": 40})
    assert [len(c) for c in server.bulk_calls] == [40, 40, 31]  # one put-code per group, 111 groups
    assert len({pc for c in server.bulk_calls for pc in c}) == 111


@pytest.mark.parametrize("count", [8, 200])
def test_request_count_of_a_pull(orcid_server, count):
    """What a pull costs: person + works + employments + ceil(works / 50) bulk detail calls.

    The 8-work record is the first 8 groups of the recorded Eglen /works body; no recorded record
    has 200 works, so that one is built from the recorded work-summaries replicated with
    distinct put-codes (``replicate_groups``).
    """
    works_doc = fixture_json(works_file(EGLEN))
    if count == 8:
        doc = {**works_doc, "group": works_doc["group"][:8]}
    else:
        doc = replicate_groups(works_doc, count)
    server = orcid_server(EGLEN, works=json.dumps(doc).encode(), details=summaries_by_put_code(doc))
    snapshot, requests = pull(server, EGLEN)
    assert len(snapshot.works) == count
    assert requests == 3 + math.ceil(count / 50)
    assert requests == {8: 4, 200: 7}[count]
    assert len(server.paths) == requests
    # Without the employments call (sources.orcid.employments: false) it is one fewer.
    server.paths.clear()
    _, fewer = pull(server, EGLEN, options={"employments": False})
    assert fewer == requests - 1


def test_person_failure_is_a_source_error(orcid_server):
    server = orcid_server(EGLEN, person=b"<html>Oops an error happened!</html>")
    with pytest.raises(SourceFormatError):
        pull(server, EGLEN)


@pytest.mark.parametrize("broken", ["person", "works"])
def test_an_unusable_response_is_not_replayed_from_the_http_cache(httpserver, orcid_server, tmp_path, broken):
    # A 200 error page is stored by the HTTP cache like any 200; the next pull must ask again.
    html = b"<html>Oops an error happened!</html>"
    server = orcid_server(EGLEN, **{broken: html})
    first = make_connector(server.base_url, orcid=EGLEN, cache_dir=tmp_path)
    with pytest.raises(SourceFormatError):
        first.fetch(context())

    httpserver.clear()
    works_doc = fixture_json(works_file(EGLEN))
    server = orcid_server(EGLEN, details=summaries_by_put_code(works_doc))
    second = make_connector(server.base_url, orcid=EGLEN, cache_dir=tmp_path)
    snapshot = second.fetch(context())

    assert snapshot.person.name == "Stephen Eglen"
    assert len(snapshot.works) == 74


def test_works_that_are_not_a_works_response_are_a_format_error(orcid_server):
    server = orcid_server(EGLEN, works=fixture_bytes("eglen_0000-0001-8607-8025_person.json"))
    with pytest.raises(SourceFormatError, match="'group'"):
        pull(server, EGLEN)


def test_an_unreachable_server_is_source_unavailable():
    connector = make_connector("http://127.0.0.1:9/v3.0", orcid=EGLEN)
    with pytest.raises(SourceUnavailable):
        connector.fetch(context())


def test_orcid_comes_from_the_cv_when_the_config_has_none(orcid_server):
    server = orcid_server(JOHNSON)
    connector = make_connector(server.base_url)
    snapshot = connector.fetch(context(JOHNSON))
    assert snapshot.person.ids.orcid == JOHNSON


def test_a_bad_checksum_is_refused_before_any_request(orcid_server):
    server = orcid_server(JOHNSON)
    connector = make_connector(server.base_url, orcid="0000-0003-1620-1407")
    with pytest.raises(UserError, match="sources.orcid.id"):
        connector.fetch(context())
    assert server.paths == []


def test_a_read_token_is_sent_and_dropped_once_when_the_public_api_refuses_it(orcid_server):
    server = orcid_server(JOHNSON)
    connector = make_connector(server.base_url, orcid=JOHNSON, token="read-public-token")
    connector.fetch(context())
    assert server.authorizations == ["Bearer read-public-token"] * 3
    server.paths.clear()
    server.authorizations.clear()
    server.refuse_tokens = True
    connector = make_connector(server.base_url, orcid=JOHNSON, token="sandbox-write-token")
    snapshot = connector.fetch(context())
    # The first request is refused, repeated without the token, and the rest go anonymous.
    assert server.authorizations == ["Bearer sandbox-write-token", None, None, None]
    assert snapshot.person.name == "Thomas Johnson"
    assert any("refused the token in $ORCID_TOKEN (HTTP 401)" in n for n in snapshot.notes)
    assert all("sandbox-write-token" not in n for n in snapshot.notes)


def test_the_current_employment_is_the_affiliation(orcid_server):
    # The /employments body is CONSTRUCTED in the documented shape (see fixtures/orcid/README.md).
    server = orcid_server(EGLEN, details={})
    server.employments = fixture_bytes("constructed_employments_0000-0001-8607-8025.json")
    snapshot, _ = pull(server, EGLEN)
    assert snapshot.person.affiliation == "University of Cambridge"
    assert snapshot.person.extra["employments"][1] == {"organization": "University of Edinburgh", "role": "Research Fellow", "start_year": 1998, "end_year": 2001}


def test_a_failing_employments_call_is_a_note_not_a_failed_pull(orcid_server):
    server = orcid_server(JOHNSON, employments_status=500)
    snapshot, _ = pull(server, JOHNSON)
    assert snapshot.person.affiliation is None
    assert any(n.startswith("the ORCID employments could not be read (") for n in snapshot.notes)


# --- an iD ORCID does not know (issue 12, item 8) -----------------------------------------------

UNKNOWN = "0000-0002-1825-0097"  # valid checksum; the local server has no record of it
# What ORCID's public API answers for an iD it never issued.
NOT_FOUND_BODY = json.dumps({"response-code": 404, "developer-message": "404 Not Found: The resource was not found.", "error-code": 9016}).encode()


@pytest.mark.parametrize("status", [404, 410])
def test_a_pull_of_an_id_orcid_does_not_know_says_so(httpserver, status):
    from profilesync.connectors.orcid import OrcidRecordNotFound

    httpserver.expect_request(f"/v3.0/{UNKNOWN}/person").respond_with_data(NOT_FOUND_BODY, status=status, content_type="application/json")
    connector = make_connector(httpserver.url_for("/v3.0"), orcid=UNKNOWN)
    with pytest.raises(OrcidRecordNotFound) as raised:
        connector.fetch(context())
    reason = raised.value.reason
    assert f"ORCID has no record {UNKNOWN} (HTTP {status})" in reason
    assert "check the iD (sources.orcid.id in config.yaml)" in reason
    assert "unexpected HTTP" not in reason


def test_the_cli_names_the_unknown_id_and_where_it_is_configured(httpserver, tmp_path):
    from conftest import run_cli

    httpserver.expect_request(f"/v3.0/{UNKNOWN}/person").respond_with_data(NOT_FOUND_BODY, status=404, content_type="application/json")
    (tmp_path / "cv.yaml").write_text("person:\n  name: Jane Roe\n  ids: {orcid: " + UNKNOWN + "}\npublications: []\n", encoding="utf-8")
    config = {
        "profile": {"name": "Jane Roe"},
        "cv": "cv.yaml",
        "cache_dir": "cache",
        "contact_email": "test@example.org",
        "sources": {"orcid": {"base_url": httpserver.url_for("/v3.0"), "retries": 0, "min_interval_s": 0}},
    }
    (tmp_path / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    result = run_cli(["pull", "--source", "orcid"], tmp_path)
    assert result.exit_code == 3
    assert f"ORCID has no record {UNKNOWN} (HTTP 404)" in result.stdout
    assert "person.ids.orcid in the CV" in result.stdout  # the iD came from the CV, not the config
    assert "unexpected HTTP 404" not in result.stdout + result.stderr
    assert not (tmp_path / "cache" / "snapshots" / "orcid.json").exists()


# --- the researcher's own second entry of a DOI, inside one ORCID group (issue 12, item 8) ------

DENSITY_DOI = "10.1890/07-1139.1"


def _with_second_own_entry(put_code: str = "5299001") -> dict:
    """Chamberlain's recorded works, plus a second copy of a paper he entered himself.

    The recordings hold no such group, so one is derived from a real one: the group of DOI
    10.1890/07-1139.1 holds his own entry (5295426) and Scopus's (5295427); a copy of his own
    entry with a new put-code (and the DOI in upper case, as a hand-typed one may be) is added,
    which is what ORCID shows when a researcher adds the same paper twice."""
    doc = fixture_json(works_file(CHAMBERLAIN))
    for group in doc["group"]:
        own = [s for s in group["work-summary"] if str(s["put-code"]) == "5295426"]
        if own:
            copy = json.loads(json.dumps(own[0]))
            copy["put-code"] = int(put_code)
            copy["path"] = f"/{CHAMBERLAIN}/work/{put_code}"
            copy["external-ids"]["external-id"][0]["external-id-value"] = DENSITY_DOI.upper()
            group["work-summary"].append(copy)
    return doc


def test_two_own_entries_of_one_doi_in_a_group_are_two_works(orcid_server):
    doc = _with_second_own_entry()
    server = orcid_server(CHAMBERLAIN, works=json.dumps(doc).encode(), details=summaries_by_put_code(doc))
    snapshot, _ = pull(server, CHAMBERLAIN)
    assert len(snapshot.works) == 112  # 111 groups, one of which holds a second own entry
    density = [w for w in snapshot.works if w.ids.doi == DENSITY_DOI]
    assert [w.ids.orcid_put_code for w in density] == ["5295427", "5299001"]
    assert density[1].extra["orcid_copy_of"] == "5295427"
    assert density[1].own_record
    assert any("added to the record twice" in note for note in snapshot.notes)


def test_other_sources_in_one_group_are_still_one_work(orcid_server):
    # Own entry + Scopus (10.1890/06-1283) and Crossref + Crossref Metadata Search: ORCID's normal
    # grouping of one paper, not a duplicate the researcher made.
    doc = fixture_json(works_file(CHAMBERLAIN))
    server = orcid_server(CHAMBERLAIN, details=summaries_by_put_code(doc))
    snapshot, _ = pull(server, CHAMBERLAIN)
    assert len(snapshot.works) == 111
    assert not [w for w in snapshot.works if "orcid_copy_of" in w.extra]


@pytest.mark.parametrize("in_cv", [True, False], ids=["paper-in-cv", "paper-not-in-cv"])
def test_diff_reports_the_second_own_entry_as_a_duplicate_on_orcid(httpserver, tmp_path, in_cv):
    from conftest import run_cli

    doc = _with_second_own_entry()
    server = server_factory(httpserver)(CHAMBERLAIN, works=json.dumps(doc).encode(), details=summaries_by_put_code(doc))
    publications = (
        "publications:\n"
        "  - key: chamberlain2008density\n"
        "    title: Density-mediated, context-dependent consumer-resource interactions between ants and extrafloral nectar plants\n"
        "    authors: [Scott A. Chamberlain, Judith L. Holland]\n"
        "    venue: Ecology\n"
        "    year: 2008\n"
        "    type: journal\n"
        f"    ids: {{doi: {DENSITY_DOI}}}\n"
        if in_cv
        else "publications: []\n"
    )
    (tmp_path / "cv.yaml").write_text("person:\n  name: Scott A. Chamberlain\n" + publications, encoding="utf-8")
    config = {
        "profile": {"name": "Scott A. Chamberlain", "aliases": ["Scott Chamberlain"]},
        "cv": "cv.yaml",
        "cache_dir": "cache",
        "contact_email": "test@example.org",
        "sources": {"orcid": {"id": CHAMBERLAIN, "base_url": server.base_url, "retries": 0, "min_interval_s": 0}},
    }
    (tmp_path / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    result = run_cli(["diff", "--format", "json"], tmp_path)
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    duplicates = [c for c in report["changes"] if c["kind"] == "duplicate_in_source" and c["work"]["ids"].get("doi") == DENSITY_DOI]
    assert len(duplicates) == 1
    assert duplicates[0]["source"] == "orcid"
    assert duplicates[0]["work"]["ids"]["orcid_put_code"] == "5299001"  # the copy, not the paper itself
    assert [c["kind"] for c in report["changes"] if (c.get("work") or {}).get("ids", {}).get("orcid_put_code") == "5299001"] == ["duplicate_in_source"]
    if in_cv:
        # The CV's paper is still paired with the group's chosen version, not with the copy.
        assert not [c for c in report["changes"] if c["kind"] == "missing_in_source" and c["cv_key"] == "chamberlain2008density"]
    else:
        assert len([c for c in report["changes"] if c["kind"] == "missing_in_cv" and c["work"]["ids"].get("doi") == DENSITY_DOI]) == 1
