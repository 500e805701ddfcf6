"""The "predictions" health check: anomalies, confidence and prediction mix per window."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.drift.reference import Reference
from driftscope.health import predictions_anomalies
from driftscope.health import predictions_check as pc
from driftscope.health.context import CheckRun, CheckWindow
from driftscope.health.predictions_compare import ALPHA
from driftscope.health.predictions_stats import prediction_stats
from driftscope.health.runner import CHECKS, DEFAULT_CHECKS
from driftscope.monitor import ModelMonitor
from tests.monitor.conftest import real_store

DAY = datetime(2026, 11, 2, tzinfo=UTC)


def _rows(rng, n, *, shift=0.0, confidence=2.0):
    """Two correlated numeric features, a category, and the classifier's probabilities."""
    x = rng.normal(shift, 1, n)
    y = x + rng.normal(0, 0.4, n)
    p = 1 / (1 + np.exp(-confidence * x))
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "plan": rng.choice(["basic", "pro"], n, p=[0.7, 0.3]),
            "prediction.no": 1 - p,
            "prediction.yes": p,
        }
    )


def _check(reference, frame, start=DAY):
    check = pc.prepare(CheckRun("churn", reference, window=timedelta(days=1)))
    window = CheckWindow("churn", reference, start, start + timedelta(days=1))
    return check(frame, window)


def _run(reference, frame, start=DAY):
    """The window's points by metric (the what_changed explanation left out)."""
    return {p.metric: p for p in _check(reference, frame, start) if isinstance(p, CheckRecord)}


def _explain(reference, frame, start=DAY):
    """The window's what_changed explanation."""
    (note,) = [e for e in _check(reference, frame, start) if isinstance(e, Explanation)]
    assert note.topic == "what_changed" and note.check == "predictions"
    return note


def _assert_stored_cleanly(points):
    """Every point is finite or missing (a value that could not be computed is None, never
    0), JSON-ready (no NaN sneaks in) and has a defined status."""
    for p in points.values():
        assert p.value is None or math.isfinite(p.value), p
        if p.value is None:
            assert p.status == "unknown", p
        assert p.status in {"ok", "warning", "critical", "unknown"}
        json.dumps(p.details, allow_nan=False)
        if p.status == "unknown":
            assert p.details.get("reason"), p


@pytest.fixture(scope="module")
def reference():
    return Reference.fit(_rows(np.random.default_rng(0), 8000))


def test_window_values_match_independent_computations(reference):
    rng = np.random.default_rng(2)
    frame = _rows(rng, 3000)
    frame["sampling_weight"] = rng.integers(1, 5, 3000).astype(float)
    points = _run(reference, frame)
    w = frame["sampling_weight"].to_numpy()
    probs = frame[["prediction.no", "prediction.yes"]].to_numpy()
    confidence = probs.max(axis=1)
    assert points["mean_confidence"].value == pytest.approx(np.average(confidence, weights=w))
    low = confidence < 0.6  # binary: low confidence below 0.6
    assert points["low_confidence_share"].value == pytest.approx(np.average(low, weights=w))
    yes = probs[:, 1] > probs[:, 0]
    assert points["class_share:yes"].value == pytest.approx(np.average(yes, weights=w))
    # the baseline's figures come from the row sample, unweighted
    sample = reference.row_sample
    base_conf = sample[["prediction.no", "prediction.yes"]].to_numpy().max(axis=1)
    assert points["mean_confidence"].details["baseline"] == pytest.approx(base_conf.mean())
    _assert_stored_cleanly(points)


def test_anomaly_rate_counts_sampled_rows_with_their_weight(reference):
    rng = np.random.default_rng(16)
    frame = _rows(rng, 2000)
    frame.loc[:39, "x"] = 8.0  # 2 % of the logged rows ...
    frame["sampling_weight"] = np.where(frame.index < 40, 10.0, 1.0)  # ... 17 % of traffic
    points = _run(reference, frame)
    model = pc.AnomalyDetector(columns=("x", "y", "plan")).fit(reference.row_sample)
    flags = model.score(frame[["x", "y", "plan"]]).is_anomaly
    w = frame["sampling_weight"].to_numpy()
    assert points["anomaly_rate"].value == pytest.approx(np.average(flags, weights=w))
    assert points["anomaly_rate"].value > 0.15
    assert points["anomaly_rate"].status == "critical"


