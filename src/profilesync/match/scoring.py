"""The scoring models: additive shapes (a generalised additive model) or boosted trees.

Each named feature (see :mod:`profilesync.match.features`) has a piecewise-linear *shape*: knots
and the log-odds the feature contributes at each knot. A pair's log-odds is the bias plus every
feature's contribution; the score is its logistic. Because the model is additive, every match can
be explained exactly: "title 0.97 (+4.1), 5/5 authors (+2.3), same year (+0.8)". The shapes are
fitted on the benchmark's train split (``benchmarks/fit_matcher.py``) and shipped as data in
``match/default.yaml``.

A profile may instead carry a small boosted-tree ensemble (:class:`Forest`), which captures the
interactions scraped records need (a perfect title outweighs junk authors only when the title
is specific). It is explained the same way: path attribution splits the log-odds exactly into
per-feature contributions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Shape:
    """A piecewise-linear function of one feature value: ``values[k]`` at ``knots[k]``."""

    knots: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.knots) != len(self.values) or len(self.knots) < 2:
            raise ValueError("a shape needs two or more knots and one value per knot")
        if any(b <= a for a, b in zip(self.knots, self.knots[1:], strict=False)):
            raise ValueError("shape knots must increase")

    def __call__(self, x: float) -> float:
        knots, values = self.knots, self.values
        if x <= knots[0]:
            return values[0]
        if x >= knots[-1]:
            return values[-1]
        k = bisect_right(knots, x) - 1
        t = (x - knots[k]) / (knots[k + 1] - knots[k])
        return values[k] + t * (values[k + 1] - values[k])

    def to_dict(self) -> dict[str, list[float]]:
        return {"knots": [round(k, 4) for k in self.knots], "values": [round(v, 4) for v in self.values]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shape:
        return cls(tuple(float(k) for k in data["knots"]), tuple(float(v) for v in data["values"]))


@dataclass(frozen=True)
class Tree:
    """One regression tree of a boosted ensemble, as flat node arrays.

    Node ``k`` tests ``values[feature[k]] <= threshold[k]`` and goes to ``left[k]`` or
    ``right[k]``; a leaf has ``feature[k] == -1``. ``value[k]`` is the node's output: the leaf's
    log-odds step, or for an inner node the training-weighted mean of its leaves (what the path
    explanation needs).
    """

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def leaf(self, values: Sequence[float]) -> float:
        k = 0
        feature, threshold = self.feature, self.threshold
        while feature[k] >= 0:
            k = self.left[k] if values[feature[k]] <= threshold[k] else self.right[k]
        return self.value[k]

    def attribute(self, values: Sequence[float], out: list[float]) -> None:
        """Add each split's change of node value to the feature it tested (Saabas attribution)."""
        k = 0
        while self.feature[k] >= 0:
            f = self.feature[k]
            nxt = self.left[k] if values[f] <= self.threshold[k] else self.right[k]
            out[f] += self.value[nxt] - self.value[k]
            k = nxt

    def to_list(self) -> list[list[float]]:
        return [[f, round(t, 6), lo, hi, round(v, 6)] for f, t, lo, hi, v in zip(self.feature, self.threshold, self.left, self.right, self.value, strict=True)]

    @classmethod
    def from_list(cls, nodes: Sequence[Sequence[float]]) -> Tree:
        return cls(
            tuple(int(n[0]) for n in nodes),
            tuple(float(n[1]) for n in nodes),
            tuple(int(n[2]) for n in nodes),
            tuple(int(n[3]) for n in nodes),
            tuple(float(n[4]) for n in nodes),
        )


def _emit(tree: Tree, k: int, depth: int, lines: list[str]) -> None:
    pad = "    " * depth
    if tree.feature[k] < 0:
        lines.append(f"{pad}s += {float(tree.value[k])!r}")
        return
    lines.append(f"{pad}if v{int(tree.feature[k])} <= {float(tree.threshold[k])!r}:")
    _emit(tree, tree.left[k], depth + 1, lines)
    lines.append(f"{pad}else:")
    _emit(tree, tree.right[k], depth + 1, lines)


