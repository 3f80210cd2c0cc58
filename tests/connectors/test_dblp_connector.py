"""The DBLP connector against a real local HTTP server serving the recorded person XML.

The person XML is the real DBLP response for pid 95/7448-1 recorded in openreview-web's tests
(see /work/shared/fixtures/SOURCES.md); it is served unchanged through ``base_url``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.config import SourceConfig
from profilesync.connectors.base import FetchContext
from profilesync.connectors.dblp import DblpConnector, DblpPersonNotFound
from profilesync.connectors.dblp_xml import parse_person_xml, venue_acronym
from profilesync.connectors.http import HttpClient, HttpPolicy
from profilesync.errors import RateLimited, SourceFormatError, SourceUnavailable
from profilesync.model import Person, PersonIds, WorkStatus, WorkType

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dblp"
PERSON_XML = (FIXTURES / "person_pid_95-7448-1_DiXu0001_extracted_from_openreview_test.xml").read_bytes()
PID = "95/7448-1"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)

# A CoRR record as docs/sources.md §1.5 shows it (from the OpenReview test and a TypeScript dblp
# adapter fixture). The doc elides the author and title ("…"); those two elements are filled in
# here (constructed), the rest is verbatim.
CORR_RECORD = """<article key="journals/corr/abs-2508-04024" publtype="informal" mdate="2025-09-10">
<author pid="95/7448-1">Di Xu 0001</author><title>A preprint title.</title>
<year>2025</year><month>August</month><volume>abs/2508.04024</volume><journal>CoRR</journal>
  <ee type="oa">https://doi.org/10.48550/arXiv.2508.04024</ee>
  <url>db/journals/corr/corr2508.html#abs-2508-04024</url><stream>streams/journals/corr</stream>
