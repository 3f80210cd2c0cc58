"""The diff engine on hand-built inputs: kinds, precedence, decisions, and a property test."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilesync.config import Policy
from profilesync.cv.record import CvRecord, IgnoreRule
from profilesync.diff.changes import ChangeKind
from profilesync.diff.engine import DiffInput, compute
from profilesync.match.matcher import load_params
from profilesync.model import Author, ExternalIds, Person, PersonIds, Snapshot, Work, WorkStatus, WorkType
from profilesync.state import Decision, DecisionRecord

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
ME = Person(name="Zili Zhang", aliases=("Zhang, Zili",), ids=PersonIds(orcid="0000-0003-4209-9451"))


def cv_of(*works: Work, locks=None, ignore=()) -> CvRecord:
    return CvRecord(path=Path("cv.yaml"), person=ME, works=works, locks=locks or {}, ignore=tuple(ignore))


def snap(source: str, *works: Work) -> Snapshot:
    return Snapshot(source=source, fetched_at=NOW, person=None, works=works)


def authors(*names: str) -> tuple[Author, ...]:
    return tuple(Author(n) for n in names)


AUNCEL = Work(
    title="Fast, Approximate Vector Queries on Very Large Unstructured Datasets",
    authors=authors("Zili Zhang", "Chao Jin", "Linpeng Tang", "Xuanzhe Liu", "Xin Jin"),
    year=2023,
    venue_acronym="NSDI",
    type=WorkType.CONFERENCE,
    key="zhang2023auncel",
    status=WorkStatus.PUBLISHED,
)


def run(cv: CvRecord, *snapshots: Snapshot, decisions=None, precedence=None) -> list:
    policy = Policy() if precedence is None else Policy(precedence=precedence)
    data = DiffInput(
        cv=cv,
        snapshots={s.source: s for s in snapshots},
        policy=policy,
        params=load_params(),
        person=ME,
        coauthors=("Xin Jin", "Chao Jin", "Xuanzhe Liu"),
        decisions=decisions or {},
    )
    return list(compute(data).changes)


def test_pages_missing_in_cv_is_a_field_change_from_dblp():
    dblp = AUNCEL.with_(key=None, pages="995-1011", title=AUNCEL.title + ".")
    [change] = run(cv_of(AUNCEL), snap("dblp", dblp))
    assert change.kind is ChangeKind.FIELD_DIFFERS and change.field == "pages"
    assert change.source_value == "995-1011" and change.cv_key == "zhang2023auncel"


def test_precedence_picks_the_source_that_speaks_for_a_field():
    dblp = AUNCEL.with_(key=None, title="Fast, Approximate Vector Queries on Very Large Unstructured Datasets")
    scholar = AUNCEL.with_(key=None, title="Fast, approximate vector queries on very large unstructured data sets")
    assert run(cv_of(AUNCEL), snap("dblp", dblp), snap("scholar", scholar)) == []
    # With Scholar first for titles, its wording is proposed.
    changes = run(cv_of(AUNCEL), snap("dblp", dblp), snap("scholar", scholar), precedence={"title": ("scholar", "dblp")})
    assert [(c.kind, c.source, c.field) for c in changes] == [(ChangeKind.FIELD_DIFFERS, "scholar", "title")]


def test_locked_field_is_never_proposed():
    dblp = AUNCEL.with_(key=None, title="Auncel: Fast, Approximate Vector Queries on Very Large Unstructured Datasets")
    assert run(cv_of(AUNCEL, locks={"zhang2023auncel": frozenset({"title"})}), snap("dblp", dblp)) == []
    assert [c.field for c in run(cv_of(AUNCEL), snap("dblp", dblp))] == ["title"]


def test_namesake_work_is_foreign_and_ignore_list_silences_it():
    lidar = Work(
        title="Label-efficient Single Photon Images Classification via Active Learning",
        authors=authors("Zili Zhang", "Ziting Wen", "Yiheng Qiang", "Hongzhou Dong", "Wenle Dong", "Xinyang Li", "Xiaofan Wang", "Xiaoqiang Ren"),
        year=2025,
        type=WorkType.PREPRINT,
        ids=ExternalIds(arxiv="2505.04376"),
    )
    changes = run(cv_of(AUNCEL), snap("scholar", AUNCEL.with_(key=None), lidar))
    assert [c.kind for c in changes] == [ChangeKind.FOREIGN_WORK]
    assert "namesake" in changes[0].reason
    assert run(cv_of(AUNCEL, ignore=[IgnoreRule(arxiv="2505.04376")]), snap("scholar", AUNCEL.with_(key=None), lidar)) == []


def test_missing_in_cv_is_one_change_naming_every_source():
    jolteon = Work(title="Jolteon: Unleashing the Promise of Serverless for Serverless Workflows", authors=authors("Zili Zhang", "Chao Jin", "Xin Jin"), year=2024, type=WorkType.CONFERENCE)
    scholar_row = jolteon.with_(title="Jolteon: Unleashing the promise of serverless for serverless workflows", authors=authors("Z Zhang", "C Jin", "X Jin"))
    changes = [c for c in run(cv_of(AUNCEL), snap("dblp", AUNCEL.with_(key=None), jolteon), snap("scholar", AUNCEL.with_(key=None), scholar_row))]
    [missing] = [c for c in changes if c.kind is ChangeKind.MISSING_IN_CV]
    assert missing.source == "dblp" and missing.also_in == ("scholar",)


def test_cv_work_absent_from_source_is_missing_in_source():
    other = Work(title="Jolteon: Unleashing the Promise of Serverless for Serverless Workflows", authors=authors("Zili Zhang", "Chao Jin", "Xin Jin"), year=2024, key="zhang2024jolteon")
    changes = run(cv_of(AUNCEL, other), snap("orcid", AUNCEL.with_(key=None, own_record=True)))
    assert [(c.kind, c.cv_key) for c in changes] == [(ChangeKind.MISSING_IN_SOURCE, "zhang2024jolteon")]


def test_rejected_change_stays_hidden_until_the_value_changes():
    dblp = AUNCEL.with_(key=None, pages="995-1011")
    [change] = run(cv_of(AUNCEL), snap("dblp", dblp))
    decided = {change.fingerprint: DecisionRecord(change.fingerprint, Decision.REJECTED, change.value_digest, "2026-11-01T00:00:00Z")}
    assert run(cv_of(AUNCEL), snap("dblp", dblp), decisions=decided) == []
    [again] = run(cv_of(AUNCEL), snap("dblp", dblp.with_(pages="995-1012")), decisions=decided)
    assert again.source_value == "995-1012"


# --- property: a CV reconciled with a snapshot made from itself has nothing to report ---------

_words = st.sampled_from(
    "adaptive serverless vector query cache training inference scheduling graph learning compiler kernel "
    "storage network elastic distributed streaming sparse tensor memory workflow reinforcement model".split()
)
_names = st.sampled_from(["Chao Jin", "Xin Jin", "Xuanzhe Liu", "Bingyang Wu", "Yinmin Zhong", "Gang Huang", "Fangyue Liu"])


@st.composite
def cv_works(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    titles = draw(st.lists(st.lists(_words, min_size=4, max_size=9).map(" ".join), min_size=count, max_size=count, unique=True))
    works = []
    for i, title in enumerate(titles):
        coauthors = draw(st.lists(_names, min_size=1, max_size=4, unique=True))
        works.append(
            Work(
                title=title.capitalize(),
                authors=authors("Zili Zhang", *coauthors),
                year=draw(st.integers(min_value=2018, max_value=2026)),
                venue_acronym=draw(st.sampled_from(["NSDI", "OSDI", "SIGCOMM", "TOSEM"])),
                type=WorkType.CONFERENCE,
                pages=draw(st.one_of(st.none(), st.just("1-12"))),
                ids=ExternalIds(doi=draw(st.one_of(st.none(), st.just(f"10.1145/{1000 + i}")))),
                key=f"w{i}",
                status=WorkStatus.PUBLISHED,
            )
        )
    return works


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cv_works(), st.randoms(use_true_random=False))
def test_cv_against_its_own_snapshot_has_no_changes(works, rnd):
    source_works = [w.with_(key=None) for w in works]
    rnd.shuffle(source_works)
    changes = run(cv_of(*works), snap("dblp", *source_works), snap("orcid", *source_works))
    assert changes == []


FASTSERVE_PREPRINT = Work(
    title="Fast Distributed Inference Serving for Large Language Models",
    authors=authors("Bingyang Wu", "Yinmin Zhong", "Zili Zhang", "Gang Huang", "Xuanzhe Liu", "Xin Jin"),
    year=2023,
    type=WorkType.PREPRINT,
    key="wu2023fastserve",
    status=WorkStatus.PREPRINT,
)
FASTSERVE_NSDI = Work(
    title="FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference",
    authors=authors("Bingyang Wu", "Yinmin Zhong", "Zili Zhang", "Shengyu Liu", "Fangyue Liu", "Yuanhang Sun", "Gang Huang", "Xuanzhe Liu", "Xin Jin"),
    year=2026,
    venue_acronym="NSDI",
    type=WorkType.CONFERENCE,
)
RLHFUSE_NSDI = Work(
    title="Optimizing RLHF Training for Large Language Models with Stage Fusion",
    authors=authors("Yinmin Zhong", "Zili Zhang", "Bingyang Wu", "Shengyu Liu", "Yukun Chen", "Changyi Wan", "Hanpeng Hu", "Lei Xia", "Ranchen Ming", "Yibo Zhu", "Xin Jin"),
    year=2025,
    venue_acronym="NSDI",
    type=WorkType.CONFERENCE,
)


def test_published_preprint_is_one_new_version_and_a_sibling_paper_stays_new():
    changes = run(cv_of(FASTSERVE_PREPRINT), snap("dblp", FASTSERVE_NSDI, RLHFUSE_NSDI))
    kinds = sorted((c.kind.value, c.cv_key or c.work.title[:20]) for c in changes)
    assert kinds == [("missing_in_cv", "Optimizing RLHF Trai"), ("new_version", "wu2023fastserve")]
    [version] = [c for c in changes if c.kind is ChangeKind.NEW_VERSION]
    assert len(version.source_value["authors"]) == 9


def test_preprint_row_beside_the_published_row_is_a_duplicate_in_the_source():
    scholar_preprint = FASTSERVE_PREPRINT.with_(key=None, status=None)
    changes = run(cv_of(FASTSERVE_PREPRINT), snap("scholar", scholar_preprint, FASTSERVE_NSDI))
    assert sorted(c.kind.value for c in changes) == ["duplicate_in_source", "new_version"]


def test_new_version_keeps_the_arxiv_id_a_source_links_to_the_published_record():
    orcid_record = FASTSERVE_NSDI.with_(ids=ExternalIds(arxiv="2305.05920"), own_record=True)
    changes = run(cv_of(FASTSERVE_PREPRINT), snap("dblp", FASTSERVE_NSDI), snap("orcid", orcid_record))
    [version] = [c for c in changes if c.kind is ChangeKind.NEW_VERSION]
    assert version.source == "dblp" and version.also_in == ("orcid",)
    assert version.source_value["arxiv"] == "2305.05920" and version.work.ids.arxiv == "2305.05920"
    assert "keep arXiv 2305.05920" in version.reason


def test_rejected_work_stays_hidden_when_only_its_citation_count_moves():
    jolteon = Work(title="Jolteon: Unleashing the Promise of Serverless for Serverless Workflows", authors=authors("Zili Zhang", "Chao Jin", "Xin Jin"), year=2024, type=WorkType.CONFERENCE, citations=12, extra={"details_filled": True})
    [change] = [c for c in run(cv_of(AUNCEL), snap("scholar", AUNCEL.with_(key=None), jolteon)) if c.kind is ChangeKind.MISSING_IN_CV]
    decided = {change.fingerprint: DecisionRecord(change.fingerprint, Decision.REJECTED, change.value_digest, "2026-11-01T00:00:00Z")}
    cited_again = jolteon.with_(citations=15, extra={})
    assert [c for c in run(cv_of(AUNCEL), snap("scholar", AUNCEL.with_(key=None), cited_again), decisions=decided) if c.kind is ChangeKind.MISSING_IN_CV] == []
    moved = jolteon.with_(venue_acronym="EuroSys")  # the record itself changed: the decision no longer holds
    assert [c.kind for c in run(cv_of(AUNCEL), snap("scholar", AUNCEL.with_(key=None), moved), decisions=decided)] == [ChangeKind.MISSING_IN_CV]


def test_cv_entry_with_only_an_arxiv_id_is_a_preprint_for_the_diff_as_for_the_matcher():
    # No type or status written in the CV, just the arXiv id: the matcher pairs it as a version,
    # so the diff must propose the published record, not a field_differs per field.
    bare = FASTSERVE_PREPRINT.with_(type=WorkType.OTHER, status=None, ids=ExternalIds(arxiv="2305.05920"))
    changes = run(cv_of(bare), snap("dblp", FASTSERVE_NSDI))
    assert [(c.kind, c.cv_key) for c in changes] == [(ChangeKind.NEW_VERSION, "wu2023fastserve")]
