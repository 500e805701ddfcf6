"""Regression metrics: MAE, RMSE, MAPE and R², equal to scikit-learn's.

``sample_weight`` takes Horvitz-Thompson sampling weights (each error counts as many times
as the predictions it stands for). MAPE divides by ``max(|y|, eps)`` as scikit-learn's
``mean_absolute_percentage_error``, so a zero label gives a huge, finite value. R² of
constant labels follows scikit-learn (1.0 for perfect predictions, else 0.0) and says so
in ``reason``; R² of fewer than two rows is undefined.

>>> mae([1.0, 2.0, 4.0], [1.5, 2.0, 3.0]).value
0.5
>>> round(r2([1.0, 2.0, 4.0], [1.5, 2.0, 3.0]).value, 4)
0.7321
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import DataError
from driftscope.performance._inputs import empty_reason, prepare, wavg
from driftscope.performance.result import MetricResult


def _rows(name: str, y_true: ArrayLike, y_pred: ArrayLike, sample_weight):
    rows = prepare(y_true, y_pred, sample_weight)
    for arr, col in ((rows.y_true, "label"), (rows.y_pred, "prediction")):
        if rows.n and arr.dtype.kind not in "biuf":
            raise DataError(f"{name} needs numbers, got {arr.dtype}", column=col)
        if rows.n and not np.isfinite(arr.astype(float)).all():
            i = int(np.flatnonzero(~np.isfinite(arr.astype(float)))[0])
            raise DataError("values must be finite", column=col, row=rows.row(i))
    return rows, empty_reason(rows)


def _simple(name: str, y_true, y_pred, sample_weight, loss) -> MetricResult:
    rows, why = _rows(name, y_true, y_pred, sample_weight)
    if why:
        return MetricResult.undefined(name, why, n=rows.n, n_dropped=rows.n_dropped)
    yt, yp = rows.y_true.astype(float), rows.y_pred.astype(float)
    value = wavg(loss(yt, yp), rows.weight)
    return MetricResult(name, value, rows.n, rows.total, rows.n_dropped)


def mae(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight=None) -> MetricResult:
    """Mean absolute error.

    >>> mae([1, 2], [2, 2]).value
    0.5
    """
    return _simple("mae", y_true, y_pred, sample_weight, lambda t, p: np.abs(t - p))


def rmse(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight=None) -> MetricResult:
    """Root mean squared error (sklearn's ``root_mean_squared_error``).

    >>> rmse([0, 0], [3, 4]).value
    3.5355339059327378
    """
    r = _simple("rmse", y_true, y_pred, sample_weight, lambda t, p: (t - p) ** 2)
    return (
        r
        if not r.defined
        else MetricResult(r.metric, float(np.sqrt(r.value)), r.n, r.weight, r.n_dropped)
    )


def mape(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight=None) -> MetricResult:
    """Mean absolute percentage error, as a fraction (0.1 = 10 %).

    >>> mape([10, 20], [11, 18]).value
    0.1
    """
    eps = np.finfo(float).eps
    return _simple(
        "mape",
        y_true,
        y_pred,
        sample_weight,
        lambda t, p: np.abs(t - p) / np.maximum(np.abs(t), eps),
    )


def r2(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight=None) -> MetricResult:
    """Coefficient of determination (sklearn's ``r2_score``).

    >>> r2([3, 3, 3], [3, 3, 3]).reason
    'labels are constant: R² set to 1.0 as scikit-learn (perfect predictions)'
    """
    rows, why = _rows("r2", y_true, y_pred, sample_weight)
    if not why and rows.n < 2:
        why = "R² needs at least two labelled rows"
    if why:
        return MetricResult.undefined("r2", why, n=rows.n, n_dropped=rows.n_dropped)
    yt, yp, w = rows.y_true.astype(float), rows.y_pred.astype(float), rows.weight
    num = float(np.sum(w * (yt - yp) ** 2))
    den = float(np.sum(w * (yt - wavg(yt, w)) ** 2))
    args = (rows.n, rows.total, rows.n_dropped)
    if den == 0:
        if num == 0:
            why = "labels are constant: R² set to 1.0 as scikit-learn (perfect predictions)"
            return MetricResult("r2", 1.0, *args, why)
        return MetricResult("r2", 0.0, *args, "labels are constant: R² set to 0.0 as scikit-learn")
    return MetricResult("r2", 1.0 - num / den, *args)