</article>"""


def person_with(records: str) -> bytes:
    """The real fixture with extra ``<r>`` records inserted before its first one."""
    return PERSON_XML.replace(b"<r>", f"<r>{records}</r>\n<r>".encode(), 1)


def make_connector(httpserver, tmp_path: Path, pid: str | None = PID, *, retries: int = 3) -> DblpConnector:
    config = SourceConfig(name="dblp", enabled=True, id=pid, base_url=httpserver.url_for("/").rstrip("/"), timeout_s=20)
    policy = HttpPolicy(
        source="dblp",
        min_interval_s=0,
        cache_dir=tmp_path / "http",
        connect_timeout_s=2,
        read_timeout_s=5,
        deadline_s=20,
        retries=retries,
        backoff_factor=0,
    )
    return DblpConnector(config, HttpClient(policy))


def context(refresh: bool = False) -> FetchContext:
    return FetchContext(person=Person(name="Di Xu"), now=NOW, refresh=refresh)


def serve_person(httpserver, body: bytes = PERSON_XML, pid: str = PID, **kwargs) -> None:
    httpserver.expect_request(f"/pid/{pid}.xml").respond_with_data(body, content_type="application/xml", **kwargs)


def test_fetch_parses_the_recorded_person_page(httpserver, tmp_path):
    serve_person(httpserver)
    connector = make_connector(httpserver, tmp_path)

    snapshot = connector.fetch(context())

    assert snapshot.source == "dblp"
    assert snapshot.fetched_at == NOW
    assert snapshot.extra == {"pid": PID, "resolved_by": "config"}
    works = snapshot.works
    assert len(works) == 8
    assert [w.extra["dblp_type"] for w in works].count("inproceedings") == 7
    assert [w.type for w in works].count(WorkType.JOURNAL) == 1
    assert [w.type for w in works].count(WorkType.CONFERENCE) == 7
    first = works[0]
    assert first.ids.dblp == "conf/3dtv/Coria-MendozaXN12"
    assert first.source_ref == "conf/3dtv/Coria-MendozaXN12"
    assert first.url == "https://dblp.org/rec/conf/3dtv/Coria-MendozaXN12"
    assert first.title == "Automatic stereoscopic 3D video reframing"  # trailing "." stripped
    assert first.year == 2012
    assert first.pages == "1-4"
    assert first.venue == "3DTV-Conference"
    assert first.status is WorkStatus.PUBLISHED
    # Every record has a doi.org <ee>; the DOI is the canonical lower-case form.
    assert all(w.ids.doi for w in works)
    assert first.ids.doi == "10.1109/3dtv.2012.6365428"
    assert all(w.ids.arxiv is None for w in works)
    article = next(w for w in works if w.type is WorkType.JOURNAL)
    assert article.ids.dblp == "journals/tvcg/XuDN11"
    # The first doi.org link wins over the ieeecomputersociety and Wikidata ones.
    assert article.ids.doi == "10.1109/tvcg.2010.63"
    assert article.venue == "IEEE Trans. Vis. Comput. Graph."
    assert article.venue_acronym == "TVCG"
    # Authors keep DBLP's name as written, with the disambiguation number, and their pid.
    assert first.author_names == ("Lino Coria-Mendoza", "Di Xu 0001", "Panos Nasiopoulos")
    assert first.authors[1].pid == PID
    assert all(a.pid for w in works for a in w.authors)


def test_person_profile_ignores_homonyms(httpserver, tmp_path):
    serve_person(httpserver)
    person = make_connector(httpserver, tmp_path).fetch(context()).person

    assert person is not None
    assert person.name == "Di Xu"  # suffix stripped for display
    assert "Di Xu 0001" in person.aliases  # DBLP's raw name is kept
    assert person.ids.dblp == PID
    assert person.affiliation == "University of British Columbia, Department of Electrical and Computer Engineering, Canada"
    # The homonym "Di Xu" (pid 95/7448) is another person: nothing of theirs leaks in.
    assert person.ids.orcid is None
    assert person.homepage is None
    assert "95/7448" not in repr(person.to_dict()).replace(PID, "")


def test_person_links_come_from_person_not_homonyms():
    # The real page plus profile links, and an ORCID link inside <homonyms> that must be ignored.
    body = PERSON_XML.replace(
        b"</note>\n</person>",
        b"</note>\n<url>https://orcid.org/0000-0002-1825-0097</url>\n<url>https://www.wikidata.org/entity/Q1</url>\n"
        b"<url>https://people.example.edu/~dixu/</url>\n</person>",
        1,
    ).replace(b'<author pid="95/7448">Di Xu</author>', b'<author pid="95/7448">Di Xu</author>\n<url>https://orcid.org/0000-0001-5109-3700</url>')
    page = parse_person_xml(body, "test")
    assert page.person.ids.orcid == "0000-0002-1825-0097"
    assert page.person.homepage == "https://people.example.edu/~dixu/"
    assert "0000-0001-5109-3700" not in repr(page.person.to_dict())


def test_coauthors_are_read_for_resolution():
    page = parse_person_xml(PERSON_XML, "test")
    assert set(page.coauthors) == {"Lino E. Coria", "Lino Coria-Mendoza", "Colin Doutre", "Panos Nasiopoulos", "Mahsa T. Pourazad"}


def test_corr_record_is_a_preprint_with_arxiv_id_not_doi(httpserver, tmp_path):
    serve_person(httpserver, person_with(CORR_RECORD))
    snapshot = make_connector(httpserver, tmp_path).fetch(context())

    assert len(snapshot.works) == 9
    corr = snapshot.works[0]
    assert corr.ids.dblp == "journals/corr/abs-2508-04024"
    assert corr.type is WorkType.PREPRINT
    assert corr.status is WorkStatus.PREPRINT
    assert corr.ids.arxiv == "2508.04024"
    # The DataCite DOI 10.48550/arXiv.* is the arXiv id; the work has no publisher DOI.
    assert corr.ids.doi is None
    assert corr.venue == "CoRR"
    assert corr.venue_acronym == "CoRR"


def test_corr_arxiv_id_from_volume_when_no_datacite_doi():
    record = CORR_RECORD.replace('<ee type="oa">https://doi.org/10.48550/arXiv.2508.04024</ee>', "")
    page = parse_person_xml(person_with(record), "test")
    assert page.works[0].ids.arxiv == "2508.04024"
    assert page.works[0].ids.doi is None


def test_record_types_and_www_skipped():
    extra = (
        '<www key="homepages/95/7448-1"><author>Di Xu 0001</author><title>Home Page</title></www></r>\n<r>'
        '<phdthesis key="phd/ca/Xu12"><author pid="95/7448-1">Di Xu 0001</author><title>A thesis.</title>'
        "<year>2012</year><school>University of British Columbia</school></phdthesis></r>\n<r>"
        '<incollection key="reference/x/Xu12"><author pid="95/7448-1">Di Xu 0001</author><title>A chapter.</title>'
        "<year>2012</year><booktitle>Handbook</booktitle></incollection></r>\n<r>"
        '<proceedings key="conf/icip/2012"><editor pid="95/7448-1">Di Xu 0001</editor><title>Proceedings.</title>'
        "<year>2012</year></proceedings></r>\n<r>"
        '<data key="data/x/Xu12"><author pid="95/7448-1">Di Xu 0001</author><title>A dataset.</title><year>2012</year></data>'
    )  # constructed records in the DTD's shapes, to check the type mapping
    page = parse_person_xml(person_with(extra), "test")
    by_key = {w.ids.dblp: w for w in page.works}
    assert page.skipped == 1  # the www home page
    assert "homepages/95/7448-1" not in by_key
    assert by_key["phd/ca/Xu12"].type is WorkType.THESIS
    assert by_key["phd/ca/Xu12"].venue == "University of British Columbia"
    assert by_key["phd/ca/Xu12"].venue_acronym is None
    assert by_key["reference/x/Xu12"].type is WorkType.CHAPTER
    assert by_key["conf/icip/2012"].type is WorkType.BOOK
    assert by_key["conf/icip/2012"].author_names == ("Di Xu 0001",)
    assert by_key["data/x/Xu12"].type is WorkType.DATASET


def test_title_markup_is_flattened():
    record = '<article key="journals/x/Y20"><author>A B</author><title>H<sub>2</sub>O in <i>vivo</i>.</title><year>2020</year><journal>J</journal></article>'
    page = parse_person_xml(person_with(record), "test")
    assert page.works[0].title == "H2O in vivo"


@pytest.mark.parametrize(
    ("key", "booktitle", "expected"),
    [
        ("conf/nsdi/ZhangJTLJ23", "NSDI", "NSDI"),
        ("journals/tosem/X23", None, "TOSEM"),
        ("journals/corr/abs-2305-05920", None, "CoRR"),
        ("conf/eurosys/X23", "EuroSys", "EuroSys"),
        ("conf/iccel/XuCN12", "ICCE", "ICCE"),
        ("conf/usenix/X23", "USENIX Annual Technical Conference", "USENIX ATC"),
        ("conf/3dtv/Coria-MendozaXN12", "3DTV-Conference", "3DTV"),
        ("phd/ca/Xu12", None, None),
    ],
)
def test_venue_acronym_from_key(key, booktitle, expected):
    assert venue_acronym(key, booktitle) == expected


def test_unknown_pid_is_a_clear_source_error(httpserver, tmp_path):
    httpserver.expect_request("/pid/1/2.xml").respond_with_data("Not Found", status=404)
    with pytest.raises(DblpPersonNotFound) as info:
        make_connector(httpserver, tmp_path, pid="1/2").fetch(context())
    assert 'no person with pid "1/2"' in info.value.reason
    assert "profilesync init --name" in info.value.reason


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (PERSON_XML[: len(PERSON_XML) // 2], "not well-formed XML"),
        (b"<html><head><title>Error</title></head><body>Oops</body></html>", "expected a <dblpperson> document, got <html>"),
        (b"", "empty"),
    ],
)
def test_malformed_response_is_a_format_error_and_not_kept_in_cache(httpserver, tmp_path, body, says):
    httpserver.expect_oneshot_request(f"/pid/{PID}.xml").respond_with_data(body, content_type="application/xml")
    serve_person(httpserver)
    connector = make_connector(httpserver, tmp_path)
    with pytest.raises(SourceFormatError) as info:
        connector.fetch(context())
    assert says in info.value.reason
    assert f"/pid/{PID}.xml" in info.value.reason
    # The broken body was dropped from the HTTP cache: the next pull asks again and succeeds.
    assert len(connector.fetch(context()).works) == 8
    assert connector.http.requests_sent == 2


def test_entities_are_not_expanded(httpserver, tmp_path):
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + PERSON_XML.split(b"?>", 1)[1].replace(
        b"<title>Automatic", b"<title>&b;Automatic", 1
    )
    page = parse_person_xml(bomb, "test")
    assert "aaaaaaaaaa" not in page.works[0].title


@pytest.mark.slow
def test_rate_limit_with_retry_after_is_retried(httpserver, tmp_path):
    httpserver.expect_oneshot_request(f"/pid/{PID}.xml").respond_with_data("", status=429, headers={"Retry-After": "1"})
    serve_person(httpserver)
    connector = make_connector(httpserver, tmp_path)

    snapshot = connector.fetch(context())

    assert len(snapshot.works) == 8
    assert len(httpserver.log) == 2
    assert httpserver.log[0][1].status_code == 429


def test_rate_limit_that_persists_is_rate_limited(httpserver, tmp_path):
    httpserver.expect_request(f"/pid/{PID}.xml").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as info:
        make_connector(httpserver, tmp_path).fetch(context())
    assert info.value.reset_at is not None


def test_server_error_is_unavailable(httpserver, tmp_path):
    httpserver.expect_request(f"/pid/{PID}.xml").respond_with_data("boom", status=500)
    with pytest.raises(SourceUnavailable):
        make_connector(httpserver, tmp_path, retries=1).fetch(context())


def test_second_fetch_is_served_from_the_http_cache(httpserver, tmp_path):
    serve_person(httpserver)
    connector = make_connector(httpserver, tmp_path)

    first = connector.fetch(context())
    second = connector.fetch(context())

    assert connector.http.requests_sent == 1
    assert len(httpserver.log) == 1
    assert second.works == first.works


def test_refresh_revalidates_with_the_etag(httpserver, tmp_path):
    from werkzeug import Response

    def person_page(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(PERSON_XML, content_type="application/xml", headers={"ETag": '"v1"'})

    httpserver.expect_request(f"/pid/{PID}.xml").respond_with_handler(person_page)
    connector = make_connector(httpserver, tmp_path)
    connector.fetch(context())

    snapshot = connector.fetch(context(refresh=True))

    # --refresh asked the server, conditionally; the 304 reused the stored body.
    assert len(httpserver.log) == 2
    assert httpserver.log[1][0].headers.get("If-None-Match") == '"v1"'
    assert httpserver.log[1][1].status_code == 304
    assert len(snapshot.works) == 8


def test_pid_with_slash_is_not_encoded(httpserver, tmp_path):
    serve_person(httpserver)
    connector = make_connector(httpserver, tmp_path)
    connector.fetch(context())
    assert httpserver.log[0][0].path == "/pid/95/7448-1.xml"


def test_pid_from_the_cv_when_config_has_none(httpserver, tmp_path):
    serve_person(httpserver)
    connector = make_connector(httpserver, tmp_path, pid=None)
    person = Person(name="Di Xu", ids=PersonIds(dblp=PID))
    snapshot = connector.fetch(FetchContext(person=person, now=NOW))
    assert snapshot.extra == {"pid": PID, "resolved_by": "cv"}
    assert len(snapshot.works) == 8
