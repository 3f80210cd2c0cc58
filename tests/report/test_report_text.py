"""The terminal report at scale: summary first, the changes that matter before the additions,
additions one line per CV work, every line within 120 columns unless --explain."""

from __future__ import annotations

import json

import jsonschema
import pytest
from wcwidth import width

import report_profile
from conftest import FIXTURES, run_cli
from profilesync.report.text import ELLIPSIS, WIDTH, render_text, shorten, shorten_pair
from profilesync.validation import load_schema

# A real DBLP person page (294 records; see fixtures/report/README.md), not one of the drift corpus.
PAGE = FIXTURES / "report" / "he_ying_h-YingHe1.xml.gz"
RECORDS = 250


@pytest.fixture(scope="module")
def scale():
    return report_profile.build(PAGE, records=RECORDS)


def _section(lines: list[str], heading: str) -> list[str]:
    """The lines under a heading that starts with ``heading``, up to the next blank line."""
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i]), len(lines))
    return lines[start + 1 : end]


def _entry(lines: list[str], key: str) -> list[str]:
    """The compact entry of a CV key: its head line and the detail lines under it."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  - {key}  "))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      ") and not lines[i].startswith("             "))
    return lines[start:end]


def test_large_profile_is_a_valid_report(scale):
    report, planted, additions = scale
    jsonschema.validate(report, load_schema("diff.schema.json"))
    assert len(planted) == 10
    assert report["sources"]["dblp"]["works"] == RECORDS
    assert sum(map(len, additions.values())) > 300  # mostly additions, as on a real CV


def test_report_opens_with_the_summary_then_the_sources(scale):
    report, _, additions = scale
    lines = render_text(report).splitlines()
    assert lines[0].startswith(f"profilesync report for {report['profile']['name']}")
    n_additions = sum(map(len, additions.values()))
    assert lines[2].startswith(f"Summary: {len(report['changes'])} changes: 10 to review, {n_additions} values to add, 1 metric moved")
    sources_at = lines.index("Sources")
    summary = "\n".join(lines[2:sources_at])
    review = {"new_version": 1, "missing_in_cv": 2, "field_differs": 5, "foreign_work": 1, "duplicate_in_source": 1}
    assert f"  to review  {', '.join(f'{n} {k}' for k, n in review.items())}" in summary
    fields = {}
    for values in additions.values():
        for value in values:
            fields[value.split()[0]] = fields.get(value.split()[0], 0) + 1
    for field, n in fields.items():
        assert f"{n} {field}" in summary
    assert "Incomplete: at least one source failed" in summary
    # each source with its status, before any change
    status = {name: next(line for line in lines[sources_at:] if line.split()[1:2] == [name] or line.split()[:1] == [name]) for name in report["sources"]}
    assert status["orcid"].startswith("  STALE orcid") and status["github"].startswith("  off   github")
    assert "503 Service Unavailable" in lines[lines.index(status["orcid"]) + 1]
    first_change = next(i for i, line in enumerate(lines) if line.startswith("Preprints that were published"))
    assert sources_at < first_change


def test_every_planted_difference_comes_before_any_addition(scale):
    report, planted, additions = scale
    lines = render_text(report).splitlines()
    additions_at = next(i for i, line in enumerate(lines) if line.startswith("Additions:"))
    for diff in planted:
        if diff.cv_key:
            block = _entry(lines, diff.cv_key)
            at = lines.index(block[0])
        else:
            at = next(i for i, line in enumerate(lines) if diff.must_show[0] in line)
            block = lines[at : at + 3]
        assert at < additions_at, diff
        for text in diff.must_show:
            assert any(text in line for line in block), (diff, text, block)
    # ... and every addition after them, one line per CV work, with every value
    section = _section(lines, "Additions:")
    assert len(section) == len(additions)
    for key, values in additions.items():
        [line] = [line for line in section if line.startswith(f"  {key} ")]
        for value in values:
            assert value in line
    assert not any(value in line for values in additions.values() for value in values for line in lines[:additions_at])


def test_additions_name_their_source_and_agreeing_sources(scale):
    report, _, _ = scale
    lines = render_text(report).splitlines()
    section = _section(lines, "Additions:")
    both = next(c for c in report["changes"] if c.get("field") == "doi" and c.get("also_in") == ["orcid"] and c["cv_value"] is None)
    [line] = [line for line in section if line.startswith(f"  {both['cv_key']} ")]
    assert f"doi {both['source_value']} [dblp, orcid]" in line


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_every_line_fits_120_columns(scale, colour):
    report, _, _ = scale
    text = render_text(report, colour=colour)
    assert ("\033[" in text) is colour
    assert max(width(line) for line in text.splitlines()) <= WIDTH
    # the same report in full is wider: the limit is the compact view's doing
    assert max(width(line) for line in render_text(report, explain=True).splitlines()) > WIDTH


def test_long_titles_are_shortened_with_an_ellipsis(scale):
    report, _, _ = scale
    lines = render_text(report).splitlines()
    longest = max((c["work"]["title"] for c in report["changes"] if c["kind"] == "missing_in_cv"), key=len)
    assert len(longest) > 100
    [line] = [line for line in lines if longest[:40] in line]
    assert ELLIPSIS in line and longest not in line
    assert longest in render_text(report, explain=True)


def test_explain_shows_every_change_in_full(scale):
    report, _, _ = scale
    text = render_text(report, explain=True)
    lines = text.splitlines()
    for change in report["changes"]:
        assert f"      {change['reason']}" in lines
        match = change["match"]
        if match.get("explanation") and match["tier"] != "none":
            assert f"      match: {match['explanation']}" in lines
    features = [line for line in lines if line.startswith("      features: ")]
    assert len(features) == sum(1 for c in report["changes"] if c["match"].get("features"))
    assert "      features: title+authors score 1.00 (title_exact=1.00x1.99, authors=1.00x2.31, year=1.00x0.8, venue=1.00x0.6)" in lines
    # the same order: the differences before the additions
    assert lines.index("Fields that differ (5)") < next(i for i, line in enumerate(lines) if line.startswith("Additions:"))


def test_shorten_pair_keeps_the_words_that_differ():
    a = "Transparent GPU Sharing in Container Clouds for Deep Learning Training at Scale: An Experience Report from Production"
    b = "Transparent GPU Sharing in Container Clouds for Deep Learning Training at Scale: An Experience Report from Industry"
    short_a, short_b = shorten_pair(a, b, 60)
    assert short_a.endswith("from Production") and short_b.endswith("from Industry")
    assert short_a.startswith(ELLIPSIS) and width(short_a) <= 60 and width(short_b) <= 60
    assert shorten_pair("Short title", "Short Title", 60) == ("Short title", "Short Title")


def test_shorten_counts_wide_characters_as_two_columns():
    title = "面向大规模深度学习训练的容器云透明图形处理器共享系统设计与实现"
    short = shorten(title, 30)
    assert short.endswith(ELLIPSIS) and width(short) <= 30 and short[:-1] in title
    assert shorten("Jolteon: Serverless Workflows", 40) == "Jolteon: Serverless Workflows"


def test_demo_report_puts_additions_last_and_fits(demo):
    result = run_cli(["diff", "--offline"], demo)
    assert result.exit_code == 1, result.stderr
    report = json.loads(run_cli(["diff", "--offline", "--format", "json"], demo).stdout)
    lines = result.stdout.splitlines()
    assert lines[2].startswith(f"Summary: {len(report['changes'])} changes")
    assert max(width(line) for line in lines) <= WIDTH
    additions_at = next(i for i, line in enumerate(lines) if line.startswith("Additions:"))
    for change in report["changes"]:
        if change["kind"] == "field_differs" and change["cv_value"] not in (None, ""):
            assert next(i for i, line in enumerate(lines) if line.startswith(f"  - {change['cv_key']}  ")) < additions_at
        elif change["kind"] == "field_differs":
            [line] = [line for line in lines[additions_at:] if line.startswith(f"  {change['cv_key']} ")]
            assert change["source_value"] in line or change["source_value"] in lines[lines.index(line) + 1]


def test_demo_explain_shows_the_match_explanations(demo):
    result = run_cli(["diff", "--offline", "--explain"], demo)
    assert result.exit_code == 1, result.stderr
    report = json.loads(run_cli(["diff", "--offline", "--format", "json"], demo).stdout)
    for change in report["changes"]:
        assert change["reason"] in result.stdout
        if change["match"].get("features"):
            assert f"match: {change['match']['explanation']}" in result.stdout
    assert "features: version score" in result.stdout


def _small_report(changes: list[dict], **extra) -> dict:
    return {
        "generated_at": "2026-12-07T09:00:00Z",
        "profile": {"name": "Ada Lovelace"},
        "sources": {"dblp": {"status": "ok", "works": 3, "fetched_at": "2026-12-07T08:00:00Z"}},
        "changes": changes,
        "metrics": {},
        **extra,
    }


def test_a_kind_the_renderer_does_not_know_is_shown_with_the_changes_that_matter():
    doi = {"kind": "field_differs", "source": "dblp", "cv_key": "ada1843notes", "field": "doi", "cv_value": None, "source_value": "10.1000/notes", "match": {"tier": "strong"}, "reason": "dblp has doi"}
    both = {"kind": "cv_lists_both_versions", "source": "dblp", "cv_key": "ada1843notes", "match": {"tier": "none"}, "reason": "the CV lists the preprint ada1842sketch and its published version ada1843notes"}
    lines = render_text(_small_report([doi, both])).splitlines()
    assert "  to review  1 cv_lists_both_versions" in lines
    at = lines.index("cv_lists_both_versions (1)")
    assert lines[at + 1] == "  - dblp  ada1843notes"
    assert lines[at + 2] == "      the CV lists the preprint ada1842sketch and its published version ada1843notes"
    assert at < next(i for i, line in enumerate(lines) if line.startswith("Additions:"))


def test_no_changes_is_in_sync_only_when_the_report_says_so():
    assert "In sync: the CV and the sources agree." in render_text(_small_report([], in_sync=True))
    text = render_text(_small_report([], in_sync=False))
    # No source's data was used (the report names none as compared): the shared verdict says so.
    assert "In sync" not in text and "Nothing was compared: no source has data" in text


def test_source_text_cannot_break_the_layout():
    title = "A title\nwith a line break\tand a tab"
    missing = {"kind": "missing_in_cv", "source": "dblp", "cv_key": None, "work": {"title": title, "year": 2020, "venue": "X"}, "match": {"tier": "none"}, "reason": "dblp lists it"}
    lines = render_text(_small_report([missing])).splitlines()
    assert "  - dblp  A title with a line break and a tab (X 2020)" in lines
