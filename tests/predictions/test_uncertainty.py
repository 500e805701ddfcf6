from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from driftscope.errors import ConfigError, DataError
from driftscope.predictions import prediction_uncertainty, probability_matrix


def test_hand_computed_values() -> None:
    u = prediction_uncertainty(np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [1 / 3, 1 / 3, 1 / 3]]))
    assert u.confidence.tolist() == pytest.approx([0.6, 0.6, 1 / 3])
    assert u.margin.tolist() == pytest.approx([0.3, 0.4, 0.0])
    h0 = -(0.6 * np.log(0.6) + 0.3 * np.log(0.3) + 0.1 * np.log(0.1))
    assert u.entropy[0] == pytest.approx(h0)
    assert u.normalized_entropy[2] == pytest.approx(1.0)
    assert u.low_confidence.tolist() == [False, False, True]
    assert u.summary.low_confidence_share == pytest.approx(1 / 3)
    assert u.summary.mean_margin == pytest.approx(0.7 / 3)


def test_entropy_matches_scipy(rng: np.random.Generator) -> None:
    probs = rng.dirichlet([0.5, 1.0, 2.0, 0.1], size=500)
    probs[0] = [1.0, 0.0, 0.0, 0.0]
    probs /= probs.sum(axis=1, keepdims=True)
    u = prediction_uncertainty(probs)
    expected = stats.entropy(probs, axis=1)
    np.testing.assert_allclose(u.entropy, expected, atol=1e-12)
    np.testing.assert_allclose(u.normalized_entropy, expected / np.log(4), atol=1e-12)


def test_frame_with_prediction_columns_and_weights() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-01-01", periods=3, tz="UTC"),
            "prediction.a": [0.9, 0.45, 0.3],
            "prediction.b": [0.1, 0.55, 0.7],
            "sampling_weight": [1.0, 3.0, 1.0],
        }
    )
    u = prediction_uncertainty(frame, threshold=0.6)
    assert u.classes == ("a", "b")
    assert u.low_confidence.tolist() == [False, True, False]
    assert u.summary.weighted
    assert u.summary.low_confidence_share == pytest.approx(3 / 5)
    assert u.summary.mean_confidence == pytest.approx((0.9 + 3 * 0.55 + 0.7) / 5)


def test_binary_probability_column() -> None:
    probs, classes = probability_matrix(pd.DataFrame({"prediction": [0.25, 1.0]}))
    assert probs.tolist() == [[0.75, 0.25], [0.0, 1.0]]
    assert classes == ("0", "1")
    u = prediction_uncertainty([0.5, 0.75])
    assert u.margin.tolist() == [0.0, 0.5]


def test_errors_name_row_and_column() -> None:
    with pytest.raises(
        DataError, match=r"column 'prediction.a', row 1: probability 1.2 is outside \[0, 1\]"
    ):
        probability_matrix(pd.DataFrame({"prediction.a": [0.5, 1.2], "prediction.b": [0.5, -0.2]}))
    with pytest.raises(DataError, match=r"row 2: probabilities sum to"):
        probability_matrix(np.array([[0.5, 0.5], [0.1, 0.9], [0.3, 0.6]]))
    with pytest.raises(DataError, match=r"column 'prediction', row 0"):
        prediction_uncertainty([1.5])
    with pytest.raises(DataError, match=r"row 1: missing probability"):
        prediction_uncertainty([0.2, np.nan])
    with pytest.raises(DataError, match="no 'prediction"):
        prediction_uncertainty(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(DataError, match="row 0"):
        prediction_uncertainty([0.5], weights=[0.0])
    with pytest.raises(ConfigError):
        prediction_uncertainty([0.5], threshold=1.5)


def test_empty_input_gives_nan_free_counts() -> None:
    u = prediction_uncertainty(np.empty((0, 3)))
    assert u.summary.n == 0
    assert u.to_frame().empty
