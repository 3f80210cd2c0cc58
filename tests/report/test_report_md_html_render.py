"""The Markdown and HTML reports, rendered from the JSON report of the bundled demo profile."""

from __future__ import annotations

import copy
import json
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import lxml.html
import pytest

from conftest import REPO_ROOT, run_cli
from profilesync.report.html import history_points, render_html
from profilesync.report.markdown import render_markdown


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("demo")
    for name in ("config.yaml", "cv.yaml"):
        shutil.copyfile(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "cache", root / "cache")
    result = run_cli(["diff", "--offline", "--format", "json"], root)
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def tiny_report() -> dict:
    return {
        "schema_version": 1,
        "generated_at": "2026-11-28T06:00:00Z",
        "profile": {"name": "Ada <Lovelace>"},
        "sources": {"dblp": {"status": "ok", "fetched_at": "2026-11-27T06:00:00Z", "works": 2}, "scholar": {"status": "stale", "fetched_at": "2026-10-01T06:00:00Z", "works": 1, "error": "blocked by CAPTCHA"}},
        "changes": [
            {"kind": "field_differs", "source": "dblp", "cv_key": "a2024", "field": "title", "cv_value": "Pipes | and\nnewlines", "source_value": "<script>alert(1)</script>", "match": {"tier": "strong", "explanation": "matched by DOI"}, "reason": "title differs"},
            {"kind": "missing_in_cv", "source": "dblp", "cv_key": None, "work": {"title": "New | work", "authors": ["Ada Lovelace"], "year": 2025, "venue": "SOSP", "ids": {"doi": "10.1/x"}}, "match": {"tier": "none"}, "also_in": ["orcid"], "reason": "lacks"},
        ],
        "metrics": {"scholar": {"citations": 120, "h_index": 3, "citations_per_year": {"2024": 50, "2025": 70}}},
        "summary": {"field_differs": 1, "missing_in_cv": 1},
        "coverage": [
            {"key": "a2024", "title": "Pipes | and newlines", "year": 2024, "in": {"cv": True, "dblp": True, "orcid": False, "scholar": True, "github": False}},
            {"key": None, "title": "New | work", "year": 2025, "in": {"cv": False, "dblp": True, "orcid": True, "scholar": False, "github": False}},
        ],
        "history": {"scholar": [{"fetched_at": "2026-06-01T00:00:00Z", "citations": 90, "h_index": 2}]},
        "incomplete": True,
    }


def table_rows(markdown: str, header_start: str) -> list[str]:
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def cells(row: str) -> int:
    return len([c for c in row.replace("\\|", "").split("|")]) - 2


def test_markdown_has_every_kind_and_the_coverage(demo_report):
    text = render_markdown(demo_report)
    for kind, count in demo_report["summary"].items():
        assert f"{count} {kind.replace('_', ' ').replace(' cv', ' CV')}" in text
    rows = table_rows(text, "| work | year |")
    assert len(rows) == len(demo_report["coverage"])
    missing = sum(1 for r in demo_report["coverage"] for v in r["in"].values() if not v)
    assert sum(row.count("✗") for row in rows) == missing


def test_markdown_tables_survive_pipes_and_newlines():
    text = render_markdown(tiny_report())
    row = table_rows(text, "| subject | field |")[0]
    assert cells(row) == 6
    assert "Pipes \\| and newlines" in row
    assert "&lt;script>" in row  # no raw HTML reaches a pull request
    assert "**Incomplete:**" in text
    assert "⚠️ stale" in text
    assert "blocked by CAPTCHA" in text


def test_markdown_in_sync():
    report = tiny_report()
    report.update(changes=[], summary={}, incomplete=False, in_sync=True, compared=["dblp", "scholar"])
    assert "**In sync:**" in render_markdown(report)
    report.update(in_sync=False, compared=[])  # no change because no data: not "in sync"
    assert "**In sync:**" not in render_markdown(report)
    assert "**Nothing was compared:**" in render_markdown(report)


