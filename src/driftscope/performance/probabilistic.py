"""Probability metrics: log loss (binary and multiclass) and the binary Brier score.

Values equal scikit-learn's ``log_loss`` (probabilities clipped to ``[eps, 1 - eps]``) and
``brier_score_loss``. Probabilities outside [0, 1], or class rows not summing to 1 (within
1e-6), raise :class:`~driftscope.errors.DataError` naming the row. Binary probabilities are
one column, P(positive class); the positive class is the greater of two label values, or 1
when the labels are 0/1 or bool and only one of them occurs (a window with one class still
has a log loss). ``sample_weight`` takes Horvitz-Thompson sampling weights.

>>> round(log_loss([0, 1, 1], [0.2, 0.7, 0.9]).value, 4)
0.2284
>>> round(brier_score([0, 1, 1], [0.2, 0.7, 0.9]).value, 4)
0.0467
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import DataError
from driftscope.performance._inputs import check_probabilities, empty_reason, prepare, wavg
from driftscope.performance.result import MetricResult


def _binary_positive(y: np.ndarray, pos_label):
    if pos_label is not None:
        return pos_label
    seen = np.unique(y)
    if len(seen) > 2:
        raise DataError(
            f"{len(seen)} classes in the labels need one probability column per class",
            column="label",
        )
    if len(seen) == 2:
        if not (set(seen.tolist()) <= {0, 1} or set(seen.tolist()) <= {-1, 1}):
            raise DataError(f"labels {seen.tolist()} are not 0/1: pass pos_label", column="label")
        return seen[-1]
    if set(seen.tolist()) <= {0, 1, -1}:
        return 1
    raise DataError(f"labels hold one class ({seen[0]!r}): pass pos_label", column="label")


def log_loss(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    classes: Sequence | None = None,
    pos_label=None,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """Cross-entropy as sklearn's ``log_loss``; ``classes`` names 2-d probability columns.

    >>> log_loss([1, 1], [1.2, 0.5])
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: column 'prediction', row 0: probability outside [0, 1]: 1.2
    """
    rows = prepare(y_true, y_prob, sample_weight, probabilities=True)
    why = empty_reason(rows)
    if why:
        return MetricResult.undefined("log_loss", why, n=rows.n, n_dropped=rows.n_dropped)
    p = rows.y_pred.astype(float)
    check_probabilities(p, rows.positions)
    if p.ndim == 1:
        pos = rows.y_true == _binary_positive(rows.y_true, pos_label)
        p = np.column_stack([1 - p, p])
        onehot = np.column_stack([~pos, pos]).astype(float)
    else:
        known = np.unique(rows.y_true) if classes is None else np.asarray(classes)
        if len(known) != p.shape[1]:
            raise DataError(
                f"{p.shape[1]} probability columns for {len(known)} classes "
                f"{known.tolist()}: pass classes",
                column="prediction",
            )
        onehot = (rows.y_true[:, None] == known[None, :]).astype(float)
        unknown = onehot.sum(axis=1) == 0
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise DataError(
                f"label {rows.y_true[i]!r} is not one of {known.tolist()}",
                column="label",
                row=rows.row(i),
            )
    eps = np.finfo(float).eps
    loss = -np.sum(onehot * np.log(np.clip(p, eps, 1 - eps)), axis=1)
    return MetricResult("log_loss", wavg(loss, rows.weight), rows.n, rows.total, rows.n_dropped)


def brier_score(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    pos_label=None,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """Mean squared error of P(positive) as sklearn's ``brier_score_loss`` (binary).

    >>> round(brier_score([1, 1, 1], [0.9, 0.8, 1.0]).value, 4)
    0.0167
    """
    rows = prepare(y_true, y_prob, sample_weight)
    why = empty_reason(rows)
    if why:
        return MetricResult.undefined("brier_score", why, n=rows.n, n_dropped=rows.n_dropped)
    p = rows.y_pred
    if p.dtype.kind not in "biuf":
        raise DataError("probabilities must be numbers", column="prediction")
    p = p.astype(float)
    check_probabilities(p, rows.positions)
    pos = rows.y_true == _binary_positive(rows.y_true, pos_label)
    value = wavg((pos - p) ** 2, rows.weight)
    return MetricResult("brier_score", value, rows.n, rows.total, rows.n_dropped)
