"""Two-sample Anderson-Darling test with a p-value that is right with ties and in the tail.

The statistic is Scholz and Stephens' midrank ``A²akN`` for two samples (the one
``scipy.stats.anderson_ksamp`` computes before standardising it): a weighted sum, over the
distinct pooled values, of the squared gap between the two samples' mid-cumulative counts. It
weighs the tails more than the Kolmogorov-Smirnov distance does, so it sees changes of spread
and shape earlier (docs/methods.md has the measured power).

SciPy turns the statistic into a p-value by interpolating a table of critical values, capped
to [0.001, 0.25], and the table assumes continuous data: on a column with many ties
(counts, a block of zeros) its false-alarm rate at 5 % is 7-9 %. Here the p-value comes from
the statistic's asymptotic null distribution *for the observed tie pattern*: conditional on
the pooled values, the two samples are a random split (every test of "no change" is a
permutation test at heart), the mid-cumulative gaps are asymptotically normal with a
covariance known exactly from the hypergeometric split, and ``A²`` is asymptotically a
weighted sum of independent chi-square(1) variables whose weights are the eigenvalues of that
covariance. Without ties the weights tend to ``1 / (j (j + 1))``, the classical limit. The
eigenvalues are computed on at most :data:`NULL_CELLS` groups of neighbouring values (a
value holding more than ``1 / NULL_CELLS`` of the data keeps a group of its own); the few
small eigenvalues the grouping drops add their mean to the statistic's. The tail probability
of the weighted sum is the Lugannani-Rice saddlepoint approximation (Kuonen 1999), accurate
far into the tail, so the p-values of clearly changed columns keep their order.

Measured false-alarm rates at 5 % (5,000 trials each, n = 200 and 500 per side): Poisson(3)
4.6 % and 5.0 %; 30 % zeros plus a Gamma 4.7 % and 4.7 %; normal 4.3-5.1 % (1,000 trials).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> r = anderson_darling_2samp(rng.normal(size=300), rng.normal(1, 1, size=300))
>>> round(r.statistic, 1), r.pvalue < 1e-20
(66.5, True)
"""

from __future__ import annotations

import math

import numpy as np
import scipy.optimize
import scipy.special
from numpy.typing import ArrayLike

from driftscope.stats._validate import as_sample
from driftscope.stats.ecdf import SortedSample, unique_cumcounts
from driftscope.stats.result import TestResult

#: Most groups of neighbouring pooled values on which the null eigenvalues are computed: the
#: eigenvalues past the first hundred hold about 1 % of the statistic's mean, which is kept.
NULL_CELLS = 120


def anderson_darling_2samp(reference: SortedSample | ArrayLike, current: ArrayLike) -> TestResult:
    """The midrank two-sample Anderson-Darling statistic ``A²akN`` (mean about 1 when nothing
    changed) and its p-value (see the module docstring). Statistic 0 and p-value 1 when every
    pooled value is the same; a ValueError naming the side when one is empty.

    >>> r = anderson_darling_2samp([0, 0, 1, 1, 2, 2, 3] * 20, [1, 2, 2, 3, 3, 4, 4] * 20)
    >>> round(r.statistic, 2), r.pvalue < 1e-6
    (62.25, True)
    >>> r = anderson_darling_2samp([1.0, 1.0], [1.0, 1.0, 1.0])
    >>> r.statistic, r.pvalue
    (0.0, 1.0)
    """
    ref_values, ref_counts = distinct_counts(reference, "reference")
    cur_values, cur_counts = distinct_counts(current, "current")
    pooled = np.union1d(ref_values, cur_values)
    if pooled.size < 2:
        return TestResult(0.0, 1.0)
    first = np.zeros(pooled.size)
    first[np.searchsorted(pooled, ref_values)] = ref_counts
    second = np.zeros(pooled.size)
    second[np.searchsorted(pooled, cur_values)] = cur_counts
    statistic = midrank_statistic(first, second)
    weights, mean = null_weights(first + second)
    # the eigenvalues left out by the grouping are small: their mean is added as a constant
    p_value = weighted_chi2_sf(statistic - (mean - weights.sum()), weights)
    return TestResult(statistic, p_value)


