"""CITATION.cff reading and the citation hints found in repository texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from profilesync.connectors.github_cff import CffError, cited_paper, parse_cff
from profilesync.connectors.github_cites import build_cites, hints_from_readme, hints_from_text

CFF = Path(__file__).parents[1] / "fixtures" / "github" / "cff"


def read(name: str) -> str:
    return (CFF / f"{name}.CITATION.cff").read_text(encoding="utf-8")


def test_real_cff_1_2_file_is_valid_and_read_completely():
    record = parse_cff(read("scikit-learn_scikit-learn"))

    assert record.valid
    assert record.title == "scikit-learn"
    assert [a.name for a in record.authors] == ["The scikit-learn developers"]
    paper = record.preferred
    assert paper is not None
    assert (paper.title, paper.year, paper.venue, paper.doi) == ("Scikit-learn: Machine Learning in Python", 2011, "Journal of Machine Learning Research", None)
    assert paper.authors[:2] == ("Fabian Pedregosa", "Gaël Varoquaux")
    assert paper.authors[-1] == "Édouard Duchesnay"


def test_older_cff_version_is_flagged_but_its_fields_are_kept():
    record = parse_cff(read("VIDA-NYU_reprozip"))

    assert not record.valid
    assert record.problems == ("cff-version: '1.1.0' does not match '^1\\\\.2\\\\.0$'",)
    assert (record.title, record.version, record.doi, record.date_released) == ("ReproZip", "1.1", "10.5281/zenodo.5081097", "2021-07-06")
    assert [a.orcid for a in record.authors][:1] == ["0000-0002-0524-2282"]
    assert record.preferred is None  # it lists its papers under references, which are not "cite this instead"


def test_numbers_and_dates_keep_the_text_the_author_wrote():
    text = "cff-version: 1.2.0\nmessage: Cite me\ntitle: tool\nauthors:\n  - name: Lab\nversion: 1.10\ndate-released: 2021-07-18\n"

    record = parse_cff(text)

    assert record.version == "1.10"  # a YAML float would say 1.1
    assert record.date_released == "2021-07-18"
    assert record.valid  # the schema wants strings for dates, and gets them


def test_missing_required_keys_are_listed():
    record = parse_cff("cff-version: 1.2.0\ntitle: tool\nauthors: []\n")

    assert not record.valid
    assert any("'message' is a required property" in p for p in record.problems)
    assert any(p.startswith("authors:") for p in record.problems)


@pytest.mark.parametrize("text", ["title: [unclosed\n", "- just\n- a list\n", "title: a\ntitle: b\n"])
def test_text_that_is_not_a_cff_mapping_is_an_error(text):
    with pytest.raises(CffError):
        parse_cff(text)


def test_cited_paper_reads_identifiers_particles_and_arxiv():
    paper = cited_paper(
        {
            "type": "article",
            "title": "Über tools",
            "authors": [{"given-names": "Hans", "name-particle": "van", "family-names": "Ørsted", "name-suffix": "Jr."}, {"name": "The Lab"}],
            "identifiers": [{"type": "doi", "value": "10.48550/arXiv.2305.05920"}],
            "conference": {"name": "Conf 2020"},
            "date-published": "2020-06-30",
        }
    )

    assert paper.authors == ("Hans van Ørsted Jr.", "The Lab")
    assert (paper.doi, paper.arxiv) == ("10.48550/arxiv.2305.05920", "2305.05920")
    assert (paper.venue, paper.year) == ("Conf 2020", 2020)


def test_hints_in_text_skip_software_dois_and_bare_numbers():
    dois, arxivs = hints_from_text("Paper: doi:10.1145/3620665.3640366. Release: https://doi.org/10.5281/zenodo.5081097, v2305.05920, arXiv: 2101.00001v3")

    assert dois == ["10.1145/3620665.3640366"]
    assert arxivs == ["2101.00001"]


def test_readme_hint_only_when_unambiguous():
    one = "Cite:\n@article{a,\n  title = {One Paper},\n  doi = {10.1000/one},\n}\n"
    two = one + "Related: https://doi.org/10.1000/two\n"

    assert hints_from_readme(one).doi == "10.1000/one"
    assert hints_from_readme(one).title == "One Paper"
    assert hints_from_readme(two).doi is None
    assert hints_from_readme("# Nothing to cite here\n") is None


def test_preferred_citation_wins_and_other_texts_fill_gaps():
    record = parse_cff(read("pytorch_pytorch"))

    cites = build_cites(record.preferred, [("description", "see doi 10.1000/other and arXiv:2101.00001"), ("homepage", None)])

    assert cites["doi"] == "10.1145/3620665.3640366"
    assert cites["arxiv"] == "2101.00001"
    assert cites["from"] == ["preferred-citation", "description"]
    assert build_cites(None, [("description", "no paper here")]) == {}
