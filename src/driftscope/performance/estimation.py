"""Performance before the labels arrive: confidence-based estimation for binary classifiers.

If the model's scores, once calibrated, are right about how often they are right, the
expected confusion matrix of a window follows from its scores alone: a row scored ``s``
with calibrated probability ``p`` of being positive and predicted positive (``s >=
threshold``) adds ``p`` to the expected true positives and ``1 - p`` to the false
positives, and so on (the idea of NannyML's CBPE). The calibration map is learnt once on
labelled baseline rows by weighted isotonic regression (pool-adjacent-violators), so an
uncalibrated but well-ranking model is handled too.

What it assumes: the relation between inputs and label has not changed (no concept drift);
covariate shift is fine, that is what it is for. When labels do arrive, the realized
metrics are the truth; compare the two to see concept drift.

Estimated metrics: accuracy, precision, recall, F1 (from the expected confusion matrix)
and ROC AUC (from the expected ROC curve: positives and negatives counted as the
calibrated probabilities in score order, ties within a block of equal scores halved).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> p = rng.random(20_000)
>>> y = (rng.random(20_000) < p).astype(int)
>>> estimator = PerformanceEstimator.fit(p, y)
>>> est = estimator.estimate(p)
>>> round(est["accuracy"], 2), round(float(np.mean((p >= 0.5) == y)), 2)
(0.75, 0.75)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import DataError

#: Metrics :meth:`PerformanceEstimator.estimate` gives.
ESTIMATED = ("accuracy", "precision", "recall", "f1", "roc_auc")


def isotonic_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted isotonic (non-decreasing) regression of ``y`` on ``x`` by pool-adjacent-
    violators: the knots (distinct ``x``, sorted) and the fitted values there.

    >>> isotonic_fit(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0]), np.ones(3))[1]
    array([0. , 0.5, 0.5])
    """
    order = np.argsort(x, kind="stable")
    x, y, w = x[order], y[order], w[order]
    knots, start = np.unique(x, return_index=True)
    sums = np.add.reduceat(w * y, start)
    weights = np.add.reduceat(w, start)
    # PAVA over the knots: a stack of blocks (value, weight, count)
    values: list[float] = []
    block_w: list[float] = []
    counts: list[int] = []
    for s, wt in zip(sums.tolist(), weights.tolist(), strict=True):
        v, c = s / wt if wt > 0 else 0.0, 1
        while values and values[-1] > v:
            pw = block_w.pop()
            v = (values.pop() * pw + v * wt) / (pw + wt) if pw + wt > 0 else v
            wt += pw
            c += counts.pop()
        values.append(v)
        block_w.append(wt)
        counts.append(c)
    fitted = np.repeat(np.array(values), np.array(counts))
    return knots, fitted


@dataclass(frozen=True)
class PerformanceEstimator:
    """A calibration map from scores to P(positive), learnt on labelled baseline rows.

    ``threshold``: a score at or above it is a positive prediction (the label metrics'
    cut). ``n``: baseline rows it was fitted on.

    >>> est = PerformanceEstimator.fit([0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1])
    >>> est.probabilities([0.1, 0.9]).tolist(), est.n
    ([0.0, 1.0], 4)
    >>> round(est.estimate([0.2, 0.8])["accuracy"], 3)  # each right with p = 0.833
    0.833
    """

    knots: np.ndarray
    calibrated: np.ndarray
    threshold: float
    n: int

    @classmethod
    def fit(
        cls,
        scores: ArrayLike,
        labels: ArrayLike,
        sample_weight: ArrayLike | None = None,
        threshold: float = 0.5,
    ) -> PerformanceEstimator:
        """Learn the calibration from baseline ``scores`` and 0/1 ``labels``."""
        s = np.asarray(scores, dtype=float)
        y = np.asarray(labels, dtype=float)
        w = np.ones(len(s)) if sample_weight is None else np.asarray(sample_weight, float)
        if not (len(s) == len(y) == len(w)):
            raise DataError(f"{len(s)} scores, {len(y)} labels and {len(w)} weights")
        keep = np.isfinite(s) & np.isfinite(y)
        s, y, w = s[keep], y[keep], w[keep]
        if len(s) == 0:
            raise DataError("no labelled baseline row with a score", column="label")
        if not np.isin(y, (0.0, 1.0)).all():
            bad = int(np.flatnonzero(~np.isin(y, (0.0, 1.0)))[0])
            raise DataError(f"labels must be 0/1, got {y[bad]!r}", column="label", row=bad)
        if len(np.unique(y)) < 2:
            raise DataError("the baseline's labels have one class only", column="label")
        knots, fitted = isotonic_fit(s, y, w)
        return cls(knots, fitted, float(threshold), len(s))

    def probabilities(self, scores: ArrayLike) -> np.ndarray:
        """Calibrated P(positive) of each score (flat beyond the baseline's range)."""
        s = np.asarray(scores, dtype=float)
        return np.interp(s, self.knots, self.calibrated)

    def estimate(
        self, scores: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> dict[str, float]:
        """Expected accuracy, precision, recall, F1 and ROC AUC of a window's scores
        (NaN where undefined: no expected positive, one expected class)."""
        s = np.asarray(scores, dtype=float)
        w = np.ones(len(s)) if sample_weight is None else np.asarray(sample_weight, float)
        keep = np.isfinite(s)
        s, w = s[keep], w[keep]
        if len(s) == 0 or w.sum() <= 0:
            return dict.fromkeys(ESTIMATED, float("nan"))
        p = self.probabilities(s)
        pos = s >= self.threshold
        tp = float((w * p)[pos].sum())
        fp = float((w * (1 - p))[pos].sum())
        fn = float((w * p)[~pos].sum())
        tn = float((w * (1 - p))[~pos].sum())
        total = tp + fp + fn + tn
        nan = float("nan")
        precision = tp / (tp + fp) if tp + fp > 0 else nan
        recall = tp / (tp + fn) if tp + fn > 0 else nan
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else nan
        return {
            "accuracy": (tp + tn) / total,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "roc_auc": _expected_auc(s, w * p, w * (1 - p)),
        }


def _expected_auc(scores: np.ndarray, positives: np.ndarray, negatives: np.ndarray) -> float:
    """AUC of the expected ROC curve: P(score of a positive > score of a negative) with
    rows counted fractionally, equal scores counting one half."""
    total_pos, total_neg = positives.sum(), negatives.sum()
    if total_pos <= 0 or total_neg <= 0:
        return float("nan")
    order = np.argsort(scores, kind="stable")
    s, pos, neg = scores[order], positives[order], negatives[order]
    _, start = np.unique(s, return_index=True)
    pos_b, neg_b = np.add.reduceat(pos, start), np.add.reduceat(neg, start)
    neg_below = np.cumsum(neg_b) - neg_b
    return float((pos_b * (neg_below + 0.5 * neg_b)).sum() / (total_pos * total_neg))
