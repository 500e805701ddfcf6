"""Performance estimated from scores before labels arrive, against scikit-learn's isotonic
regression and against the realized metrics once the labels are drawn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from driftscope.errors import DataError
from driftscope.performance.estimation import PerformanceEstimator, isotonic_fit


def test_isotonic_fit_equals_sklearn(rng):
    x = np.round(rng.random(3000), 2)  # ties pooled into knots
    y = (rng.random(3000) < x**2).astype(float)
    w = rng.choice([1.0, 3.0], 3000)
    knots, fitted = isotonic_fit(x, y, w)
    reference = IsotonicRegression().fit(x, y, sample_weight=w)
    np.testing.assert_allclose(fitted, reference.predict(knots), atol=1e-12)
    assert np.all(np.diff(fitted) >= 0)


def _miscalibrated(rng, n, shift=0.0):
    """A model that ranks well but is overconfident: true P(y=1) = sigmoid(z), score =
    sigmoid(2 z); a covariate shift moves z."""
    z = rng.normal(shift, 1.5, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return 1 / (1 + np.exp(-2 * z)), y


def test_estimates_track_realized_metrics_under_covariate_shift(rng):
    score, label = _miscalibrated(rng, 20_000)
    estimator = PerformanceEstimator.fit(score, label)
    for shift in (0.0, 1.5, -1.0):  # the score mix moves; the relation does not
        errors = {m: [] for m in ("accuracy", "precision", "recall", "f1", "roc_auc")}
        for seed in range(5):
            s, y = _miscalibrated(np.random.default_rng(100 + seed), 20_000, shift)
            est = estimator.estimate(s)
            pred = s >= 0.5
            realized = {
                "accuracy": accuracy_score(y, pred),
                "precision": precision_score(y, pred),
                "recall": recall_score(y, pred),
                "f1": f1_score(y, pred),
                "roc_auc": roc_auc_score(y, s),
            }
            for m, value in realized.items():
                errors[m].append(est[m] - value)
        for m, e in errors.items():
            assert abs(np.mean(e)) < 0.015, (shift, m, e)  # unbiased, to sampling noise


def test_a_changed_relation_is_not_seen_by_the_estimate_but_by_the_labels(rng):
    score, label = _miscalibrated(rng, 20_000)
    estimator = PerformanceEstimator.fit(score, label)
    s, y = _miscalibrated(rng, 20_000)
    flipped = np.where(rng.random(len(y)) < 0.3, 1 - y, y)  # concept drift
    assert estimator.estimate(s)["accuracy"] - accuracy_score(flipped, s >= 0.5) > 0.1


def test_weights_and_bad_input(rng):
    score, label = _miscalibrated(rng, 5000)
    estimator = PerformanceEstimator.fit(score, label)
    s, _ = _miscalibrated(rng, 1000)
    doubled = estimator.estimate(np.concatenate([s, s[:500]]))
    weighted = estimator.estimate(s, sample_weight=np.r_[np.full(500, 2.0), np.ones(500)])
    assert doubled == pytest.approx(weighted)
    assert np.isnan(estimator.estimate(np.array([]))["accuracy"])
    with pytest.raises(DataError, match="one class"):
        PerformanceEstimator.fit(score, np.zeros(len(score)))
    with pytest.raises(DataError, match="0/1"):
        PerformanceEstimator.fit([0.2, 0.4], [0, 2])