@dataclass(frozen=True)
class Forest:
    """Boosted trees over named features: log-odds = ``base`` + the sum of the trees' leaves.

    Explained exactly by path attribution: the constant part is ``base`` plus every root's value;
    each split moves the prediction by the change of node value and is credited to its feature.
    """

    features: tuple[str, ...]
    base: float
    trees: tuple[Tree, ...]
    _compiled: list[Callable[[Sequence[float]], float]] = field(default_factory=list, repr=False, compare=False, hash=False)

    @property
    def constant(self) -> float:
        return self.base + sum(t.value[0] for t in self.trees)

    def log_odds(self, values: Sequence[float]) -> float:
        if not self._compiled:
            self._compiled.append(self._compile())
        return self._compiled[0](values)

    def log_odds_slow(self, values: Sequence[float]) -> float:
        """The same sum by walking the node arrays (the reference the compiled form is tested against)."""
        return self.base + sum(t.leaf(values) for t in self.trees)

    def _compile(self) -> Callable[[Sequence[float]], float]:
        """The ensemble as one Python function of nested comparisons: several times faster than
        walking the arrays, which matters when a table linkage scores thousands of pairs. The
        source is generated from our own numbers only (ints and floats), never from input text."""
        used = sorted({f for tree in self.trees for f in tree.feature if f >= 0})
        # Local names (v3, v17...) are much cheaper to read than v[3] in a few thousand tests.
        lines = ["def forest(v):"] + [f"    v{f} = v[{f}]" for f in used] + [f"    s = {float(self.base)!r}"]
        for tree in self.trees:
            _emit(tree, 0, 1, lines)
        lines.append("    return s")
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), "<profilesync forest>", "exec"), namespace)  # noqa: S102 - generated from numbers
        return namespace["forest"]

    def attributions(self, values: Sequence[float]) -> list[float]:
        out = [0.0] * len(self.features)
        for tree in self.trees:
            tree.attribute(values, out)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "base": round(self.base, 6), "trees": [t.to_list() for t in self.trees]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Forest:
        return cls(tuple(str(f) for f in data["features"]), float(data["base"]), tuple(Tree.from_list(t) for t in data["trees"]))


