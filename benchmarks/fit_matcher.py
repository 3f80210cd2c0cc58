"""Fit the matcher's profiles on the benchmarks' TRAIN splits and write match/default.yaml.

    python benchmarks/fit_matcher.py [--data ../shared/benchmarks/er] [--check-valid]

Profiles:
  clean  <- DBLP-ACM train (curated records: DBLP, ORCID, a CV): additive model
  noisy  <- DBLP-Scholar train (scraped records: Google Scholar): boosted trees (or --noisy-model additive)

The additive model (see profilesync.match.scoring): every feature gets a piecewise-linear shape
over fixed knots, fitted by L2-regularised logistic regression (Newton steps). The trees are
fitted by scikit-learn's HistGradientBoostingClassifier and copied into plain data; scoring
never imports scikit-learn. The decision
threshold ("probable") maximises F1 of 5-fold out-of-fold predictions on train; "strong" is the
lowest score at which out-of-fold precision on train reaches 99.5%. Only train is used for
fitting; --check-valid scores the valid split afterwards and records it in the YAML. Test splits
are never read. Needs numpy and scikit-learn (pip install 'profilesync[bench]').
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from profilesync.bench.data import LabelledPair, read_joined, read_magellan
from profilesync.bench.metrics import pair_quality
from profilesync.bench.pairs import feature_rows
from profilesync.match.features import BINARY_FEATURES, FEATURE_NAMES
from profilesync.match.scoring import Forest, Profile, Shape, Tree

KNOTS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
L2 = 0.3
REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "src" / "profilesync" / "match" / "default.yaml"
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "er"


def load_split(data: Path, dataset: str, split: str) -> list[LabelledPair]:
    if split == "test":
        raise SystemExit("the test split is kept out of fitting")
    if dataset == "dblp-acm":
        d = data / "DBLP-ACM" / "magellan"
        return read_magellan(d / "tableA.csv", d / "tableB.csv", d / f"{split}.csv")
    return read_joined(data / "DBLP-Scholar" / "magellan" / "joined" / f"{split}.csv")


def augment(pairs: list[LabelledPair], seed: int = 11) -> list[LabelledPair]:
    """Train pairs plus copies with one side's venue or year blanked.

    The benchmarks always carry a venue on both sides (DBLP-ACM: always a year too), so a model
    fitted on them alone learns that "no venue" means "no match". A CV entry or an ORCID record
    often lacks one; these copies teach the model that a missing field is no evidence either way.
    Only train pairs are copied; the copies keep their labels.
    """
    rng = random.Random(seed)
    out = list(pairs)
    for pair in pairs:
        roll = rng.random()
        if roll < 0.15:
            out.append(replace(pair, id=pair.id + "v", right=replace(pair.right, venue="")))
        elif roll < 0.30:
            out.append(replace(pair, id=pair.id + "y", left=replace(pair.left, year="")))
    return out


def knots_for(name: str) -> tuple[float, ...]:
    return (0.0, 1.0) if name in BINARY_FEATURES else KNOTS


def basis(X: np.ndarray) -> np.ndarray:
    """Hat-function expansion; the value at the first knot is pinned to 0 (the bias absorbs it)."""
    cols = []
    for j, name in enumerate(FEATURE_NAMES):
        kn = np.array(knots_for(name))
        x = np.clip(X[:, j], kn[0], kn[-1])
        k = np.clip(np.searchsorted(kn, x, side="right") - 1, 0, len(kn) - 2)
        t = (x - kn[k]) / (kn[k + 1] - kn[k])
        B = np.zeros((len(x), len(kn)))
        rows = np.arange(len(x))
        B[rows, k] = 1 - t
        B[rows, k + 1] += t
        cols.append(B[:, 1:])
    return np.hstack(cols + [np.ones((len(X), 1))])


def fit_logistic(B: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 40) -> np.ndarray:
    w = np.zeros(B.shape[1])
    reg = l2 * np.eye(B.shape[1])
    reg[-1, -1] = 0.0  # do not shrink the bias
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(B @ w)))
        grad = B.T @ (p - y) + reg @ w
        hess = (B.T * (p * (1 - p))) @ B + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return w


def out_of_fold(B: np.ndarray, y: np.ndarray, groups: list[str], folds: int = 5, seed: int = 7) -> np.ndarray:
    """Out-of-fold scores; a pair and its augmented copies always share a fold."""
    names = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(names))
    fold_of = {names[k]: n % folds for n, k in enumerate(order)}
    assigned = np.array([fold_of[g] for g in groups])
    scores = np.zeros(len(y))
    for f in range(folds):
        held = np.flatnonzero(assigned == f)
        keep = np.flatnonzero(assigned != f)
        w = fit_logistic(B[keep], y[keep])
        scores[held] = 1.0 / (1.0 + np.exp(-(B[held] @ w)))
    return scores


def thresholds(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    grid = np.round(np.arange(0.10, 0.96, 0.01), 2)
    f1s = [pair_quality(y, (scores >= t).astype(int)).f1 for t in grid]
    best = float(np.max(f1s))
    # Among thresholds within 0.05 F1 point of the best, take the middle one: a flat optimum.
    near = [t for t, f in zip(grid, f1s, strict=True) if f >= best - 0.0005]
    probable = float(near[len(near) // 2])
    strong = 0.99
    for t in np.round(np.arange(probable, 1.0, 0.005), 3):
        picked = scores >= t
        if picked.sum() and (y[picked] == 1).mean() >= 0.995:
            strong = float(t)
            break
    return probable, max(strong, probable)


def to_profile(name: str, w: np.ndarray, probable: float, strong: float, fitted_on: str) -> Profile:
    shapes: dict[str, Shape] = {}
    k = 0
    for feature in FEATURE_NAMES:
        kn = knots_for(feature)
        n = len(kn) - 1
        values = (0.0, *(float(v) for v in w[k : k + n]))
        k += n
        shapes[feature] = Shape(tuple(kn), values)
    return Profile(name=name, bias=float(w[-1]), shapes=shapes, strong=strong, probable=probable, fitted_on=fitted_on)


def fit_profile(data: Path, name: str, dataset: str, check_valid: bool) -> Profile:
    t0 = time.perf_counter()
    train = augment(load_split(data, dataset, "train"))
    X = np.array(feature_rows(train))
    y = np.array([p.label for p in train], dtype=float)
    B = basis(X)
    oof = out_of_fold(B, y, [p.id.rstrip("vys") for p in train])
    probable, strong = thresholds(oof, y)
    w = fit_logistic(B, y)
    oof_q = pair_quality(y.astype(int), (oof >= probable).astype(int))
    profile = to_profile(name, w, probable, strong, f"{dataset} train ({len(train)} pairs)")
    metrics = {"train_out_of_fold_f1": round(100 * oof_q.f1, 2)}
    print(f"{name:6s} {dataset:12s} train {len(train)} pairs, out-of-fold {oof_q.line()}, probable {probable}, strong {strong}  [{time.perf_counter() - t0:.1f}s]")
    if check_valid:
        valid = load_split(data, dataset, "valid")
        Bv = basis(np.array(feature_rows(valid)))
        sv = 1.0 / (1.0 + np.exp(-(Bv @ w)))
        q = pair_quality([p.label for p in valid], (sv >= probable).astype(int).tolist())
        metrics["valid_f1"] = round(100 * q.f1, 2)
        print(f"{'':6s} {dataset:12s} valid {len(valid)} pairs: {q.line()}")
    return Profile(profile.name, profile.bias, profile.shapes, profile.strong, profile.probable, profile.fitted_on, metrics)


TREE_SETTINGS = {"max_depth": 4, "max_leaf_nodes": 12, "max_iter": 150, "learning_rate": 0.1}


def forest_from_sklearn(model) -> Forest:  # noqa: ANN001 - a fitted HistGradientBoostingClassifier
    """Copy a fitted scikit-learn HistGradientBoostingClassifier into our Forest (pure data).

    Inner-node values are recomputed as the count-weighted mean of their children, which makes
    the path attribution exact (the constant part plus the contributions equal the log-odds).
    """
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        n = len(nodes)
        value = [float(nodes[k]["value"]) for k in range(n)]
        count = [float(nodes[k]["count"]) for k in range(n)]

        # Children come after their parent in scikit-learn's (pre-order) node array.
        for k in reversed(range(n)):
            if not nodes[k]["is_leaf"]:
                lo, hi = int(nodes[k]["left"]), int(nodes[k]["right"])
                assert min(lo, hi) > k
                value[k] = (value[lo] * count[lo] + value[hi] * count[hi]) / (count[lo] + count[hi])
        trees.append(
            Tree(
                tuple(-1 if nodes[k]["is_leaf"] else int(nodes[k]["feature_idx"]) for k in range(n)),
                tuple(0.0 if nodes[k]["is_leaf"] else float(nodes[k]["num_threshold"]) for k in range(n)),
                tuple(int(nodes[k]["left"]) for k in range(n)),
                tuple(int(nodes[k]["right"]) for k in range(n)),
                tuple(value),
            )
        )
    base = float(np.ravel(model._baseline_prediction)[0])
    return Forest(tuple(FEATURE_NAMES), base, tuple(trees))


def fit_forest_profile(data: Path, name: str, dataset: str, check_valid: bool) -> Profile:
    """Boosted trees (scikit-learn, fitting only) copied into a Forest for the shipped YAML."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    t0 = time.perf_counter()
    train = augment(load_split(data, dataset, "train"))
    X = np.array(feature_rows(train))
    y = np.array([p.label for p in train], dtype=int)
    groups = [p.id.rstrip("vys") for p in train]
    names = sorted(set(groups))
    order = np.random.default_rng(7).permutation(len(names))
    fold_of = {names[k]: n % 5 for n, k in enumerate(order)}
    assigned = np.array([fold_of[g] for g in groups])
    oof = np.zeros(len(y))
    for f in range(5):
        model = HistGradientBoostingClassifier(random_state=0, early_stopping=False, **TREE_SETTINGS)
        model.fit(X[assigned != f], y[assigned != f])
        oof[assigned == f] = model.predict_proba(X[assigned == f])[:, 1]
    probable, strong = thresholds(oof, y.astype(float))
    model = HistGradientBoostingClassifier(random_state=0, early_stopping=False, **TREE_SETTINGS).fit(X, y)
    forest = forest_from_sklearn(model)
    # The copy must reproduce scikit-learn's own log-odds, and the attribution must add up.
    sample = X[:: max(1, len(X) // 500)]
    ours = np.array([forest.log_odds(row) for row in sample])
    assert np.allclose(ours, model.decision_function(sample), atol=1e-6), "forest copy disagrees with scikit-learn"
    assert np.allclose([forest.constant + sum(forest.attributions(row)) for row in sample], ours, atol=1e-6)
    oof_q = pair_quality(y, (oof >= probable).astype(int))
    metrics = {"train_out_of_fold_f1": round(100 * oof_q.f1, 2), "trees": len(forest.trees), "nodes": sum(len(t.feature) for t in forest.trees)}
    print(f"{name:6s} {dataset:12s} train {len(train)} pairs, out-of-fold {oof_q.line()}, probable {probable}, strong {strong}  [{time.perf_counter() - t0:.1f}s]")
    if check_valid:
        valid = load_split(data, dataset, "valid")
        scores = 1.0 / (1.0 + np.exp(-np.array([forest.log_odds(row) for row in feature_rows(valid)])))
        q = pair_quality([p.label for p in valid], (scores >= probable).astype(int).tolist())
        metrics["valid_f1"] = round(100 * q.f1, 2)
        print(f"{'':6s} {dataset:12s} valid {len(valid)} pairs: {q.line()}")
    return Profile(name, forest.constant, {}, strong, probable, f"{dataset} train ({len(train)} pairs)", metrics, forest)


def write_yaml(profiles: list[Profile], path: Path) -> None:
    """Write default.yaml; a profile's trees go to ``<name>.forest.json`` beside it (JSON loads
    in milliseconds, a YAML parser takes seconds for a few thousand nodes)."""
    import json

    from ruamel.yaml import YAML

    bodies = {}
    for p in profiles:
        body = p.to_dict()
        if "forest" in body:
            forest_file = f"{p.name}.forest.json"
            (path.parent / forest_file).write_text(json.dumps(body.pop("forest"), separators=(",", ":")) + "\n", encoding="utf-8")
            body["forest_file"] = forest_file
        bodies[p.name] = body
    body = {
        "format": 1,
        "source_profiles": {"default": "clean", "scholar": "noisy"},
        "version_title": 0.5,
        "version_authors": 0.6,
        "block_keys": 4,
        "block_max_df": 2000,
        "profiles": bodies,
    }
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 200
    header = (
        "# Matcher parameters: written by benchmarks/fit_matcher.py from the benchmarks' TRAIN splits.\n"
        "# Do not edit the shapes by hand; re-run the script. Override thresholds in config.yaml `matching:`.\n"
        "# A shape gives the log-odds a feature contributes at each knot (linear in between).\n"
    )
    buffer = __import__("io").StringIO()
    yaml.dump(body, buffer)
    path.write_text(header + buffer.getvalue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the benchmark folder (with DBLP-ACM/ and DBLP-Scholar/)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check-valid", action="store_true", help="also score the valid split and record it")
    parser.add_argument("--noisy-model", choices=("trees", "additive"), default="trees", help="model of the noisy profile (default: trees)")
    args = parser.parse_args(argv)
    noisy = fit_forest_profile if args.noisy_model == "trees" else fit_profile
    profiles = [fit_profile(args.data, "clean", "dblp-acm", args.check_valid), noisy(args.data, "noisy", "dblp-scholar", args.check_valid)]
    write_yaml(profiles, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
