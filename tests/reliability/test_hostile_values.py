"""Hostile values from a source: nothing a source sends is proposed, printed or exported unchecked.

A local server answers with the REAL recorded ORCID record of 0000-0001-8607-8025 (and the real
DBLP person page of 95/7448-1), altered to carry attacker values in the places a real response
carries them: a DOI that closes a Markdown link and opens a script, a ``javascript:`` work URL,
a title full of terminal escapes (erase line, window title, OSC 52 clipboard), bidi overrides,
Markdown link/image syntax and Liquid tags. The suite runs the real CLI: ``pull``, ``diff`` in
every report format, ``push --to cv`` (dry run and real), then ``export``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from conftest import run_cli

from .profile import LAST_PULL, Settings, new_profile
from .sources import (
    BY_NAME,
    DBLP_PID,
    DBLP_XML,
    ORCID_ID,
    ORCID_WORKS,
    XML,
    orcid_handler,
)

HOSTILE_DOI = "10.1109/x)<script>alert(1)</script>"
JS_URL = "javascript:alert(document.cookie)"
ESCAPES = "\x1b]0;pwned\x07\x1b[2K\x1b]52;c;ZXZpbA==\x07\u202e"
HOSTILE_TITLE = f"Benign {ESCAPES}Start [x](javascript:alert(1)) ![](https://evil.example/img.png) {{{{ site.github }}}} {{% include evil.html %}} <img src=x onerror=alert(1)> End"
# What the boundary hands on: the escapes and the override gone, the rest kept as text (ORCID's
# title cleaning already drops BibTeX-style braces; the exports' own Liquid case is tested below
# with a CV written by hand).
CLEAN_TITLE = "Benign Start [x](javascript:alert(1)) ![](https://evil.example/img.png) site.github % include evil.html % <img src=x onerror=alert(1)> End"

# The recorded work whose DOI becomes hostile: the CV lists it (same title, no DOI), so the DOI
# would be proposed into the CV entry as a field change at the match's tier.
_DOC = json.loads(ORCID_WORKS)
TARGET = _DOC["group"][0]["work-summary"][0]
TARGET_TITLE = TARGET["title"]["title"]["value"]  # "Open Code and Peer Review"
VICTIM = _DOC["group"][1]["work-summary"][0]  # gets the hostile title and URL: a work the CV lacks

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_orcid_works() -> bytes:
    doc = copy.deepcopy(_DOC)
    target = doc["group"][0]["work-summary"][0]
    for ext in target["external-ids"]["external-id"]:
        if ext["external-id-type"] == "doi":
            ext["external-id-value"] = HOSTILE_DOI
            ext["external-id-normalized"]["value"] = HOSTILE_DOI
            ext["external-id-url"]["value"] = f"https://doi.org/{HOSTILE_DOI}"
    target["url"] = {"value": f"https://doi.org/{HOSTILE_DOI}"}
    for group in doc["group"]:
        group["external-ids"]["external-id"] = [
            {**e, "external-id-value": HOSTILE_DOI} if e.get("external-id-type") == "doi" and e.get("external-id-value") == "10.7557/19.5311" else e
            for e in group["external-ids"]["external-id"]
        ]
    victim = doc["group"][1]["work-summary"][0]
    victim["title"]["title"]["value"] = HOSTILE_TITLE
    victim["url"] = {"value": JS_URL}
    victim["journal-title"] = {"value": "Journal <b>of</b> {{ evil }}\x1b[31m"}
    return json.dumps(doc).encode()


CV = f"""person:
  name: "Stephen Eglen"
  ids: {{orcid: {ORCID_ID}}}
publications:
  - key: eglen2020open
    title: {json.dumps(TARGET_TITLE)}
    authors: ["Stephen Eglen"]
    venue: Open Science Talk
    year: 2020
    type: journal
