"""`profilesync import scholar FILE` on Scholar's export formats.

The exports are CONSTRUCTED (tests/fixtures/scholar/README.md) in the shape Scholar's
Export -> BibTeX / CSV writes, from the real rows of two saved profile pages.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from conftest import REPO_ROOT, run_cli, tree_digest
from profilesync.connectors.scholar_import import read_scholar_export
from profilesync.errors import UserError
from profilesync.model import Snapshot, WorkType
from profilesync.snapshots import SnapshotStore
from test_scholar_support import FIXTURES, HTML, NOW, base_url, fixture, write_config

BIB = "constructed_citations_LZ5D_p4AAAAJ.bib"
CSV = "constructed_citations_P1RwlvoAAAAJ.csv"


@pytest.fixture
def profile(tmp_path):
    write_config(tmp_path, "https://scholar.google.com")
    for name in (BIB, CSV):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def saved(profile) -> Snapshot:
    return Snapshot.from_dict(json.loads((profile / "cache" / "snapshots" / "scholar.json").read_text(encoding="utf-8")))


def test_bibtex_export(profile):
    result = run_cli(["import", "scholar", BIB], profile, now=NOW)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"imported 5 works from {BIB} into cache/snapshots/scholar.json"
    snapshot = saved(profile)
    assert snapshot.source == "scholar"
    assert snapshot.fetched_at == NOW
    assert snapshot.metrics.is_empty()
    assert snapshot.extra == {"imported_from": BIB, "import_format": "bibtex"}
    assert "no citation counts" in snapshot.notes[0]
    works = snapshot.works
    first = works[0]
    assert first.title == "Performance comparison of various machine learning approaches to identify the best one in predicting heart disease"
    assert [a.name for a in first.authors] == ["EM Abd Allah", "DE El-Matary", "EM Eid", "AST El Dien"]
    assert (first.year, first.venue, first.pages, first.type) == (2022, "Journal of Computer and Communications", "1-18", WorkType.JOURNAL)
    assert first.citations is None
    conference = works[1]
    assert conference.type is WorkType.CONFERENCE
    assert conference.venue == "2011 28th National Radio Science Conference (NRSC)"
    assert conference.extra == {} and conference.cut == {"authors"}
    assert [a.name for a in conference.authors] == ["EAAA Hagras", "D El-Saied", "HH Aly"]
    # Scholar reuses a key for two entries: both are kept, braces and LaTeX decoded.
    twins = [w for w in works if w.source_ref == "el2013performance"]
    assert [w.venue for w in twins] == [None, "International Journal of Scientific & Engineering Research"]
    assert twins[0].title == "Performance Analysis of LDPC-IDMA-UWB Signals in Non-Gaussian Noisy Channel"
    assert works[-1].year is None
    assert works[-1].extra == {"year_missing": True}


def test_csv_export(profile):
    result = run_cli(["import", "scholar", CSV], profile, now=NOW)

    assert result.exit_code == 0, result.stderr
    snapshot = saved(profile)
    assert snapshot.extra["import_format"] == "csv"
    assert len(snapshot.works) == 4
    first = snapshot.works[0]
    assert first.title == "Set in stone: Analysis of an immutable web3 social media platform"
    assert [a.name for a in first.authors] == ["Wenrui Zuo", "Aravindh Raman", "Raúl J Mondragón", "Gareth Tyson"]
    assert (first.year, first.pages, first.type) == (2023, "1865-1874", WorkType.CONFERENCE)
    preprint = snapshot.works[2]
    assert preprint.type is WorkType.PREPRINT
    assert preprint.ids.arxiv == "2410.03532"
    assert snapshot.works[3].venue is None


def test_import_replaces_the_previous_snapshot_and_says_so(profile):
    assert run_cli(["import", "scholar", CSV], profile, now=NOW.replace(month=1)).exit_code == 0

    result = run_cli(["import", "scholar", BIB], profile, now=NOW)

    assert result.exit_code == 0
    assert "replaced the scholar snapshot of 2026-01-01T06:00:00Z (4 works)" in result.stderr
    assert len(saved(profile).works) == 5


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        ("@article{a,\n  title={Fine},\n  year={2020}\n}\n\n@inproceedings{b,\n  title={Broken\n  year=\n", "line 6", "not valid BibTeX"),
        ("@article{a,\n  title={A title},\n  year={in press}\n}\n", "line 1", "the year 'in press' is not a year"),
        ("@article{a,\n  author={Someone, A},\n  year={2020}\n}\n", "line 1", "has no title"),
        ("\ufeffAuthors,Title,Publication,Volume,Number,Pages,Year,Publisher\n\"A, B; \",T,V,,,,2020,\n\"C, D; \",U,V,,,,20x1,\n", "line 3", "the year '20x1' is not a year"),
        ("Authors,Title,Publication,Volume,Number,Pages,Year,Publisher\nA,T,V,1,2,3,2020,P,extra,more\n", "line 2", "10 fields where the header has 8"),
        ("Name,Heading\nA,T\n", "line 1", "neither a BibTeX nor a CSV export"),
        ("Authors,Title,Publication,Volume,Number,Pages,Year,Publisher\n", None, "only a header"),
        ("", None, "the file is empty"),
    ],
    ids=["broken-entry", "bad-year", "no-title", "csv-bad-year", "csv-extra-fields", "not-an-export", "header-only", "empty"],
)
def test_bad_files_exit_2_name_the_line_and_write_nothing(profile, content, where, what):
    (profile / "bad.txt").write_text(content, encoding="utf-8")
    SnapshotStore(profile / "cache" / "snapshots").save(read_scholar_export(profile / CSV, CSV, now=NOW))
    before = tree_digest(profile / "cache")

    result = run_cli(["import", "scholar", "bad.txt"], profile, now=NOW)

    assert result.exit_code == 2
    prefix = f"error: bad.txt: {where}: " if where else "error: bad.txt: "
    assert prefix in result.stderr, result.stderr
    assert what in result.stderr
    assert result.stdout == ""
    assert tree_digest(profile / "cache") == before


def test_not_utf8_and_missing_file(profile):
    (profile / "latin1.csv").write_bytes("Authors,Title\n\"Mondragón, R\",T\n".encode("latin-1"))

    latin = run_cli(["import", "scholar", "latin1.csv"], profile)
    missing = run_cli(["import", "scholar", "nope.bib"], profile)

    assert latin.exit_code == 2
    assert "latin1.csv: line 2: the file is not UTF-8 text" in latin.stderr
    assert missing.exit_code == 2
    assert "nope.bib: no such file" in missing.stderr
    assert not (profile / "cache").exists()


def test_only_known_sources_can_be_imported(profile):
    result = run_cli(["import", "dblp", BIB], profile)

    assert result.exit_code == 2
    assert "invalid choice" in result.stderr


def test_bibtex_parse_errors_do_not_reach_the_terminal(profile, capfd):
    (profile / "bad.bib").write_text("@inproceedings{b,\n  title={Broken\n", encoding="utf-8")

    with pytest.raises(UserError):
        read_scholar_export(profile / "bad.bib", "bad.bib", now=NOW)

    captured = capfd.readouterr()
    assert "aborted" not in captured.err
    assert captured.out == ""


def test_blocked_pull_then_import_makes_scholar_usable_again(httpserver, tmp_path):
    """The fallback as a blocked user lives it, on the bundled demo profile."""


    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache", ignore=shutil.ignore_patterns("http", "*.sqlite", "state.db", "status.json", "backups"))
    config = tmp_path / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("    timeout_s: 120\n", f'    timeout_s: 10\n    base_url: "{base_url(httpserver)}"\n    min_interval_s: 0\n'),
        encoding="utf-8",
    )
    shutil.copy(FIXTURES / CSV, tmp_path / CSV)
    httpserver.expect_request("/citations").respond_with_data(fixture("constructed_captcha.html"), content_type=HTML)

    blocked = run_cli(["diff", "--refresh", "--source", "scholar", "--format", "json"], tmp_path, now=NOW)
    imported = run_cli(["import", "scholar", CSV], tmp_path, now=NOW + timedelta(hours=1))
    after = run_cli(["diff", "--source", "scholar", "--format", "json"], tmp_path, now=NOW + timedelta(hours=2))

    assert blocked.exit_code == 3
    assert json.loads(blocked.stdout)["sources"]["scholar"]["status"] == "stale"
    assert imported.exit_code == 0, imported.stderr
    assert after.exit_code in (0, 1), after.stderr
    scholar = json.loads(after.stdout)["sources"]["scholar"]
    assert scholar["status"] == "ok"
    assert scholar["works"] == 4
    assert len(httpserver.log) == 1  # the plain diff after the import asked Scholar nothing


def test_metrics_copied_from_the_profile_page(profile):
    result = run_cli(["import", "scholar", CSV, "--citations", "39", "--h-index", "4", "--i10-index", "2"], profile, now=NOW)
    bad = run_cli(["import", "scholar", CSV, "--h-index", "four"], profile, now=NOW)

    assert result.exit_code == 0, result.stderr
    metrics = saved(profile).metrics
    assert (metrics.citations, metrics.h_index, metrics.i10_index) == (39, 4, 2)
    assert "metrics typed in at import" in saved(profile).notes[-1]
    assert bad.exit_code == 2
    assert "expected a whole number, not 'four'" in bad.stderr


# Two entries as Google Scholar's "Cite -> BibTeX" writes them, quoted verbatim in public READMEs
# (found with the code index's find_string for `title={$\{$`: the DnD decompiler's README and a
# PoisonedRAG reimplementation's README). Scholar writes a title's protective braces as math.
SCHOLAR_BRACES_BIB = r"""@inproceedings{wu2022dnd,
  title={$\{$DnD$\}$: A $\{$Cross-Architecture$\}$ deep neural network decompiler},
  author={Wu, Ruoyu and Kim, Taegyu and Tian, Dave Jing and Bianchi, Antonio and Xu, Dongyan},
  booktitle={31st USENIX Security Symposium (USENIX Security 22)},
  pages={2135--2152},
  year={2022}
}

