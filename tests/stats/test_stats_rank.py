"""Anderson-Darling, Cramér-von Mises and Mann-Whitney equal SciPy's."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats

from driftscope.stats import SortedSample, anderson_ksamp, cramervonmises_2samp, mannwhitneyu
from tests.stats.stats_cases import awkward_pairs, ids

CASES = awkward_pairs()


def scipy_or_nan(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = fn()
        except (ValueError, IndexError):
            return math.nan, math.nan
    return float(res.statistic), float(res.pvalue)


def assert_same(got, want):
    stat, p = want
    if math.isnan(stat) or math.isnan(p):
        assert math.isnan(got.statistic) and math.isnan(got.pvalue)
    else:
        assert got.statistic == pytest.approx(stat, rel=1e-9, abs=1e-12)
        assert got.pvalue == pytest.approx(p, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("name, x, y", CASES, ids=ids(CASES))
def test_anderson_equals_scipy(name, x, y):
    want = scipy_or_nan(lambda: scipy.stats.anderson_ksamp([x, y], variant="midrank"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the cap warning is silenced
        for ref in (x, SortedSample.from_array(x)):
            got = anderson_ksamp(ref, y)
            assert_same(got, want)
    if not math.isnan(got.pvalue):
        assert 0.001 <= got.pvalue <= 0.25


@pytest.mark.parametrize("name, x, y", CASES, ids=ids(CASES))
def test_cramervonmises_equals_scipy(name, x, y):
    want = scipy_or_nan(lambda: scipy.stats.cramervonmises_2samp(x, y, method="auto"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ref in (x, SortedSample.from_array(x)):
            assert_same(cramervonmises_2samp(ref, y), want)


@pytest.mark.parametrize("name, x, y", CASES, ids=ids(CASES))
def test_mannwhitneyu_equals_scipy(name, x, y):
    res = scipy.stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided")
    for ref in (x, SortedSample.from_array(x)):
        assert_same(mannwhitneyu(ref, y), (res.statistic, res.pvalue))


def test_too_small_or_degenerate_gives_nan():
    assert math.isnan(anderson_ksamp([1.0], [2.0]).pvalue)
    assert math.isnan(anderson_ksamp([1.0, 1.0], [1.0, 1.0, 1.0]).statistic)
    assert math.isnan(cramervonmises_2samp([1.0], [2.0, 3.0]).pvalue)


def test_large_samples_use_scipy_asymptotics():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=3000), rng.normal(0.1, 1, size=2000)
    ref = SortedSample.from_array(x)
    assert_same(
        cramervonmises_2samp(ref, y),
        (
            scipy.stats.cramervonmises_2samp(x, y).statistic,
            scipy.stats.cramervonmises_2samp(x, y).pvalue,
        ),
    )
    res = scipy.stats.mannwhitneyu(x, y)
    assert_same(mannwhitneyu(ref, y), (res.statistic, res.pvalue))


def test_rejects_empty():
    for fn in (anderson_ksamp, cramervonmises_2samp, mannwhitneyu):
        with pytest.raises(ValueError, match="empty"):
            fn(np.array([1.0, 2.0]), np.array([]))
