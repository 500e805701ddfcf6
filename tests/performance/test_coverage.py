"""Confidence intervals cover the true value about as often as they claim (simulation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, norm

from driftscope.performance.intervals import delong
from driftscope.performance.windows import windowed_metrics


def _bounds(trials: int, level: float = 0.95) -> tuple[int, int]:
    """Covering counts a correct 95 % interval falls outside with probability < 0.2 %."""
    return int(binom.ppf(0.001, trials, level)), int(binom.isf(0.001, trials, level))


def test_wilson_covers_true_accuracy_in_95_percent_of_400_windows():
    rng = np.random.default_rng(42)
    windows, n, true_acc = 400, 150, 0.83
    label = rng.integers(0, 2, windows * n)
    correct = rng.uniform(size=windows * n) < true_acc
    frame = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(np.repeat(np.arange(windows), n), unit="h"),
            "label": label,
            "prediction": np.where(correct, label, 1 - label),
        }
    )
    out = windowed_metrics(frame, ["accuracy"], window="hour").to_frame()
    assert len(out) == windows and (out["n"] == n).all()
    covered = int(((out["ci_low"] <= true_acc) & (true_acc <= out["ci_high"])).sum())
    lo, hi = _bounds(windows)
    assert lo <= covered <= hi, covered


def test_weighted_wilson_covers_population_accuracy():
    # Poisson sampling: errors kept with probability 1, correct predictions with 1/4, so
    # the sampled rows are mostly errors and only the weights recover the true accuracy.
    rng = np.random.default_rng(7)
    windows, pop, true_acc = 400, 600, 0.9
    correct = rng.uniform(size=windows * pop) < true_acc
    keep_p = np.where(correct, 0.25, 1.0)
    kept = rng.uniform(size=windows * pop) < keep_p
    hour = np.repeat(np.arange(windows), pop)[kept]
    label = rng.integers(0, 2, kept.sum())
    frame = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(hour, unit="h"),
            "label": label,
            "prediction": np.where(correct[kept], label, 1 - label),
            "sampling_weight": 1 / keep_p[kept],
        }
    )
    out = windowed_metrics(frame, ["accuracy"], window="hour").to_frame()
    covered = int(((out["ci_low"] <= true_acc) & (true_acc <= out["ci_high"])).sum())
    lo, hi = _bounds(windows)
    assert lo <= covered <= hi, covered


def test_delong_auc_coverage_and_formula():
    # Scores N(0,1) for negatives and N(1,1) for positives: true AUC = Phi(1/sqrt 2).
    rng = np.random.default_rng(11)
    windows, n = 400, 200
    true_auc = 0.7602499389065233
    label = rng.integers(0, 2, windows * n)
    frame = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(np.repeat(np.arange(windows), n), unit="D"),
            "label": label,
            "prediction": rng.normal(size=windows * n) + label,
        }
    )
    out = windowed_metrics(frame, ["roc_auc"]).to_frame()
    assert (out["ci_method"] == "delong").all()
    covered = int(((out["ci_low"] <= true_auc) & (true_auc <= out["ci_high"])).sum())
    lo, hi = _bounds(windows)
    assert lo <= covered <= hi, covered
    # unweighted, the half-width is z * sqrt(S10/m + S01/n), DeLong's own formula with ties
    y = rng.integers(0, 2, 300).astype(bool)
    s = np.round(rng.normal(size=300) + y, 1)
    psi = (s[y][:, None] > s[~y][None, :]) + 0.5 * (s[y][:, None] == s[~y][None, :])
    var = psi.mean(1).var(ddof=1) / y.sum() + psi.mean(0).var(ddof=1) / (~y).sum()
    low, high, _ = delong(y, s, np.ones(300))
    assert (high - low) / 2 == pytest.approx(norm.ppf(0.975) * np.sqrt(var), rel=1e-9)


@pytest.mark.parametrize(("metric", "method"), [("mae", "normal"), ("r2", "bootstrap")])
def test_mae_and_r2_interval_coverage(metric, method):
    # Labels and errors N(0, 1): true MAE = sqrt(2 / pi), true R² = 0.
    rng = np.random.default_rng(5)
    windows, n = 120, 150
    y = rng.normal(size=windows * n)
    frame = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(np.repeat(np.arange(windows), n), unit="D"),
            "label": y,
            "prediction": y + rng.normal(size=windows * n),
        }
    )
    out = windowed_metrics(frame, [metric], n_boot=150).to_frame()
    assert (out["ci_method"] == method).all()
    true_mae = np.sqrt(2 / np.pi) if metric == "mae" else 0.0  # R² = 1 - 1/Var(y) = 0
    covered = int(((out["ci_low"] <= true_mae) & (true_mae <= out["ci_high"])).sum())
    assert binom.ppf(0.001, windows, 0.93) <= covered <= windows, covered
