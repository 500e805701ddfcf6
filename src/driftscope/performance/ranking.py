"""Ranking metrics: ROC AUC and PR AUC (average precision), binary and one-vs-rest.

Values equal scikit-learn's ``roc_auc_score`` and ``average_precision_score``. Binary
scores are one column, the score of the positive class: the greater of the two label
values, as scikit-learn, unless ``pos_label`` is given. Multiclass scores are one column per
class (``classes`` names them; by default the sorted distinct labels) and are averaged
one-vs-rest, ``"macro"`` (plain mean) or ``"weighted"`` (by each class's weighted support).

Undefined cases return an undefined :class:`MetricResult` with the reason: a window whose
labels hold one class only has no ROC AUC (scikit-learn returns NaN with a warning) and a
window without positives has no average precision. In one-vs-rest, a class absent from the
window's labels is left out of the average, and ``reason`` names it (scikit-learn would
give NaN).

``sample_weight`` takes Horvitz-Thompson sampling weights: the weighted AUC estimates the
probability that a random positive of the whole population outranks a random negative.

>>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).value
0.75
>>> round(pr_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).value, 4)
0.8333
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import ConfigError, DataError
from driftscope.performance._inputs import Rows, check_probabilities, empty_reason, prepare
from driftscope.performance.result import MetricResult


def binary_auc(pos: np.ndarray, score: np.ndarray, w: np.ndarray) -> tuple[float, str | None]:
    """Weighted ROC AUC of boolean ``pos`` ranked by ``score``; ties count one half."""
    wp, wn = w[pos].sum(), w[~pos].sum()
    if wp <= 0 or wn <= 0:
        return float("nan"), "labels hold one class only: ROC AUC needs positives and negatives"
    uniq, inv = np.unique(score, return_inverse=True)
    p_at = np.bincount(inv, weights=w * pos, minlength=len(uniq))
    n_at = np.bincount(inv, weights=w * ~pos, minlength=len(uniq))
    n_below = np.cumsum(n_at) - n_at
    return float(np.sum(p_at * (n_below + 0.5 * n_at)) / (wp * wn)), None


def binary_ap(pos: np.ndarray, score: np.ndarray, w: np.ndarray) -> tuple[float, str | None]:
    """Weighted average precision: sum over thresholds of (R_k - R_k-1) * P_k."""
    if w[pos].sum() <= 0:
        return float("nan"), "no positive labels: average precision is undefined"
    uniq, inv = np.unique(-score, return_inverse=True)  # descending scores
    tps = np.cumsum(np.bincount(inv, weights=w * pos, minlength=len(uniq)))
    fps = np.cumsum(np.bincount(inv, weights=w * ~pos, minlength=len(uniq)))
    den = tps + fps
    prec = np.divide(tps, den, out=np.zeros_like(tps), where=den > 0)
    rec = tps / tps[-1]
    return float(np.sum(np.diff(rec, prepend=0.0) * prec)), None


def _scores(
    name: str,
    fn: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, str | None]],
    y_true: ArrayLike,
    y_score: ArrayLike,
    average: str,
    classes: Sequence | None,
    pos_label,
    sample_weight: ArrayLike | None,
) -> MetricResult:
    if average not in ("macro", "weighted"):
        raise ConfigError(f"average must be 'macro' or 'weighted', got {average!r}")
    rows: Rows = prepare(y_true, y_score, sample_weight, probabilities=True)
    why = empty_reason(rows)
    if why:
        return MetricResult.undefined(name, why, n=rows.n, n_dropped=rows.n_dropped)
    s = rows.y_pred
    if s.dtype.kind not in "biuf":
        raise DataError("scores must be numbers", column="prediction")
    if not np.isfinite(s).all():
        i = int(np.argwhere(~np.isfinite(s))[0][0])
        raise DataError("scores must be finite", column="prediction", row=rows.row(i))
    args = (rows.n, rows.total, rows.n_dropped)
    if s.ndim == 1:
        seen = np.unique(rows.y_true)
        if pos_label is None:
            if len(seen) > 2:
                raise DataError(
                    f"{len(seen)} classes in the labels need one score column per class",
                    column="label",
                )
            if len(seen) < 2 and not set(seen.tolist()) <= {0, 1}:
                why = f"labels hold one class only ({seen[0]!r}); pass pos_label"
                return MetricResult.undefined(name, why, n=rows.n, n_dropped=rows.n_dropped)
            pos_label = seen[-1] if len(seen) == 2 else 1
        value, why = fn(rows.y_true == pos_label, s.astype(float), rows.weight)
        return MetricResult(name, value, *args, why)
    check_probabilities(s, rows.positions)
    known = np.unique(rows.y_true) if classes is None else np.asarray(classes)
    if len(known) != s.shape[1]:
        raise DataError(
            f"{s.shape[1]} score columns for {len(known)} classes {known.tolist()}",
            column="prediction",
        )
    unknown = ~np.isin(rows.y_true, known)
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise DataError(
            f"label {rows.y_true[i]!r} is not one of {known.tolist()}",
            column="label",
            row=rows.row(i),
        )
    values, supports, absent = [], [], []
    for k, c in enumerate(known):
        pos = rows.y_true == c
        v, _ = fn(pos, s[:, k].astype(float), rows.weight)
        if np.isnan(v):
            absent.append(c)
            continue
        values.append(v)
        supports.append(rows.weight[pos].sum())
    if not values:
        why = "no class has both positives and negatives in the labels"
        return MetricResult.undefined(name, why, n=rows.n, n_dropped=rows.n_dropped)
    weights = supports if average == "weighted" else None
    value = float(np.average(values, weights=weights))
    why = f"classes {[str(c) for c in absent]} left out: absent from labels" if absent else None
    return MetricResult(name, value, *args, why)


def roc_auc(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str = "macro",
    classes: Sequence | None = None,
    pos_label=None,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """ROC AUC as sklearn's ``roc_auc_score`` (``multi_class="ovr"`` for 2-d scores).

    >>> roc_auc([1, 1, 1], [0.2, 0.5, 0.9]).reason
    'labels hold one class only: ROC AUC needs positives and negatives'
    """
    return _scores(
        "roc_auc", binary_auc, y_true, y_score, average, classes, pos_label, sample_weight
    )


def pr_auc(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str = "macro",
    classes: Sequence | None = None,
    pos_label=None,
    sample_weight: ArrayLike | None = None,
) -> MetricResult:
    """Average precision as sklearn's ``average_precision_score``.

    >>> pr_auc([0, 0, 1], [0.1, 0.9, 0.9]).value
    0.5
    """
    return _scores("pr_auc", binary_ap, y_true, y_score, average, classes, pos_label, sample_weight)