def distinct_counts(sample: SortedSample | ArrayLike, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of ``sample`` and their multiplicities (floats).

    >>> distinct_counts([2.0, 1.0, 2.0], "current")
    (array([1., 2.]), array([1., 2.]))
    """
    if isinstance(sample, SortedSample):
        return sample.values, sample.counts().astype(float)
    values, below = unique_cumcounts(np.sort(as_sample(sample, name)))
    return values, np.diff(below, prepend=np.int64(0)).astype(float)


def _midpoints(counts: np.ndarray) -> np.ndarray:
    """Mid-cumulative counts: the count below each value plus half of the count at it."""
    return np.cumsum(counts) - counts / 2.0


def _denominators(pooled: np.ndarray) -> np.ndarray:
    """Scholz and Stephens' midrank variance terms ``B (N - B) - N l / 4``."""
    total = pooled.sum()
    mid = _midpoints(pooled)
    return mid * (total - mid) - total * pooled / 4.0


def midrank_statistic(first: np.ndarray, second: np.ndarray) -> float:
    """``A²akN`` for two samples given their counts on the same sorted distinct values
    (Scholz and Stephens 1987, equation 7, with k = 2: both samples' terms are equal).

    >>> round(midrank_statistic(np.array([3.0, 1, 0]), np.array([0.0, 1, 3])), 4)
    4.4625
    """
    pooled = first + second
    total, n, m = pooled.sum(), first.sum(), second.sum()
    denominators = _denominators(pooled)
    kept = denominators > 0
    gaps = total * _midpoints(first) - n * _midpoints(pooled)
    terms = pooled[kept] * gaps[kept] ** 2 / denominators[kept]
    return float((total - 1.0) / (total * n * m) * terms.sum())


def null_weights(pooled: np.ndarray, cells: int = NULL_CELLS) -> tuple[np.ndarray, float]:
    """The weights of the chi-square(1) sum that ``A²akN`` tends to when nothing changed,
    computed on at most about ``cells`` groups of neighbouring values, and the statistic's
    exact null mean (the sum of all the ungrouped weights).

    >>> weights, mean = null_weights(np.ones(2000))  # no ties: the classical limit
    >>> [round(float(w), 2) for w in weights[:3]], round(mean, 3)
    ([0.51, 0.17, 0.09], 1.0)
    """
    total = pooled.sum()
    mid = _midpoints(pooled)
    below = np.cumsum(pooled) - pooled
    denominators = _denominators(pooled)
    kept = denominators > 0
    variances = (below + pooled / 4.0) / total - (mid / total) ** 2
    mean = float(total * np.sum(pooled[kept] * variances[kept] / denominators[kept]))
    starts = np.floor(below / total * cells + 1e-9)
    _, group = np.unique(starts, return_inverse=True)
    grouped = np.bincount(group, weights=pooled)
    if grouped.size < 2:
        return np.zeros(0), mean
    shares = grouped / total
    denominators = _denominators(grouped)
    scale = np.sqrt(np.where(denominators > 0, grouped / np.maximum(denominators, 1e-300), 0.0))
    # covariance of the mid-cumulative shares under a random split, per unit of the sample:
    # Cov_ij = S_min(i,j) + p_min(i,j) / 2 (i != j) or S_i + p_i / 4 (i = j), minus M_i M_j,
    # with S_i the share below group i and M_i = S_i + p_i / 2 its midpoint
    below_share = np.cumsum(shares) - shares
    middle = below_share + shares / 2.0
    lower = np.minimum.outer(np.arange(grouped.size), np.arange(grouped.size))
    covariance = below_share[lower] + shares[lower] / 2.0 - np.outer(middle, middle)
    np.fill_diagonal(covariance, below_share + shares / 4.0 - middle**2)
    weights = np.linalg.eigvalsh(total * scale[:, None] * covariance * scale[None, :])
    return np.sort(weights[weights > 1e-12])[::-1], mean


def weighted_chi2_sf(q: float, weights: np.ndarray) -> float:
    """``P(sum_j weights[j] * X_j > q)`` for independent chi-square(1) ``X_j`` (positive
    weights), by the Lugannani-Rice saddlepoint approximation.

    >>> round(weighted_chi2_sf(3.841, np.array([1.0])), 3)  # chi-square(1): 0.05 exactly
    0.052
    >>> round(weighted_chi2_sf(2.492, 1.0 / (np.arange(1, 500) * np.arange(2, 501))), 3)
    0.051
    """
    if weights.size == 0 or not q > 0:
        return 1.0
    top = float(weights.max())
    mean = float(weights.sum())
    spread = math.sqrt(2.0 * float(np.sum(weights**2)))
    step = 0.05 * spread
    if abs(q - mean) < step:  # the formula is 0/0 at the mean: interpolate across it
        below, above = (_saddlepoint_sf(mean + d, weights, top) for d in (-step, step))
        return below + (above - below) * (q - mean + step) / (2.0 * step)
    return _saddlepoint_sf(q, weights, top)


def _saddlepoint_sf(q: float, weights: np.ndarray, top: float) -> float:
    """Lugannani-Rice for ``q`` away from the mean (see :func:`weighted_chi2_sf`)."""

    def slope(log_s: float) -> float:  # K'(t) - q with 1 - 2 t top = exp(log_s)
        t = (1.0 - math.exp(log_s)) / (2.0 * top)
        with np.errstate(divide="ignore"):
            return float(np.sum(weights / (1.0 - 2.0 * t * weights))) - q

    high = 1.0
    while slope(high) > 0:
        high *= 2.0
    log_s = scipy.optimize.brentq(slope, -700.0, high, xtol=1e-12)
    t = (1.0 - math.exp(log_s)) / (2.0 * top)
    one_minus = 1.0 - 2.0 * t * weights
    cumulant = -0.5 * float(np.sum(np.log(one_minus)))
    curvature = float(np.sum(2.0 * weights**2 / one_minus**2))
    w = math.copysign(math.sqrt(max(2.0 * (t * q - cumulant), 0.0)), t)
    u = t * math.sqrt(curvature)
    return float(min(max(scipy.special.ndtr(-(w + math.log(u / w) / w)), 0.0), 1.0))
