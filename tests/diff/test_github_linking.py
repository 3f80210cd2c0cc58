"""Linking repositories to CV publications (diff/software.py).

Repositories are built the way the connector builds them: real CITATION.cff texts parsed by
``parse_cff`` and the hints merged by ``build_cites``. CV entries go through the CV reader's
``publication_to_work``, so DOIs, arXiv ids and ``code:`` URLs are in canonical form as in a run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from profilesync.connectors.github_cff import parse_cff
from profilesync.connectors.github_cites import build_cites
from profilesync.cv.record import publication_to_work
from profilesync.diff.software import LinkBasis, SoftwareLink, link_software
from profilesync.model import Cites, ExternalIds, Work, WorkType

CFF = Path(__file__).parents[1] / "fixtures" / "github" / "cff"

PYTORCH2 = "PyTorch 2: Faster Machine Learning Through Dynamic Python Bytecode Transformation and Graph Compilation"
AUNCEL = "Fast, Approximate Vector Queries on Very Large Unstructured Datasets"
AUNCEL_AUTHORS = ["Zili Zhang", "Chao Jin", "Linpeng Tang", "Xuanzhe Liu", "Xin Jin"]


def cv(key: str, title: str, **fields: Any) -> Work:
    entry = {"key": key, "title": title, "authors": fields.pop("authors", []), "type": "conference", **fields}
    return publication_to_work(entry)


def repo(full_name: str, *, cff: str | None = None, description: str | None = None, homepage: str | None = None, cites: dict | None = None) -> Work:
    record = parse_cff((CFF / f"{cff}.CITATION.cff").read_text(encoding="utf-8")) if cff else None
    if cites is None:
        cites = build_cites(record.preferred if record else None, [("description", description), ("homepage", homepage)])
    return Work(
        title=(record.title if record and record.title else full_name.split("/")[1]),
        authors=record.authors if record else (),
        type=WorkType.SOFTWARE,
        ids=ExternalIds(github=full_name.lower(), doi=record.doi if record else None),
        source_ref=full_name,
        extra={"homepage": homepage},
        description=description,
        cites=Cites.from_dict(cites),
    )


def the_link(links: list[SoftwareLink], name: str) -> SoftwareLink:
    return next(link for link in links if link.repo == name)


CV_WORKS = [
    cv("paszke2019pytorch", "PyTorch: An Imperative Style, High-Performance Deep Learning Library", year=2019, ids={"doi": "10.5555/3454287.3455008"}),
    cv("ansel2024pytorch2", PYTORCH2, year=2024, venue="ASPLOS", ids={"doi": "https://doi.org/10.1145/3620665.3640366"}),
    cv("zhang2023auncel", AUNCEL, year=2023, venue="NSDI", authors=AUNCEL_AUTHORS),
]


def test_preferred_citation_doi_links_to_the_right_cv_entry():
    links = link_software(CV_WORKS, [repo("pytorch/pytorch", cff="pytorch_pytorch")])

    assert links == [SoftwareLink("pytorch/pytorch", "ansel2024pytorch2", LinkBasis.DOI, 1.0, links[0].cited)]
    assert links[0].cited.doi == "10.1145/3620665.3640366"
    assert links[0].cited.origin == ("preferred-citation",)


def test_citation_file_doi_of_the_repository_itself_also_links():
    # CFF's top-level doi is meant for the software, but often holds the paper's DOI.
    software = repo("vida-nyu/reprozip", cff="VIDA-NYU_reprozip")
    paper = cv("rampin2021", "ReproZip software release", ids={"doi": "10.5281/zenodo.5081097"})

    (link,) = link_software([paper], [software])

    assert (link.cv_key, link.how) == ("rampin2021", LinkBasis.DOI)


def test_arxiv_id_in_homepage_links_to_a_cv_entry_with_that_id_or_its_datacite_doi():
    by_id = cv("zhang2023auncel", AUNCEL, ids={"arxiv": "arXiv:2305.05920v1"})
    by_doi = cv("zhang2023auncel", AUNCEL, ids={"doi": "10.48550/arXiv.2305.05920"})
    software = repo("pkusys/Auncel", homepage="https://arxiv.org/abs/2305.05920")

    for paper in (by_id, by_doi):
        (link,) = link_software([paper], [software])
        assert (link.cv_key, link.how, link.score) == ("zhang2023auncel", LinkBasis.ARXIV, 1.0)


def test_title_only_citation_links_when_the_match_is_strong():
    # scikit-learn's preferred-citation has no DOI: only title, authors and year.
    paper = cv("pedregosa2011", "Scikit-learn: machine learning in Python.", year=2011, authors=["Fabian Pedregosa", "Gaël Varoquaux", "Alexandre Gramfort"])

    (link,) = link_software([*CV_WORKS, paper], [repo("scikit-learn/scikit-learn", cff="scikit-learn_scikit-learn")])

    assert (link.cv_key, link.how, link.score) == ("pedregosa2011", LinkBasis.TITLE, 1.0)


@pytest.mark.parametrize(
    ("cited_title", "why"),
    [
        ("Fast Approximate Vector Queries on Very Large Structured Datasets", "one word differs; character ratio 0.985"),
        ("Fast Approximate Vector Search on Very Large Unstructured Datasets", "one word differs; character ratio 0.93"),
        ("Fast Approximate Vector Queries on Large Datasets", "words missing"),
    ],
)
def test_similar_but_different_title_does_not_link(cited_title, why):
    software = repo("someone/vecsearch", cites={"title": cited_title, "from": ["preferred-citation"]})

    (link,) = link_software(CV_WORKS, [software])

    assert link.cv_key is None, why
    assert link.how is LinkBasis.TITLE
    assert 0.5 < link.score < 1.0  # the best similarity reached is reported


def test_reworded_rendering_of_the_same_title_links():
    software = repo("pkusys/Auncel", cites={"title": "Auncel: fast, approximate vector query on very large unstructured dataset.", "authors": ["Zhang, Zili", "Jin, Xin"], "year": 2023})

    (link,) = link_software(CV_WORKS, [software])

    assert (link.cv_key, link.how) == ("zhang2023auncel", LinkBasis.TITLE)
    assert link.score >= 0.92


def test_same_title_with_other_authors_or_a_distant_year_does_not_link():
    strangers = repo("other/auncel", cites={"title": AUNCEL, "authors": ["Alice Smith", "Bob Jones"]})
    long_ago = repo("other/auncel-old", cites={"title": AUNCEL, "year": 2015})

    links = link_software(CV_WORKS, [strangers, long_ago])

    assert [(link.repo, link.cv_key) for link in links] == [("other/auncel", None), ("other/auncel-old", None)]


def test_cv_title_inside_the_description_links():
    software = repo("pkusys/Auncel", description=f"Code for our NSDI'23 paper \"{AUNCEL}\".")

    (link,) = link_software(CV_WORKS, [software])

    assert (link.cv_key, link.how, link.score) == ("zhang2023auncel", LinkBasis.TITLE, 1.0)


def test_code_url_in_the_cv_is_a_link_already():
    paper = cv("zhang2023auncel", AUNCEL, code="https://github.com/pkusys/Auncel/tree/main")

    (link,) = link_software([paper], [repo("pkusys/Auncel")])

    assert (link.repo, link.cv_key, link.how) == ("pkusys/auncel", "zhang2023auncel", LinkBasis.CODE)


def test_repository_citing_a_paper_the_cv_lacks_is_reported_unlinked():
    software = repo("someone/tool", description="Implementation of https://doi.org/10.1145/9999999.9999999.")
    plain = repo("jacquev6/DrawTurksHead", description="Python library to draw Turk's Head knots")

    links = link_software(CV_WORKS, [software, plain])

    assert links == [SoftwareLink("someone/tool", None, LinkBasis.DOI, 0.0, Cites(doi="10.1145/9999999.9999999", origin=("description",)))]


def test_link_basis_reads_as_its_value_in_messages_and_json():
    link = link_software(CV_WORKS, [repo("pytorch/pytorch", cff="pytorch_pytorch")])[0]

    assert f"linked by {link.how}" == "linked by doi"
    assert json.dumps({"how": link.how}) == '{"how": "doi"}'
    assert link.how in ("doi", "arxiv")
