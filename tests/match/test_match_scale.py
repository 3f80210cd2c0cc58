"""The matcher at scale (issue 14): the shortcuts decide exactly as the full scans they replace.

- ``titles_close`` keeps every pair whose best title similarity reaches ``min_title``;
- ``surely_no_match`` is true only for pairs ``score_prepared`` puts at tier ``none``;
- ``features_unless_ruled_out`` (features without the author lists or the partial ratios, and a
  bound on the rest) gives None only for pairs ``surely_no_match`` rules out with every feature;
- ``WorkClusters`` (blocked indexes) files the works the CV lacks exactly as a scan over every
  cluster with ``match_works`` / ``same_listing`` (the engine's former loop) does;
- a large source table is blocked on its rarest words within a budget, a small one on every word.

The works are the bundled profile's real snapshots (DBLP, ORCID, Scholar), so the pairs include
preprints beside their papers, Scholar's cut titles and its duplicate rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profilesync.match.blocking import TokenBlocker
from profilesync.match.clusters import WorkClusters
from profilesync.match.features import (
    AUTHOR_FEATURES,
    FEATURE_NAMES,
    WINDOW_FEATURES,
    compute,
    prepare,
    prepare_fields,
)
from profilesync.match.matcher import (
    features_unless_ruled_out,
    load_params,
    match_works,
    same_listing,
    score_prepared,
    surely_no_match,
    titles_close,
)
from profilesync.model import Snapshot, Work, WorkType

ROOT = Path(__file__).resolve().parents[2]
PARAMS = load_params()


def _works(source: str) -> list[Work]:
    snapshot = Snapshot.from_dict(json.loads((ROOT / "cache" / "snapshots" / f"{source}.json").read_text(encoding="utf-8")))
    return [w for w in snapshot.works if w.type is not WorkType.SOFTWARE]


SOURCES = ("dblp", "orcid", "scholar")
WORKS = {s: _works(s) for s in SOURCES}


def test_the_profile_has_enough_to_test():
    assert all(len(WORKS[s]) >= 5 for s in SOURCES)


@pytest.mark.parametrize("source", SOURCES)
def test_titles_close_keeps_every_pair_the_title_veto_lets_through(source):
    params = PARAMS.for_source(source)
    left = [prepare(w) for w in WORKS["dblp"]]
    right = [prepare(w) for w in WORKS[source]]
    kept = 0
    for a in left:
        close = titles_close(a, right, params.model.min_title)
        for k, b in enumerate(right):
            if a.title and b.title and compute(a, b).title_best >= params.model.min_title:
                assert k in close, (a.title, b.title)
                kept += 1
    assert kept > 0  # the sources list the same papers: some pairs pass the veto


@pytest.mark.parametrize("source", SOURCES)
def test_surely_no_match_only_for_pairs_scored_none(source):
    params = PARAMS.for_source(source)
    left = [prepare(w) for w in WORKS["dblp"]]
    right = [prepare(w) for w in WORKS[source]]
    said_none = 0
    for a in left:
        for b in right:
            if surely_no_match(a, b, params.model, compute(a, b)):
                said_none += 1
                assert score_prepared(a, b, params.model).tier.value == "none", (a.title, b.title)
    assert said_none > 0


@pytest.mark.parametrize("source", SOURCES)
def test_ruled_out_only_for_pairs_surely_no_match_rules_out(source):
    params = PARAMS.for_source(source)
    left = [prepare(w) for w in WORKS["dblp"]]
    right = [prepare(w) for w in WORKS[source]]
    ruled = 0
    for a in left:
        for b in right:
            if features_unless_ruled_out(a, b, params.model) is None:
                ruled += 1
                assert surely_no_match(a, b, params.model, compute(a, b)), (a.title, b.title)
    if params.model.forest is None:
        assert ruled > 0  # most pairs of two lists of one researcher's papers are two works
    else:
        assert ruled == sum(1 for a in left for b in right if not a.title or not b.title)  # no bound for a forest


def test_ruled_out_on_benchmark_pairs_with_reworded_titles():
    # The hard DBLP-Scholar train pairs: matches with cut, glued or reworded titles, and
    # non-matches that share most words. A pair the features keep is never ruled out.
    import csv

    rows = list(csv.DictReader((ROOT / "tests" / "fixtures" / "match" / "dblp_scholar_train_hard.csv").open(encoding="utf-8")))
    model = PARAMS.model
    checked = 0
    for row in rows:
        a = prepare_fields(row["left_title"], row["left_authors"], row["left_venue"], row["left_year"])
        b = prepare_fields(row["right_title"], row["right_authors"], row["right_venue"], row["right_year"])
        if features_unless_ruled_out(a, b, model) is None:
            assert surely_no_match(a, b, model, compute(a, b))
        if not surely_no_match(a, b, model, compute(a, b)):
            checked += 1
            assert features_unless_ruled_out(a, b, model) is not None
    assert checked > 0


_unit = st.floats(0.0, 1.0)


@settings(max_examples=300, deadline=None)
@given(st.lists(_unit, min_size=len(FEATURE_NAMES), max_size=len(FEATURE_NAMES)), st.lists(_unit, min_size=len(FEATURE_NAMES), max_size=len(FEATURE_NAMES)))
def test_the_log_odds_bound_is_never_below_the_log_odds(known, other):
    # Whatever values the free features turn out to have, the bound computed without them is at
    # least the log-odds computed with them, up to the rounding features_unless_ruled_out allows for (1e-9: the
    # bound sums its terms in another order).
    free = AUTHOR_FEATURES | WINDOW_FEATURES
    actual = [other[k] if k in free else known[k] for k in range(len(FEATURE_NAMES))]
    model = PARAMS.model
    assert model.log_odds_bound(FEATURE_NAMES, known, free) >= model.log_odds(FEATURE_NAMES, actual) - 1e-12
    assert abs(model.log_odds_bound(FEATURE_NAMES, actual, frozenset()) - model.log_odds(FEATURE_NAMES, actual)) < 1e-12


def _naive_clusters(arrivals):
    """The engine's former loop: every cluster scanned for every work, the matcher run per pair."""
    clusters: list[dict] = []
    out = []
    for work, source in arrivals:
        params = PARAMS.for_source(source)
        best = None
        listed_twice = None
        for new in clusters:
            mine = new["records"].get(source)
            if mine is not None:
                same = same_listing(work, mine, prepare(work), prepare(mine), params)
                if same is not None:
                    listed_twice = (mine, same)
                    break
                continue
            found = match_works([new["work"]], [work], params)
            if found.pairs:
                pair = found.pairs[0]
                rank = (pair.version, -pair.score.score)
                if best is None or rank < best[0]:
                    best = (rank, new)
        if listed_twice is not None:
            out.append(("twice", listed_twice[0], listed_twice[1]))
            continue
        if best is not None:
            best[1]["records"][source] = work
            best[1]["also"].append(source)
            out.append(("joined", best[1]["work"]))
            continue
        clusters.append({"work": work, "source": source, "also": [], "records": {source: work}})
        out.append(("new", work))
    return clusters, out