def test_multiclass_confidence_and_entropy_agree_with_scipy():
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(5000, 3))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    frame = pd.DataFrame(probs, columns=["prediction.a", "prediction.b", "prediction.c"])
    found = prediction_stats(frame, None, probability=False)
    assert found.stats["mean_confidence"].value == pytest.approx(probs.max(axis=1).mean())
    share = (probs.max(axis=1) < 0.5).mean()  # three classes: below 0.5
    assert found.stats["low_confidence_share"].value == pytest.approx(share)
    from driftscope.predictions import prediction_uncertainty

    entropy = prediction_uncertainty(probs).entropy
    np.testing.assert_allclose(entropy, stats.entropy(probs, axis=1), rtol=1e-12)


@pytest.mark.parametrize("kind", ["continuous", "ties", "constant"])
def test_copula_ranks_count_ties_exactly(kind):
    """The one-search mid-ranks of the anomaly model equal the two-search definition."""
    from scipy.special import ndtri

    from driftscope.predictions.anomalies import _NumericFit

    rng = np.random.default_rng(15)
    values = {
        "continuous": rng.normal(size=2000),
        "ties": rng.integers(0, 6, 2000).astype(float),
        "constant": np.full(50, 3.0),
    }[kind]
    fit = _NumericFit.learn("v", pd.Series(values), 0.005, 0.995)
    x = np.concatenate([rng.normal(2, 3, 500), rng.integers(-1, 8, 500), [np.nan, np.inf, -np.inf]])
    left = np.searchsorted(fit.sorted_values, x, side="left")
    right = np.searchsorted(fit.sorted_values, x, side="right")
    expected = ndtri((left + right + 1.0) / (2.0 * (fit.sorted_values.size + 1.0)))
    np.testing.assert_array_equal(fit.normal_scores(x), np.where(np.isnan(x), 0.0, expected))


# ---------------------------------------------------------------------- detection
@pytest.mark.parametrize("seed", range(5))
def test_injected_anomalies_are_flagged_and_a_clean_window_is_ok(reference, seed):
    rng = np.random.default_rng(100 + seed)
    clean = _run(reference, _rows(rng, 2000))
    for metric in ("anomaly_rate", "out_of_range_rate", "unseen_category_rate"):
        assert clean[metric].status == "ok", (metric, clean[metric].details)
    assert (
        _explain(reference, _rows(np.random.default_rng(100 + seed), 2000)).details["notable"] == 0
    )
    dirty = _rows(rng, 2000)
    dirty["prediction_id"] = [f"p{i}" for i in range(2000)]
    hit = rng.choice(2000, 100, replace=False)  # 5 % of rows: x far out, or x against y
    dirty.loc[hit[:50], "x"] = 8.0
    dirty.loc[hit[50:], "y"] = -dirty.loc[hit[50:], "x"] * 3 - 2
    dirty.loc[hit[:20], "plan"] = "enterprise"
    points = _run(reference, dirty)
    examples = points["anomaly_rate"].details["examples"]  # the edge cases, worst first
    assert len(examples) == 10 and {e["prediction_id"] for e in examples} <= {f"p{i}" for i in hit}
    scores = [np.inf if e["score"] is None else e["score"] for e in examples]  # inf: JSON null
    assert scores == sorted(scores, reverse=True) and all(e["reasons"] for e in examples)
    assert points["anomaly_rate"].status in ("warning", "critical")
    assert points["anomaly_rate"].value > points["anomaly_rate"].threshold
    assert points["unseen_category_rate"].status in ("warning", "critical")
    reasons = " ".join(points["anomaly_rate"].details["top_reasons"])
    assert "x outside reference range" in reasons and "plan unseen value" in reasons
    # what changed is an explanation, no longer a metric stored as 2.0 and critical
    assert "what_changed" not in points
    note = _explain(reference, dirty)
    assert note.details["notable"] >= 2 and note.text.startswith(
        f"{note.details['notable']} notable"
    )
    assert note.details["changes"][0].startswith("! ")
    dirty.loc[rng.choice(2000, 300, replace=False), "x"] = -9.0  # now about 20 % anomalous
    assert _run(reference, dirty)["anomaly_rate"].status == "critical"


def test_clean_windows_raise_no_false_alarms(reference):
    statuses = []
    for seed in range(20):
        points = _run(reference, _rows(np.random.default_rng(1000 + seed), 1500))
        statuses += [p.status for p in points.values()]
    assert set(statuses) == {"ok"}


