"""The scoring models: additive shapes and boosted trees, and their exact explanations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profilesync.bench.data import read_joined
from profilesync.bench.pairs import prepare_record
from profilesync.match.features import FEATURE_NAMES, compute
from profilesync.match.matcher import score_prepared
from profilesync.match.params import load_params
from profilesync.match.scoring import Forest, Shape, Tree, sigmoid

FIXTURE = Path(__file__).parents[1] / "fixtures" / "match" / "dblp_scholar_train_hard.csv"


def test_shape_interpolates_and_clamps():
    shape = Shape((0.0, 0.5, 1.0), (-2.0, 0.0, 4.0))
    assert shape(-1.0) == -2.0
    assert shape(0.25) == -1.0
    assert shape(0.75) == 2.0
    assert shape(2.0) == 4.0
    with pytest.raises(ValueError, match="increase"):
        Shape((0.0, 0.0), (1.0, 2.0))


def test_sigmoid_is_stable_at_extremes():
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(-1000.0) == 0.0
    assert math.isclose(sigmoid(0.0), 0.5)


TINY = Forest(
    ("a", "b"),
    0.5,
    (
        # root: a <= 0.5 ? (leaf -1) : (b <= 0.2 ? leaf 0.3 : leaf 2.0); inner values are means
        Tree((0, -1, 1, -1, -1), (0.5, 0.0, 0.2, 0.0, 0.0), (1, 0, 3, 0, 0), (2, 0, 4, 0, 0), (0.2, -1.0, 1.0, 0.3, 2.0)),
    ),
)


def test_forest_walk_compiled_and_attribution_agree():
    for values in ([0.1, 0.9], [0.9, 0.1], [0.9, 0.9]):
        slow = TINY.log_odds_slow(values)
        assert TINY.log_odds(values) == pytest.approx(slow)
        assert TINY.constant + sum(TINY.attributions(values)) == pytest.approx(slow)
    # a = 0.9 moves the prediction from the root's 0.2 to 1.0; b = 0.9 from 1.0 to 2.0.
    assert TINY.attributions([0.9, 0.9]) == pytest.approx([0.8, 1.0])
    assert TINY.log_odds([0.9, 0.9]) == pytest.approx(2.5)


def test_forest_round_trips_through_its_data_form():
    again = Forest.from_dict(TINY.to_dict())
    assert again.log_odds([0.9, 0.1]) == pytest.approx(TINY.log_odds([0.9, 0.1]))


@pytest.mark.parametrize("profile", ["clean", "noisy"])
def test_shipped_profiles_explain_every_score_exactly(profile):
    """bias + the features' weights = the log-odds of the score, for both model kinds."""
    model = load_params().with_profile(profile).model
    for pair in read_joined(FIXTURE):
        a, b = prepare_record(pair.left), prepare_record(pair.right)
        s = score_prepared(a, b, model)
        if any(f.name == "title_authors_rule" for f in s.features):
            continue  # the rule lifts a score; it is not part of the model's sum
        z = model.log_odds(FEATURE_NAMES, compute(a, b).values)
        assert model.bias + sum(f.weight for f in s.features) == pytest.approx(z, abs=1e-6)
        assert s.score == pytest.approx(sigmoid(z))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=len(FEATURE_NAMES), max_size=len(FEATURE_NAMES)))
def test_property_compiled_forest_equals_the_array_walk(values):
    forest = load_params().with_profile("noisy").model.forest
    assert forest is not None
    assert forest.log_odds(values) == pytest.approx(forest.log_odds_slow(values), abs=1e-9)
