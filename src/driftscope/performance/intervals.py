"""Confidence intervals for realized metrics: Wilson (proportions) and a seeded bootstrap.

* :func:`wilson` — the Wilson score interval of a proportion. With sampling weights the
  proportion is the Hájek (weighted) estimate and ``n`` is the effective sample size
  :func:`effective_n`: ``p(1 - p) / v`` where ``v = Σ w²(y - p)² / (Σw)²`` is the
  linearised (with-replacement) variance of the Hájek ratio — equal to the row count when
  every weight is 1. When ``p`` is 0 or 1 it falls back to Kish's ``(Σw)² / Σw²``.
* :func:`delong` — for a binary ROC AUC: DeLong's variance from the placement values of
  positives and negatives (weighted placements with sampling weights, a with-replacement
  linearisation that equals DeLong's formula when every weight is 1), normal interval
  clipped to [0, 1].
* :func:`bootstrap` — the percentile bootstrap: rows are resampled with replacement (each
  keeping its sampling weight) ``n_boot`` times with a seeded generator, the metric is
  recomputed on each resample and the interval is the ``(1 ± confidence) / 2`` quantiles of
  the defined replicates. Approximate, and too narrow on very small windows; it needs at
  least half of the replicates to be defined (a rare class can make resamples one-class).

>>> lo, hi = wilson(0.8, 100)
>>> round(lo, 3), round(hi, 3)
(0.711, 0.867)
>>> kish_n([1.0, 1.0, 4.0])
2.0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from driftscope.errors import ConfigError
from driftscope.stats import kish_effective_n


def check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be in (0, 1), got {confidence!r}")


def kish_n(weight: ArrayLike) -> float:
    """Kish's effective sample size of weighted rows: ``(Σw)² / Σw²``
    (:func:`driftscope.stats.kish_effective_n`)."""
    return kish_effective_n(weight)


def effective_n(hits: ArrayLike, weight: ArrayLike) -> float:
    """Effective sample size of the weighted proportion of boolean ``hits`` (see above).

    >>> effective_n([True, False, True, True], [1.0, 1.0, 1.0, 1.0])
    4.0
    """
    y = np.asarray(hits, dtype=float)
    w = np.asarray(weight, dtype=float)
    total = float(w.sum())
    if total <= 0:
        return 0.0
    p = float(np.sum(w * y)) / total
    v = float(np.sum(w * w * (y - p) ** 2)) / total**2
    if v <= 0 or p in (0.0, 1.0):
        return kish_n(w)
    return p * (1 - p) / v


def wilson(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of proportion ``p`` observed on (effective) sample size ``n``.

    >>> wilson(1.0, 10)[1]
    1.0
    """
    check_confidence(confidence)
    if n <= 0 or np.isnan(p):
        return float("nan"), float("nan")
    z = float(norm.ppf(0.5 + confidence / 2))
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def mean_interval(
    values: ArrayLike, weight: ArrayLike, confidence: float = 0.95
) -> tuple[float, float]:
    """Normal interval of the weighted mean of ``values``, with the linearised variance
    ``Σ w²(x - mean)² / (Σw)²`` (the sample variance over n when unweighted, n/(n-1)
    corrected).

    >>> lo, hi = mean_interval([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1])
    >>> round(lo, 3), round(hi, 3)
    (1.235, 3.765)
    """
    check_confidence(confidence)
    x = np.asarray(values, dtype=float)
    w = np.asarray(weight, dtype=float)
    total = float(w.sum())
    if len(x) < 2 or total <= 0:
        return float("nan"), float("nan")
    mean = float(np.sum(w * x)) / total
    var = float(np.sum(w * w * (x - mean) ** 2)) / total**2 * len(x) / (len(x) - 1)
    half = float(norm.ppf(0.5 + confidence / 2)) * np.sqrt(var)
    return float(mean - half), float(mean + half)


def delong(
    pos: ArrayLike, score: ArrayLike, weight: ArrayLike, confidence: float = 0.95
) -> tuple[float, float, str | None]:
    """DeLong interval ``(low, high, reason)`` of the ROC AUC of boolean ``pos`` by ``score``.

    >>> lo, hi, _ = delong([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9], [1] * 6)
    >>> round(lo, 3), round(hi, 3)
    (0.581, 1.0)
    """
    check_confidence(confidence)
    pos = np.asarray(pos, dtype=bool)
    score = np.asarray(score, dtype=float)
    w = np.asarray(weight, dtype=float)
    m, n = int(pos.sum()), int((~pos).sum())
    if m < 2 or n < 2:
        return float("nan"), float("nan"), "DeLong needs 2 positives and 2 negatives"
    wp, wn = w[pos].sum(), w[~pos].sum()
    uniq, inv = np.unique(score, return_inverse=True)
    p_at = np.bincount(inv, weights=w * pos, minlength=len(uniq))
    n_at = np.bincount(inv, weights=w * ~pos, minlength=len(uniq))
    n_below = np.cumsum(n_at) - n_at
    p_above = wp - np.cumsum(p_at)
    v10 = ((n_below + 0.5 * n_at) / wn)[inv[pos]]
    v01 = ((p_above + 0.5 * p_at) / wp)[inv[~pos]]
    auc = float(np.sum(w[pos] * v10) / wp)
    var = np.sum(w[pos] ** 2 * (v10 - auc) ** 2) / wp**2 * m / (m - 1)
    var += np.sum(w[~pos] ** 2 * (v01 - auc) ** 2) / wn**2 * n / (n - 1)
    z = float(norm.ppf(0.5 + confidence / 2))
    half = z * float(np.sqrt(var))
    return max(0.0, auc - half), min(1.0, auc + half), None


def bootstrap(
    statistic: Callable[[np.ndarray], float],
    n: int,
    *,
    confidence: float = 0.95,
    n_boot: int = 400,
    seed: int = 0,
) -> tuple[float, float, str | None]:
    """Percentile bootstrap of ``statistic(indices)`` over ``n`` rows.

    ``statistic`` gets the resampled row indices and returns a float (NaN when undefined on
    that resample). Returns ``(low, high, reason)``; the bounds are NaN, with the reason,
    when fewer than two rows or half of the replicates are defined.

    >>> x = np.arange(100.0)
    >>> lo, hi, _ = bootstrap(lambda i: x[i].mean(), 100, seed=1)
    >>> bool(43 < lo < 49.5 < hi < 56)
    True
    """
    check_confidence(confidence)
    if n_boot < 10:
        raise ConfigError(f"n_boot must be at least 10, got {n_boot!r}")
    if n < 2:
        return float("nan"), float("nan"), "fewer than 2 labelled rows: no interval"
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, n)) for _ in range(n_boot)])
    values = values[~np.isnan(values)]
    if len(values) < n_boot / 2:
        return float("nan"), float("nan"), "metric undefined on most bootstrap resamples"
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(values, [alpha, 1 - alpha])
    return float(lo), float(hi), None
