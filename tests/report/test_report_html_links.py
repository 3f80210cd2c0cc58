"""The HTML report links what it names (DOI, arXiv, code, the source's record page), marks its
tables up for screen readers, heads a metric's previous value as such, and fits a phone screen
(issue 15.6)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import lxml.html
import pytest

from conftest import copy_demo, run_cli
from profilesync.report.html import render_html


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory) -> str:
    profile = copy_demo(tmp_path_factory.mktemp("demo"))
    result = run_cli(["diff", "--offline", "--format", "html", "--output", "report.html"], profile)
    assert result.exit_code == 1, result.stderr
    return (profile / "report.html").read_text(encoding="utf-8")


def test_works_link_to_their_pages(demo_page):
    doc = lxml.html.fromstring(demo_page)
    hrefs = {a.get("href") for a in doc.xpath("//a")}
    # A missing work's DOI, a missing preprint's arXiv page, a repository proposed as code.
    assert "https://doi.org/10.1145/3718958.3750472" in hrefs
    assert "https://arxiv.org/abs/2504.15930" in hrefs
    assert "https://github.com/chaojin0310/Ditto" in hrefs
    assert all(href.startswith("https://") for href in hrefs)


def test_tables_have_headers_with_scope(demo_page):
    doc = lxml.html.fromstring(demo_page)
    tables = doc.xpath("//table")
    assert tables
    for table in tables:
        assert table.xpath("./thead/tr/th[@scope='col']"), lxml.html.tostring(table)[:200]
        assert not table.xpath("./tr"), "rows belong in thead or tbody"
    assert doc.xpath("//table[@class='coverage']/tbody/tr/th[@scope='row']")


def test_a_metric_change_is_headed_before_and_now_not_cv():
    report = {
        "schema_version": 1,
        "generated_at": "2026-12-01T00:00:00Z",
        "profile": {"name": "Ada"},
        "sources": {"scholar": {"status": "ok", "fetched_at": "2026-12-01T00:00:00Z", "works": 3}},
        "changes": [{"kind": "metric_changed", "source": "scholar", "cv_key": None, "field": "citations", "cv_value": 100, "source_value": 120, "match": {"tier": "none"}, "reason": "citations 100 -> 120"}],
        "summary": {"metric_changed": 1},
    }
    doc = lxml.html.fromstring(render_html(report))
    heads = [th.text_content() for th in doc.xpath("//h3[starts-with(., 'Metrics')]/following-sibling::div[1]//thead//th")]
    assert heads == ["source", "metric", "before", "now"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium) to lay the page out")
@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_is_no_wider_than_the_screen(demo_page, tmp_path: Path, width):
    """A real browser lays the page out in a frame as wide as a phone's or a desktop's screen
    (headless Chromium will not open a window narrower than 500 px, and a srcdoc frame is its
    own viewport, media queries included); a script of the test's wrapper page writes the page's
    scroll width into the DOM, which --dump-dom prints. Wide tables scroll inside their own box."""
    import html

    wrapper = (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="f" style="border:0;width:{width}px;height:900px" srcdoc="{html.escape(demo_page, quote=True)}"></iframe>'
        "<script>document.getElementById('f').onload=()=>{const d=document.getElementById('f').contentDocument;"
        "document.body.setAttribute('data-width', d.documentElement.scrollWidth);"
        "document.body.setAttribute('data-viewport', d.defaultView.innerWidth)}</script></body></html>"
    )
    page = tmp_path / "wrapper.html"
    page.write_text(wrapper, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000"]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    body = lxml.html.fromstring(dom).xpath("//body")[0]
    assert body.get("data-viewport") == str(width), "the probe did not run in a frame of that width"
    assert int(body.get("data-width")) <= width
