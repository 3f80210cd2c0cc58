"""The Scholar connector end to end: saved real profile pages served by a local HTTP server,
reached through ``sources.scholar.base_url`` exactly as a mirror would be."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest

from conftest import run_cli
from profilesync.history import load_history
from profilesync.model import WorkType
from test_scholar_support import HTML, NOW, base_url, connector_for, context, fixture, write_config

LZ5D = "LZ5D_p4AAAAJ"
AMIM = "amIMrIEAAAAJ"
P1RW = "P1RwlvoAAAAJ"


def serve_profile(httpserver, user: str, name: str, cstart: int = 0) -> None:
    httpserver.expect_request(
        "/citations", query_string={"hl": "en", "user": user, "cstart": str(cstart), "pagesize": "100"}
    ).respond_with_data(fixture(name), content_type=HTML)


def test_pull_reads_person_metrics_and_every_row(httpserver, tmp_path):
    serve_profile(httpserver, LZ5D, "profile_LZ5D_p4AAAAJ_2026.html")
    _, connector = connector_for(tmp_path, base_url(httpserver))

    snapshot = connector.fetch(context())

    assert snapshot.source == "scholar"
    assert snapshot.fetched_at == NOW
    person = snapshot.person
    assert person is not None
    assert person.name == "Doaa Elmatary"
    assert person.affiliation == "مدرس هندسة الاتصالات في معهد الصفوة العالي للهندسة"
    assert person.ids.scholar == LZ5D
    assert person.extra["interests"] == ["AI-Wireless networks-IoT"]
    m = snapshot.metrics
    assert (m.citations, m.h_index, m.i10_index) == (56, 4, 2)
    assert (m.citations_recent, m.h_index_recent, m.i10_index_recent, m.recent_since) == (30, 2, 1, 2021)
    assert sum(m.citations_per_year.values()) == 55  # the chart leaves out citations without a year
    assert len(snapshot.works) == 12
    first = snapshot.works[0]
    assert first.ids.scholar == "LZ5D_p4AAAAJ:u-x6o8ySG0sC"
    assert first.source_ref == first.ids.scholar
    assert first.citations == 25
    assert [a.name for a in first.authors] == ["EM Abd Allah", "DE El-Matary", "EM Eid", "AST El Dien"]
    assert first.venue == "Journal of Computer and Communications 10 (2), 1-18"
    assert first.pages == "1-18"
    assert first.type is WorkType.JOURNAL
    assert first.url == f"{base_url(httpserver)}/citations?view_op=view_citation&hl=en&citation_for_view=LZ5D_p4AAAAJ:u-x6o8ySG0sC"
    assert first.extra == {}
    assert [w.citations for w in snapshot.works].count(0) == 5
    no_year = [w for w in snapshot.works if w.year is None]
    assert len(no_year) == 1
    assert no_year[0].extra == {"year_missing": True}
    conference = next(w for w in snapshot.works if w.venue and w.venue.startswith("2011 28th National Radio Science Conference"))
    assert conference.type is WorkType.CONFERENCE
    assert conference.pages == "1-9"
    # One request, with the parameters Scholar's own "show more" uses.
    assert len(httpserver.log) == 1
    request = httpserver.log[0][0]
    assert parse_qs(request.query_string.decode()) == {"hl": ["en"], "user": [LZ5D], "cstart": ["0"], "pagesize": ["100"]}
    assert "mailto:tests@example.org" in request.headers["User-Agent"]
    assert connector.http is not None
    assert connector.http.requests_sent == 1


def test_quirks_become_flags(httpserver, tmp_path):
    serve_profile(httpserver, P1RW, "profile_P1RwlvoAAAAJ_2026.html")
    _, connector = connector_for(tmp_path, base_url(httpserver), P1RW)

    works = {w.title: w for w in connector.fetch(context()).works}

    moderation = works["Understanding and improving content moderation in web3 platforms"]
    assert moderation.venue == "Proceedings of the International AAAI Conference on Web and Social Media 18 …"
    assert moderation.extra == {} and moderation.cut == {"venue"}
    preprint = works["Promoting the Culture of Qinhuai River Lantern Shadow Puppetry with a Digital Archive and Immersive Experience"]
    assert preprint.type is WorkType.PREPRINT
    assert preprint.ids.arxiv == "2410.03532"
    set_in_stone = works["Set in stone: Analysis of an immutable web3 social media platform"]
    assert [a.name for a in set_in_stone.authors] == ["W Zuo", "A Raman", "RJ Mondragón", "G Tyson"]
    assert set_in_stone.extra == {}


def test_truncated_and_lowercased_rows_are_flagged_from_real_rows():
    """The real Einstein rows hold Scholar's cut author lists, cut titles and lower-case titles."""
    from profilesync.connectors.scholar_map import row_to_work
    from profilesync.connectors.scholar_page import parse_rows

    rows = parse_rows(fixture("gssa_aeinstein_profile_rows_fragment.html").decode("utf-8"))
    works = [row_to_work(r, "https://scholar.google.com") for r in rows]

    cut_authors = [w for w in works if "authors" in w.cut]
    assert len(cut_authors) >= 14
    assert all(a.name not in ("...", "…") for w in cut_authors for a in w.authors)
    first_cut = next(w for w in cut_authors if w.authors[0].name == "HA Lorentz")
    assert [a.name for a in first_cut.authors] == ["HA Lorentz", "A Einstein", "H Minkowski", "H Weyl", "A Sommerfeld"]
    cut_titles = [w.title for w in works if "title" in w.cut]
    assert "Der gegenwärtige Stand der Relativitätstheorie..." in cut_titles
    assert any(t.endswith(" …") for t in cut_titles)
    assert "créateur et rebelle" in [w.title for w in works if w.extra.get("title_lowercased")]
    assert sum(1 for w in works if w.extra.get("year_missing")) == 288
    assert sum(1 for w in works if w.extra.get("citations_merged")) == 161