def test_html_is_self_contained_and_escaped():
    page = render_html(tiny_report())
    doc = lxml.html.fromstring(page)
    assert not doc.xpath("//script")  # the source's "<script>" is text, not an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert doc.xpath("//title")[0].text == "profilesync report: Ada <Lovelace>"
    for element in doc.iter():
        # Nothing is loaded from elsewhere; the only external references are links a reader may
        # follow (issue 15.6), and those are https only.
        assert not str(element.get("src") or "").startswith(("http:", "https:", "//"))
        if element.get("href") is not None:
            assert element.tag == "a" and element.get("href").startswith("https://"), (element.tag, element.get("href"))
    assert not doc.xpath("//link")
    assert not doc.xpath("//img")


def test_html_charts_and_coverage_match_the_report(demo_report):
    page = render_html(demo_report)
    doc = lxml.html.fromstring(page)
    per_year = demo_report["metrics"]["scholar"]["citations_per_year"]
    charts = {svg.get("aria-label"): svg for svg in doc.xpath("//svg")}
    assert set(charts) == {"Citations per year", "Total citations at each pull", "h-index at each pull"}
    assert len(charts["Citations per year"].xpath(".//rect")) == len(per_year)
    bar_labels = [t.text for t in charts["Citations per year"].xpath(".//text[@class='value']")]
    assert bar_labels == [str(per_year[y]) for y in sorted(per_year)]
    history = demo_report["history"]["scholar"]
    points = charts["Total citations at each pull"].xpath(".//circle")
    assert len(points) == len(history) + 1  # every recorded pull plus the current snapshot
    assert points[-1].xpath("./title")[0].text.endswith(str(demo_report["metrics"]["scholar"]["citations"]))
    rows = doc.xpath("//table[@class='coverage']//tr[td]")
    assert len(rows) == len(demo_report["coverage"])
    missing = sum(1 for r in demo_report["coverage"] for v in r["in"].values() if not v)
    assert len(doc.xpath("//table[@class='coverage']//td[contains(@class, 'no')]")) == missing
    for kind in demo_report["summary"]:
        assert doc.xpath(f"//h3[contains(., '({demo_report['summary'][kind]})')]")


def test_history_points_add_the_current_value_once():
    report = tiny_report()
    points = history_points(report, "scholar", "citations")
    assert [(p.label, p.y) for p in points] == [("2026-06-01", 90.0), ("2026-10-01", 120.0)]  # history, then the snapshot
    report["sources"]["scholar"]["fetched_at"] = "2026-06-01T00:00:00Z"  # the snapshot is the last history entry
    assert [p.y for p in history_points(report, "scholar", "citations")] == [90.0]
    report["sources"]["scholar"]["fetched_at"] = "2026-05-01T00:00:00Z"  # older than the history: not appended
    assert [p.y for p in history_points(report, "scholar", "citations")] == [90.0]


def test_html_is_deterministic(demo_report):
    assert render_html(demo_report) == render_html(copy.deepcopy(demo_report))


def test_diff_command_writes_the_html_report(tmp_path: Path):
    for name in ("config.yaml", "cv.yaml"):
        shutil.copyfile(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache")
    result = run_cli(["diff", "--offline", "--format", "html", "--output", "report.html"], tmp_path)
    assert result.exit_code == 1
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md = run_cli(["diff", "--offline", "--format", "markdown"], tmp_path)
    assert md.stdout.startswith("# profilesync report: Zili Zhang")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium) to render the page in a real browser")
def test_a_real_browser_renders_the_page(demo_report, tmp_path: Path):
    page = tmp_path / "report.html"
    page.write_text(render_html(demo_report), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    parsed = lxml.html.fromstring(dom)
    assert len(parsed.xpath("//svg")) == 3  # the browser built the three inline charts
    assert len(parsed.xpath("//table[@class='coverage']//tr[td]")) == len(demo_report["coverage"])
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}", "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 2000)