"""


@pytest.fixture
def hostile_profile(httpserver, tmp_path: Path) -> Path:
    httpserver.expect_request(re.compile(r"^/v3\.0/.*$")).respond_with_handler(orcid_handler(hostile_orcid_works()))
    root = httpserver.url_for("/").rstrip("/")
    profile = new_profile(tmp_path / "profile", [BY_NAME["orcid"]], {"orcid": root}, Settings(timeout_s=8.0))
    (profile / "cv.yaml").write_text(CV, encoding="utf-8")
    result = run_cli(["pull"], profile, now=LAST_PULL)
    assert result.exit_code == 0, result.stdout + result.stderr
    return profile


def _json_report(profile: Path) -> dict:
    result = run_cli(["diff", "--offline", "--format", "json"], profile, now=LAST_PULL)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_hostile_doi_is_dropped_with_a_note_and_never_proposed(hostile_profile: Path, record_case, timer):
    report = _json_report(hostile_profile)
    assert "<script>" not in json.dumps(report)
    assert not [c for c in report["changes"] if c.get("field") == "doi"]
    notes = report["sources"]["orcid"].get("notes", [])
    assert any("dropped doi" in n and "Open Code and Peer Review" in n for n in notes), notes
    # Every change for the matched CV entry, as if the researcher accepted them all.
    # Every change for the matched CV entry, as if the researcher accepted them all: before the
    # check this wrote the DOI into the entry; now there is nothing to propose (exit 2 says so).
    dry = run_cli(["push", "--to", "cv", "--dry-run", "--yes", "--only", "eglen2020open"], hostile_profile, now=LAST_PULL)
    assert dry.exit_code in (0, 2), dry.stdout + dry.stderr
    assert "script" not in dry.stdout + dry.stderr and "10.1109" not in dry.stdout + dry.stderr
    record_case("orcid", "hostile DOI not proposed", timer(), failure=True)


def test_hostile_title_reaches_the_cv_clean_and_no_javascript_link(hostile_profile: Path, record_case, timer):
    report = _json_report(hostile_profile)
    new = [c for c in report["changes"] if c["kind"] == "missing_in_cv" and "Benign" in (c.get("work") or {}).get("title", "")]
    assert len(new) == 1
    assert new[0]["work"]["title"] == CLEAN_TITLE
    assert "url" not in new[0]["work"] or new[0]["work"]["url"].startswith("http")
    pushed = run_cli(["push", "--to", "cv", "--yes", "--only", new[0]["id"]], hostile_profile, now=LAST_PULL)
    assert pushed.exit_code == 0, pushed.stdout + pushed.stderr
    cv = (hostile_profile / "cv.yaml").read_text(encoding="utf-8")
    assert "Benign Start" in cv
    assert not CONTROL.search(cv)
    assert "\\e" not in cv and "\\x1b" not in cv and "\\u202e" not in cv.lower()  # not even YAML-escaped
    assert "javascript:alert(document" not in cv

    markdown = run_cli(["export", "--format", "markdown"], hostile_profile, now=LAST_PULL)
    assert markdown.exit_code == 0, markdown.stderr
    line = next(x for x in markdown.stdout.splitlines() if "Benign" in x)
    # No live link or image from the title: every bracket is escaped, and no raw HTML or Liquid.
    assert "](javascript" not in line.replace("\\]", "")
    assert not re.search(r"(?<!\\)\[x(?<!\\)\]", line) and "!\\[\\]" in line
    assert not re.search(r"(?<!\\)<", line) and "{{" not in line and "{%" not in line  # "\<" is text
    assert "javascript:alert(document" not in markdown.stdout
    record_case("orcid", "hostile title/URL into CV and Markdown", timer(), failure=True)


def test_jekyll_and_hugo_pages_carry_no_html_liquid_or_script_link(hostile_profile: Path, tmp_path: Path):
    import frontmatter

    new = [c for c in _json_report(hostile_profile)["changes"] if c["kind"] == "missing_in_cv" and "Benign" in (c.get("work") or {}).get("title", "")]
    assert run_cli(["push", "--to", "cv", "--yes", "--only", new[0]["id"]], hostile_profile, now=LAST_PULL).exit_code == 0
    site = tmp_path / "site"
    for fmt in ("jekyll", "hugo"):
        result = run_cli(["export", "--format", fmt, "--output", str(site / fmt)], hostile_profile, now=LAST_PULL)
        assert result.exit_code == 0, result.stderr
    for page_path in (site / "jekyll").rglob("*.md"):
        text = page_path.read_text(encoding="utf-8")
        page = frontmatter.loads(text)
        assert "{{" not in text and "{%" not in text, page_path.name  # nothing for Liquid to run
        for field in ("title", "venue", "citation"):
            assert "<img" not in str(page.get(field, "")) and "<b>" not in str(page.get(field, ""))
        assert not str(page.get("paperurl", "https:")).startswith("javascript")
    hugo = [frontmatter.loads(p.read_text(encoding="utf-8")) for p in (site / "hugo").rglob("index.md")]
    benign = next(p for p in hugo if "Benign" in p["title"])
    assert "<img" not in benign["title"] and "{{" not in benign["title"]
    assert "url_pdf" not in benign or benign["url_pdf"].startswith("http")


def test_reports_of_a_hand_edited_cv_never_drive_the_terminal(hostile_profile: Path):
    cv = hostile_profile / "cv.yaml"
    # A person (or a script) wrote escapes into the CV: YAML double quotes decode "\e" to ESC.
    cv.write_text(cv.read_text(encoding="utf-8").replace(json.dumps(TARGET_TITLE), '"Open Code\\e]0;owned\\a and\\u202e Peer Review\\e[2K"'), encoding="utf-8")
    for fmt in ("text", "markdown", "html"):
        result = run_cli(["diff", "--offline", "--format", fmt], hostile_profile, now=LAST_PULL)
        assert result.exit_code in (0, 1), result.stderr
        assert not CONTROL.search(result.stdout), fmt
        assert re.search(r"\\+x1b\\?\]0;owned", result.stdout), fmt  # shown as text, not run
    review = run_cli(["review"], hostile_profile, tty=True, stdin="s\n" * 100, now=LAST_PULL)  # skip through all
    assert "owned" in review.stdout and not CONTROL.search(review.stdout.replace("\n", "")), review.stdout


def test_hand_edited_snapshot_values_are_checked_again_on_reading(hostile_profile: Path):
    path = hostile_profile / "cache" / "snapshots" / "orcid.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    work = next(w for w in data["works"] if w["title"] == TARGET_TITLE)
    work.setdefault("ids", {})["doi"] = HOSTILE_DOI.lower()
    work["url"] = "data:text/html,<script>alert(1)</script>"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = _json_report(hostile_profile)
    assert "<script>" not in json.dumps(report)
    assert any("dropped doi" in n for n in report["sources"]["orcid"].get("notes", []))


# --- DBLP: a hostile <ee> link and title in the recorded person page ---------------------------


def test_dblp_hostile_ee_doi_and_title(httpserver, tmp_path: Path, record_case, timer):
    text = DBLP_XML.decode("utf-8")
    first_ee = re.search(r"<ee[^>]*>https://doi\.org/[^<]+</ee>", text)
    assert first_ee, "the recorded page has a DOI link"
    hostile_ee = "<ee>https://doi.org/10.1109/x)&lt;script&gt;alert(1)&lt;/script&gt;</ee><ee>javascript:alert(1)</ee>"
    text = text.replace(first_ee.group(0), hostile_ee, 1)
    title = re.search(r"<title>([^<]+)</title>", text[text.index("<r>") :])
    assert title
    text = text.replace(title.group(0), f"<title>{title.group(1)}&#x202E; &#x85;[x](javascript:alert(1))</title>", 1)
    body = text.encode("utf-8")
    httpserver.expect_request(f"/pid/{DBLP_PID}.xml").respond_with_data(body, content_type=XML)
    root = httpserver.url_for("/").rstrip("/")
    profile = new_profile(tmp_path / "profile", [BY_NAME["dblp"]], {"dblp": root}, Settings(timeout_s=8.0, cv_works=1))
    assert run_cli(["pull"], profile, now=LAST_PULL).exit_code == 0
    snapshot = json.loads((profile / "cache" / "snapshots" / "dblp.json").read_text(encoding="utf-8"))
    assert all("<script>" not in json.dumps(w) and "10.1109/x" not in json.dumps(w) for w in snapshot["works"])
    assert any(n.startswith("dropped doi") and "<" not in n for n in snapshot["notes"]), snapshot.get("notes")
    assert all(not str(w.get("url", "http")).startswith("javascript") for w in snapshot["works"])
    assert not any(CONTROL.search(w["title"]) for w in snapshot["works"])
    assert not any("\u202e" in w["title"] or "\x85" in w["title"] for w in snapshot["works"])
    record_case("dblp", "hostile DOI link and title", timer(), failure=True)


# --- exports of a CV that holds hostile values (written by hand, or pulled before the check) -----

HAND_CV = """person:
  name: "Stephen Eglen"
