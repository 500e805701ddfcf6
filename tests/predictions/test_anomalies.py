from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import ConfigError, DataError
from driftscope.predictions.anomalies import AnomalyDetector


def reference_like(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Correlated numerics (one heavy-tailed, one discrete), a categorical, a prediction."""
    a = rng.normal(size=n)
    b = 0.8 * a + 0.6 * rng.normal(size=n)
    income = np.exp(3 + 0.5 * rng.normal(size=n))
    visits = rng.poisson(3, n)
    plan = rng.choice(["basic", "plus", "pro"], size=n, p=[0.5, 0.3, 0.2])
    score = 1 / (1 + np.exp(-(a + 0.3 * rng.normal(size=n))))
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC"),
            "a": a,
            "b": b,
            "income": income,
            "visits": visits,
            "plan": plan,
            "prediction": score,
        }
    )


def test_false_positive_rate_on_fresh_reference_data_within_binomial_bounds() -> None:
    flagged, total, measured = 0, 0, []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        model = AnomalyDetector(target_fpr=0.01, seed=seed).fit(reference_like(rng, 6000))
        measured.append(model.measured_fpr)
        assert model.calibration_fpr <= 0.01
        result = model.score(reference_like(rng, 2000))
        flagged += int(result.is_anomaly.sum())
        total += len(result)
    # Expected 200 of 20,000; the threshold's own sampling error (3,000 calibration rows)
    # adds to the binomial spread, so allow 4 sigma of the combined spread.
    sd = np.sqrt(total * 0.01 * 0.99 + (total * np.sqrt(0.01 * 0.99 / 3000)) ** 2 / 10)
    assert abs(flagged - 200) < 4 * sd, flagged
    # measured_fpr is an out-of-sample estimate from 3,000 held-out rows per seed
    assert abs(np.mean(measured) - 0.01) < 4 * np.sqrt(0.01 * 0.99 / 30_000) + 0.001


def test_planted_anomalies_are_detected_with_reasons(rng: np.random.Generator) -> None:
    model = AnomalyDetector().fit(reference_like(rng, 6000))
    new = reference_like(rng, 4)
    new.loc[0, "income"] = 1e6  # far outside the support
    new.loc[1, "plan"] = "enterprise"  # never seen
    new.loc[2, ["a", "b"]] = [1.6, -1.6]  # each ordinary, jointly unusual (corr 0.8)
    new.loc[2, "prediction"] = 1 / (1 + np.exp(-1.6))
    new.loc[3, ["a", "b", "income", "visits", "plan"]] = [0.0, 0.0, 20.0, 3, "basic"]
    new.loc[3, "prediction"] = 0.5
    result = model.score(new)
    assert result.is_anomaly.tolist() == [True, True, True, False]
    assert result.reasons[0] == ("income outside reference range",)
    assert result.reasons[1] == ("plan unseen value",)
    assert result.reasons[2][0].startswith("unusual combination of ")
    assert set(result.reasons[2][0].split(" of ")[1].split(" and ")) >= {"b"}
    assert result.edge_case.tolist() == [True, True, False, False]
    summary = result.summary()
    assert summary.n_anomalous == 3 and summary.share_anomalous == 0.75
    assert summary.top_reasons[0][1] == 1
    frame = result.to_frame()
    assert frame.loc[1, "reasons"] == "plan unseen value"
    assert result.row(1).score == np.inf


def test_class_probabilities_low_confidence_is_an_edge_case(rng: np.random.Generator) -> None:
    p = rng.dirichlet([5, 1, 1], size=3000)
    ref = pd.DataFrame({"x": rng.normal(size=3000), "prediction.a": p[:, 0]})
    ref["prediction.b"], ref["prediction.c"] = p[:, 1], p[:, 2]
    model = AnomalyDetector().fit(ref)
    new = pd.DataFrame({"x": [0.0, 0.0], "prediction.a": [0.9, 0.4], "prediction.b": [0.05, 0.3]})
    new["prediction.c"] = 1 - new["prediction.a"] - new["prediction.b"]
    new["sampling_weight"] = [1.0, 3.0]
    result = model.score(new)
    assert result.edge_case.tolist() == [False, True]
    assert "low confidence" in result.reasons[1]
    assert result.summary().share_edge_cases == pytest.approx(0.75)


def test_a_missing_value_is_no_anomaly_by_itself(rng: np.random.Generator) -> None:
    # a missing value is counted once, as missing (the quality check's completeness): not
    # as an unseen category, not outside the support, not an anomaly (it was, in a column
    # never missing in the reference, until the "one shape for a check" change)
    ref = pd.DataFrame(
        {
            "x": rng.normal(size=1000),
            "y": rng.normal(size=1000),
            "plan": rng.choice(["basic", "pro"], 1000),
        }
    )
    ref.loc[::10, "y"] = np.nan
    model = AnomalyDetector().fit(ref)
    result = model.score(
        pd.DataFrame(
            {"x": [np.nan, 0.0, 0.0], "y": [0.0, np.nan, 0.0], "plan": ["pro", None, "zz"]}
        )
    )
    assert result.is_anomaly.tolist() == [False, False, True]
    assert result.unseen.tolist() == [False, False, True]
    assert result.out_of_range.tolist() == [False, False, False]


def test_bad_input() -> None:
    with pytest.raises(ConfigError):
        AnomalyDetector(target_fpr=0.0)
    with pytest.raises(ConfigError):
        AnomalyDetector(q_low=0.9, q_high=0.1)
    with pytest.raises(DataError, match="held-out rows"):
        AnomalyDetector().fit(pd.DataFrame({"x": np.arange(50.0)}))
    with pytest.raises(DataError, match="column 'nope'"):
        AnomalyDetector(columns=("nope",)).fit(pd.DataFrame({"x": np.arange(500.0)}))
    model = AnomalyDetector().fit(pd.DataFrame({"x": np.arange(500.0), "c": ["a"] * 500}))
    with pytest.raises(DataError, match="column 'c'"):
        model.score(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(DataError, match="column 'x': expected numbers"):
        model.score(pd.DataFrame({"x": ["1"], "c": ["a"]}))
    with pytest.raises(DataError, match="column 'x'"):
        AnomalyDetector().fit(pd.DataFrame({"x": [np.nan] * 500}))


def test_detection_rate_of_unusual_combinations(rng: np.random.Generator) -> None:
    model = AnomalyDetector().fit(reference_like(rng, 6000))
    new = reference_like(rng, 300)
    sign = rng.choice([-1.0, 1.0], size=300)
    new["a"], new["b"] = 1.5 * sign, -1.5 * sign  # within the support, against corr 0.8
    new["prediction"] = 1 / (1 + np.exp(-new["a"]))
    result = model.score(new)
    assert result.is_anomaly.mean() > 0.95
    assert result.edge_case.mean() < 0.1  # only the other columns' own 1 % tails


def test_store_layout_frame_skips_bookkeeping_columns(rng: np.random.Generator) -> None:
    n = 1000
    frame = pd.DataFrame(
        {
            "prediction_id": [f"p{i}" for i in range(n)],
            "timestamp": pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC"),
            "model_version": ["v1"] * n,
            "sampling_weight": np.ones(n),
            "x": rng.normal(size=n),
            "prediction": rng.choice(["churn", "stay"], size=n),
            "label": rng.choice(["churn", "stay", None], size=n),
            "metadata.region": rng.choice(["eu", "us"], size=n),
        }
    )
    model = AnomalyDetector().fit(frame)
    assert sorted([*model.numeric, *model.categorical]) == ["prediction", "x"]
    new = frame.iloc[:2].copy()
    new["prediction"] = ["churn", "maybe"]
    new["model_version"] = "v2"
    new["sampling_weight"] = [1.0, 4.0]
    result = model.score(new)
    assert result.reasons[1] == ("prediction unseen value",)
    assert result.summary().share_anomalous == pytest.approx(0.8)