def test_show_more_pages_are_followed(httpserver, tmp_path):
    # amIM's first page has 20 rows and an enabled "Show more"; the test server answers the
    # follow-up request (cstart=20) with another real profile page whose button is disabled.
    # Only its rows are read: header and metrics come from the first page.
    serve_profile(httpserver, AMIM, "profile_amIMrIEAAAAJ_2026.html", cstart=0)
    serve_profile(httpserver, AMIM, "profile_P1RwlvoAAAAJ_2026.html", cstart=20)
    _, connector = connector_for(tmp_path, base_url(httpserver), AMIM)

    snapshot = connector.fetch(context())

    assert len(snapshot.works) == 25
    assert snapshot.person is not None
    assert snapshot.person.name == "Bangar Raju Cherukuri"
    assert snapshot.metrics.citations == 425
    assert snapshot.works[20].title == "Set in stone: Analysis of an immutable web3 social media platform"
    assert snapshot.extra["pages"] == 2
    assert snapshot.extra["complete"] is True
    assert len(httpserver.log) == 2


def test_max_pages_stops_paging_and_says_so(httpserver, tmp_path):
    serve_profile(httpserver, AMIM, "profile_amIMrIEAAAAJ_2026.html", cstart=0)
    _, connector = connector_for(tmp_path, base_url(httpserver), AMIM, extra="    max_pages: 1\n")

    snapshot = connector.fetch(context())

    assert len(snapshot.works) == 20
    assert snapshot.extra["complete"] is False
    assert any("stopped after 1 pages (20 works)" in note for note in snapshot.notes)
    assert len(httpserver.log) == 1