publications:
  - key: evil2024
    title: "Liquid {{ site.github.token }} and {% include /etc/passwd %} <script>alert(1)</script> [x](javascript:alert(1))"
    authors: ["Stephen Eglen", "Mallory {{ x }}"]
    venue: "Venue <img src=x onerror=alert(1)> {% raw %}"
    year: 2024
    type: conference
    url: "javascript:alert(document.cookie)"
    ids: {doi: "10.1109/x)<script>alert(1)</script>"}
  - key: brace2024
    title: "Unbalanced } brace, note = {pwned"
    authors: ["Stephen Eglen"]
    year: 2024
    type: conference
"""


@pytest.fixture
def hand_cv(tmp_path: Path) -> Path:
    profile = new_profile(tmp_path / "profile", [BY_NAME["orcid"]], {"orcid": "http://127.0.0.1:9"}, Settings())
    (profile / "cv.yaml").write_text(HAND_CV, encoding="utf-8")
    return profile


def _export(profile: Path, fmt: str, out: Path | None = None) -> str:
    args = ["export", "--format", fmt] + (["--output", str(out)] if out else [])
    result = run_cli(args, profile, now=LAST_PULL)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def test_markdown_export_links_only_the_web_and_encodes_the_doi(hand_cv: Path):
    text = _export(hand_cv, "markdown")
    line = next(x for x in text.splitlines() if "Liquid" in x)
    assert "javascript:alert(document" not in line  # the CV's javascript: URL is no link
    assert "[DOI](https://doi.org/10.1109/x%29%3Cscript%3Ealert%281%29%3C/script%3E)" in line
    assert not re.search(r"(?<!\\)<", line) and "{{" not in line and "{%" not in line


def test_jekyll_pages_are_liquid_inert_and_carry_no_html(hand_cv: Path, tmp_path: Path):
    import frontmatter

    _export(hand_cv, "jekyll", tmp_path / "site")
    page_path = next((tmp_path / "site" / "_publications").glob("*evil2024.md"))
    text = page_path.read_text(encoding="utf-8")
    assert "{{" not in text and "{%" not in text  # neither front matter nor body gives Liquid a tag
    page = frontmatter.loads(text)
    for field in ("title", "venue", "citation"):
        assert "<script" not in page[field] and "<img" not in page[field], field
    assert page["paperurl"] == "https://doi.org/10.1109/x%29%3Cscript%3Ealert%281%29%3C/script%3E"
    assert "&lt;script&gt;" in page["title"]  # shown as text by a theme that prints it raw


def test_hugo_front_matter_has_no_raw_html_or_script_link(hand_cv: Path, tmp_path: Path):
    import frontmatter

    _export(hand_cv, "hugo", tmp_path / "site")
    page = frontmatter.loads((tmp_path / "site" / "content" / "publication" / "evil2024" / "index.md").read_text(encoding="utf-8"))
    assert "<script" not in page["title"] and not re.search(r"(?<!\\)<", page["publication"])
    assert "url_pdf" not in page


def test_bibtex_braces_stay_nested_and_latex_is_escaped(hand_cv: Path):
    import bibtexparser

    text = _export(hand_cv, "bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert sorted(e.key for e in library.entries) == ["brace2024", "evil2024"]
    brace = library.entries_dict["brace2024"]
    assert "note" not in brace.fields_dict  # the title could not open a field of its own
    assert "pwned" in brace["title"]
    # BibTeX itself counts braces without regard to backslashes: "{\\}}" closes a group. Every
    # field line must nest on its own, or the title ends early and the rest becomes fields.
    for line in (x for x in text.splitlines() if x.startswith("  ")):
        value = line.rstrip(",")
        value = value[value.index("{") :]
        depth = 0
        for i, char in enumerate(value):
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth > 0 or i == len(value) - 1, line  # the field's own brace closes it, last
        assert depth == 0, line
    assert "<script" not in library.entries_dict["evil2024"]["doi"]  # percent-encoded in the verbatim field
    assert "url" not in library.entries_dict["evil2024"].fields_dict
    latex = _export(hand_cv, "latex")
    title_line = next(x for x in latex.splitlines() if "Liquid" in x)
    # Every LaTeX special in the title is escaped: no bare { } % # & $ _ ^ ~ \ outside macros.
    body = title_line.split("} % Title")[0].split("{", 1)[1]
    assert not re.search(r"(?<!\\)[%#&$_]", body)


# --- GitHub: a hostile profile blog, repository name and description ---------------------------


def test_github_hostile_profile_and_repository(httpserver, tmp_path: Path, record_case, timer):
    from .sources import GITHUB_LOGIN, GITHUB_REPOS, GITHUB_USER

    user = json.loads(GITHUB_USER)
    user["blog"] = "javascript:alert(document.cookie)"
    user["name"] = "Vincent Jacques\x1b]0;owned\x07\u202e"
    user["company"] = "Evil\x1b[2K Corp"
    repos = json.loads(GITHUB_REPOS)
    victim = next(r for r in repos if not r["fork"])
    victim["description"] = "A tool\x1b]52;c;ZXZpbA==\x07 with a DOI 10.1109/x)<script>alert(1)</script>"
    victim["homepage"] = "data:text/html,<script>alert(1)</script>"
    httpserver.expect_request(f"/users/{GITHUB_LOGIN}").respond_with_data(json.dumps(user), content_type="application/json; charset=utf-8")
    httpserver.expect_request(f"/users/{GITHUB_LOGIN}/repos").respond_with_data(json.dumps(repos), content_type="application/json; charset=utf-8")
    root = httpserver.url_for("/").rstrip("/")
    profile = new_profile(tmp_path / "profile", [BY_NAME["github"]], {"github": root}, Settings(timeout_s=8.0, cv_works=1))
    result = run_cli(["pull"], profile, now=LAST_PULL)
    assert result.exit_code == 0, result.stdout + result.stderr
    text = (profile / "cache" / "snapshots" / "github.json").read_text(encoding="utf-8")
    snapshot = json.loads(text)
    assert not CONTROL.search(json.dumps(snapshot, ensure_ascii=False))
    assert snapshot["person"].get("homepage") is None  # "https://javascript:alert(...)" is no web page
    assert snapshot["person"]["name"] == "Vincent Jacques"
    assert "<script>" not in json.dumps([w.get("ids", {}) for w in snapshot["works"]])
    report = run_cli(["diff", "--offline", "--format", "text"], profile, now=LAST_PULL)
    assert not CONTROL.search(report.stdout.replace("\n", "")), report.stdout
    record_case("github", "hostile blog, name and repository", timer(), failure=True)


# --- what a renderer makes of it: Markdown through a real CommonMark parser, HTML as written ---


def _rendered(markdown: str) -> str:
    """Markdown as a site renders it: CommonMark with tables, raw HTML allowed (many generators
    and themes allow it), and link validation off, as a permissive renderer would have it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True  # judge our escaping, not the renderer's safety net
    return md.render(markdown)


