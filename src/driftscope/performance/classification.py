"""Label metrics: accuracy, precision, recall, F1 (binary, micro, macro, weighted).

Values equal scikit-learn's ``accuracy_score``, ``precision_score``, ``recall_score`` and
``f1_score`` (``zero_division=0``: a ratio with a zero denominator is 0, and the result says
so in ``reason``). Classes are the union of labels and predictions, sorted.

``sample_weight`` takes the monitor's sampling weights (inverse inclusion probabilities):
every count becomes a Horvitz-Thompson total, so ratios estimate the metric on all
predictions, not just the sampled ones.

>>> accuracy([1, 0, 1, 1], [1, 0, 0, 1]).value
0.75
>>> round(f1(["a", "b", "c", "a"], ["a", "b", "b", "a"], average="macro").value, 4)
0.5556
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import ConfigError, DataError
from driftscope.performance._inputs import check_same_kind, empty_reason, prepare, wavg
from driftscope.performance.result import MetricResult

AVERAGES = ("binary", "micro", "macro", "weighted")


def accuracy(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> MetricResult:
    """Share of rows whose prediction equals the label (sklearn's ``accuracy_score``).

    >>> accuracy([0, 1, None], [0, 0, 1]).n_dropped
    1
    """
    rows = prepare(y_true, y_pred, sample_weight)
    check_same_kind(rows)
    why = empty_reason(rows)
    if why:
        return MetricResult.undefined("accuracy", why, n=rows.n, n_dropped=rows.n_dropped)
    value = wavg((rows.y_true == rows.y_pred).astype(float), rows.weight)
    return MetricResult("accuracy", value, rows.n, rows.total, rows.n_dropped)


def _counts(rows, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted true positives, predicted totals and true totals per class."""
    ti = np.searchsorted(classes, rows.y_true)
    pi = np.searchsorted(classes, rows.y_pred)
    k = len(classes)
    tp = np.bincount(ti[ti == pi], weights=rows.weight[ti == pi], minlength=k)
    pred = np.bincount(pi, weights=rows.weight, minlength=k)
    true = np.bincount(ti, weights=rows.weight, minlength=k)
    return tp, pred, true


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, bool]:
    zero = den == 0
    out = np.divide(num, den, out=np.zeros_like(num, dtype=float), where=~zero)
    return out, bool(zero.any())


def _prf(
    which: str,
    y_true: ArrayLike,
    y_pred: ArrayLike,
    average: str,
    pos_label,
    sample_weight: ArrayLike | None,
) -> MetricResult:
    if average not in AVERAGES:
        raise ConfigError(f"average must be one of {AVERAGES}, got {average!r}")
    rows = prepare(y_true, y_pred, sample_weight)
    check_same_kind(rows)
    why = empty_reason(rows)
    if why:
        return MetricResult.undefined(which, why, n=rows.n, n_dropped=rows.n_dropped)
    classes = np.unique(np.concatenate([rows.y_true, rows.y_pred]))
    tp, pred, true = _counts(rows, classes)
    fp, fn = pred - tp, true - tp
    if average == "binary":
        if len(classes) > 2:
            raise DataError(
                f"average='binary' needs at most 2 classes, got {len(classes)}; "
                "choose 'micro', 'macro' or 'weighted'",
                column="label",
            )
        if pos_label not in classes.tolist():
            if len(classes) == 2:
                raise DataError(
                    f"pos_label={pos_label!r} is not one of the classes {classes.tolist()}",
                    column="label",
                )
            tp, fp, fn, true = (np.zeros(1),) * 4
        else:
            i = classes.tolist().index(pos_label)
            tp, fp, fn, true = tp[i : i + 1], fp[i : i + 1], fn[i : i + 1], true[i : i + 1]
    elif average == "micro":
        tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    if which == "precision":
        per, zero = _ratio(tp, tp + fp)
        what = "no predicted positives"
    elif which == "recall":
        per, zero = _ratio(tp, tp + fn)
        what = "no actual positives"
    else:
        per, zero = _ratio(2 * tp, 2 * tp + fp + fn)
        what = "no predicted and no actual positives"
    if average == "weighted":
        value = float(np.average(per, weights=true)) if true.sum() > 0 else 0.0
    else:
        value = float(per.mean())
    reason = f"{what} for some class: counted as 0 (zero_division=0)" if zero else None
    return MetricResult(which, value, rows.n, rows.total, rows.n_dropped, reason)


def precision(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    average: str = "binary",
    pos_label=1,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """Precision as sklearn's ``precision_score``.

    >>> precision([1, 0, 1, 1], [1, 1, 0, 1]).value
    0.6666666666666666
    """
    return _prf("precision", y_true, y_pred, average, pos_label, sample_weight)


def recall(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    average: str = "binary",
    pos_label=1,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """Recall as sklearn's ``recall_score``.

    >>> recall([1, 0, 1, 1], [1, 1, 0, 1]).value
    0.6666666666666666
    """
    return _prf("recall", y_true, y_pred, average, pos_label, sample_weight)


def f1(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    average: str = "binary",
    pos_label=1,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """F1 as sklearn's ``f1_score``.

    >>> f1([1, 0, 1, 1], [1, 1, 0, 1]).value
    0.6666666666666666
    """
    return _prf("f1", y_true, y_pred, average, pos_label, sample_weight)