def test_the_same_change_counts_on_30000_rows_but_not_on_30(reference):
    # less confident predictions: a shallower link between x and the probability
    small = _run(reference, _rows(np.random.default_rng(4), 30, confidence=1.2))
    large = _run(reference, _rows(np.random.default_rng(5), 30_000, confidence=1.2))
    assert small["low_confidence_share"].status == "ok"
    assert large["low_confidence_share"].status in ("warning", "critical")
    assert large["mean_confidence"].status in ("warning", "critical")
    assert small["low_confidence_share"].details["p_value"] > ALPHA
    assert large["low_confidence_share"].value > large["low_confidence_share"].threshold


def test_large_windows_are_scored_on_a_seeded_subsample(reference, monkeypatch):
    monkeypatch.setattr(predictions_anomalies, "SCORED_ROWS", 1000)
    frame = _rows(np.random.default_rng(6), 5000)
    first, again = _run(reference, frame), _run(reference, frame)
    details = first["anomaly_rate"].details
    assert details["scored_rows"] == 1000 and details["rows"] == 5000 and details["subsampled"]
    assert first["anomaly_rate"].value == again["anomaly_rate"].value  # re-runs agree
    assert first["mean_confidence"].details["rows"] == 5000  # confidence uses every row


# ---------------------------------------------------------------------- bad input
def test_an_empty_window_is_unknown_with_a_reason(reference):
    points = _run(reference, _rows(np.random.default_rng(7), 0))
    assert {p.status for p in points.values()} == {"unknown"}
    assert {"anomaly_rate", "mean_confidence"} <= points.keys()
    assert all(p.value is None for p in points.values())  # missing, not 0
    assert all(p.details["reason"] == pc.NO_ROWS for p in points.values())


def test_without_a_row_sample_the_values_are_stored_without_a_verdict():
    rng = np.random.default_rng(8)
    reference = Reference.fit(_rows(rng, 2000), keep_rows=0)
    points = _run(reference, _rows(rng, 500))
    assert "anomaly_rate" not in points  # no rows to fit the anomaly model on: no point
    for metric in ("mean_confidence", "low_confidence_share"):
        assert points[metric].status == "ok"
        assert "keep_rows" in points[metric].details["note"]
    assert "keep_rows" in _explain(reference, _rows(rng, 500)).text
    assert 0.5 < points["mean_confidence"].value < 1.0  # the window's value is still stored
    _assert_stored_cleanly(points)


@pytest.mark.parametrize(
    ("spoil", "column"),
    [
        (lambda f: f.__setitem__("prediction.yes", f["prediction.yes"] + 0.5), "prediction.yes"),
        (lambda f: f.loc.__setitem__((3, "prediction.no"), -0.2), "prediction.no"),
        (lambda f: f.loc.__setitem__((4, "prediction.yes"), 0.1), "prediction.no..prediction.yes"),
        (lambda f: f.loc.__setitem__((5, "prediction.yes"), np.nan), "prediction.yes"),
        (lambda f: f.__setitem__("prediction.yes", "yes"), "prediction.yes"),
    ],
    ids=["above-1", "negative", "not-summing-to-1", "missing", "strings"],
)
def test_invalid_probabilities_are_unknown_naming_the_column(reference, spoil, column):
    frame = _rows(np.random.default_rng(9), 400)
    spoil(frame)
    points = _run(reference, frame)
    for metric in ("mean_confidence", "low_confidence_share", "class_share:yes"):
        assert points[metric].status == "unknown"
        assert f"column {column!r}" in points[metric].details["error"]
    assert points["anomaly_rate"].status == "ok"  # the inputs are still checked
    _assert_stored_cleanly(points)


def test_a_binary_score_outside_0_1_is_unknown_when_the_baseline_was_a_probability():
    rng = np.random.default_rng(10)
    base = (
        _rows(rng, 3000)
        .drop(columns=["prediction.no"])
        .rename(columns={"prediction.yes": "prediction"})
    )
    frame = base.sample(300, random_state=1).reset_index(drop=True)
    frame.loc[7, "prediction"] = 1.4
    points = _run(Reference.fit(base), frame)
    assert points["mean_confidence"].status == "unknown"
    assert "column 'prediction', row 7" in points["mean_confidence"].details["error"]
    assert points["prediction_mean"].status == "ok"
    _assert_stored_cleanly(points)


