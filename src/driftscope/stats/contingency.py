"""Tests on categorical counts: chi-square on a 2 x K table, two-proportion z-test, Fisher.

Count vectors are aligned on the same categories (reference first, current second).

>>> r = chi2_two_sample([50, 30, 20], [40, 30, 30])
>>> round(r.statistic, 4), round(r.pvalue, 4), r.dof
(3.1111, 0.2111, 2)
"""

from __future__ import annotations

import math

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike

from driftscope.stats._validate import as_counts, check_aligned
from driftscope.stats.result import TestResult


def chi2_two_sample(
    ref_counts: ArrayLike, cur_counts: ArrayLike, correction: bool = False
) -> TestResult:
    """Pearson chi-square test of homogeneity on the 2 x K table ``[ref_counts, cur_counts]``,
    equal to ``scipy.stats.chi2_contingency(table, correction=correction)`` after dropping the
    categories whose total count is zero (they carry no information and would make an
    expected frequency zero).

    Continuity: by default no Yates correction is applied (the statistic is then exactly the
    square of the pooled two-proportion z statistic when K == 2). ``correction=True`` gives
    SciPy's default behaviour, which applies Yates' correction only when ``dof == 1``. When a
    single category remains the samples cannot differ: statistic 0.0, p-value 1.0, dof 0.
    Raises ValueError for empty samples (a zero total) or misaligned/negative counts.

    >>> chi2_two_sample([10, 0, 5], [12, 0, 3]).dof
    1
    >>> chi2_two_sample([7], [3])
    TestResult(statistic=0.0, pvalue=1.0, dof=0)
    """
    ref = as_counts(ref_counts, "reference counts")
    cur = as_counts(cur_counts, "current counts")
    check_aligned(ref, cur)
    keep = (ref + cur) > 0
    if int(keep.sum()) < 2:
        return TestResult(0.0, 1.0, dof=0)
    table = np.vstack([ref[keep], cur[keep]])
    res = scipy.stats.chi2_contingency(table, correction=bool(correction))
    return TestResult(float(res.statistic), float(res.pvalue), dof=int(res.dof))


def _check_binomial(successes: float, n: float, name: str) -> tuple[int, int]:
    """Validate one ``(successes, n)`` pair of counts."""
    if not (float(n) == int(n) and float(successes) == int(successes)):
        raise ValueError(f"{name}: counts must be whole numbers, got {successes!r} of {n!r}")
    s_i, n_i = int(successes), int(n)
    if n_i <= 0:
        raise ValueError(f"{name} sample is empty (n = {n_i})")
    if not 0 <= s_i <= n_i:
        raise ValueError(f"{name}: successes must lie in [0, n], got {s_i} of {n_i}")
    return s_i, n_i


def proportions_ztest(successes_ref: int, n_ref: int, successes_cur: int, n_cur: int) -> TestResult:
    """Two-sided pooled two-proportion z-test.

    ``statistic`` is ``z = (p_cur - p_ref) / sqrt(p (1 - p) (1/n_ref + 1/n_cur))`` with the
    pooled rate ``p`` — positive when the current rate is higher — and the p-value is
    ``2 * norm.sf(|z|)``. ``z**2`` equals the uncorrected chi-square statistic of the 2 x 2
    table. When the pooled rate is 0 or 1 (all failures or all successes) the samples
    cannot differ: ``z = 0``, ``p = 1``. Raises ValueError on empty samples or
    successes outside ``[0, n]``.

    >>> r = proportions_ztest(30, 100, 45, 100)
    >>> round(r.statistic, 4), round(r.pvalue, 4)
    (2.1909, 0.0285)
    """
    s_r, n_r = _check_binomial(successes_ref, n_ref, "reference")
    s_c, n_c = _check_binomial(successes_cur, n_cur, "current")
    pooled = (s_r + s_c) / (n_r + n_c)
    if pooled <= 0.0 or pooled >= 1.0:
        return TestResult(0.0, 1.0)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_r + 1.0 / n_c))
    z = (s_c / n_c - s_r / n_r) / se
    p = float(2.0 * scipy.stats.norm.sf(abs(z)))
    return TestResult(z, min(p, 1.0))


def fisher_exact_2x2(successes_ref: int, n_ref: int, successes_cur: int, n_cur: int) -> TestResult:
    """Fisher's exact test, two-sided, on ``[[s_ref, n_ref - s_ref], [s_cur, n_cur - s_cur]]``,
    equal to ``scipy.stats.fisher_exact(table)``. ``statistic`` is SciPy's sample odds ratio
    ``s_ref (n_cur - s_cur) / ((n_ref - s_ref) s_cur)``, which may be ``inf`` or ``nan``
    (``nan`` when a row or column of the table is empty; the p-value is then 1).

    >>> r = fisher_exact_2x2(3, 10, 8, 10)
    >>> round(r.statistic, 4), round(r.pvalue, 4)
    (0.1071, 0.0698)
    """
    s_r, n_r = _check_binomial(successes_ref, n_ref, "reference")
    s_c, n_c = _check_binomial(successes_cur, n_cur, "current")
    table = np.array([[s_r, n_r - s_r], [s_c, n_c - s_c]], dtype=np.int64)
    res = scipy.stats.fisher_exact(table, alternative="two-sided")
    return TestResult(float(res.statistic), float(res.pvalue))