@dataclass(frozen=True)
class Profile:
    """One fitted model: bias, shapes, and the two decision thresholds on the score (0..1).

    ``probable`` is the decision threshold (a pair at or above it is a match that a person may
    confirm); ``strong`` is where the train split showed almost no false matches, so a change
    may be applied unattended.
    """

    name: str
    bias: float
    shapes: Mapping[str, Shape]
    strong: float
    probable: float
    fitted_on: str = ""
    metrics: Mapping[str, Any] = field(default_factory=dict)
    forest: Forest | None = None
    # Below this best title similarity (max of character, token-set, partial and compact ratios)
    # a pair is not one work whatever the other features say: no train pair of either benchmark
    # that is a match falls under 0.7, while a researcher's own papers share authors, venue and
    # year (two NSDI '24 papers by one group) and an additive model would add those up.
    min_title: float = 0.6
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def contributions(self, names: Sequence[str], values: Sequence[float]) -> list[tuple[str, float, float]]:
        """``(name, value, log-odds contribution)`` for every feature this profile knows; with
        ``bias`` they add up to the log-odds."""
        if self.forest is not None:
            ordered = self._ordered(tuple(names), values)
            attributions = self.forest.attributions(ordered)
            return [(name, ordered[k], attributions[k]) for k, name in enumerate(self.forest.features)]
        out = []
        for name, value in zip(names, values, strict=True):
            shape = self.shapes.get(name)
            if shape is not None:
                out.append((name, value, shape(value)))
        return out

    def _ordered(self, names: tuple[str, ...], values: Sequence[float]) -> Sequence[float]:
        """``values`` rearranged into the forest's feature order (the same order when fitted)."""
        assert self.forest is not None
        if names == self.forest.features:
            return values
        position = {n: k for k, n in enumerate(names)}
        return [values[position[n]] if n in position else 0.0 for n in self.forest.features]

    def log_odds(self, names: Sequence[str], values: Sequence[float]) -> float:
        """Bias plus every contribution; the hot path of table linkage, hence the compiled form."""
        if self.forest is not None:
            return self.forest.log_odds(self._ordered(tuple(names), values))
        return _add_shapes(self.bias, self._compiled(tuple(names)), values)

    def log_odds_bound(self, names: Sequence[str], values: Sequence[float], free: frozenset[int]) -> float | None:
        """The highest log-odds a pair can have when the features at positions ``free`` (of
        ``names``) may take any value in [0, 1] and the rest are ``values``; None for a forest.

        A shape is linear between its knots and flat beyond them, so its largest value on [0, 1]
        is its largest knot value: the bound is exact per feature, and loose only in that the
        free features are maximised one by one."""
        if self.forest is not None:
            return None
        z, fixed = self._bound_parts(tuple(names), free)
        return _add_shapes(z, fixed, values)

    def _bound_parts(self, names: tuple[str, ...], free: frozenset[int]) -> tuple[float, tuple[tuple[int, tuple[float, ...], tuple[float, ...]], ...]]:
        """The bias plus the free features' largest values, and the shapes left to evaluate."""
        key = ("bound", free, *names)
        parts = self._cache.get(key)
        if parts is None:
            compiled = self._compiled(names)
            parts = (self.bias + sum(max(vals) for k, _, vals in compiled if k in free), tuple(c for c in compiled if c[0] not in free))
            self._cache[key] = parts
        return parts

    def _compiled(self, names: tuple[str, ...]) -> tuple[tuple[int, tuple[float, ...], tuple[float, ...]], ...]:
        cache = self._cache
        compiled = cache.get(names)
        if compiled is None:
            compiled = tuple((k, self.shapes[n].knots, self.shapes[n].values) for k, n in enumerate(names) if n in self.shapes)
            cache[names] = compiled
        return compiled

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fitted_on": self.fitted_on,
            "strong": round(self.strong, 4),
            "probable": round(self.probable, 4),
            "bias": round(self.bias, 4),
            "min_title": self.min_title,
        }
        if self.metrics:
            out["metrics"] = dict(self.metrics)
        if self.forest is not None:
            out["forest"] = self.forest.to_dict()
        else:
            out["shapes"] = {name: shape.to_dict() for name, shape in self.shapes.items()}
        return out

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> Profile:
        forest = Forest.from_dict(data["forest"]) if data.get("forest") else None
        return cls(
            name=name,
            bias=forest.constant if forest is not None else float(data.get("bias", 0.0)),
            shapes={str(k): Shape.from_dict(v) for k, v in (data.get("shapes") or {}).items()},
            strong=float(data.get("strong", 0.9)),
            probable=float(data.get("probable", 0.5)),
            fitted_on=str(data.get("fitted_on", "")),
            metrics=dict(data.get("metrics") or {}),
            forest=forest,
            min_title=float(data.get("min_title", 0.6)),
        )


def _add_shapes(z: float, shapes: Sequence[tuple[int, Sequence[float], Sequence[float]]], values: Sequence[float]) -> float:
    """``z`` plus each shape's value at its feature's value, in order: linear between the knots,
    flat beyond the first and the last. The hot loop of scoring, hence written out."""
    for k, knots, vals in shapes:
        x = values[k]
        if x <= knots[0]:
            z += vals[0]
        elif x >= knots[-1]:
            z += vals[-1]
        else:
            m = bisect_right(knots, x) - 1
            z += vals[m] + (x - knots[m]) / (knots[m + 1] - knots[m]) * (vals[m + 1] - vals[m])
    return z


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
