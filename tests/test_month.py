"""Months (issue 15.3): the CV's month: is read in every CV format and used by every export that has
a date, so a paper of April 2023 is not dated 2023-01-01 on the homepage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bibtexparser
import frontmatter
import pytest

from conftest import REPO_ROOT, run_cli
from profilesync.cv.record import load_cv
from profilesync.export import ExportFormat, render
from profilesync.export.validate import schema_errors
from profilesync.normalize.dates import parse_month


@pytest.mark.parametrize(
    ("value", "month"),
    [(5, 5), ("5", 5), ("05", 5), ("May", 5), ("may", 5), ("Apr.", 4), ("Sept.", 9), ("September", 9), ("{dec}", 12), ("2023-05-12", 5), ("2023-05", 5), ("2023", None), (13, None), ("Maytember", None), (None, None), (True, None)],
)
def test_parse_month(value, month):
    assert parse_month(value) == month


@pytest.fixture(scope="module")
def demo_cv():
    return load_cv(REPO_ROOT / "cv.yaml")


def test_the_demo_cv_months_are_read(demo_cv):
    months = {w.key: w.month for w in demo_cv.works}
    assert months["wu2023fastserve"] == 5  # month: May
    assert months["zhang2023auncel"] == 4  # month: Apr.


def test_every_dated_export_uses_the_month(demo_cv):
    jekyll = render(demo_cv, ExportFormat.JEKYLL).files
    page = frontmatter.loads(jekyll["_publications/2023-01-01-zhang2023auncel.md"])
    assert str(page["date"]) == "2023-04-01"
    hugo = render(demo_cv, ExportFormat.HUGO).files
    bundle = next(text for path, text in hugo.items() if path.endswith("zhang2023auncel/index.md"))
    assert str(frontmatter.loads(bundle)["date"]).startswith("2023-04-01")
    resume = json.loads(render(demo_cv, ExportFormat.JSONRESUME).text)
    assert schema_errors(resume, "jsonresume.schema.json") == []
    assert {p["name"]: p.get("releaseDate") for p in resume["publications"]}["Fast, Approximate Vector Queries on Very Large Unstructured Datasets"] == "2023-04"
    csl = {item["id"]: item for item in json.loads(render(demo_cv, ExportFormat.CSL_JSON).text)}
    assert csl["zhang2023auncel"]["issued"] == {"date-parts": [[2023, 4]]}
    bib = render(demo_cv, ExportFormat.BIBTEX).text
    assert "  month = apr,\n" in bib  # BibTeX's macro, unbraced: styles print "April" and sort by it
    entry = bibtexparser.parse_string(bib).entries_dict["zhang2023auncel"]
    assert entry["month"] == "apr" and entry["title"] == "Fast, Approximate Vector Queries on Very Large Unstructured Datasets"


def test_a_work_without_a_month_keeps_january_and_no_month_field(tmp_path):
    (tmp_path / "cv.yaml").write_text("person: {name: Ada}\npublications:\n  - {key: a, title: A Paper, authors: [Ada], year: 2020, type: journal, venue: CACM}\n")
    record = load_cv(tmp_path / "cv.yaml")
    assert "month" not in render(record, ExportFormat.BIBTEX).text
    assert json.loads(render(record, ExportFormat.JSONRESUME).text)["publications"][0]["releaseDate"] == "2020"


def test_a_month_nobody_can_read_is_a_cv_error(tmp_path):
    for name in ("config.yaml",):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    (tmp_path / "cv.yaml").write_text("person: {name: Zili Zhang}\npublications:\n  - {key: a, title: A Paper, year: 2020, month: Maytember}\n")
    result = run_cli(["validate"], tmp_path)
    assert result.exit_code == 2
    assert "publications[0].month" in result.stderr and "May or Sep" in result.stderr


@pytest.mark.parametrize(
    ("name", "fmt", "text"),
    [
        ("cv.bib", "bibtex", "@inproceedings{a,\n  title = {A Paper},\n  author = {Ada Lovelace},\n  booktitle = {NSDI},\n  year = {2023},\n  month = may,\n}\n"),
        ("resume.json", "jsonresume", json.dumps({"basics": {"name": "Ada Lovelace"}, "publications": [{"name": "A Paper", "publisher": "NSDI", "releaseDate": "2023-05-12"}]})),
    ],
)
def test_other_cv_formats_read_the_month(tmp_path: Path, name, fmt, text):
    from profilesync.config import load_config
    from profilesync.cv.load import load_cv_for

    (tmp_path / name).write_text(text)
    (tmp_path / "config.yaml").write_text(f'profile: {{name: "Ada Lovelace"}}\ncv: {{path: {name}, format: {fmt}}}\n')
    record = load_cv_for(load_config(tmp_path / "config.yaml"))
    assert [w.month for w in record.works] == [5]
