"""Every export format, parsed back by a real parser of that format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import frontmatter
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from profilesync.cv.record import load_cv, record_from_data
from profilesync.export import ExportFormat, render
from profilesync.export.validate import schema_errors

FIXTURE = Path(__file__).parents[1] / "fixtures" / "publish" / "cv.yaml"
NASTY_TITLE = "Fast & 100% $x# _ {a} ~ ^ \\ Zürich: Über-Scale Queries"


@pytest.fixture(scope="module")
def record():
    """The fixture CV plus one publication with every character LaTeX and Markdown care about."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(FIXTURE.read_text(encoding="utf-8"))
    data["publications"].append(
        {
            "key": "vanbeethoven2024fast",
            "title": NASTY_TITLE,
            "authors": ["Ludwig van Beethoven", "José Núñez", "Zili Zhang", "Jr Smith, John"],
            "venue": "EuroSys",
            "venue_full": "Proceedings of the Nineteenth European Conference on Computer Systems | EuroSys '24",
            "year": 2024,
            "type": "conference",
            "pages": "1--16",
            "url": "https://example.org/paper_1%20v2.pdf",
            "ids": {"doi": "10.1145/3627703.3629_999", "arxiv": "2401.01234"},
        }
    )
    return record_from_data(FIXTURE, data)


def decode(latex: str) -> str:
    # pylatexenc reads \textasciicircum as the modifier letter U+02C6; LaTeX prints a plain caret.
    return LatexNodes2Text().latex_to_text(latex).replace("\u02c6", "^")


def test_bibtex_parses_back_with_the_cv_keys_and_values(record):
    text = render(record, ExportFormat.BIBTEX).text
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [w.key for w in record.works]
    nasty = library.entries_dict["vanbeethoven2024fast"]
    assert nasty.entry_type == "inproceedings"
    # Every special character survives escaping; the title's own well-nested braces ("{a}") are
    # kept as BibTeX case protection, so they group instead of printing.
    assert decode(nasty["title"]) == NASTY_TITLE.replace("{a}", "a")
    assert "{a}" in nasty["title"]
    assert decode(nasty["author"]).split(" and ")[:2] == ["van Beethoven, Ludwig", "Núñez, José"]
    assert nasty["doi"] == "10.1145/3627703.3629_999"  # verbatim field: not escaped
    assert nasty["pages"] == "1--16"
    assert nasty["abbr"] == "EuroSys"
    preprint = library.entries_dict["wu2023fast"]
    assert (preprint.entry_type, preprint["eprint"], preprint["archiveprefix"]) == ("misc", "2305.05920", "arXiv")
    assert library.entries_dict["liu2023rise"]["journal"] == r"ACM Transactions on Software Engineering {\&} Methodology"


def test_csl_json_is_valid_against_the_csl_schema(record):
    items = json.loads(render(record, ExportFormat.CSL_JSON).text)
    assert schema_errors(items, "csl-data.json") == []
    nasty = next(i for i in items if i["id"] == "vanbeethoven2024fast")
    assert nasty["title"] == NASTY_TITLE
    assert nasty["author"][0] == {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}
    assert nasty["issued"] == {"date-parts": [[2024]]}
    assert (nasty["type"], nasty["DOI"], nasty["page"]) == ("paper-conference", "10.1145/3627703.3629_999", "1-16")
    assert next(i for i in items if i["id"] == "wu2023fast")["type"] == "article"
    # and a broken item is caught by the same check
    assert schema_errors([{"id": "x", "type": "software"}], "csl-data.json")


def test_jsonresume_is_valid_against_its_schema(record):
    document = json.loads(render(record, ExportFormat.JSONRESUME).text)
    assert schema_errors(document, "jsonresume.schema.json") == []
    assert document["basics"]["url"] == "https://zilizhang.site"  # the CV's bare host made a URI
    assert [p["name"] for p in document["publications"]] == [w.title for w in record.works]
    assert schema_errors({"basics": {"name": 5}, "publications": [{"releaseDate": "May 2023"}]}, "jsonresume.schema.json")


