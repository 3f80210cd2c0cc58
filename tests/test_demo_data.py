"""The bundled demo profile: valid config and CV, honest sample snapshots, and the drift they must show.

These tests read the files at the repository root (``config.yaml``, ``cv.yaml``, ``cache/``), the
ones a user gets on a fresh clone. They check the data, not the report: that the drift the demo
promises (issue 3, item 9) is present in the snapshots, and that no identifier was invented.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

from profilesync.config import load_config
from profilesync.cv.record import CvRecord, load_cv
from profilesync.model import Snapshot, Work, WorkType, parse_time
from profilesync.normalize.names import same_person_name
from profilesync.normalize.text import normalize_title
from profilesync.snapshots import SnapshotStore

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("dblp", "orcid", "scholar", "github")

# Every DOI and arXiv id the public facts give for this researcher's papers (and the namesake's).
# A snapshot identifier outside these sets would be an invented one.
KNOWN_DOIS = {"10.1145/3603269.3604816", "10.1145/3597204", "10.1145/3546591.3547529", "10.1145/3768628", "10.1145/3718958.3750472"}
KNOWN_ARXIV = {"2305.05920", "2404.12457", "2408.04275", "2409.13221", "2504.15930", "2508.17219", "2603.28101", "2112.06222", "2505.04376"}
NAMESAKE_TITLE = "Label-efficient Single Photon Images Classification via Active Learning"


@pytest.fixture(scope="module")
def config():
    return load_config(REPO_ROOT / "config.yaml")


@pytest.fixture(scope="module")
def cv(config) -> CvRecord:
    return load_cv(config.cv_path)


@pytest.fixture(scope="module")
def snapshots(config) -> dict[str, Snapshot]:
    store = SnapshotStore(config.snapshot_dir)
    loaded = {name: store.load(name) for name in SOURCES}
    missing = [name for name, snap in loaded.items() if snap is None]
    assert not missing, f"no bundled snapshot for {missing}"
    return loaded  # type: ignore[return-value]


def by_title(works: Iterable[Work], title: str) -> list[Work]:
    wanted = normalize_title(title)
    return [w for w in works if normalize_title(w.title) == wanted]


def one(works: Iterable[Work], title: str) -> Work:
    found = by_title(works, title)
    assert len(found) == 1, f"expected one work titled {title!r}, found {len(found)}"
    return found[0]


# --------------------------------------------------------------------------- config and CV


def test_config_carries_the_real_public_ids_and_no_dblp_pid(config, cv):
    assert config.cache_dir == REPO_ROOT / "cache"
    assert config.sources["orcid"].id == cv.person.ids.orcid == "0000-0003-4209-9451"
    assert config.sources["scholar"].id == cv.person.ids.scholar == "310QUvQAAAAJ"
    assert config.sources["github"].id == cv.person.ids.github == "Gold-Sea"
    dblp = config.sources["dblp"]
    assert dblp.id is None
    assert cv.person.ids.dblp is None
    assert {"Xin Jin", "Xuanzhe Liu", "Chao Jin"} <= set(dblp.options.coauthors)
    assert config.sources["orcid"].token_env == "ORCID_TOKEN"
    assert config.sources["github"].token_env == "GITHUB_TOKEN"
    assert config.schedule.cron == "0 6 * * 1"


def test_cv_is_the_2023_cv_as_written(cv):
    assert [w.key for w in cv.works] == ["wu2023fastserve", "zhang2023auncel", "jin2023ditto", "wu2023tgs", "liu2023rise", "xie2022hawc"]
    fastserve = cv.by_key("wu2023fastserve")
    assert fastserve.type is WorkType.PREPRINT
    assert fastserve.status.value == "preprint"
    assert len(fastserve.authors) == 6
    tgs = cv.by_key("wu2023tgs")
    assert tgs.title.endswith("for Deep Learning Training")
    assert tgs.year == 2024
    assert "From A Software" in cv.by_key("liu2023rise").title
    # The 2023 CV printed no identifiers: the sources must supply them.
    assert all(not dict(w.ids.items()) for w in cv.works)
    assert cv.person.homepage == "https://zilizhang.site"


# --------------------------------------------------------------------------- the snapshots themselves


@pytest.mark.parametrize("source", SOURCES)
def test_snapshot_is_labelled_sample_and_in_canonical_form(config, snapshots, source):
    snap = snapshots[source]
    assert snap.source == source
    assert snap.sample is True
    assert any("SAMPLE DATA" in note for note in snap.notes)
    assert snap.fetched_at.year == 2026
    # The file is exactly what Snapshot.to_dict writes, so a live pull produces the same shape.
    on_disk = json.loads((config.snapshot_dir / f"{source}.json").read_text(encoding="utf-8"))
    assert Snapshot.from_dict(on_disk).to_dict() == on_disk


@pytest.mark.parametrize("source", SOURCES)
def test_no_identifier_is_invented(snapshots, source):
    for work in snapshots[source].works:
        assert (work.ids.dblp, work.ids.orcid_put_code, work.ids.scholar) == (None, None, None), work.title
        if source != "github":
            assert work.source_ref is None, work.title  # no DBLP keys, put-codes or Scholar ids are known
        assert all(a.pid is None for a in work.authors), work.title
        assert work.ids.doi is None or work.ids.doi in KNOWN_DOIS, work.ids.doi
        assert work.ids.arxiv is None or work.ids.arxiv in KNOWN_ARXIV, work.ids.arxiv
        assert work.cites.doi in KNOWN_DOIS | {None}
        assert work.cites.arxiv in KNOWN_ARXIV | {None}


# --------------------------------------------------------------------------- DBLP drift


def test_dblp_has_the_preprint_published_with_more_authors_and_a_new_title(cv, snapshots):
    cv_fastserve = cv.by_key("wu2023fastserve")
    published = one(snapshots["dblp"].works, "FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference")
    assert published.venue_acronym == "NSDI"
    assert published.year == 2026
    assert published.type is WorkType.CONFERENCE
    assert len(published.authors) == 9 > len(cv_fastserve.authors) == 6
    # The CV's six are all among the nine, so the two are one work.
    assert all(any(same_person_name(a, b) for b in published.author_names) for a in cv_fastserve.author_names)
    assert published.ids.doi is None
    assert not by_title(snapshots["dblp"].works, cv_fastserve.title)


def test_dblp_has_the_reworded_tgs_title_and_the_real_year(cv, snapshots):
    cv_tgs = cv.by_key("wu2023tgs")
    dblp_tgs = one(snapshots["dblp"].works, "Transparent GPU Sharing in Container Clouds for Deep Learning Workloads")
    assert normalize_title(dblp_tgs.title) != normalize_title(cv_tgs.title)
    assert (dblp_tgs.year, cv_tgs.year) == (2023, 2024)
    assert dblp_tgs.pages == "69-85"
    assert dblp_tgs.author_names == cv_tgs.author_names


def test_dblp_supplies_ids_pages_and_a_case_change_for_cv_papers(cv, snapshots):
    dblp = snapshots["dblp"].works
    ditto = one(dblp, cv.by_key("jin2023ditto").title)
    assert (ditto.ids.doi, ditto.pages) == ("10.1145/3603269.3604816", "406-419")
    auncel = one(dblp, cv.by_key("zhang2023auncel").title)
    assert auncel.pages == "995-1011"
    assert auncel.ids.doi is None
    hawc = one(dblp, cv.by_key("xie2022hawc").title)
    assert hawc.ids.doi == "10.1145/3546591.3547529"
    assert hawc.venue_acronym == "APSys"
    rise = one(dblp, cv.by_key("liu2023rise").title)
    assert rise.ids.doi == "10.1145/3597204"
    assert rise.title != cv.by_key("liu2023rise").title
    assert rise.title.lower() == cv.by_key("liu2023rise").title.lower()
    assert "Xin Jin 0008" in rise.author_names  # DBLP's homonym number, as researchr shows it


def test_dblp_has_newer_papers_the_cv_lacks(cv, snapshots):
    cv_titles = {normalize_title(w.title) for w in cv.works}
    newer = [w for w in snapshots["dblp"].works if normalize_title(w.title) not in cv_titles and w.year and w.year >= 2024]
    names = {w.title.split(":")[0] for w in newer}
    assert {"Jolteon", "dLoRA", "RAGCache", "DistTrain", "StreamRL", "TokenLake"} <= names
    preprints = [w for w in snapshots["dblp"].works if w.type is WorkType.PREPRINT]
    assert {w.ids.arxiv for w in preprints} == {"2504.15930", "2508.17219"}
    assert all(w.venue_acronym == "CoRR" for w in preprints)
    assert one(newer, "RAGCache: Efficient Knowledge Caching for Retrieval-Augmented Generation").ids.doi == "10.1145/3768628"


# --------------------------------------------------------------------------- ORCID drift


def test_orcid_lacks_cv_papers_and_newer_ones(cv, snapshots):
    orcid = snapshots["orcid"]
    assert orcid.person.ids.orcid == "0000-0003-4209-9451"
    assert orcid.person.homepage == "https://zilizhang.site"
    assert orcid.person.affiliation == "Peking University"
    titles = {normalize_title(w.title) for w in orcid.works}
    dois = {w.ids.doi for w in orcid.works if w.ids.doi}
    assert normalize_title(cv.by_key("wu2023tgs").title) not in titles
    assert normalize_title("Transparent GPU Sharing in Container Clouds for Deep Learning Workloads") not in titles
    assert normalize_title(cv.by_key("xie2022hawc").title) not in titles
    assert "10.1145/3546591.3547529" not in dois
    dblp_only = {normalize_title(w.title) for w in snapshots["dblp"].works} - titles
    assert normalize_title("Optimizing RLHF Training for Large Language Models with Stage Fusion") in dblp_only
    # The published FastServe carries its preprint's arXiv id: the bridge between the two versions.
    fastserve = one(orcid.works, "FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference")
    assert fastserve.ids.arxiv == "2305.05920"


# --------------------------------------------------------------------------- Scholar drift


def test_scholar_shows_a_namesakes_paper(cv, snapshots):
    row = one(snapshots["scholar"].works, NAMESAKE_TITLE)
    assert row.ids.arxiv == "2505.04376"
    assert "Z Zhang" in row.author_names
    assert "X Ren" in row.author_names
    # Nobody else lists it: it is not this researcher's.
    for other in ("dblp", "orcid"):
        assert not by_title(snapshots[other].works, NAMESAKE_TITLE)
    assert not by_title(cv.works, NAMESAKE_TITLE)


def test_scholar_lists_the_same_paper_twice(cv, snapshots):
    rows = snapshots["scholar"].works
    preprint = one(rows, cv.by_key("wu2023fastserve").title)  # title matches only after case folding
    assert preprint.title != cv.by_key("wu2023fastserve").title
    assert preprint.ids.arxiv == "2305.05920"
    assert preprint.type is WorkType.PREPRINT
    published = one(rows, "FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference")
    assert published.year == 2026
    assert published.ids.arxiv is None
    disttrain = by_title(rows, "DistTrain: Addressing Model and Data Heterogeneity with Disaggregated Training for Multimodal Large Language Models")
    assert len(disttrain) == 2
    assert {w.type for w in disttrain} == {WorkType.PREPRINT, WorkType.CONFERENCE}


def test_scholar_rows_look_like_scholar(snapshots):
    rows = snapshots["scholar"].works
    assert any(w.year is None for w in rows)
    assert any("authors" in w.cut for w in rows)
    assert any(w.title.endswith("…") for w in rows)
    assert any(w.title.startswith("Ragcache:") for w in rows)  # Scholar's case for "RAGCache"
    assert all(all(len(a.name.split()[0]) <= 2 for a in w.authors) for w in rows)  # "B Wu": initials only


def test_scholar_metrics_are_consistent_and_history_shows_movement(config, snapshots):
    scholar = snapshots["scholar"]
    metrics = scholar.metrics
    counts = sorted((w.citations for w in scholar.works), reverse=True)
    assert all(c is not None for c in counts)
    assert metrics.citations == sum(counts) == sum(metrics.citations_per_year.values())
    assert metrics.h_index == max(i for i in range(len(counts) + 1) if i == 0 or counts[i - 1] >= i)
    assert metrics.i10_index == sum(c >= 10 for c in counts)
    assert any("ILLUSTRATIVE" in note for note in scholar.notes)

    history = json.loads((config.cache_dir / "history" / "scholar.json").read_text(encoding="utf-8"))
    assert len(history) >= 2
    assert all(set(entry) == {"fetched_at", "citations", "h_index", "i10_index"} for entry in history)
    moments: list[datetime] = [parse_time(e["fetched_at"]) for e in history]
    assert moments == sorted(moments)
    assert moments[-1] < scholar.fetched_at
    citations = [e["citations"] for e in history] + [metrics.citations]
    assert citations == sorted(citations)
    assert len(set(citations)) == len(citations)


# --------------------------------------------------------------------------- GitHub drift


def test_github_has_the_account_and_every_extra_repo(config, snapshots):
    github = snapshots["github"]
    assert github.person.ids.github == "Gold-Sea"
    assert github.person.homepage == "https://zilizhang.site"
    names = {w.source_ref for w in github.works}
    assert set(config.sources["github"].options.extra_repos) <= names
    assert {"Gold-Sea/Gold-Sea.github.io", "Gold-Sea/Automatic-Music-Composition"} <= names
    assert all(w.type is WorkType.SOFTWARE for w in github.works)
    assert all("stargazers_count" not in w.extra for w in github.works)


def test_github_repos_cite_papers_in_and_beyond_the_cv(cv, snapshots):
    repos = {w.source_ref: w for w in snapshots["github"].works}
    ditto_doi = one(snapshots["dblp"].works, cv.by_key("jin2023ditto").title).ids.doi
    assert repos["chaojin0310/Ditto"].cites.doi == ditto_doi
    cv_titles = {normalize_title(w.title) for w in cv.works}
    assert normalize_title(repos["pkusys/Auncel"].cites.title) in cv_titles
    assert normalize_title(repos["pkusys/Jolteon"].cites.title) not in cv_titles
    own = [w for w in repos.values() if w.source_ref.startswith("Gold-Sea/")]
    assert own
    assert not any(w.cites for w in own)


def test_snapshots_written_before_typed_flags_load_into_them():
    """Older snapshots (the bundled ones among them) carried Work.cut and Work.own_record as
    extra flags ("title_truncated", "own_record"); they load into the typed fields, once."""
    from profilesync.model import Work

    old = Work.from_dict({"title": "A Long Title Cut…", "extra": {"title_truncated": True, "authors_truncated": True, "own_record": True, "orcid_source": "X"}})
    assert old.cut == {"title", "authors"} and old.own_record
    assert old.extra == {"orcid_source": "X"}
    again = Work.from_dict(old.to_dict())
    assert again == old
    assert old.to_dict()["cut"] == ["authors", "title"]
