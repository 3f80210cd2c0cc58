"""A JSON Resume (resume.json) as the canonical CV (its publications): read -> push -> read."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cvformats_helpers import dlora, fastserve, field_change, profile_dir
from profilesync.config import CvFormat, load_config
from profilesync.cv.formats import open_document
from profilesync.cv.load import load_cv_for
from profilesync.cv.writer import save_document
from profilesync.diff.changes import Change, ChangeKind
from profilesync.errors import UserError
from profilesync.export.validate import schema_errors
from profilesync.model import WorkType
from profilesync.push.cv_apply import apply_changes

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
FILE = "resume.json"


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return profile_dir(tmp_path, FILE, "jsonresume")


def test_reads_publications(profile: Path):
    record = load_cv_for(load_config(profile / "config.yaml"))
    # Items have no key; one is derived from first author, year and title ("anon" without authors).
    assert [w.key for w in record.works] == ["wu2023fast", "zhang2023fast", "anon2023ditto"]
    assert record.by_key("wu2023fast").type is WorkType.PREPRINT
    assert record.by_key("wu2023fast").ids.arxiv == "2305.05920"  # from the arxiv.org URL
    assert record.by_key("anon2023ditto").ids.doi == "10.1145/3603269.3604855"  # from the doi.org URL
    assert record.by_key("zhang2023fast").venue_acronym == "NSDI"


def test_round_trip_read_push_read(profile: Path):
    path = profile / FILE
    original = path.read_text(encoding="utf-8")
    document = open_document(path, CvFormat.JSONRESUME, person_name="Zili Zhang")
    apply_changes(
        document,
        [
            Change(ChangeKind.NEW_VERSION, "dblp", "published", cv_key="wu2023fast", work=fastserve()),
            field_change("zhang2023fast", "title", "locked"),
            field_change("zhang2023fast", "pages", "995-1011"),
            Change(ChangeKind.MISSING_IN_CV, "dblp", "lacks", work=dlora()),
        ],
    )
    save_document(document, backup_dir=profile / "cache" / "backups", now=NOW)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert schema_errors(data, "jsonresume.schema.json") == []

    record = load_cv_for(load_config(profile / "config.yaml"))
    fast = next(w for w in record.works if w.title.startswith("FastServe"))
    assert (fast.year, fast.ids.doi, fast.ids.arxiv) == (2026, "10.5555/nsdi26.fastserve", "2305.05920")
    auncel = next(w for w in record.works if w.title.startswith("Fast, Approximate"))
    assert auncel.pages == "995-1011"
    assert any(w.title.startswith("dLoRA") for w in record.works)
    # basics, education and skills (and their one-line objects) are byte-identical
    for block in ('"profiles": [{"network": "GitHub", "username": "Gold-Sea", "url": "https://github.com/Gold-Sea"}]', '"skills": [{"name": "Systems", "keywords": ["C++", "Python", "CUDA"]}]'):
        assert block in original
        assert block in text
    assert text.startswith(original[: original.index('    "publications"')])
    item = next(i for i in data["publications"] if i["name"].startswith("FastServe"))
    assert item["releaseDate"] == "2026-05"  # the year replaced, the month kept
    assert [i["name"][:6] for i in data["publications"]] == ["FastSe", "dLoRA:", "Fast, ", "Ditto:"]  # newest first


def test_broken_json_names_the_place(profile: Path):
    (profile / FILE).write_text('{"basics": {"name": "x"},\n "publications": [}\n', encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_cv_for(load_config(profile / "config.yaml"))
    assert "resume.json" in str(info.value)
    assert "line 2" in str(info.value)


def test_a_number_where_a_doi_belongs_is_read_as_text(profile: Path):
    # JSON Resume allows any extra key; "doi": 10.1 is not a DOI, and must not crash the reader.
    data = json.loads((profile / FILE).read_text(encoding="utf-8"))
    data["publications"][0]["doi"] = 10.1
    data["publications"][1]["doi"] = 10.1
    (profile / FILE).write_text(json.dumps(data), encoding="utf-8")
    record = load_cv_for(load_config(profile / "config.yaml"))
    assert [w.key for w in record.works] == ["wu2023fast", "zhang2023fast", "anon2023ditto"]
    assert [w.ids.doi for w in record.works] == [None, None, "10.1145/3603269.3604855"]
    assert record.by_key("wu2023fast").ids.arxiv == "2305.05920"


def test_cli_diff_and_push_on_a_jsonresume_cv(profile: Path, cli):
    assert cli(["diff", "--offline"], profile).exit_code == 1
    push = cli(["push", "--to", "cv", "--yes"], profile)
    assert push.exit_code == 0, push.stderr
    assert schema_errors(json.loads((profile / FILE).read_text(encoding="utf-8")), "jsonresume.schema.json") == []