def test_clusters_decide_as_the_full_scan():
    arrivals = [(w, s) for s in SOURCES for w in WORKS[s]]
    expected_clusters, expected = _naive_clusters(arrivals)
    clusters = WorkClusters()
    got = []
    for work, source in arrivals:
        before = len(clusters)
        again = clusters.add(work, prepare(work), source, PARAMS.for_source(source))
        if again is not None:
            got.append(("twice", again.first, again.score))
        else:
            got.append(("new",) if len(clusters) > before else ("joined",))
    assert [g[0] for g in got] == [e[0] for e in expected]
    assert [g[1:] for g in got if g[0] == "twice"] == [e[1:] for e in expected if e[0] == "twice"]
    result = clusters.clusters
    assert [(c.work, c.source, c.also_in, dict(c.records)) for c in result] == [
        (c["work"], c["source"], tuple(c["also"]), c["records"]) for c in expected_clusters
    ]
    # The profile's sources list the same papers: most records join a cluster.
    assert sum(1 for e in expected if e[0] == "joined") > len(WORKS["orcid"]) // 2


def test_a_small_table_is_blocked_on_every_word_a_large_one_on_its_rarest():
    common = [prepare_fields(f"Query processing for data systems part {i}", ["A B"]) for i in range(30)]
    rare = prepare_fields("Zyxwvut query processing for data", ["A B"])
    query = prepare_fields("Zyxwvut query processing", ["A B"])
    small = TokenBlocker([*common, rare], small=1000, budget=5)
    assert len(small.candidates(query)) == 31  # every shared word, common ones too
    large = TokenBlocker([*common, rare], small=10, budget=5)
    assert large.candidates(query) == {30}  # the rare word alone fills the budget