@inproceedings{zou2025poisonedrag,
  title={$\{$PoisonedRAG$\}$: Knowledge corruption attacks to $\{$Retrieval-Augmented$\}$ generation of large language models},
  author={Zou, Wei and Geng, Runpeng and Wang, Binghui and Jia, Jinyuan},
  booktitle={34th USENIX Security Symposium (USENIX Security 25)},
  pages={3827--3844},
  year={2025}
}

@article{erdos1960evolution,
  title={On the evolution of random graphs: 50% of $\alpha$-cuts \& {R}{\'e}nyi's $\{$graphs$\}$},
  author={Erd{\H{o}}s, P. and R{\'e}nyi, A.},
  journal={Publ. Math. Inst. Hung. Acad. Sci},
  volume={5},
  pages={17--61},
  year={1960},
  url={https://example.org/a%20b_c}
}
"""


def test_scholar_escaped_braces_and_latex_are_decoded(profile):
    (profile / "citations.bib").write_text(SCHOLAR_BRACES_BIB, encoding="utf-8")

    works = read_scholar_export(profile / "citations.bib", "citations.bib", now=NOW).works

    assert [w.title for w in works] == [
        "DnD: A Cross-Architecture deep neural network decompiler",
        "PoisonedRAG: Knowledge corruption attacks to Retrieval-Augmented generation of large language models",
        "On the evolution of random graphs: 50% of α-cuts & Rényi's graphs",
    ]
    assert [a.name for a in works[2].authors] == ["P. Erdős", "A. Rényi"]
    assert works[2].url == "https://example.org/a%20b_c"  # an address is not LaTeX
    assert works[0].pages == "2135-2152"


def test_imported_scholar_title_with_escaped_braces_is_not_a_change(tmp_path):
    """The demo CV's TGS paper, as Scholar exports it: the title differs only by Scholar's
    "$\\{$GPU$\\}$", which must not come back as a proposed title (issue 12.8)."""
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache")
    cv = (tmp_path / "cv.yaml").read_text(encoding="utf-8")
    assert "Transparent GPU Sharing in Container Clouds for Deep Learning Training" in cv
    (tmp_path / "citations.bib").write_text(
        "@inproceedings{wu2023transparent,\n"
        "  title={Transparent $\\{$GPU$\\}$ Sharing in Container Clouds for Deep Learning Training},\n"
        "  author={Wu, Bingyang and Zhang, Zili and Bai, Zhihao and Liu, Xuanzhe and Jin, Xin},\n"
        "  booktitle={20th USENIX Symposium on Networked Systems Design and Implementation (NSDI 23)},\n"
        "  pages={69--85},\n"
        "  year={2024}\n"
        "}\n",
        encoding="utf-8",
    )
    assert run_cli(["import", "scholar", "citations.bib"], tmp_path, now=NOW).exit_code == 0

    report = json.loads(run_cli(["diff", "--offline", "--format", "json", "--source", "scholar"], tmp_path, now=NOW).stdout)

    scholar = [c for c in report["changes"] if c["source"] == "scholar" and c.get("cv_key") == "wu2023tgs"]
    assert scholar  # Scholar has the pages the CV lacks: the paper was matched
    assert {c["work"]["title"] for c in scholar} == {"Transparent GPU Sharing in Container Clouds for Deep Learning Training"}
    assert not [c for c in scholar if c.get("field") == "title"], scholar
    assert "$" not in json.dumps(report["changes"])
