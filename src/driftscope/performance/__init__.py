"""driftscope.performance: realized model performance once labels arrive.

:mod:`~driftscope.performance.metrics` computes metrics on arrays, equal to
scikit-learn's; :mod:`~driftscope.performance.windows` computes them per time or count
window with a confidence interval; :mod:`~driftscope.performance.estimation` estimates
them from scores before the labels arrive.

>>> from driftscope.performance import accuracy
>>> accuracy(["a", "b"], ["a", "a"]).value
0.5
"""

from driftscope.performance.estimation import PerformanceEstimator
from driftscope.performance.metrics import (
    METRICS,
    MetricResult,
    accuracy,
    brier_score,
    compute,
    f1,
    log_loss,
    mae,
    mape,
    pr_auc,
    precision,
    r2,
    recall,
    rmse,
    roc_auc,
)
from driftscope.performance.windows import (
    PerformanceMetrics,
    WindowedMetrics,
    WindowMetric,
    windowed_metrics,
)

__all__ = [
    "METRICS",
    "MetricResult",
    "PerformanceEstimator",
    "PerformanceMetrics",
    "WindowMetric",
    "WindowedMetrics",
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
    "rmse",
    "roc_auc",
    "windowed_metrics",
]
