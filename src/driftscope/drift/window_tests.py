"""P-values for one window of a stream against a fitted reference, vectorised over features.

The streaming monitor needs a *valid p-value per check* so that repeated checks can be
controlled (see :mod:`driftscope.drift.streaming`). For binned statistics the null law is the
classic multinomial approximation: with window counts ``n`` and reference counts ``N`` over
``k`` bins of reference shares ``p`` (all ``p_i > 0``),

* ``PSI = sum((q - p) ln(q / p)) ~ (1/n + 1/N) * chi2(k - 1)`` and
* ``JSD = JS-divergence (natural log) ~ (1/n + 1/N) * chi2(k - 1) / 8``

(both are the Pearson chi-square statistic to second order). The Kolmogorov-Smirnov
p-value is SciPy's asymptotic one. ``tests/drift/test_window_tests.py`` checks by simulation
that the p-values are uniform (or conservative) under the null for the window sizes used.

>>> import numpy as np
>>> ref = np.array([[250.0, 250, 250, 250]])
>>> cur = np.array([[25.0, 25, 25, 25]])
>>> psi_pvalues(ref, cur).round(3).tolist()
[1.0]
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from driftscope.stats.ecdf import SortedSample

EPSILON = 1e-4  # share given to empty bins, as in driftscope.stats.distances


def _shares(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals > 0, totals, 1.0)


def _smoothed(share: np.ndarray) -> np.ndarray:
    s = np.maximum(share, EPSILON)
    return s / s.sum(axis=1, keepdims=True)


def psi_statistics(ref_counts: np.ndarray, cur_counts: np.ndarray) -> np.ndarray:
    """Row-wise PSI of (features x bins) count matrices, smoothed as ``stats.psi`` does.

    Padding bins (zero in both) must be masked out by the caller with zero counts in both;
    they then contribute nothing.
    """
    used = (ref_counts > 0) | (cur_counts > 0)
    p = np.where(used, _shares(ref_counts), 0.0)
    q = np.where(used, _shares(cur_counts), 0.0)
    p = np.where(used, np.maximum(p, EPSILON), 0.0)
    q = np.where(used, np.maximum(q, EPSILON), 0.0)
    p = p / p.sum(axis=1, keepdims=True)
    q = q / q.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(used, (q - p) * (np.log(q) - np.log(p)), 0.0)
    return np.maximum(terms.sum(axis=1), 0.0)


def js_statistics(ref_counts: np.ndarray, cur_counts: np.ndarray) -> np.ndarray:
    """Row-wise Jensen-Shannon distance (base 2), as ``stats.jensen_shannon``."""
    p = _shares(ref_counts)
    q = _shares(cur_counts)
    m = (p + q) / 2.0
    div = (special.rel_entr(p, m).sum(axis=1) + special.rel_entr(q, m).sum(axis=1)) / 2.0
    return np.clip(np.sqrt(np.maximum(div / math.log(2.0), 0.0)), 0.0, 1.0)


def _scale(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = cur_counts.sum(axis=1)
    big_n = ref_counts.sum(axis=1)
    scale = 1.0 / np.maximum(n, 1) + 1.0 / np.maximum(big_n, 1)
    dof = np.maximum((ref_counts > 0).sum(axis=1) - 1, 1)
    return scale, dof


def psi_pvalues(ref_counts: np.ndarray, cur_counts: np.ndarray) -> np.ndarray:
    """Approximate p-values of the row-wise PSI (chi-square law above).

    Mass in bins the reference never saw (unseen categories) gets p-value 0 once it is
    above what smoothing allows: a new category is a certain change.
    """
    scale, dof = _scale(ref_counts, cur_counts)
    stat = psi_statistics(ref_counts, cur_counts)
    return special.chdtrc(dof, stat / scale)


def js_pvalues(ref_counts: np.ndarray, cur_counts: np.ndarray) -> np.ndarray:
    """Approximate p-values of the row-wise Jensen-Shannon distance (chi-square law above)."""
    scale, dof = _scale(ref_counts, cur_counts)
    div = js_statistics(ref_counts, cur_counts) ** 2 * math.log(2.0)
    return special.chdtrc(dof, 8.0 * div / scale)


MISSING_KEY = np.iinfo(np.int64).max


def ks_keys(sample: SortedSample, x: np.ndarray) -> np.ndarray:
    """Per value, an int64 key ``#ref<=x * (n+1) + #ref<x`` that orders values as ``x`` does
    and holds everything the KS statistic needs (non-finite values get ``MISSING_KEY``).

    Values are turned into keys once, when they enter the window; each check then only
    sorts integers (:func:`ks_window_statistics`).
    """
    finite = np.isfinite(x)
    below, at_or_below = sample.counts_below_and_at_or_below(np.where(finite, x, 0.0))
    return np.where(finite, at_or_below * (sample.n + 1) + below, MISSING_KEY)


def ks_window_statistics(keys: np.ndarray, ref_n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact two-sample KS statistics of each row of a (features x window) key matrix
    against its reference (sizes ``ref_n``), and the number of finite values per row.

    With the window sorted, the ECDF gap is largest at a group of equal keys: at its end,
    ``|#ref<=x / n - #cur<=x / m|``, or just before its start, ``|#ref<x / n - #cur<x / m|``
    (the same candidates as :func:`driftscope.stats.ks.ks_statistic`, so the statistic is
    the one SciPy computes). Values in the same gap between reference points share a key:
    merging them never changes the maximum.
    """
    ordered = np.sort(keys, axis=1)
    f, w = ordered.shape
    if w == 0:
        return np.zeros(f), np.zeros(f, dtype=np.int64)
    valid = ordered != MISSING_KEY
    m = valid.sum(axis=1)
    n1 = (ref_n.astype(np.int64) + 1)[:, None]
    at = ordered // n1
    below = ordered % n1
    idx = np.arange(w)[None, :]
    change = ordered[:, 1:] != ordered[:, :-1]
    last = np.ones((f, w), dtype=bool)
    last[:, :-1] = change
    first = np.ones((f, w), dtype=bool)
    first[:, 1:] = change
    # window values <= the group's value: the index after the group's end
    end = np.minimum.accumulate(np.where(last, idx + 1, w + 1)[:, ::-1], axis=1)[:, ::-1]
    start = np.maximum.accumulate(np.where(first, idx, 0), axis=1)
    mm = np.maximum(m, 1).astype(np.float64)[:, None]
    nn = ref_n.astype(np.float64)[:, None]
    gap = np.maximum(np.abs(at / nn - end / mm), np.abs(below / nn - start / mm))
    return np.where(valid, gap, 0.0).max(axis=1), m
