"""The Scholar page parser on the saved real profile pages (no HTTP here).

Expected values are the facts listed for these recordings in /work/shared/fixtures/SOURCES.md
(computed there independently of this parser) plus values read off the pages by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from profilesync.connectors.scholar_errors import ScholarFailure
from profilesync.connectors.scholar_page import (
    LayoutError,
    detect_block,
    parse_detail,
    parse_profile,
    parse_rows,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "scholar"
PROFILE_URL = "https://scholar.google.com/citations?hl=en&user=X"


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_arabic_affiliation_metrics_and_rows():
    profile = parse_profile(page("profile_LZ5D_p4AAAAJ_2026.html"))

    header = profile.header
    assert header.name == "Doaa Elmatary"
    assert header.user_id == "LZ5D_p4AAAAJ"
    assert header.affiliation == "مدرس هندسة الاتصالات في معهد الصفوة العالي للهندسة"
    assert header.email_domain == "alsafwa.edu.eg"
    assert header.interests == ("AI-Wireless networks-IoT",)
    assert header.homepage is None
    m = profile.metrics
    assert (m.citations, m.citations_recent, m.h_index, m.h_index_recent, m.i10_index, m.i10_index_recent) == (56, 30, 4, 2, 2, 1)
    assert m.recent_since == 2021
    # 14 year labels, 12 bars: the two years without a bar are zeros, not gaps.
    assert sorted(m.citations_per_year) == list(range(2012, 2026))
    assert m.citations_per_year[2017] == 0
    assert m.citations_per_year[2020] == 0
    assert m.citations_per_year[2023] == 9
    assert m.citations_per_year[2025] == 9
    assert len(profile.rows) == 12
    assert profile.has_more is False
    first = profile.rows[0]
    assert first.title == "Performance comparison of various machine learning approaches to identify the best one in predicting heart disease"
    assert first.pub_id == "LZ5D_p4AAAAJ:u-x6o8ySG0sC"
    assert first.authors_text == "EM Abd Allah, DE El-Matary, EM Eid, AST El Dien"
    # The ", 2022" Scholar repeats for narrow screens is not part of the venue.
    assert first.venue_text == "Journal of Computer and Communications 10 (2), 1-18"
    assert (first.year, first.citations) == (2022, 25)
    assert sum(1 for r in profile.rows if r.citations == 0) == 5
    no_year = [r for r in profile.rows if r.year is None]
    assert [r.title for r in no_year] == ["Non-Gaussian Noisy Channel Effect on Multi-user IDMA-UWB Communication System"]
    assert no_year[0].venue_text == ""


def test_row_citations_sum_to_the_total_and_show_more_is_seen():
    profile = parse_profile(page("profile_amIMrIEAAAAJ_2026.html"))

    assert profile.header.name == "Bangar Raju Cherukuri"
    assert len(profile.rows) == 20
    assert profile.rows[0].title == "Optimization of Data Structures and Trade-Offs with Concurrency Control in Multithread Software Structures Using Artificial Intelligence"
    assert sum(r.citations for r in profile.rows) == 425 == profile.metrics.citations
    assert (profile.metrics.h_index, profile.metrics.i10_index) == (11, 11)
    assert profile.has_more is True


def test_affiliation_with_an_organisation_link():
    profile = parse_profile(page("profile_P1RwlvoAAAAJ_2026.html"))

    assert profile.header.name == "WENRUI ZUO"
    assert profile.header.affiliation == "The University of Edinburgh"
    assert [r.title for r in profile.rows][0] == "Set in stone: Analysis of an immutable web3 social media platform"
    assert profile.rows[0].authors_text == "W Zuo, A Raman, RJ Mondragón, G Tyson"
    assert len(profile.rows) == 5
    assert [r.citations for r in profile.rows].count(0) == 1
    assert profile.metrics.citations_per_year == {2023: 4, 2024: 7, 2025: 25, 2026: 2}
    assert (profile.metrics.citations, profile.metrics.citations_recent) == (39, 38)


def test_many_rows_fragment():
    rows = parse_rows(page("gssa_aeinstein_profile_rows_fragment.html"))

    assert len(rows) == 1114
    assert rows[0].title == "Can quantum-mechanical description of physical reality be considered complete?"
    assert rows[0].citations == 20996
    assert rows[0].authors_text == "A Einstein, B Podolsky, N Rosen"
    assert sum(1 for r in rows if r.year is None) == 288
    assert sum(1 for r in rows if r.citations == 0) == 401
    assert sum(1 for r in rows if r.citations_merged) == 161
    assert sum(1 for r in rows if any(ord(c) > 127 for c in r.title)) == 360
    assert all(r.pub_id and r.pub_id.startswith("qc6CJjYAAAAJ:") for r in rows)


def test_rows_without_the_page_around_them_are_a_layout_error():
    with pytest.raises(LayoutError, match="gsc_prf_in"):
        parse_profile(page("gssa_aeinstein_profile_rows_fragment.html"))


@pytest.mark.parametrize("name", ["profile_LZ5D_p4AAAAJ_2026.html", "profile_amIMrIEAAAAJ_2026.html", "profile_P1RwlvoAAAAJ_2026.html"])
def test_real_profile_pages_are_not_mistaken_for_block_pages(name):
    assert detect_block(PROFILE_URL, page(name)) is None


@pytest.mark.parametrize(
    ("url", "name", "failure"),
    [
        (PROFILE_URL, "constructed_captcha.html", ScholarFailure.CAPTCHA),
        (PROFILE_URL, "constructed_doscaptcha.html", ScholarFailure.DOS_CAPTCHA),
        ("https://www.google.com/sorry/index?continue=x", "constructed_sorry.html", ScholarFailure.CAPTCHA),
        ("https://accounts.google.com/v3/signin/identifier?continue=x", "profile_P1RwlvoAAAAJ_2026.html", ScholarFailure.SIGN_IN),
    ],
)
def test_block_pages_are_recognised(url, name, failure):
    block = detect_block(url, page(name))

    assert block is not None
    assert block.failure is failure
    assert block.reason


def test_unusual_traffic_text_alone_is_recognised():
    text = page("constructed_sorry.html").replace('id="captcha-form"', "").replace('id="recaptcha" class="g-recaptcha"', "")

    block = detect_block("https://www.google.com/sorry/index", text)

    assert block is not None
    assert block.failure is ScholarFailure.UNUSUAL_TRAFFIC
    assert "unusual traffic" in block.reason


def test_unusual_traffic_sentence_at_the_profile_url_is_recognised():
    # No /sorry/ in the URL (the interstitial can be served in place): Google's sentence decides.
    text = page("constructed_sorry.html").replace('id="captcha-form"', "").replace('id="recaptcha" class="g-recaptcha"', "")

    block = detect_block(PROFILE_URL, text)

    assert block is not None
    assert block.failure is ScholarFailure.UNUSUAL_TRAFFIC


def test_a_paper_about_unusual_traffic_is_not_a_block_page():
    real = page("profile_P1RwlvoAAAAJ_2026.html")
    title = "Set in stone: Analysis of an immutable web3 social media platform"
    text = real.replace(title, "Detecting unusual traffic in web3 social media platforms")
    assert text != real

    assert detect_block(PROFILE_URL, text) is None
    assert parse_profile(text).rows[0].title == "Detecting unusual traffic in web3 social media platforms"


def test_detail_page_fields():
    detail = parse_detail(page("constructed_view_citation_P1RwlvoAAAAJ_u5HHmVD_uO8C.html"))

    assert detail.title == "Set in stone: Analysis of an immutable web3 social media platform"
    assert detail.authors == ("Wenrui Zuo", "Aravindh Raman", "Raúl J Mondragón", "Gareth Tyson")
    assert detail.year == 2023
    assert detail.url == "https://doi.org/10.1000/example-set-in-stone"
    assert detail.fields["Pages"] == "1865-1874"


def test_a_profile_page_is_not_a_detail_page():
    with pytest.raises(LayoutError, match="gsc_oci_title"):
        parse_detail(page("profile_P1RwlvoAAAAJ_2026.html"))
