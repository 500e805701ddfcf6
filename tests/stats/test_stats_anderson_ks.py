"""The stronger of Anderson-Darling and Kolmogorov-Smirnov, calibrated by shuffling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats

from driftscope.stats import anderson_darling_2samp, anderson_ks_2samp, ks_2samp
from driftscope.stats.anderson_ks import PERMUTED_UP_TO, _shuffled_statistics, _statistics


def test_the_compiled_shuffles_equal_their_python_twin():
    sizes = np.array([3, 1, 2, 5, 1, 1, 4], np.int64)
    compiled = _shuffled_statistics(sizes, 7, 50, 3)
    with np.errstate(over="ignore"):  # xorshift64* multiplies modulo 2**64 on purpose
        python = _shuffled_statistics.py_func(sizes, 7, 50, 3)
    assert np.allclose(compiled[0], python[0]) and np.allclose(compiled[1], python[1])


def test_the_shuffles_are_uniform_over_the_splits():
    """Every split of the pooled rows is equally likely: on 7 rows (35 splits of 3 to the
    reference) the shuffled statistics take each split's value as often as enumeration says."""
    sizes = np.array([2, 1, 1, 2, 1], np.int64)
    rows = np.repeat(np.arange(sizes.size), sizes)
    exact: dict[tuple[float, float], int] = {}
    for chosen in itertools.combinations(range(rows.size), 3):
        first = np.bincount(rows[list(chosen)], minlength=sizes.size).astype(float)
        key = tuple(round(v, 9) for v in _statistics(first, sizes.astype(float), 3, 4))
        exact[key] = exact.get(key, 0) + 1
    shuffled_ad, shuffled_ks = _shuffled_statistics(sizes, 3, 35_000, 1)
    seen: dict[tuple[float, float], int] = {}
    for ad, ks in zip(shuffled_ad, shuffled_ks, strict=True):
        key = (round(ad, 9), round(ks, 9))
        seen[key] = seen.get(key, 0) + 1
    assert set(seen) == set(exact)
    observed = np.array([seen[k] for k in exact])
    expected = np.array([exact[k] * 1000.0 for k in exact])  # 35,000 / 35 splits
    assert scipy.stats.chisquare(observed, expected).pvalue > 0.001


def test_the_observed_statistics_are_ad_and_ks():
    rng = np.random.default_rng(0)
    ref, cur = rng.poisson(2, 40).astype(float), rng.poisson(2.5, 30).astype(float)
    values = np.unique(np.r_[ref, cur])
    first = np.array([np.sum(ref == v) for v in values], float)
    sizes = first + np.array([np.sum(cur == v) for v in values])
    ad, ks = _statistics(first, sizes, 40, 30)
    assert ad == pytest.approx(anderson_darling_2samp(ref, cur).statistic)
    assert ks == pytest.approx(scipy.stats.ks_2samp(ref, cur).statistic)


DRAWS = {
    "zero-inflated": lambda rng, n, d: np.where(rng.random(n) < 0.3, 0.0, rng.gamma(2, 1, n) + d),
    "poisson": lambda rng, n, d: rng.poisson(3 + d, n).astype(float),
    "normal": lambda rng, n, d: rng.normal(d, 1, n),
}


@pytest.mark.parametrize("name", DRAWS)
def test_false_alarms_stay_at_the_level(name):
    """300 unchanged pairs of 150 rows: at most 8.7 % flagged at 5 % (binomial, 99.9 %)."""
    rng = np.random.default_rng(11)
    draw = DRAWS[name]
    p = [anderson_ks_2samp(draw(rng, 150, 0), draw(rng, 150, 0)).pvalue for _ in range(300)]
    assert np.mean(np.array(p) < 0.05) <= 0.087


@pytest.mark.parametrize(
    "name, shift, scale",
    [("zero-inflated", 0.45, 1.0), ("poisson", 0.0, 1.5), ("normal", 0.0, 1.5)],
    ids=["shift-next-to-ties", "poisson-wider", "normal-wider"],
)
def test_it_has_nearly_the_power_of_the_better_test(name, shift, scale):
    """Where KS wins (a shift beside a block of zeros) and where AD wins (a wider spread):
    within 10 points of the better of the two (6 measured over 300 trials), over 200 trials
    of 200 rows."""
    rng = np.random.default_rng(5)
    hits = np.zeros(3)
    for _ in range(200):
        ref = DRAWS[name](rng, 200, 0)
        if name == "zero-inflated":
            cur = DRAWS[name](rng, 200, shift)
        elif name == "poisson":
            cur = rng.negative_binomial(6, 6 / 9, 200).astype(float)  # mean 3, variance 4.5
        else:
            cur = rng.normal(0, np.sqrt(scale), 200)
        hits += [
            anderson_ks_2samp(ref, cur).pvalue < 0.05,
            anderson_darling_2samp(ref, cur).pvalue < 0.05,
            ks_2samp(ref, cur).pvalue < 0.05,
        ]
    rates = hits / 200
    assert rates[0] >= max(rates[1], rates[2]) - 0.10, rates


def test_large_samples_use_bonferroni_and_tiny_p_values_stay_tiny():
    rng = np.random.default_rng(2)
    ref, cur = rng.normal(size=PERMUTED_UP_TO), rng.normal(0.1, 1, PERMUTED_UP_TO)
    want = min(1.0, 2 * min(anderson_darling_2samp(ref, cur).pvalue, ks_2samp(ref, cur).pvalue))
    assert anderson_ks_2samp(ref, cur).pvalue == pytest.approx(want)
    small = anderson_ks_2samp(rng.normal(size=300), rng.normal(1.0, 1, 300))
    assert small.pvalue < 1e-20  # below the shuffles' resolution: the Bonferroni p-value
