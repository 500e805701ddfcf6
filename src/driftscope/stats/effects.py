"""Means, quantiles and correlations: weighted summaries, effect sizes and z-tests.

>>> import numpy as np
>>> weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0]), 0.5)
2.0
>>> round(welch_z_test(0.70, 0.1, 5000, 0.69, 0.12, 4000, "less"), 5)
1e-05
>>> round(correlation_change_p_value(0.5, 1000, 0.4, 1000), 3)
0.005
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from driftscope.stats.proportions import ALTERNATIVES, Alternative


def weighted_mean_sd(values: ArrayLike, weights: ArrayLike | None = None) -> tuple[float, float]:
    """The weighted mean of ``values`` and their weighted (population) standard deviation,
    ``sqrt(Σw (x - mean)² / Σw)``; unweighted when ``weights`` is None.

    >>> weighted_mean_sd([1.0, 3.0]), weighted_mean_sd([1.0, 3.0], [3.0, 1.0])
    ((2.0, 1.0), (1.5, 0.8660254037844386))
    """
    x = np.asarray(values, dtype=np.float64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    mean = float(np.average(x, weights=w))
    var = float(np.average(np.square(x - mean), weights=w))
    return mean, math.sqrt(max(var, 0.0))


def weighted_quantile(values: ArrayLike, weights: ArrayLike, q: float) -> float:
    """The smallest value whose weighted share of the total at or below it reaches ``q``:
    the inverted weighted CDF, equal to ``numpy.quantile(values, q, weights=weights,
    method="inverted_cdf")``.

    >>> weighted_quantile([10.0, 20.0], [1.0, 3.0], 0.25)
    10.0
    """
    x = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if not x.size or x.shape != w.shape:
        raise ValueError("values and weights must be non-empty and of the same shape")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q!r}")
    order = np.argsort(x, kind="stable")
    cdf = np.cumsum(w[order])
    cdf /= cdf[-1]
    index = int(np.searchsorted(cdf, q, side="left"))
    return float(x[order][min(index, x.size - 1)])


def standardized_difference(before: float, after: float, sd: float) -> float:
    """``|after - before| / sd``: a move of a mean in units of the baseline's standard
    deviation (inf for any move when ``sd`` is 0, 0.0 for none).

    >>> standardized_difference(1.0, 1.5, 0.25), standardized_difference(1.0, 2.0, 0.0)
    (2.0, inf)
    """
    diff = abs(after - before)
    if sd > 0:
        return diff / sd
    return math.inf if diff else 0.0


def welch_z_test(
    mean0: float,
    sd0: float,
    n0: float,
    mean1: float,
    sd1: float,
    n1: float,
    alternative: Alternative = "two-sided",
) -> float:
    """p-value of Welch's test that the second mean is greater than (``"greater"``), less
    than (``"less"``) or different from the first, with the normal approximation
    ``z = (mean1 - mean0) / sqrt(sd0²/n0 + sd1²/n1)`` (the large-sample limit of
    ``scipy.stats.ttest_ind(..., equal_var=False)``). Sample sizes may be effective
    counts; below 1 they count as 1. With no spread on either side, any move in the tested
    direction is certain (p = 0), none is p = 1.

    >>> welch_z_test(1.0, 0.0, 10, 1.0, 0.0, 10), welch_z_test(1.0, 0.0, 10, 2.0, 0.0, 10)
    (1.0, 0.0)
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    diff = mean1 - mean0
    se = math.sqrt(sd0**2 / max(n0, 1.0) + sd1**2 / max(n1, 1.0))
    if se > 0:
        z = diff / se
        if alternative == "greater":
            p = norm.sf(z)
        elif alternative == "less":
            p = norm.cdf(z)
        else:
            p = 2.0 * norm.sf(abs(z))
    else:
        moved = {"greater": diff > 0, "less": diff < 0}.get(alternative, diff != 0)
        p = 0.0 if moved else 1.0
    return float(min(max(p, 0.0), 1.0))


def correlation_change_p_value(
    r0: float, n0: int, r1: float, n1: int, *, variance_factor: float = 1.0
) -> float:
    """Two-sided p-value of ``r1 != r0`` for correlations of independent samples of ``n0``
    and ``n1`` rows: Fisher's z-transform ``atanh(r)`` with variance
    ``variance_factor / (n - 3)`` (1 for Pearson; 1.06 for Spearman, Fieller et al. 1957).
    NaN with fewer than 4 rows on a side.

    >>> math.isnan(correlation_change_p_value(0.5, 3, 0.4, 100))
    True
    """
    if n0 < 4 or n1 < 4:
        return float("nan")
    z0, z1 = (float(np.arctanh(np.clip(r, -1 + 1e-12, 1 - 1e-12))) for r in (r0, r1))
    se = math.sqrt(variance_factor / (n0 - 3) + variance_factor / (n1 - 3))
    return float(2 * norm.sf(abs(z1 - z0) / se))
