"""Names with generational suffixes, and what CSL-JSON and JSON Resume say of papers, preprints
and theses (issue 15.10)."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest

from profilesync.cv.record import record_from_data
from profilesync.export import ExportFormat, render
from profilesync.export.common import split_name
from profilesync.export.validate import schema_errors


@pytest.mark.parametrize(
    ("written", "given", "family", "particle", "suffix"),
    [
        ("Martin Luther King Jr.", "Martin Luther", "King", "", "Jr."),
        ("Martin Luther King, Jr.", "Martin Luther", "King", "", "Jr."),
        ("King, Jr., Martin Luther", "Martin Luther", "King", "", "Jr."),  # BibTeX's own form
        ("John Smith III", "John", "Smith", "", "III"),
        ("Ludwig van Beethoven", "Ludwig", "Beethoven", "van", ""),
        ("Zhang, Zili", "Zili", "Zhang", "", ""),
        ("Zili Zhang 0002", "Zili", "Zhang", "", ""),  # DBLP's homonym number is not a suffix
        ("Vijay V", "Vijay", "V", "", ""),  # a one-letter family name is not "the fifth"
    ],
)
def test_split_name(written, given, family, particle, suffix):
    assert split_name(written) == type(split_name("x"))(given=given, family=family, particle=particle, suffix=suffix)


def _record(tmp_path: Path, publications: list[dict]):
    data = {"person": {"name": "Martin Luther King Jr."}, "publications": publications}
    return record_from_data(tmp_path / "cv.yaml", data)


PAPER_WITH_CODE = {
    "key": "king2024code",
    "title": "A Paper Whose Code Is on GitHub",
    "authors": ["Martin Luther King Jr.", "Ada Lovelace"],
    "venue": "NSDI",
    "year": 2024,
    "type": "conference",
    "code": "https://github.com/example/paper-code",
}
THESIS = {"key": "king2020thesis", "title": "On Nonviolence", "authors": ["Martin Luther King Jr."], "venue": "Boston University", "year": 1955, "type": "thesis"}
PREPRINT = {"key": "king2025pre", "title": "A Preprint", "authors": ["Martin Luther King Jr."], "year": 2025, "type": "preprint", "status": "preprint", "ids": {"arxiv": "2501.00001"}}


def test_csl_json_names_thesis_genre_and_no_code_url_for_a_paper(tmp_path):
    record = _record(tmp_path, [PAPER_WITH_CODE, THESIS, PREPRINT])
    items = {item["id"]: item for item in json.loads(render(record, ExportFormat.CSL_JSON).text)}
    assert schema_errors(list(items.values()), "csl-data.json") == []
    assert items["king2024code"]["author"][0] == {"family": "King", "given": "Martin Luther", "suffix": "Jr."}
    assert "URL" not in items["king2024code"]  # the repository is not the paper
    assert items["king2020thesis"]["genre"] == "PhD thesis"
    assert items["king2025pre"]["URL"] == "https://arxiv.org/abs/2501.00001"


def test_bibtex_writes_the_suffix_in_its_own_part(tmp_path):
    record = _record(tmp_path, [PAPER_WITH_CODE])
    entry = bibtexparser.parse_string(render(record, ExportFormat.BIBTEX).text).entries[0]
    assert entry["author"].split(" and ")[0] == "King, Jr., Martin Luther"


def test_jsonresume_preprint_is_published_by_arxiv_not_by_preprint(tmp_path):
    record = _record(tmp_path, [PREPRINT, PAPER_WITH_CODE, {**PREPRINT, "key": "noarxiv", "ids": {}}])
    document = json.loads(render(record, ExportFormat.JSONRESUME).text)
    assert schema_errors(document, "jsonresume.schema.json") == []
    # In the CV's order: the arXiv preprint, the paper, and a preprint with no arXiv id (no publisher).
    assert [p.get("publisher") for p in document["publications"]] == ["arXiv", "NSDI", None]


def test_academicpages_files_preprints_and_theses_under_their_own_categories(tmp_path, cli):
    """Not under "manuscripts", which academicpages heads "Journal Articles"; and the export says
    which categories the site's _config.yml must add, since the page lists only those."""
    import frontmatter

    from profilesync.export.jekyll import category_notes

    journal = {"key": "king2021j", "title": "A Journal Paper", "authors": ["Martin Luther King Jr."], "venue": "CACM", "year": 2021, "type": "journal"}
    record = _record(tmp_path, [journal, THESIS, PREPRINT, {**PAPER_WITH_CODE, "status": "preprint", "key": "king2024pre"}])
    files = render(record, ExportFormat.JEKYLL).files
    categories = {path.rsplit("/", 1)[1]: frontmatter.loads(text)["category"] for path, text in files.items()}
    assert categories == {
        "2021-01-01-king2021j.md": "manuscripts",
        "1955-01-01-king2020thesis.md": "theses",
        "2025-01-01-king2025pre.md": "preprints",
        "2024-01-01-king2024pre.md": "preprints",  # a conference-typed work that is still a preprint
    }
    assert category_notes(record.works) == ("academicpages lists only the categories in _config.yml's publication_category: add preprints: {title: 'Preprints'}; theses: {title: 'Theses'}",)
    assert category_notes(_record(tmp_path, [journal]).works) == ()

    (tmp_path / "config.yaml").write_text('profile: {name: "Martin Luther King Jr."}\ncv: cv.yaml\n')
    (tmp_path / "cv.yaml").write_text(json.dumps({"person": {"name": "Martin Luther King Jr."}, "publications": [journal, THESIS]}))
    result = cli(["export", "--format", "jekyll", "--output", "site"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "note: academicpages lists only the categories" in result.stderr and "theses: {title: 'Theses'}" in result.stderr