def _no_live_markup(html: str) -> None:
    assert "<img" not in html
    assert "<script" not in html
    assert 'href="javascript' not in html.lower()
    assert 'href="data:' not in html.lower()
    assert "<b>of</b>" not in html


def test_markdown_report_of_a_hostile_pull_renders_no_link_image_or_html(hostile_profile: Path):
    result = run_cli(["diff", "--offline", "--format", "markdown"], hostile_profile, now=LAST_PULL)
    assert result.exit_code == 1, result.stderr
    assert "Benign Start" in result.stdout
    html = _rendered(result.stdout)
    _no_live_markup(html)
    assert "![](https://evil.example/img.png)" in html  # the text is all there, as text


def test_html_report_of_a_hostile_pull_is_escaped(hostile_profile: Path):
    result = run_cli(["diff", "--offline", "--format", "html"], hostile_profile, now=LAST_PULL)
    assert result.exit_code == 1, result.stderr
    assert "Benign Start" in result.stdout
    _no_live_markup(result.stdout)
    assert not CONTROL.search(result.stdout.replace("\n", ""))


def test_text_report_of_a_hostile_pull_sends_no_control_sequence(hostile_profile: Path):
    result = run_cli(["diff", "--offline", "--format", "text"], hostile_profile, now=LAST_PULL, tty=True)
    assert result.exit_code == 1, result.stderr
    # With colour on, the only escapes are the report's own SGR colour codes, never a title's.
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "Benign Start" in stripped
    assert not CONTROL.search(stripped.replace("\n", ""))


