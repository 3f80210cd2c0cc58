"""match_works / score_pair: identifiers first, fitted features, tiers, assignment, duplicates."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from match_seed import AUNCEL, DITTO, HAWC, JOLTEON, RISE, RUMMY, TGS_DBLP, work
from profilesync.errors import UserError
from profilesync.match.matcher import Tier, load_params, match_works, score_pair
from profilesync.model import Author, ExternalIds, Work, WorkType

PARAMS = load_params()


def test_identifier_decides_before_any_text():
    cv = RISE.with_(title="Rise of Distributed DL Training (preprint title)", authors=())
    result = match_works([cv], [TGS_DBLP, RISE], PARAMS)
    [pair] = result.pairs
    assert pair.source_index == 1
    assert pair.score.by == "doi"
    assert pair.score.tier is Tier.STRONG
    assert pair.score.explain() == "matched by DOI"
    assert pair.score.to_dict()["features"][0]["detail"] == "same DOI"


def test_arxiv_datacite_doi_counts_as_the_arxiv_id():
    a = work("StreamRL", ["Yinmin Zhong"], 2025, type=WorkType.PREPRINT, doi="10.48550/arXiv.2504.15930")
    b = work("StreamRL: Scalable, Heterogeneous, and Elastic RL for LLMs with Disaggregated Stream Generation", ["Yinmin Zhong", "Zili Zhang"], 2025, "CoRR", WorkType.PREPRINT, arxiv="2504.15930")
    assert score_pair(a, b, PARAMS).by == "arxiv"


def test_fuzzy_match_carries_its_feature_breakdown():
    scholar = work("Fast, approximate vector queries on very large unstructured datasets", ["Z Zhang", "C Jin", "L Tang", "X Liu", "X Jin"], 2023, "20th USENIX Symposium on Networked Systems Design and Implementation (NSDI 23), 995-1011")
    s = score_pair(AUNCEL, scholar, PARAMS.for_source("scholar"))
    assert s.tier is Tier.STRONG
    assert s.by == "title+authors"
    assert s.explain() == "same title, 5/5 authors, same year, same venue (NSDI)"
    d = s.to_dict()
    assert d["tier"] == "strong"
    assert d["explanation"] == s.explain()
    names = {f["name"] for f in d["features"]}
    assert {"title_ratio", "authors_min", "year_same", "venue_same"} <= names
    # weights are the log-odds contributions: they add up (with the profile's bias) to the score.
    model = PARAMS.for_source("scholar").model
    z = model.bias + sum(f.weight for f in s.features)
    assert abs(1 / (1 + pow(2.718281828459045, -z)) - s.score) < 1e-3


def test_different_papers_score_none():
    # Two NSDI '24 papers of one group: same year, venue and authors cannot outweigh the titles.
    s = score_pair(JOLTEON, RUMMY, PARAMS)
    assert s.tier is Tier.NONE
    assert s.explain().startswith("titles differ")
    assert score_pair(AUNCEL, DITTO, PARAMS).tier is Tier.NONE


def test_one_to_one_assignment_and_unmatched_lists():
    cv = [AUNCEL, DITTO, JOLTEON]
    source = [DITTO.with_(ids=ExternalIds()), TGS_DBLP, AUNCEL.with_(title=AUNCEL.title.upper())]
    result = match_works(cv, source, PARAMS)
    assert [(p.cv_index, p.source_index) for p in result.pairs] == [(0, 2), (1, 0)]
    assert result.unmatched_cv == (2,)
    assert result.unmatched_source == (1,)
    assert result.duplicates == ()


def test_a_source_listing_a_paper_twice_reports_the_duplicate():
    scholar_a = work("Ditto: efficient serverless analytics with elastic parallelism", ["C Jin", "Z Zhang", "X Xiang", "S Zou", "G Huang", "X Liu", "X Jin"], 2023, "Proceedings of the ACM SIGCOMM 2023 Conference")
    scholar_b = scholar_a.with_(title="Ditto: Efficient serverless analytics with elastic parallelism", year=None, venue=None)
    result = match_works([DITTO], [scholar_a, scholar_b, HAWC], PARAMS.for_source("scholar"))
    assert [(p.cv_index, p.source_index) for p in result.pairs] == [(0, 0)]
    [dup] = result.duplicates
    assert (dup.source_index, dup.duplicate_of) == (1, 0)
    assert dup.score.tier is not Tier.NONE
    assert result.unmatched_source == (2,)


def test_params_profiles_and_overrides():
    assert PARAMS.profile == "clean"
    assert PARAMS.for_source("scholar").profile == "noisy"
    assert PARAMS.for_source("dblp").profile == "clean"
    tuned = load_params({"profiles": {"noisy": {"strong": 0.999}}, "version_title": 0.7})
    assert tuned.for_source("scholar").strong == 0.999
    assert tuned.version_title == 0.7
    assert tuned.strong == PARAMS.strong
    with pytest.raises(UserError, match="unknown matcher profile"):
        load_params({"profile": "nope"})
    with pytest.raises(UserError, match="not a number"):
        load_params({"version_title": "high"})
    with pytest.raises(UserError, match="unknown matcher setting 'weights'"):
        load_params({"weights": {"title": 6}})
    with pytest.raises(UserError, match="matching.profiles.noisy.strong: 1.5 is not a number between 0 and 1"):
        load_params({"profiles": {"noisy": {"strong": 1.5}}})


def test_shipped_profiles_were_fitted_on_train_and_checked_on_valid():
    for name, target in (("clean", 99.0), ("noisy", 95.5)):
        model = PARAMS.with_profile(name).model
        assert "train" in model.fitted_on
        assert model.metrics["valid_f1"] >= target
        assert 0 < model.probable < model.strong < 1


# --- property: a CV matched against itself ----------------------------------------------------

WORDS = "adaptive serving vector queries serverless workflows sharing container clouds elastic parallelism scheduling preemptive inference training heterogeneity caching retrieval pipelining orchestration rollout balancing kernels disaggregated multimodal precision winograd convolution analytics iteration".split()
NAMES = ["Zili Zhang", "Chao Jin", "Xin Jin", "Bingyang Wu", "Yinmin Zhong", "Xuanzhe Liu", "Gang Huang", "Fangyue Liu", "Yibo Zhu", "Hanpeng Hu", "Dedong Xie", "Zhen Jia"]
VENUES = ["NSDI", "OSDI", "SIGCOMM", "TOSEM", "TOCS", "APSys", "EuroSys"]


@st.composite
def cv_works(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    titles = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=4, max_size=9, unique=True).map(" ".join), min_size=n, max_size=n, unique=True))
    out = []
    for title in titles:
        authors = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
        out.append(Work(title=title.capitalize(), authors=tuple(Author(a) for a in authors), year=draw(st.integers(2015, 2026)), venue=draw(st.sampled_from(VENUES)), type=WorkType.CONFERENCE))
    return out


@settings(max_examples=40, deadline=None)
@given(works=cv_works(), seed=st.integers(0, 10_000))
def test_property_cv_against_itself_pairs_everything_strongly(works, seed):
    result = match_works(works, works, PARAMS)
    assert sorted((p.cv_index, p.source_index) for p in result.pairs) == [(i, i) for i in range(len(works))]
    assert all(p.score.tier is Tier.STRONG and not p.version for p in result.pairs)
    assert result.unmatched_cv == ()
    assert result.unmatched_source == ()
    assert result.duplicates == ()
    # A shuffled copy pairs each work with its own copy.
    order = list(range(len(works)))
    random.Random(seed).shuffle(order)
    shuffled = [works[k] for k in order]
    result = match_works(works, shuffled, PARAMS)
    assert sorted((p.cv_index, order[p.source_index]) for p in result.pairs) == [(i, i) for i in range(len(works))]
    assert all(p.score.tier is Tier.STRONG for p in result.pairs)
