"""Concept drift from labelled predictions: errors, detections (against River), weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from river.drift.binary import HDDMA

from driftscope.errors import ConfigError, DataError
from driftscope.stream import ADWIN, DDM
from driftscope.stream.labelled import detect_error_drift, error_values


def _frame(rng, n, error_rates, *, proba=False):
    labels = rng.integers(0, 2, n)
    rate = np.repeat(error_rates, n // len(error_rates))
    wrong = rng.random(n) < rate
    pred = np.where(wrong, 1 - labels, labels)
    if proba:
        pred = np.where(pred == 1, rng.uniform(0.5, 1, n), rng.uniform(0, 0.5, n))
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-11-01", periods=n, freq="min", tz="UTC"),
            "prediction_id": [f"p{i}" for i in range(n)],
            "prediction": pred,
            "label": labels,
        }
    )


def test_error_values_for_classes_probabilities_and_numbers():
    errs, task = error_values(["a", "b", "b"], ["a", "a", "b"])
    assert task == "classification" and errs.tolist() == [0, 1, 0]
    errs, _ = error_values([0.9, 0.2, 0.6], [1, 1, 0])
    assert errs.tolist() == [0, 1, 1]
    errs, task = error_values([1.5, 2.0, -1.0], [1.0, 2.5, 0.25])
    assert task == "regression" and errs.tolist() == [0.5, 0.5, 1.25]
    with pytest.raises(DataError, match="probabilities"):
        error_values([1.5, 0.2, 0.7], [1, 0, 1])


def test_detections_equal_river_on_the_same_error_stream(rng):
    frame = _frame(rng, 8000, [0.1, 0.1, 0.25, 0.25])
    frame = frame.sample(frac=1.0, random_state=1)  # time order is restored by the function
    report = detect_error_drift(frame)
    ordered = frame.sort_values("timestamp")
    river = HDDMA()
    expected = []
    for i, (p, y) in enumerate(zip(ordered["prediction"], ordered["label"], strict=True)):
        river.update(p != y)
        if river.drift_detected:
            expected.append(i)
    assert [e.position for e in report.events] == expected and expected
    first = report.events[0]
    assert first.prediction_id == ordered["prediction_id"].iloc[first.position]
    assert first.error_recent > first.error_before


def test_probability_predictions_other_detectors_and_regression(rng):
    frame = _frame(rng, 6000, [0.1, 0.35], proba=True)
    assert detect_error_drift(frame, DDM()).has_drift
    n = 4000
    reg = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-11-01", periods=n, freq="s", tz="UTC"),
            "prediction": rng.normal(size=n),
            "label": 0.0,
        }
    )
    reg.loc[2000:, "label"] = 1.5
    report = detect_error_drift(reg, ADWIN())
    assert report.task == "regression" and report.events[0].position >= 2000
    with pytest.raises(ConfigError, match="ADWIN or PageHinkley"):
        detect_error_drift(reg, DDM())


def test_sampling_weights_are_undone_before_the_detector(rng):
    """Rules keep every uncertain prediction; those err far more often than the rest."""
    n = 40_000
    frame = _frame(rng, n, [0.1])
    uncertain = rng.random(n) < 0.1
    wrong = frame["prediction"] != frame["label"]
    wrong_u = rng.random(n) < 0.5  # uncertain ones are wrong half of the time
    frame.loc[uncertain, "prediction"] = np.where(
        wrong_u[uncertain], 1 - frame.loc[uncertain, "label"], frame.loc[uncertain, "label"]
    )
    true_rate = (frame["prediction"] != frame["label"]).mean()
    kept = uncertain | (rng.random(n) < 0.05)
    logged = frame[kept].assign(sampling_weight=np.where(uncertain[kept], 1.0, 20.0))
    raw = (logged["prediction"] != logged["label"]).mean()
    report = detect_error_drift(logged)
    assert raw > 2 * true_rate  # the logged sample alone is badly biased
    se = np.sqrt(true_rate * (1 - true_rate) / report.labelled)
    assert abs(report.error_rate - true_rate) < 4 * se
    assert report.notes and "equal-probability" in report.notes[0]
    assert wrong.any()


def test_unlabelled_rows_and_missing_columns(rng):
    frame = _frame(rng, 500, [0.1]).astype({"label": "float"})
    frame.loc[::2, "label"] = np.nan
    report = detect_error_drift(frame)
    assert (report.labelled, report.unlabelled) == (250, 250)
    with pytest.raises(DataError, match="'label'"):
        detect_error_drift(frame.drop(columns=["label"]))