def test_hugo_bundles_have_front_matter_and_cite_bib(record):
    files = render(record, ExportFormat.HUGO).files
    assert len(files) == 2 * len(record.works)
    page = frontmatter.loads(files["content/publication/vanbeethoven2024fast/index.md"])
    assert page["title"] == NASTY_TITLE
    assert page["authors"] == ["Ludwig van Beethoven", "José Núñez", "Zili Zhang", "Jr Smith, John"]
    assert page["date"] == "2024-01-01T00:00:00Z"
    assert page["publication_types"] == ["paper-conference"]
    assert page["doi"] == "10.1145/3627703.3629_999"
    cite = bibtexparser.parse_string(files["content/publication/vanbeethoven2024fast/cite.bib"])
    assert [e.key for e in cite.entries] == ["vanbeethoven2024fast"]


def test_jekyll_pages_have_academicpages_front_matter(record):
    files = render(record, ExportFormat.JEKYLL).files
    page = frontmatter.loads(files["_publications/2024-01-01-vanbeethoven2024fast.md"])
    assert page["title"] == NASTY_TITLE
    assert page["collection"] == "publications"
    assert page["category"] == "conferences"
    assert str(page["date"]) == "2024-01-01"
    assert page["permalink"] == "/publication/2024-01-01-vanbeethoven2024fast"
    assert "**Zili Zhang**" in page.content  # the researcher in bold in the body
    assert "\\_" in page.content
    assert "\\{a\\}" in page.content
    assert frontmatter.loads(files["_publications/2023-01-01-liu2023rise.md"])["category"] == "manuscripts"


def test_keys_that_slugify_alike_keep_one_page_and_permalink_each():
    # Valid, distinct CV keys: "a-b-2" comes first, so a "-<count>" suffix for the later
    # "a.b"/"a-b" clash would land on it; "Zhang2023"/"zhang2023" differ only in case.
    keys = ["a-b-2", "a.b", "a-b", "Zhang2023", "zhang2023"]
    data = {"person": {"name": "Zili Zhang"}, "publications": [{"key": k, "title": f"Title {k}", "year": 2023} for k in keys]}
    record = record_from_data(FIXTURE, data)
    hugo = render(record, ExportFormat.HUGO).files
    titles = sorted(frontmatter.loads(text)["title"] for path, text in hugo.items() if path.endswith("index.md"))
    assert titles == sorted(f"Title {k}" for k in keys)
    jekyll = render(record, ExportFormat.JEKYLL).files
    pages = [frontmatter.loads(text) for text in jekyll.values()]
    assert sorted(p["title"] for p in pages) == sorted(f"Title {k}" for k in keys)
    permalinks = [p["permalink"] for p in pages]
    assert len(set(permalinks)) == len(keys)
    assert {f"_publications/{link.rsplit('/', 1)[1]}.md" for link in permalinks} == set(jekyll)


def _strip_comments(latex: str) -> str:
    return "\n".join(re.sub(r"(?<!\\)%.*$", "", line) for line in latex.splitlines())


def test_latex_for_awesome_cv_balances_braces_and_escapes_specials(record):
    text = render(record, ExportFormat.LATEX).text
    assert text.count("\\cventry") == len(record.works)
    body = _strip_comments(text)
    depth = 0
    for char in re.sub(r"\\[{}]", "", body):  # escaped braces are text, not groups
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert not re.search(r"(?<!\\)[&$#_^~]", body.replace("\\textasciitilde", "").replace("\\textasciicircum", ""))
    assert "100\\%" in text
    assert "\\&" in text
    assert "\\_" in text
    assert "\\{a\\}" in text
    assert "\\textbackslash" in text
    assert "\\textbf{Zili Zhang}" in text
    assert "{NSDI'23}" in text  # the seed CV's "NSDI'23" venue style
    assert decode(re.search(r"\{(Fast \\& 100.*?)\} % Title", text).group(1)) == NASTY_TITLE


def test_markdown_groups_by_year_and_escapes(record):
    text = render(record, ExportFormat.MARKDOWN).text
    headings = re.findall(r"^### (.+)$", text, flags=re.M)
    assert headings == ["Preprints", "2024", "2023", "2022"]
    line = next(item for item in text.splitlines() if "Zürich" in item)
    assert "\\{a\\}" in line
    assert "\\_" in line
    assert "[DOI](https://doi.org/10.1145/3627703.3629_999)" in line


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_exports_are_deterministic(fmt, record):
    first, second = render(record, fmt), render(load_cv(FIXTURE), fmt)
    again = render(record, fmt)
    assert (first.text, dict(first.files)) == (again.text, dict(again.files))
    assert (second.text or second.files)  # the plain fixture renders too
