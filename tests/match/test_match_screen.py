"""The bulk screen of candidate pairs (issue 14) rules out only pairs the matcher's own per-pair
path rules out: its feature columns are the very numbers StagedFeatures computes, and a pair it
drops is one ``surely_no_match`` is true of with every feature computed.

The pairs are every pair of the bundled profile's real snapshots (DBLP against DBLP, ORCID and
Scholar: preprints beside their papers, Scholar's cut titles and duplicate rows) and the hard
DBLP-Scholar train pairs (cut, glued and reworded titles; non-matches sharing most words).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from profilesync.match.features import FEATURE_NAMES, StagedFeatures, compute, prepare, prepare_fields
from profilesync.match.matcher import _bound_threshold, load_params, surely_no_match
from profilesync.match.screen import PairColumns, _windows, screen_pairs
from profilesync.model import Snapshot, WorkType

ROOT = Path(__file__).resolve().parents[2]
PARAMS = load_params()
SOURCES = ("dblp", "orcid", "scholar")


def _prepared(source: str):
    snapshot = Snapshot.from_dict(json.loads((ROOT / "cache" / "snapshots" / f"{source}.json").read_text(encoding="utf-8")))
    return [prepare(w) for w in snapshot.works if w.type is not WorkType.SOFTWARE]


def _hard_pairs():
    rows = list(csv.DictReader((ROOT / "tests" / "fixtures" / "match" / "dblp_scholar_train_hard.csv").open(encoding="utf-8")))
    left = [prepare_fields(r["left_title"], r["left_authors"], r["left_venue"], r["left_year"]) for r in rows]
    right = [prepare_fields(r["right_title"], r["right_authors"], r["right_venue"], r["right_year"]) for r in rows]
    return left, right, [(k, k) for k in range(len(rows))]


def _all_pairs(source: str):
    left, right = _prepared("dblp"), _prepared(source)
    return left, right, [(i, j) for i in range(len(left)) for j in range(len(right))]


CASES = {f"dblp-{s}": (lambda s=s: _all_pairs(s)) for s in SOURCES} | {"dblp-scholar-hard": _hard_pairs}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_columns_are_the_features_staged_features_computes(case):
    left, right, pairs = CASES[case]()
    columns = PairColumns(left, right, pairs)
    first = columns.first()
    titled = np.flatnonzero(columns.titled)
    sub = {name: column[titled] for name, column in first.items()}
    windows, best = _windows(sub, columns.partial(titled, sub["title_ratio"]), columns.compact(titled))
    assert len(titled) > 0
    for row, k in enumerate(titled):
        i, j = pairs[k]
        staged = StagedFeatures(left[i], right[j])
        staged.add_windows()
        expected = dict(zip(FEATURE_NAMES, staged.values(), strict=True))
        for name, column in first.items():
            assert column[k] == expected[name], (name, left[i].title, right[j].title)  # bit for bit
        for name, column in windows.items():
            assert column[row] == expected[name], (name, left[i].title, right[j].title)
        assert best[row] == staged.title_best


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("source", SOURCES)
def test_a_pair_screened_out_is_surely_no_match(case, source):
    # Each source's own profile (Scholar's may be the boosted forest, which has no bound: the
    # screen then applies the title veto alone).
    model = PARAMS.for_source(source).model
    left, right, pairs = CASES[case]()
    keep = screen_pairs(left, right, pairs, model, _bound_threshold(model.probable))
    assert len(keep) == len(pairs)
    dropped = vetoed = 0
    for (i, j), kept in zip(pairs, keep, strict=True):
        a, b = left[i], right[j]
        features = compute(a, b)
        vetoed += not (a.title and b.title) or features.title_best < model.min_title
        if not kept:
            dropped += 1
            assert surely_no_match(a, b, model, features), (a.title, b.title)
    assert any(keep)  # every case has pairs that are one work
    if model.forest is None:
        assert dropped > vetoed  # the bound rules out pairs the title veto lets through
    else:
        assert dropped == vetoed  # no bound for a forest: the veto alone, and all of it


def test_threads_give_the_same_answer():
    left, right, pairs = _all_pairs("scholar")
    model = PARAMS.model
    threshold = _bound_threshold(model.probable)
    assert screen_pairs(left, right, pairs, model, threshold, workers=2) == screen_pairs(left, right, pairs, model, threshold, workers=1)


def test_no_pairs_no_work():
    assert screen_pairs([], [], [], PARAMS.model, 0.0) == []


@pytest.mark.slow
@pytest.mark.parametrize("user_value", [None, "4"])
def test_importing_the_screen_leaves_the_environment_as_it_was(user_value):
    # OPENBLAS_NUM_THREADS=1 is for numpy's own import; a hook or editor started later must see
    # the user's environment. A fresh interpreter, so numpy is not imported yet.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if user_value is not None:
        env["OPENBLAS_NUM_THREADS"] = user_value
    code = "import os, sys, profilesync.match.screen; assert 'numpy' in sys.modules; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == str(user_value)
