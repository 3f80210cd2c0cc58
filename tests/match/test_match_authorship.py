"""The namesake test on the seed's real namesakes (facts.md "Namesakes")."""

from __future__ import annotations

from match_seed import (
    AUNCEL,
    DISTRS,
    DISTTRAIN,
    DITTO,
    EXPERTPLEX,
    FASTSERVE_NSDI,
    JOLTEON,
    LIDAR,
    RAGCACHE_TOCS,
    TWO_HOP,
    work,
)
from profilesync.match.authorship import researcher_authorship
from profilesync.model import Author, Person, PersonIds

ME = Person(name="Zili Zhang", aliases=("Zhang, Zili",), ids=PersonIds(orcid="0000-0003-4209-9451"))
CV = [AUNCEL, DITTO, JOLTEON, FASTSERVE_NSDI, RAGCACHE_TOCS, DISTTRAIN]
COAUTHORS = sorted({a.name for w in CV for a in w.authors} - {"Zili Zhang"})
TOPICS = [w.title for w in CV]


def verdict(w, **kw):
    return researcher_authorship(w, ME, coauthors=kw.get("coauthors", COAUTHORS), topics=kw.get("topics", TOPICS))


def test_shanghai_lidar_namesake_is_not_the_researcher():
    v = verdict(LIDAR)
    assert not v.is_researcher
    assert v.reason.startswith("a namesake: Zili Zhang is listed, but none of the 7 coauthors has worked with the researcher")


def test_nlp_namesake_on_language_models_is_not_rescued_by_the_subject():
    # The subject overlaps ("language models" also appear in the researcher's LLM titles), but four
    # strangers and no known coauthor make it a namesake's paper.
    v = verdict(TWO_HOP)
    assert not v.is_researcher
    assert "none of the 4 coauthors has worked with the researcher" in v.reason
    assert "subject overlaps (langua" in v.reason
    assert "not enough" in v.reason


def test_template_leftover_without_the_researcher():
    # DistRS (NSDI'26, Ruidong Zhu et al.) was a template leftover on the homepage.
    v = verdict(DISTRS)
    assert not v.is_researcher
    assert v.reason == "none of the 1 authors is Zili Zhang or an alias"


def test_unclaimed_paper_with_known_coauthors_is_the_researcher():
    # ExpertPlex: not on the homepage or CV, but written with Bingyang Wu, Chao Jin, Xin Jin...
    v = verdict(EXPERTPLEX)
    assert v.is_researcher
    assert v.reason.startswith("Zili Zhang with known coauthors (Bingyang Wu, Chao Jin, Yinmin Zhong")


def test_identifiers_outrank_names():
    mine = work("Some paper", ["Z. Zhang", "A Stranger", "B Stranger", "C Stranger"])
    mine = mine.with_(authors=(Author("Z. Zhang", orcid="https://orcid.org/0000-0003-4209-9451"), *mine.authors[1:]))
    v = verdict(mine)
    assert v.is_researcher
    assert v.confidence == 1.0
    assert "ORCID iD" in v.reason
    other = mine.with_(authors=(Author("Zili Zhang", orcid="0000-0002-1825-0097"), *mine.authors[1:]))
    v = verdict(other)
    assert not v.is_researcher
    assert "has ORCID iD 0000-0002-1825-0097, not the researcher's" in v.reason


def test_dblp_pid_and_homonym_number():
    me = Person(name="Zili Zhang", aliases=("Zili Zhang 0002",), ids=PersonIds(dblp="123/4567"))
    by_pid = work("x", ["Zili Zhang", "Xin Jin"]).with_(authors=(Author("Zili Zhang 0002", pid="123/4567"),))
    assert researcher_authorship(by_pid, me).is_researcher
    homonym = work("x y z", ["Zili Zhang 0003", "Ziting Wen"])
    v = researcher_authorship(homonym, me, coauthors=COAUTHORS)
    assert not v.is_researcher
    assert "another DBLP homonym than 0002" in v.reason


def test_own_record_and_missing_author_list():
    assert verdict(AUNCEL.with_(own_record=True)).reason == "on the researcher's own record"
    v = verdict(AUNCEL.with_(authors=()))
    assert v.is_researcher
    assert v.confidence < 0.5


def test_few_strangers_decided_by_the_subject():
    on_topic = work("Serverless Workflows for Large Language Model Inference", ["Zili Zhang", "New Student"])
    off_topic = work("Single Photon Imaging of Hidden Scenes", ["Zili Zhang", "New Student"])
    v = verdict(on_topic)
    assert v.is_researcher
    assert "on the researcher's subjects" in v.reason
    v = verdict(off_topic)
    assert not v.is_researcher
    assert "shares no subject" in v.reason
    # Without any coauthor or topic knowledge, a name match is accepted but with low confidence.
    v = verdict(off_topic, coauthors=(), topics=())
    assert v.is_researcher
    assert v.confidence == 0.5


def test_scholar_initials_are_the_researcher_with_known_coauthors():
    scholar = work("Jolteon: Unleashing the promise of serverless for serverless workflows", ["Z Zhang", "C Jin", "X Jin"])
    v = verdict(scholar)
    assert v.is_researcher
    assert v.reason == "Z Zhang with known coauthors (C Jin, X Jin)"
