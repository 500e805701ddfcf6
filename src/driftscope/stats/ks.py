"""Two-sample Kolmogorov-Smirnov test against a fitted reference, equal to SciPy's.

>>> import numpy as np
>>> from driftscope.stats.ecdf import SortedSample
>>> rng = np.random.default_rng(0)
>>> ref = SortedSample.from_array(rng.normal(size=20_000))
>>> r = ks_2samp(ref, rng.normal(0.5, 1.0, size=500))
>>> round(r.statistic, 3), r.pvalue < 1e-6
(0.211, True)
"""

from __future__ import annotations

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike

from driftscope.stats._validate import as_sample
from driftscope.stats._warnings import silenced
from driftscope.stats.ecdf import (
    SortedSample,
    as_reference,
    sorted_sample_values,
    unique_cumcounts,
)
from driftscope.stats.result import TestResult
from driftscope.stats.smirnov import smirnov_sf

#: SciPy's ``MAX_AUTO_N``: method 'auto' is exact when ``max(n1, n2)`` is at most this.
MAX_EXACT_N = 10_000


def _statistic_sorted(ref: SortedSample, cur_sorted: np.ndarray) -> float:
    """sup |F_ref - F_cur| with ``cur_sorted`` sorted; ``O(m log n)``.

    Both ECDFs are right-continuous step functions. Let ``u_0 < ... < u_{J-1}`` be the
    distinct current values and ``C_j`` the number of current points ``<= u_j``.

    * On ``[u_{j-1}, u_j)`` F_cur is constant (``C_{j-1}/m``, with ``C_{-1} = 0`` for the
      region before ``u_0``) while F_ref is non-decreasing, so |F_ref - F_cur| is largest at
      an end of the interval: at ``u_{j-1}`` itself (the right-continuous value, covered
      below) or just before ``u_j``, where F_ref equals its left limit
      ``#{ref < u_j} / n``. The left limit is a value F_ref actually takes on the interval
      (at the last reference point before ``u_j``) unless no reference point lies there, in
      which case it equals the value at ``u_{j-1}`` (or 0 before ``u_0``, giving
      ``|0 - 0| = 0``).
    * At ``u_j``: ``#{ref <= u_j}/n - C_j/m``.
    * On ``[u_{J-1}, inf)`` F_cur = 1 and F_ref rises to 1, so the largest gap is at
      ``u_{J-1}`` (covered).

    Every candidate is ``count/n - count/m`` with the very integer counts SciPy evaluates at
    some pooled point, so the float result is identical to SciPy's statistic.
    """
    u, ccum = unique_cumcounts(cur_sorted)
    below, at_or_below = ref.counts_below_and_at_or_below(u)
    n, m = ref.n, cur_sorted.size
    d_at = np.abs(at_or_below / n - ccum / m)
    prev = np.concatenate(([0], ccum[:-1]))
    d_before = np.abs(below / n - prev / m)
    return float(max(d_at.max(), d_before.max()))


def ks_statistic(reference: SortedSample | ArrayLike, current: ArrayLike) -> float:
    """The two-sample KS statistic ``sup |F_ref - F_cur|`` in ``O(m log n)`` for a fitted
    reference (no p-value).

    >>> ks_statistic([1.0, 2.0, 3.0], [2.5, 3.5])
    0.6666666666666666
    """
    ref = as_reference(reference)
    cur = sorted_sample_values(current)
    return _statistic_sorted(ref, cur)


def ks_2samp(reference: SortedSample | ArrayLike, current: ArrayLike) -> TestResult:
    """Two-sided two-sample KS test, equal to
    ``scipy.stats.ks_2samp(reference_raw, current, method='auto')``.

    ``reference`` is a fitted :class:`SortedSample` (or raw values, fitted here); the
    argument order does not matter for the result. P-value as in SciPy's 'auto' rule: exact
    when ``max(n, m) <= 10000``; otherwise the asymptotic
    ``kstwo.sf(D, round(n*m/(n+m)))``. In the exact regime both samples have at most 10000
    points, so SciPy itself is called on the reconstructed reference (this also reproduces
    its rounding of ``D`` to a multiple of ``1/lcm(n, m)`` and its fallback to the asymptotic
    formula, whose RuntimeWarning is silenced). In the asymptotic regime only the current
    batch is sorted (skipped if it already is) and the statistic costs
    ``O(m log m + m log n)``.

    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> r = ks_2samp(rng.normal(size=300), rng.normal(size=200))
    >>> round(r.statistic, 4), round(r.pvalue, 4)
    (0.06, 0.7648)
    """
    cur = sorted_sample_values(current)
    if isinstance(reference, SortedSample):
        ref = reference
    else:
        raw = as_sample(reference, "reference")
        if max(raw.size, cur.size) <= MAX_EXACT_N:
            return _scipy_exact(raw, cur)
        ref = SortedSample.from_array(raw)
    n, m = ref.n, cur.size
    if max(n, m) <= MAX_EXACT_N:
        return _scipy_exact(ref.repeat(), cur)
    d = _statistic_sorted(ref, cur)
    return TestResult(d, ks_asymptotic_pvalue(d, n, m))


def ks_asymptotic_pvalue(statistic: float, n: int, m: int) -> float:
    """SciPy's asymptotic two-sided p-value ``kstwo.sf(D, round(n*m/(n+m)))``, with the same
    arithmetic (larger size first).

    >>> round(ks_asymptotic_pvalue(0.01, 100_000, 50_000), 4)
    0.0025
    """
    big, small = sorted([float(n), float(m)], reverse=True)
    en = float(np.round(big * small / (big + small)))
    if _smirnov_branch(en, statistic):  # SciPy's slow branch: the same series, compiled
        return float(np.clip(2.0 * smirnov_sf(int(en), statistic), 0.0, 1.0))
    return float(np.clip(scipy.stats.kstwo.sf(statistic, en), 0.0, 1.0))


def _smirnov_branch(n: float, d: float) -> bool:
    """Where ``scipy.stats.kstwo.sf(d, n)`` is ``2 * scipy.special.smirnov(n, d)``: large
    ``n``, ``d`` below 1/2 and ``2.2 <= n d² < 370`` (scipy.stats._ksstats._kolmogn)."""
    t = n * d
    return n > 140 and 1.0 < t < n - 1 and d < 0.5 and 2.2 <= t * d < 370.0


def _scipy_exact(ref_raw: np.ndarray, cur: np.ndarray) -> TestResult:
    """SciPy's own 'auto' computation, used when both samples have <= 10000 points."""
    with silenced(RuntimeWarning):
        res = scipy.stats.ks_2samp(ref_raw, cur, method="auto")
    return TestResult(float(res.statistic), float(res.pvalue))
