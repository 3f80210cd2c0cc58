"""The value boundary's rules, one case each, and proof that real recorded data passes unchanged."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import run_cli
from profilesync.model import Author, ExternalIds, Person, PersonIds, Snapshot, Work
from profilesync.normalize.identifiers import arxiv_ok, dblp_key_ok, doi_ok, isbn_ok, orcid_ok, web_url_ok
from profilesync.normalize.sanitize import LIMITS, clean_text, sanitize_snapshot
from profilesync.report.escape import visible

from .profile import LAST_PULL


@pytest.mark.parametrize(
    ("doi", "ok"),
    [
        ("10.1145/3603269.3604816", True),
        ("10.48550/arxiv.2305.05920", True),
        ("10.1007/978-3-031-16400-2_5", True),
        ("10.1002/(sici)1097-4636(199706)35:4", True),  # parentheses and colons are legal
        ("10.1109/x)<script>alert(1)</script>", False),
        ('10.1145/a"onmouseover="alert(1)', False),
        ("10.1145/a b", False),
        ("10.1145/{{ site }}", False),
        ("10.1145/x\x1b[2K", False),
        ("11.1145/abc", False),
        ("10.1/abc", False),
        ("10.1145/" + "x" * 400, False),
    ],
)
def test_doi_syntax(doi, ok):
    assert doi_ok(doi) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2305.05920", True),
        ("2305.05920v2", True),
        ("0704.0001", True),
        ("hep-th/9901001", True),
        ("math.AG/0601001", True),
        ("cs/0112017v1", True),
        ("2313.05920", False),  # month 13
        ("2305.059", False),
        ("hep-th/99010011", False),
        ("2305.05920<script>", False),
    ],
)
def test_arxiv_syntax_old_and_new(value, ok):
    assert arxiv_ok(value) is ok


def test_orcid_checksum_isbn_checksum_and_dblp_keys():
    assert orcid_ok("0000-0002-1825-0097") and orcid_ok("0000-0001-5109-3700") and orcid_ok("0000-0002-1694-233X")
    assert not orcid_ok("0000-0002-1825-0098") and not orcid_ok("0000-0002-1825-009") and not orcid_ok("https://orcid.org/0000-0002-1825-0097")
    assert isbn_ok("978-3-16-148410-0") and isbn_ok("0-306-40615-2") and isbn_ok("0 8044 2957 X")
    assert not isbn_ok("978-3-16-148410-1") and not isbn_ok("0-306-40615-3") and not isbn_ok("12345")
    assert dblp_key_ok("conf/nsdi/ZhangX23") and dblp_key_ok("journals/corr/abs-2305-05920")
    assert not dblp_key_ok("conf/nsdi/<b>") and not dblp_key_ok("conf nsdi") and not dblp_key_ok("/x")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/paper.pdf", True),
        ("http://example.org/a?b=c#d", True),
        ("example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("file:///etc/passwd", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("https://", False),
        ('https://example.org/"><script>', False),
        ("https://example.org/\x1b]8;;x", False),
    ],
)
def test_urls_are_http_or_https_only(url, ok):
    assert web_url_ok(url) is ok


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Title\x1b]0;window title\x07 rest", "Title rest"),
        ("Erase\x1b[2K line", "Erase line"),
        ("Clip\x1b]52;c;ZXZpbA==\x1b\\board", "Clipboard"),
        ("Link \x1b]8;;https://evil\x1b\\text\x1b]8;;\x1b\\", "Link text"),
        ("8-bit\x9b31m CSI", "8-bit CSI"),
        ("bidi \u202eoverride\u202c and \u2067isolate\u2069", "bidi override and isolate"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("tab\tand\r\n  newline", "tab and newline"),
        ("NUL\x00 and DEL\x7f", "NUL and DEL"),
        ("a\u200db", "ab"),  # a joiner between ASCII letters only hides things
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian needs its ZWNJ
        ("Zürich – Über", "Zürich – Über"),
    ],
)
def test_text_cleaning(raw, clean):
    assert clean_text(raw) == clean
    assert clean_text(clean_text(raw)) == clean_text(raw)


def test_terminal_escaping_is_visible_not_silent():
    assert visible("a\x1b[2Kb\u202e\x07") == "a\\x1b[2Kb\\u202e\\x07"
    assert visible("line\nbreak") == "line break"
    assert visible("Zürich") == "Zürich"


def _snapshot(work: Work, person: Person | None = None) -> Snapshot:
    return Snapshot(source="orcid", fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc), person=person, works=(work,))


def test_lengths_are_capped_and_cut_fields_are_not_proposed():
    work = Work(
        title="T" * 5000,
        authors=tuple(Author(f"Author {i}") for i in range(LIMITS.authors + 10)),
        venue="V" * 2000,
        pages="1" * 500,
    )
    out = sanitize_snapshot(_snapshot(work)).works[0]
    assert len(out.title) == LIMITS.title and "title" in out.cut
    assert len(out.authors) == LIMITS.authors and "authors" in out.cut
    assert len(out.venue or "") == LIMITS.venue
    assert out.pages is None


def test_invalid_values_are_dropped_with_a_note_and_person_fields_too():
    work = Work(
        title="A paper",
        authors=(Author("Ann", orcid="0000-0002-1825-0098"),),
        ids=ExternalIds(doi="10.1109/x)<script>", arxiv="2305.05920", github="evil/<repo>"),
        url="javascript:alert(1)",
    )
    person = Person(name="Ann\x1b[2K", homepage="data:text/html,x", ids=PersonIds(orcid="0000-0002-1825-0098", github="ann"), extra={"urls": [{"url": "javascript:x"}, {"url": "https://ann.example"}], "links": ["file:///etc/passwd", "https://dblp.example/ann"]})
    snap = sanitize_snapshot(_snapshot(work, person))
    out = snap.works[0]
    assert out.ids.doi is None and out.ids.github is None and out.ids.arxiv == "2305.05920"
    assert out.url is None and out.authors[0].orcid is None
    assert snap.person is not None
    assert snap.person.name == "Ann" and snap.person.homepage is None
    assert snap.person.ids.orcid is None and snap.person.ids.github == "ann"
    assert snap.person.extra["urls"] == [{"url": "https://ann.example"}]
    assert snap.person.extra["links"] == ["https://dblp.example/ann"]
    joined = "\n".join(snap.notes)
    for what in ("dropped doi", "dropped github", "dropped url", "author ORCID", "profile homepage", "profile orcid", "profile link"):
        assert what in joined, what
    assert "<" not in joined  # a note is inert wherever it is shown
    assert sanitize_snapshot(snap) == snap  # idempotent: a second pass adds nothing


def test_real_recorded_profiles_pass_the_boundary_unchanged(full_profile: Path):
    """Every recorded source (DBLP, ORCID, Scholar, GitHub) pulled through the real CLI: nothing
    is dropped or cut, and checking the saved snapshots again changes nothing."""
    snapshots = sorted((full_profile / "cache" / "snapshots").glob("*.json"))
    assert len(snapshots) == 4
    for path in snapshots:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert not [n for n in data.get("notes", []) if n.startswith(("dropped", "title of", "author list"))], path.name
        snapshot = Snapshot.from_dict(data)
        assert sanitize_snapshot(snapshot) is snapshot, path.name
    result = run_cli(["diff", "--offline", "--format", "json"], full_profile, now=LAST_PULL)
    assert result.exit_code in (0, 1), result.stderr


def test_what_a_repository_cites_is_held_to_the_same_rules():
    """A repository's description and the paper it cites (typed Work fields) are cleaned too, and
    a cited DOI that is no DOI is dropped with a note: it would link the repository to a paper."""
    from profilesync.model import Cites, WorkType

    repo = Work(
        title="tool",
        type=WorkType.SOFTWARE,
        description="A tool\x1b]52;c;ZXZpbA==\x07 for \u202eknots",
        cites=Cites(doi="10.1109/x)<script>alert(1)</script>", arxiv="2305.05920", title="Knots\x1b[2K", origin=("description",)),
    )
    snapshot = sanitize_snapshot(Snapshot(source="github", fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc), person=None, works=(repo,)))
    out = snapshot.works[0]
    assert "\x1b" not in (out.description or "") and "\u202e" not in (out.description or "")
    assert out.cites.doi is None and out.cites.arxiv == "2305.05920" and out.cites.title == "Knots"
    assert any("cited doi" in note for note in snapshot.notes)