def test_all_identical_predictions_are_critical(reference):
    frame = _rows(np.random.default_rng(11), 500)
    frame["prediction.no"], frame["prediction.yes"] = 0.5, 0.5
    points = _run(reference, frame)
    assert points["identical_predictions"].status == "critical"
    assert points["identical_predictions"].value == 1.0
    assert "identical" in _explain(reference, frame).details["changes"][0]
    assert points["low_confidence_share"].status == "critical"
    _assert_stored_cleanly(points)


def test_label_predictions_get_class_shares(reference):
    rng = np.random.default_rng(12)
    frame = _rows(rng, 2000)
    labels = np.where(frame.pop("prediction.yes") > 0.5, "yes", "no")
    frame = frame.drop(columns=["prediction.no"]).assign(prediction=labels)
    points = _run(reference, frame)
    assert points["class_share:yes"].status == "ok"  # compared with the arg-max of the baseline
    assert points["mean_confidence"].status == "unknown"  # labels carry no confidence
    frame["prediction"] = "yes"  # a model stuck on one class
    stuck = _run(reference, frame)
    assert stuck["class_share:yes"].status == "warning"
    assert stuck["identical_predictions"].status == "critical"
    _assert_stored_cleanly(stuck)


def test_bad_weights_and_missing_features_are_unknown_naming_the_column(reference):
    frame = _rows(np.random.default_rng(13), 300)
    frame["sampling_weight"] = 1.0
    frame.loc[2, "sampling_weight"] = 0.0
    points = _run(reference, frame)
    assert {p.status for p in points.values()} == {"unknown"}
    assert "column 'sampling_weight', row 2" in points["anomaly_rate"].details["error"]
    points = _run(reference, _rows(np.random.default_rng(13), 300).drop(columns=["plan"]))
    assert points["anomaly_rate"].status == "unknown"
    assert "column 'plan'" in points["anomaly_rate"].details["error"]
    assert points["mean_confidence"].status == "ok"


# ---------------------------------------------------------------------- end to end
def test_run_checks_stores_the_prediction_analysis_per_day(tmp_path):
    assert CHECKS["predictions"] is pc.prepare and "predictions" in DEFAULT_CHECKS
    rng = np.random.default_rng(14)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=3)
    with ModelMonitor("churn", store=real_store(tmp_path)) as monitor:
        training = _rows(rng, 6000).drop(columns=["prediction.no"])
        monitor.save_reference(training.rename(columns={"prediction.yes": "prediction"}))
        for day in range(3):
            frame = _rows(rng, 2000)
            if day == 2:
                frame.loc[:399, "x"] = 9.0
            stamps = pd.Timestamp(first + timedelta(days=day)) + pd.to_timedelta(
                np.sort(rng.uniform(0, 86_000, 2000)), unit="s"
            )
            features = frame[["x", "y", "plan"]]
            monitor.log_predictions(features, frame["prediction.yes"].to_numpy(), timestamps=stamps)
        summary = monitor.run_checks("day", since=first, checks=["predictions"])
        by_day = {r.window_start: r for r in summary.records if r.metric == "anomaly_rate"}
        statuses = [by_day[first + timedelta(days=d)].status for d in range(3)]
        assert statuses == ["ok", "ok", "critical"]
        assert summary.status == "critical"
        stored = monitor.store.read_check_results("churn", check="predictions")
        assert len(stored) == len(summary.records)
        assert {"anomaly_rate", "mean_confidence", "prediction_mean"} <= set(stored["metric"])
        again = monitor.run_checks("day", since=first, checks=["predictions"])
        assert [r.value for r in again.records] == [r.value for r in summary.records]
        assert len(monitor.store.read_check_results("churn", check="predictions")) == len(stored)


def test_a_baseline_too_small_to_calibrate_has_no_anomaly_points_and_says_so():
    rng = np.random.default_rng(12)
    reference = Reference.fit(_rows(rng, 221))  # 400 rows needed for a 1 % rate
    points = _run(reference, _rows(rng, 300))
    assert "anomaly_rate" not in points
    assert "221 rows" in _explain(reference, _rows(rng, 300)).details["anomaly_note"]
    assert points["mean_confidence"].status in ("ok", "warning")
    _assert_stored_cleanly(points)
