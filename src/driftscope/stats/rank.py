"""Rank-based two-sample tests, delegated to SciPy on the full samples.

These tests need every observation, so a fitted reference is expanded with
``SortedSample.repeat()``; their cost is that of SciPy (``O((n + m) log(n + m))``).
Where SciPy cannot compute a test for the given sizes (too few observations, a single
distinct value overall for Anderson-Darling) the result is ``TestResult(nan, nan)``.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x, y = rng.normal(size=200), rng.normal(0.5, 1.0, size=150)
>>> [round(f(x, y).pvalue, 4) for f in (cramervonmises_2samp, mannwhitneyu)]
[0.0051, 0.0022]
"""

from __future__ import annotations

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike

from driftscope.stats._validate import as_sample
from driftscope.stats._warnings import silenced
from driftscope.stats.ecdf import SortedSample, reference_values
from driftscope.stats.result import TestResult

_NAN = TestResult(float("nan"), float("nan"))


def _anderson(samples: list[np.ndarray]) -> tuple[float, float]:
    """SciPy's k-sample Anderson-Darling, default (midrank) variant and tabulated p-value."""
    try:
        # SciPy >= 1.17: naming the default variant avoids a deprecation UserWarning.
        res = scipy.stats.anderson_ksamp(samples, variant="midrank")
    except TypeError:  # older SciPy without `variant`; midrank is its default too
        res = scipy.stats.anderson_ksamp(samples)
    return float(res.statistic), float(res.pvalue)


def anderson_ksamp(reference: SortedSample | ArrayLike, current: ArrayLike) -> TestResult:
    """Two-sample Anderson-Darling test, equal to ``scipy.stats.anderson_ksamp([ref, cur])``
    (midrank variant, SciPy's default, valid with ties).

    The p-value is SciPy's interpolation of tabulated critical values, **capped to
    [0.001, 0.25]**: a p-value of 0.25 means "0.25 or more" and 0.001 "0.001 or less". SciPy's
    warning about the cap is silenced. A permutation p-value (SciPy's ``method=``) is not
    used: it would cost many full re-computations. Needs at least 4 observations in total
    and two distinct values; otherwise the result is ``TestResult(nan, nan)``.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> r = anderson_ksamp(rng.normal(size=300), rng.normal(1, 1, size=300))
    >>> round(r.statistic, 2), r.pvalue
    (86.35, 0.001)
    """
    ref = reference_values(reference)
    cur = as_sample(current, "current")
    if ref.size + cur.size < 4 or ref.min() == ref.max() == cur.min() == cur.max():
        return _NAN
    with silenced(UserWarning, r"p-value (capped|floored)"):
        stat, p = _anderson([ref, cur])
    return TestResult(stat, p)


def cramervonmises_2samp(reference: SortedSample | ArrayLike, current: ArrayLike) -> TestResult:
    """Two-sample Cramér-von Mises test, equal to
    ``scipy.stats.cramervonmises_2samp(ref, cur, method='auto')`` (exact p-value for small
    samples, asymptotic otherwise). Needs at least 2 observations in each sample; otherwise
    ``TestResult(nan, nan)`` (as SciPy returns).

    >>> r = cramervonmises_2samp([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0])
    >>> round(r.statistic, 4), round(r.pvalue, 4)
    (0.5952, 0.0571)
    """
    ref = reference_values(reference)
    cur = as_sample(current, "current")
    if ref.size < 2 or cur.size < 2:
        return _NAN
    res = scipy.stats.cramervonmises_2samp(ref, cur, method="auto")
    return TestResult(float(res.statistic), float(res.pvalue))


def mannwhitneyu(reference: SortedSample | ArrayLike, current: ArrayLike) -> TestResult:
    """Two-sided Mann-Whitney U test, equal to ``scipy.stats.mannwhitneyu(ref, cur)``
    (``use_continuity=True``, ``method='auto'``). ``statistic`` is U of the *reference*
    sample.

    >>> r = mannwhitneyu([1.0, 2.0, 3.0], [4.0, 5.0])
    >>> r.statistic, round(r.pvalue, 4)
    (0.0, 0.2)
    """
    ref = reference_values(reference)
    cur = as_sample(current, "current")
    res = scipy.stats.mannwhitneyu(ref, cur, use_continuity=True, alternative="two-sided")
    return TestResult(float(res.statistic), float(res.pvalue))
