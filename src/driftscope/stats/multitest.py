"""Multiple-testing corrections over the p-values of many columns.

NaN p-values (tests that could not be computed) stay NaN and do not count in ``m``.

>>> p = [0.01, 0.04, float("nan"), 0.03]
>>> bonferroni(p), benjamini_hochberg(p)
(array([0.03, 0.12,  nan, 0.09]), array([0.03, 0.04,  nan, 0.04]))
>>> reject(benjamini_hochberg(p), 0.05)
array([ True,  True, False,  True])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from driftscope.stats._validate import check_probability


def _pvalues(pvalues: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(pvalues, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"p-values must be one-dimensional, got shape {p.shape}")
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise ValueError("p-values must lie in [0, 1] (or be NaN)")
    return p, ok


def bonferroni(pvalues: ArrayLike) -> np.ndarray:
    """Bonferroni-adjusted p-values ``min(1, p * m)``, ``m`` = number of non-NaN p-values.

    >>> bonferroni([0.2, 0.01])
    array([0.4 , 0.02])
    """
    p, ok = _pvalues(pvalues)
    out = np.full(p.shape, np.nan)
    out[ok] = np.minimum(p[ok] * int(ok.sum()), 1.0)
    return out


def benjamini_hochberg(pvalues: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), equal to
    ``scipy.stats.false_discovery_control(p, method='bh')`` on the non-NaN entries.

    >>> benjamini_hochberg([0.5, 0.6, 0.1, 0.001])
    array([0.6  , 0.6  , 0.2  , 0.004])
    """
    p, ok = _pvalues(pvalues)
    out = np.full(p.shape, np.nan)
    valid = p[ok]
    m = valid.size
    if m == 0:
        return out
    order = np.argsort(valid)
    ranked = valid[order] * (m / np.arange(1, m + 1))
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    out[ok] = adjusted
    return out


def reject(adjusted: ArrayLike, alpha: float) -> np.ndarray:
    """Boolean mask of rejected hypotheses: ``adjusted < alpha`` (strict, the same rule as
    "drift when p < threshold"); NaN is never rejected. Raises ConfigError unless
    ``0 < alpha < 1``.

    >>> reject([0.01, 0.05, float("nan")], 0.05)
    array([ True, False, False])
    """
    a = check_probability(alpha, "alpha")
    p = np.asarray(adjusted, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(p < a)
