"""The two-sample Anderson-Darling test: SciPy's statistic, a p-value right with ties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats
from scipy.stats._morestats import _anderson_ksamp_midrank

from driftscope.stats import SortedSample, anderson_darling_2samp, weighted_chi2_sf


def scipy_a2akn(ref: np.ndarray, cur: np.ndarray) -> float:
    """SciPy's own midrank A2akN (what anderson_ksamp standardises)."""
    pooled = np.sort(np.concatenate([ref, cur]))
    sizes = np.array([ref.size, cur.size])
    return _anderson_ksamp_midrank([ref, cur], pooled, np.unique(pooled), 2, sizes, pooled.size)


SAMPLES = {
    "normal": lambda rng: (rng.normal(size=300), rng.normal(0.2, 1.0, 250)),
    "poisson": lambda rng: (rng.poisson(3, 400).astype(float), rng.poisson(3.4, 300) * 1.0),
    "zeros": lambda rng: (np.maximum(rng.normal(size=500), 0), np.maximum(rng.normal(size=80), 0)),
    "tiny": lambda rng: (np.array([1.0, 2.0]), np.array([2.0, 3.0, 3.0])),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_the_statistic_is_scipys(name):
    ref, cur = SAMPLES[name](np.random.default_rng(0))
    got = anderson_darling_2samp(ref, cur)
    assert got.statistic == pytest.approx(scipy_a2akn(ref, cur), rel=1e-10)
    fitted = anderson_darling_2samp(SortedSample.from_array(ref), cur)
    assert fitted.statistic == pytest.approx(got.statistic, rel=1e-12)
    assert fitted.pvalue == pytest.approx(got.pvalue, rel=1e-12)


def test_the_p_value_agrees_with_scipys_where_scipy_is_exact_enough():
    """No ties, p between SciPy's caps: its interpolated p-value and ours agree closely."""
    rng = np.random.default_rng(1)
    compared = 0
    for _ in range(40):
        ref, cur = rng.normal(size=1000), rng.normal(0.08, 1.0, 1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # SciPy's "p-value capped"
            want = scipy.stats.anderson_ksamp([ref, cur], variant="midrank").pvalue
        if 0.002 < want < 0.24:
            assert anderson_darling_2samp(ref, cur).pvalue == pytest.approx(want, rel=0.2)
            compared += 1
    assert compared >= 15


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng, n: rng.poisson(3, n).astype(float),  # heavy ties
        lambda rng, n: np.where(rng.random(n) < 0.3, 0.0, rng.gamma(2.0, 1.0, n)),  # zeros
        lambda rng, n: rng.normal(size=n),
    ],
    ids=["poisson", "zero-inflated", "normal"],
)
def test_false_alarms_stay_at_the_level(draw):
    """SciPy's tabulated p-value flags 7-9 % of unchanged tied samples at 5 %; ours keeps the
    level: 600 trials, a binomial 99.9 % upper limit of 8.3 % at a true 5 %."""
    rng = np.random.default_rng(7)
    p_values = np.array(
        [anderson_darling_2samp(draw(rng, 200), draw(rng, 200)).pvalue for _ in range(600)]
    )
    assert np.mean(p_values < 0.05) <= 0.083
    assert np.mean(p_values < 0.01) <= 0.025
    assert np.mean(p_values < 0.5) == pytest.approx(0.5, abs=0.08)  # roughly uniform


def test_a_change_of_spread_is_seen_where_ks_is_blind():
    rng = np.random.default_rng(3)
    hits_ad = hits_ks = 0
    for _ in range(100):
        ref = rng.poisson(3, 200).astype(float)
        cur = rng.negative_binomial(6, 6 / 9, 200).astype(float)  # mean 3, variance 4.5
        hits_ad += anderson_darling_2samp(ref, cur).pvalue < 0.05
        hits_ks += scipy.stats.ks_2samp(ref, cur).pvalue < 0.05
    assert hits_ad >= hits_ks + 15


def test_degenerate_inputs():
    assert anderson_darling_2samp([2.0, 2.0], [2.0]).pvalue == 1.0
    with pytest.raises(ValueError, match="current is empty"):
        anderson_darling_2samp([1.0, 2.0], [])


@pytest.mark.parametrize("q", [0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0])
@pytest.mark.parametrize("k, tolerance", [(1, 0.12), (4, 0.03), (12, 0.01)])
def test_the_tail_of_a_chi_square_sum_matches_scipy(q, k, tolerance):
    """Equal weights make a scaled chi-square. The saddlepoint tail is within 11 % for one
    degree of freedom (its known worst case, far in the tail), within 2 % from four on,
    and continuous across the mean (k / 2)."""
    want = scipy.stats.chi2.sf(q / 0.5, k)
    assert weighted_chi2_sf(q, np.full(k, 0.5)) == pytest.approx(want, rel=tolerance)


@pytest.mark.parametrize("critical, level", [(1.933, 0.10), (2.492, 0.05), (3.857, 0.01)])
def test_the_classical_limit_gives_anderson_and_darlings_critical_values(critical, level):
    """Without ties the weights tend to 1 / (j (j + 1)); the published critical values of the
    limiting distribution (Anderson and Darling 1954) come back within 8 %, on the safe side."""
    weights = 1.0 / (np.arange(1, 2000) * np.arange(2, 2001))
    assert level <= weighted_chi2_sf(critical, weights) <= level * 1.08