def test_detail_budget_fills_the_most_cited_rows(httpserver, tmp_path):
    serve_profile(httpserver, P1RW, "profile_P1RwlvoAAAAJ_2026.html")
    httpserver.expect_request(
        "/citations", query_string={"view_op": "view_citation", "hl": "en", "citation_for_view": "P1RwlvoAAAAJ:u5HHmVD_uO8C"}
    ).respond_with_data(fixture("constructed_view_citation_P1RwlvoAAAAJ_u5HHmVD_uO8C.html"), content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver), P1RW, extra="    detail_budget: 1\n")

    snapshot = connector.fetch(context())

    filled = snapshot.works[0]
    assert [a.name for a in filled.authors] == ["Wenrui Zuo", "Aravindh Raman", "Raúl J Mondragón", "Gareth Tyson"]
    assert filled.ids.doi == "10.1000/example-set-in-stone"
    assert filled.extra == {"details_filled": True}
    assert all("details_filled" not in w.extra for w in snapshot.works[1:])
    assert snapshot.extra["details_filled"] == 1
    assert len(httpserver.log) == 2


def test_a_refused_detail_page_keeps_the_list(httpserver, tmp_path):
    serve_profile(httpserver, P1RW, "profile_P1RwlvoAAAAJ_2026.html")
    httpserver.expect_request("/citations", query_string={"view_op": "view_citation", "hl": "en", "citation_for_view": "P1RwlvoAAAAJ:u5HHmVD_uO8C"}).respond_with_data(
        fixture("constructed_captcha.html"), content_type=HTML
    )
    _, connector = connector_for(tmp_path, base_url(httpserver), P1RW, extra="    detail_budget: 3\n")

    snapshot = connector.fetch(context())

    assert len(snapshot.works) == 5
    assert snapshot.extra["details_filled"] == 0
    assert any("details for 3 of 3 works were not fetched: blocked by CAPTCHA" in n for n in snapshot.notes)
    # The first refusal ends the detail requests: one list page plus one detail page.
    assert len(httpserver.log) == 2


@pytest.mark.slow
def test_http_cache_answers_a_second_pull(httpserver, tmp_path):
    serve_profile(httpserver, LZ5D, "profile_LZ5D_p4AAAAJ_2026.html")
    _, connector = connector_for(tmp_path, base_url(httpserver))
    connector.fetch(context())

    again = connector_for(tmp_path, base_url(httpserver))[1].fetch(context())
    refreshed = connector_for(tmp_path, base_url(httpserver))[1].fetch(context(refresh=True))

    assert len(again.works) == len(refreshed.works) == 12
    assert len(httpserver.log) == 2  # the second pull came from the cache, the refresh did not


def test_pull_command_saves_snapshot_and_history(httpserver, tmp_path):
    serve_profile(httpserver, LZ5D, "profile_LZ5D_p4AAAAJ_2026.html")
    write_config(tmp_path, base_url(httpserver))

    started = time.monotonic()
    result = run_cli(["pull", "--source", "scholar"], tmp_path, now=NOW)
    elapsed = time.monotonic() - started

    assert result.exit_code == 0, result.stderr
    assert "12 works" in result.stdout
    assert "network, 1 requests" in result.stdout
    saved = json.loads((tmp_path / "cache" / "snapshots" / "scholar.json").read_text(encoding="utf-8"))
    assert saved["metrics"]["h_index"] == 4
    assert saved["person"]["name"] == "Doaa Elmatary"
    history = load_history(tmp_path / "cache")
    assert [(h.citations, h.h_index, h.i10_index, h.works) for h in history] == [(56, 4, 2, 12)]
    assert elapsed < 15


@pytest.mark.parametrize("user", [LZ5D, P1RW, AMIM])
def test_snapshot_round_trips_through_json(httpserver, tmp_path, user):
    from profilesync.model import Snapshot

    name = {LZ5D: "profile_LZ5D_p4AAAAJ_2026.html", P1RW: "profile_P1RwlvoAAAAJ_2026.html", AMIM: "profile_amIMrIEAAAAJ_2026.html"}[user]
    serve_profile(httpserver, user, name)
    _, connector = connector_for(tmp_path, base_url(httpserver), user, extra="    max_pages: 1\n")

    snapshot = connector.fetch(context())

    assert Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict()))) == snapshot
