"""A RenderCV YAML file as the canonical CV (cv.sections.publications): read -> push -> read."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from cvformats_helpers import PUBLISH, dlora, fastserve, field_change, profile_dir
from profilesync.config import CvFormat, load_config
from profilesync.cv.formats import open_document
from profilesync.cv.load import load_cv_for
from profilesync.cv.writer import save_document
from profilesync.diff.changes import Change, ChangeKind
from profilesync.model import WorkType
from profilesync.push.cv_apply import apply_changes

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
FILE = "rendercv_CV.yaml"


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return profile_dir(tmp_path, FILE, "rendercv")


def rendercv_errors(path: Path) -> list[str]:
    schema = json.loads((PUBLISH / "schemas" / "rendercv.schema.json").read_text(encoding="utf-8"))
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(data)]


def test_fixture_is_a_valid_rendercv_file():
    assert rendercv_errors(PUBLISH / FILE) == []


def test_reads_publications_with_derived_keys(profile: Path):
    record = load_cv_for(load_config(profile / "config.yaml"))
    assert [w.key for w in record.works] == ["wu2023fast", "zhang2023fast", "jin2023ditto"]
    fast = record.by_key("wu2023fast")
    assert (fast.type, fast.ids.arxiv, fast.ids.doi) == (WorkType.PREPRINT, "2305.05920", None)  # an arXiv DOI is an arXiv id
    assert fast.author_names[2] == "Zili Zhang"  # **bold** markup stripped
    assert record.by_key("zhang2023fast").venue_acronym == "NSDI"
    assert record.locks["zhang2023fast"] == frozenset({"title"})
    assert record.person.homepage == "https://zilizhang.site"


def test_round_trip_read_push_read(profile: Path):
    path = profile / FILE
    original = path.read_text(encoding="utf-8")
    document = open_document(path, CvFormat.RENDERCV, person_name="Zili Zhang", aliases=("Zhang, Zili",))
    result = apply_changes(
        document,
        [
            Change(ChangeKind.NEW_VERSION, "dblp", "published", cv_key="wu2023fast", work=fastserve()),
            field_change("zhang2023fast", "title", "locked"),
            field_change("zhang2023fast", "pages", "995-1011"),
            field_change("jin2023ditto", "doi", "10.1145/3603269.3604855"),
            Change(ChangeKind.MISSING_IN_CV, "dblp", "lacks", work=dlora()),
        ],
    )
    assert [s.reason for s in result.skipped] == ["zhang2023fast.title is locked"]
    save_document(document, backup_dir=profile / "cache" / "backups", now=NOW)
    text = path.read_text(encoding="utf-8")
    assert rendercv_errors(path) == []  # RenderCV can still render it

    record = load_cv_for(load_config(profile / "config.yaml"))
    fast = next(w for w in record.works if w.title.startswith("FastServe"))
    assert (fast.venue, fast.year, fast.ids.doi, fast.ids.arxiv) == ("23rd USENIX Symposium on Networked Systems Design and Implementation", 2026, "10.5555/nsdi26.fastserve", "2305.05920")
    assert record.by_key("zhang2023fast").pages == "995-1011"
    assert record.by_key("jin2023ditto").ids.doi == "10.1145/3603269.3604855"
    assert any(w.title.startswith("dLoRA") and w.year == 2024 for w in record.works)
    # The researcher stays bold, as the file writes it; other sections and the design are untouched.
    assert '"**Zili Zhang**"' in text and "'**Zili Zhang**'" in text or "**Zili Zhang**" in text.split("dLoRA")[1]
    head = original[: original.index("    publications:")]
    assert text.startswith(head)
    assert text.endswith("design:\n  theme: classic   # the default theme\n")
    assert "        lock: [title]     # profilesync: never change the title\n" in text
    assert "        date: 2026-05\n" in text  # the year replaced inside the date, the month kept


def test_cli_diff_and_push_on_a_rendercv_cv(profile: Path, cli):
    assert cli(["diff", "--offline"], profile).exit_code == 1
    push = cli(["push", "--to", "cv", "--yes"], profile)
    assert push.exit_code == 0, push.stderr
    assert rendercv_errors(profile / FILE) == []
    assert load_cv_for(load_config(profile / "config.yaml")).works
