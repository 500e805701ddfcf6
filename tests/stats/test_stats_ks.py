"""ks_2samp equals scipy.stats.ks_2samp (statistic and p-value) in every regime."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.stats import SortedSample, ks_2samp, ks_statistic
from tests.stats.stats_cases import asymptotic_pairs, awkward_pairs, ids

AWKWARD = awkward_pairs()
ASYMPTOTIC = asymptotic_pairs()


def scipy_ks(x: np.ndarray, y: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return scipy.stats.ks_2samp(x, y, method="auto")


def check(x: np.ndarray, y: np.ndarray) -> None:
    want = scipy_ks(x, y)
    for got in (
        ks_2samp(SortedSample.from_array(x), y),
        ks_2samp(x, y),
        ks_2samp(y, x),  # n1, n2 in either order
        ks_2samp(SortedSample.from_array(y), x),
    ):
        np.testing.assert_allclose(got.statistic, want.statistic, rtol=1e-9, atol=0)
        np.testing.assert_allclose(got.pvalue, want.pvalue, rtol=1e-9, atol=0)
        assert got.dof is None


@pytest.mark.parametrize("name, x, y", AWKWARD, ids=ids(AWKWARD))
def test_exact_regime_equals_scipy(name, x, y):
    check(x, y)


@pytest.mark.parametrize("name, x, y", ASYMPTOTIC, ids=ids(ASYMPTOTIC))
def test_asymptotic_regime_equals_scipy(name, x, y):
    check(x, y)
    # the statistic is the very float SciPy computes
    assert ks_statistic(SortedSample.from_array(x), y) == scipy_ks(x, y).statistic


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # SciPy's asymp p-value on tiny samples
@pytest.mark.parametrize("name, x, y", AWKWARD + ASYMPTOTIC, ids=ids(AWKWARD + ASYMPTOTIC))
def test_fast_statistic_equals_scipy_everywhere(name, x, y):
    # the O(m log n) statistic, also in the exact regime where the p-value delegates to SciPy
    d = scipy.stats.ks_2samp(x, y, method="asymp").statistic
    assert ks_statistic(SortedSample.from_array(x), y) == d
    assert ks_statistic(x, np.sort(y)) == d


def test_regime_boundary_10000():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=10_000), rng.normal(0.05, 1, size=10_000)
    check(x, y)  # exact regime (max == 10000)
    check(np.append(x, 0.5), y)  # asymptotic regime (max == 10001)


def test_sorted_current_input_gives_the_same_result():
    rng = np.random.default_rng(8)
    ref = SortedSample.from_array(rng.normal(size=12_000))
    y = rng.normal(size=500)
    assert ks_2samp(ref, y) == ks_2samp(ref, np.sort(y))


floats = st.one_of(
    st.integers(-5, 5).map(float),
    st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(floats, min_size=1, max_size=40))
def test_sample_against_itself(x):
    xa = np.array(x)
    r = ks_2samp(SortedSample.from_array(xa), xa)
    assert r.statistic == 0.0 and r.pvalue == 1.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=100, deadline=None)
@given(st.lists(floats, min_size=1, max_size=30), st.lists(floats, min_size=1, max_size=30))
def test_property_equals_scipy(x, y):
    xa, ya = np.array(x), np.array(y)
    want = scipy_ks(xa, ya)
    got = ks_2samp(SortedSample.from_array(xa), ya)
    assert got.statistic == pytest.approx(want.statistic, rel=1e-9)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-9)
    assert ks_statistic(xa, ya) == scipy.stats.ks_2samp(xa, ya, method="asymp").statistic


@pytest.mark.parametrize("bad", [[], [np.nan], [1.0, np.inf]])
def test_rejects_empty_or_non_finite_current(bad):
    with pytest.raises(ValueError):
        ks_2samp(np.array([1.0, 2.0]), np.array(bad, dtype=float))


def test_rejects_empty_reference():
    with pytest.raises(ValueError, match="empty"):
        ks_2samp(np.array([]), np.array([1.0]))
