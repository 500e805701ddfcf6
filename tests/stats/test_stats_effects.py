"""Effect sizes, effective sample sizes and the share / mean / correlation tests of
``stats.proportions`` and ``stats.effects``, against SciPy and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sp

from driftscope import stats


@pytest.mark.parametrize(
    ("k0", "n0", "k1", "n1"),
    [(100, 10_000, 45, 3000), (0, 10_000, 1, 30), (30, 300, 3, 30), (0, 5, 0, 5), (5, 5, 0, 1)],
)
def test_share_test_is_scipys_fisher_exact(k0, n0, k1, n1):
    table = [[k1, n1 - k1], [k0, n0 - k0]]
    greater = sp.fisher_exact(table, alternative="greater").pvalue
    less = sp.fisher_exact(table, alternative="less").pvalue
    assert stats.share_test(k0, n0, k1, n1, "greater") == pytest.approx(greater, rel=1e-9)
    assert stats.share_test(k0, n0, k1, n1, "less") == pytest.approx(less, rel=1e-9)
    two = stats.share_test(k0, n0, k1, n1, "two-sided")
    assert two == pytest.approx(min(1.0, 2 * min(greater, less)), rel=1e-9)


def test_share_test_refuses_impossible_counts_and_alternatives():
    with pytest.raises(ValueError, match="0 <= k <= n"):
        stats.share_test(5, 4, 0, 1)
    with pytest.raises(ValueError, match="alternative"):
        stats.share_test(1, 4, 0, 1, "bigger")  # type: ignore[arg-type]


@pytest.mark.parametrize(("p0", "p1"), [(0.01, 0.15), (0.5, 0.5), (0.0, 1.0), (0.3, 0.1)])
def test_cohens_h_is_the_arcsine_difference(p0, p1):
    expected = abs(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0)))
    assert stats.cohens_h(p0, p1) == pytest.approx(expected, abs=1e-15)
    assert stats.cohens_h(p0, p1) == stats.cohens_h(p1, p0)
    assert stats.cohens_h(-0.1, 1.2) == pytest.approx(math.pi)  # clipped to [0, 1]


def test_kish_effective_n():
    rng = np.random.default_rng(0)
    w = rng.uniform(1, 10, 500)
    assert stats.kish_effective_n(w) == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert stats.kish_effective_n(np.full(7, 3.0)) == pytest.approx(7.0)
    assert stats.kish_effective_n([]) == 0.0


def test_binomial_upper_p_value_is_scipys_binomtest_on_whole_counts():
    for k, n, p in [(1, 3, 0.05), (0, 10, 0.1), (7, 200, 0.02), (30, 30, 0.5), (3, 1000, 0.001)]:
        expected = sp.binomtest(k, n, p, alternative="greater").pvalue
        assert stats.binomial_upper_p_value(k, n, p) == pytest.approx(expected, rel=1e-9)
    assert stats.binomial_upper_p_value(1, 10, 0.0) == 0.0
    assert stats.binomial_upper_p_value(5, 5, 1.0) == 1.0
    # between whole counts the tail moves monotonically
    tails = [stats.binomial_upper_p_value(k, 20.5, 0.1) for k in (1.0, 1.5, 2.0, 2.5)]
    assert tails == sorted(tails, reverse=True)


@pytest.mark.parametrize("n", [1, 2, 10, 1001])
def test_weighted_quantile_is_numpys_inverted_cdf(n):
    rng = np.random.default_rng(n)
    x, w = rng.exponential(size=n), rng.integers(1, 5, n).astype(float)
    x[: n // 3] = x[0]  # ties
    for q in (0.0, 0.01, 0.5, 0.95, 0.99, 1.0):
        expected = np.quantile(x, q, weights=w, method="inverted_cdf")
        assert stats.weighted_quantile(x, w, q) == expected


def test_weighted_quantile_refuses_bad_input():
    with pytest.raises(ValueError):
        stats.weighted_quantile([], [], 0.5)
    with pytest.raises(ValueError):
        stats.weighted_quantile([1.0], [1.0], 1.5)


def test_weighted_mean_sd_against_numpy():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=300), rng.uniform(0.5, 3, 300)
    mean, sd = stats.weighted_mean_sd(x, w)
    assert mean == pytest.approx(np.average(x, weights=w))
    assert sd == pytest.approx(math.sqrt(np.cov(x, aweights=w, ddof=0)))
    assert stats.weighted_mean_sd(x) == pytest.approx((x.mean(), x.std()))


def test_welch_z_test_approaches_scipys_welch_test_on_large_samples():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.70, 0.1, 5000), rng.normal(0.695, 0.12, 4000)
    for alternative in ("less", "greater", "two-sided"):
        p = stats.welch_z_test(a.mean(), a.std(), a.size, b.mean(), b.std(), b.size, alternative)
        welch = sp.ttest_ind(b, a, equal_var=False, alternative=alternative).pvalue
        assert p == pytest.approx(welch, rel=0.01)


def test_welch_z_test_without_spread():
    assert stats.welch_z_test(1.0, 0.0, 5, 2.0, 0.0, 5, "greater") == 0.0
    assert stats.welch_z_test(1.0, 0.0, 5, 2.0, 0.0, 5, "less") == 1.0
    assert stats.welch_z_test(1.0, 0.0, 5, 1.0, 0.0, 5, "two-sided") == 1.0


def test_standardized_difference():
    assert stats.standardized_difference(0.7, 0.6, 0.05) == pytest.approx(2.0)
    assert stats.standardized_difference(1.0, 1.0, 0.0) == 0.0
    assert stats.standardized_difference(1.0, 1.1, 0.0) == math.inf


def test_correlation_change_p_value_is_fishers_z_test():
    r0, n0, r1, n1 = 0.5, 1000, 0.4, 800
    z = (np.arctanh(r1) - np.arctanh(r0)) / math.sqrt(1 / (n0 - 3) + 1 / (n1 - 3))
    expected = 2 * sp.norm.sf(abs(z))
    assert stats.correlation_change_p_value(r0, n0, r1, n1) == pytest.approx(expected, rel=1e-12)
    # it is the normal approximation: close to an exact null simulation's level
    rng = np.random.default_rng(5)
    cov = [[1, 0.5], [0.5, 1]]
    ps = []
    for _ in range(400):
        a = rng.multivariate_normal([0, 0], cov, 200)
        b = rng.multivariate_normal([0, 0], cov, 200)
        ra, rb = sp.pearsonr(*a.T).statistic, sp.pearsonr(*b.T).statistic
        ps.append(stats.correlation_change_p_value(ra, 200, rb, 200))
    assert 0.02 < np.mean(np.array(ps) < 0.05) < 0.09
    assert math.isnan(stats.correlation_change_p_value(0.1, 3, 0.2, 50))
