"""Realized metrics on arrays, equal to scikit-learn's on the same inputs (NumPy/SciPy only).

Every metric returns a :class:`MetricResult` (value, labelled rows used, rows dropped for
a missing label, and a ``reason`` when the value is undefined or a documented convention
applied) and accepts ``sample_weight``: the monitor's sampling weights, inverse inclusion
probabilities, so totals are Horvitz-Thompson estimates and ratio metrics their Hájek
ratios, estimating the metric on every prediction rather than on the sampled ones.

Bad input: rows with a missing label (NaN, None) are dropped and counted in
``n_dropped``; no labelled rows, one class only for AUC, no positives for average
precision give an undefined result saying why; probabilities outside [0, 1] or not summing
to 1, labels of another kind than the predictions (text vs numbers), missing predictions
and negative weights raise :class:`~driftscope.errors.DataError` naming the column and row.

>>> from driftscope.performance import metrics
>>> metrics.compute("accuracy", [1, 0, 1], [1, 1, 1]).value
0.6666666666666666
>>> sorted(metrics.METRICS)[:4]
['accuracy', 'brier_score', 'f1', 'log_loss']
"""

from __future__ import annotations

from collections.abc import Callable

from numpy.typing import ArrayLike

from driftscope.errors import ConfigError
from driftscope.performance.classification import accuracy, f1, precision, recall
from driftscope.performance.probabilistic import brier_score, log_loss
from driftscope.performance.ranking import pr_auc, roc_auc
from driftscope.performance.regression import mae, mape, r2, rmse
from driftscope.performance.result import MetricResult

#: Metrics on predicted labels (``y_pred`` is a label per row).
LABEL_METRICS: dict[str, Callable[..., MetricResult]] = {
    "accuracy": accuracy,
    "precision": precision,
    "recall": recall,
    "f1": f1,
}
#: Metrics on scores or class probabilities (1-d binary, or one column per class).
SCORE_METRICS: dict[str, Callable[..., MetricResult]] = {
    "roc_auc": roc_auc,
    "pr_auc": pr_auc,
    "log_loss": log_loss,
    "brier_score": brier_score,
}
#: Metrics on numeric predictions.
REGRESSION_METRICS: dict[str, Callable[..., MetricResult]] = {
    "mae": mae,
    "rmse": rmse,
    "mape": mape,
    "r2": r2,
}
METRICS: dict[str, Callable[..., MetricResult]] = {
    **LABEL_METRICS,
    **SCORE_METRICS,
    **REGRESSION_METRICS,
}
#: Aliases accepted by :func:`compute` (the monitor's ``metrics=["auc", ...]``).
ALIASES = {"auc": "roc_auc", "average_precision": "pr_auc", "brier": "brier_score"}


def resolve(name: str) -> str:
    """Canonical metric name; ConfigError for an unknown one.

    >>> resolve("auc")
    'roc_auc'
    """
    canonical = ALIASES.get(name, name)
    if canonical not in METRICS:
        raise ConfigError(f"unknown metric {name!r}; known: {', '.join(sorted(METRICS))}")
    return canonical


def compute(
    name: str,
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    **options,
) -> MetricResult:
    """Compute metric ``name`` (or an alias); ``options`` go to the metric (``average``, ...)."""
    return METRICS[resolve(name)](y_true, y_pred, sample_weight=sample_weight, **options)


__all__ = [
    "ALIASES",
    "LABEL_METRICS",
    "METRICS",
    "REGRESSION_METRICS",
    "SCORE_METRICS",
    "MetricResult",
    "accuracy",
    "brier_score",
    "compute",
    "f1",
    "log_loss",
    "mae",
    "mape",
    "pr_auc",
    "precision",
    "r2",
    "recall",
    "resolve",
    "rmse",
    "roc_auc",
]
