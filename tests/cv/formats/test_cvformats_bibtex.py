"""A BibTeX file (al-folio's papers.bib) as the canonical CV: read -> push -> read."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import bibtexparser
import pytest

from cvformats_helpers import PUBLISH, dlora, fastserve, field_change, profile_dir
from profilesync.config import CvFormat, load_config
from profilesync.cv.formats import open_document
from profilesync.cv.load import load_cv_for
from profilesync.cv.writer import save_document
from profilesync.diff.changes import Change, ChangeKind
from profilesync.errors import UserError
from profilesync.model import WorkType
from profilesync.push.cv_apply import apply_changes

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return profile_dir(tmp_path, "papers.bib", "bibtex")


def read(profile: Path):
    return load_cv_for(load_config(profile / "config.yaml"))


def test_reads_al_folio_entries(profile: Path):
    record = read(profile)
    assert [w.key for w in record.works] == ["wu2023fast", "zhang2023auncel", "jin2023ditto", "liu2023rise", "unrelated2020"]
    fast = record.by_key("wu2023fast")
    assert (fast.type, fast.ids.arxiv) == (WorkType.PREPRINT, "2305.05920")
    auncel = record.by_key("zhang2023auncel")
    assert auncel.venue_acronym == "NSDI"
    assert auncel.venue == "20th USENIX Symposium on Networked Systems Design and Implementation"  # @string resolved
    assert auncel.author_names[0] == "Zili Zhang"
    assert record.locks["zhang2023auncel"] == frozenset({"title"})
    rise = record.by_key("liu2023rise")
    assert rise.venue == "ACM Transactions on Software Engineering & Methodology"  # LaTeX decoded
    assert rise.author_names[4] == "Zili Zhang"  # "Zhang, Zili" in reading order
    assert record.by_key("jin2023ditto").pages == "406-419"


def test_round_trip_read_push_read(profile: Path):
    path = profile / "papers.bib"
    original = path.read_text(encoding="utf-8")
    document = open_document(path, CvFormat.BIBTEX, person_name="Zili Zhang")
    result = apply_changes(
        document,
        [
            field_change("jin2023ditto", "pages", "406-420"),
            field_change("zhang2023auncel", "title", "Locked, so never written"),
            field_change("zhang2023auncel", "doi", "10.5555/nsdi23.auncel"),
            Change(ChangeKind.NEW_VERSION, "dblp", "published", cv_key="wu2023fast", work=fastserve()),
            Change(ChangeKind.MISSING_IN_CV, "dblp", "lacks", work=dlora()),
            Change(ChangeKind.FOREIGN_WORK, "scholar", "namesake", work=dlora().with_(title="Someone else's")),
        ],
    )
    assert any("locked" in s.reason for s in result.skipped)
    assert any("no ignore list" in s.reason for s in result.skipped)
    save_document(document, backup_dir=profile / "cache" / "backups", now=NOW)
    text = path.read_text(encoding="utf-8")

    record = read(profile)
    assert record.by_key("jin2023ditto").pages == "406-420"
    assert record.by_key("zhang2023auncel").ids.doi == "10.5555/nsdi23.auncel"
    assert record.by_key("zhang2023auncel").title.startswith("Fast, Approximate")
    fast = record.by_key("wu2023fast")
    assert (fast.type, fast.venue_acronym, fast.year, fast.ids.doi, fast.ids.arxiv) == (WorkType.CONFERENCE, "NSDI", 2026, "10.5555/nsdi26.fastserve", "2305.05920")
    assert len(fast.authors) == 7
    new = record.by_key("wu2024dlora")
    assert new is not None
    assert new.title == "dLoRA: Dynamically Orchestrating Requests & Adapters for LoRA LLM Serving"

    # What profilesync does not manage is byte-identical: front matter, comments, @string, an
    # untouched entry, and the untouched fields of edited entries (al-folio's selected/preview).
    head = original[: original.index("@article{wu2023fast")]
    assert text.startswith(head)
    untouched = original[original.index("@article{liu2023rise") : original.index("@misc{unrelated2020")]
    assert untouched in text
    for line in ("  bibtex_show={true},", "  preview={fastserve.png}", "  booktitle = nsdi,", "  selected = {true}", "  code = {https://github.com/pkusys/Auncel},"):
        assert line in text.splitlines() or line + "," in text.splitlines()
    assert "  pages={406--420},\n" in text  # the entry's own "key={value}" style
    assert "{\\&}" in text  # the new title's & is escaped for LaTeX
    # bibtexparser reads every entry back without a failed block
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == 6


def test_broken_bibtex_is_a_clear_error(profile: Path):
    path = profile / "papers.bib"
    path.write_text(path.read_text(encoding="utf-8").replace("@misc{unrelated2020,", "@misc{unrelated2020"), encoding="utf-8")
    with pytest.raises(UserError) as info:
        read(profile)
    assert "papers.bib" in str(info.value)


def test_invalid_value_names_the_entry(profile: Path):
    path = profile / "papers.bib"
    path.write_text(path.read_text(encoding="utf-8").replace("lock = {title}", "lock = {titel}"), encoding="utf-8")
    with pytest.raises(UserError) as info:
        read(profile)
    assert "entry zhang2023auncel" in str(info.value)
    assert "titel" in str(info.value)


@pytest.mark.slow
def test_cli_diff_and_push_on_a_bibtex_cv(profile: Path, cli):
    diff = cli(["diff", "--offline", "--format", "json"], profile)
    assert diff.exit_code == 1, diff.stderr
    push = cli(["push", "--to", "cv", "--yes"], profile)
    assert push.exit_code == 0, push.stderr
    assert list((profile / "cache" / "backups").glob("papers.bib.*.bak"))
    bib = bibtexparser.parse_string((profile / "papers.bib").read_text(encoding="utf-8"))
    assert not bib.failed_blocks
    assert "@string{nsdi" in (profile / "papers.bib").read_text(encoding="utf-8")
    again = cli(["push", "--to", "cv", "--yes"], profile)
    assert again.exit_code == 0
    assert "nothing to apply" in again.stderr


def test_fixture_is_unchanged():
    # The tests copy the fixture; this guards against a test writing into tests/fixtures.
    assert "pages={406--419}" in (PUBLISH / "papers.bib").read_text(encoding="utf-8")