def test_markdown_exports_render_no_link_image_or_html(hand_cv: Path, tmp_path: Path):
    import frontmatter

    _no_live_markup(_rendered(_export(hand_cv, "markdown")).replace('href="https://doi.org/', ""))
    _export(hand_cv, "jekyll", tmp_path / "site")
    page = frontmatter.loads(next((tmp_path / "site" / "_publications").glob("*evil2024.md")).read_text(encoding="utf-8"))
    _no_live_markup(_rendered(page.content))


# --- the Scholar import path: an export file is as untrusted as a response ---------------------


def test_scholar_import_checks_values_like_a_pull(tmp_path: Path, record_case, timer):
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "scholar" / "constructed_citations_LZ5D_p4AAAAJ.bib"
    text = fixture.read_text(encoding="utf-8")
    first = "title={Performance comparison of various machine learning approaches to identify the best one in predicting heart disease},"
    assert first in text
    hostile = first.replace("Performance", "Performance\x1b]0;owned\x07\u202e") + "\n  doi={10.1109/x)<script>alert(1)</script>},\n  url={javascript:alert(1)},"
    export = tmp_path / "citations.bib"
    export.write_text(text.replace(first, hostile, 1), encoding="utf-8")
    profile = new_profile(tmp_path / "profile", [BY_NAME["scholar"]], {"scholar": "http://127.0.0.1:9"}, Settings())
    result = run_cli(["import", "scholar", str(export)], profile, now=LAST_PULL)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not CONTROL.search(result.stdout + result.stderr)
    snapshot = json.loads((profile / "cache" / "snapshots" / "scholar.json").read_text(encoding="utf-8"))
    work = next(w for w in snapshot["works"] if w["title"].startswith("Performance"))
    assert work["title"].startswith("Performance comparison")
    assert "doi" not in work.get("ids", {}) and not str(work.get("url", "https:")).startswith("javascript")
    assert any(n.startswith("dropped doi") for n in snapshot["notes"])
    record_case("scholar", "hostile values in an imported export", timer(), failure=True)
