"""How many bins an ECDF grid gets, and that the KS statistic and Wasserstein-1 distance stay
exactly SciPy's at every bin count (bitwise for KS), with ties, signed zeros, integers and
float32 input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats

from driftscope.stats.ecdf import SortedSample
from driftscope.stats.grid import MAX_BINS, MIN_BINS, VALUES_PER_BIN, ECDFGrid, grid_bins


def test_bins_are_a_power_of_two_near_a_dozen_values_each():
    for n_unique in [1, 2, 11, 12, 13, 767, 768, 769, 30_000, 100_000, 786_432, 786_433, 10**8]:
        bins = grid_bins(n_unique)
        assert MIN_BINS <= bins <= MAX_BINS
        assert bins & (bins - 1) == 0
        if MIN_BINS < bins < MAX_BINS:  # the smallest power of two giving <= 12 values a bin
            assert bins >= n_unique / VALUES_PER_BIN > bins / 2
    assert [grid_bins(n) for n in (768, 769, 786_432, 786_433)] == [64, 128, 65536, 65536]


def test_more_distinct_values_never_get_fewer_bins():
    counts = [grid_bins(n) for n in range(1, 200_000, 997)]
    assert counts == sorted(counts)


def scipy_ks_w1(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ks = scipy.stats.ks_2samp(ref, cur, method="asymp").statistic
    return float(ks), float(scipy.stats.wasserstein_distance(ref, cur))


def _data(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A reference and a current sample of ``kind``, as the user might pass them."""
    if kind == "continuous":
        return rng.normal(size=n), rng.normal(0.05, 1.1, size=n // 2)
    if kind == "ties":  # about 10**3 distinct values, each repeated
        return np.round(rng.normal(size=n), 2), np.round(rng.normal(0.1, 1, size=n), 2)
    if kind == "signed-zeros":  # -0.0 and 0.0 are one value, as in SciPy
        ref = np.where(rng.random(n) < 0.3, -0.0, rng.exponential(size=n))
        cur = np.where(rng.random(n) < 0.4, 0.0, rng.exponential(size=n))
        return ref, cur
    if kind == "integers":
        return rng.poisson(40, size=n), rng.poisson(41, size=n)
    if kind == "float32":
        return rng.lognormal(0, 0.5, n).astype(np.float32), rng.lognormal(0.02, 0.5, n).astype(
            np.float32
        )
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["continuous", "ties", "signed-zeros", "integers", "float32"])
@pytest.mark.parametrize("n", [10_001, 12 * 1024 + 1, 50_000])
def test_grid_results_equal_scipy(kind, n):
    rng = np.random.default_rng(n + len(kind))
    ref_raw, cur_raw = _data(kind, n, rng)
    ref64, cur64 = ref_raw.astype(np.float64), cur_raw.astype(np.float64)
    sample = SortedSample.from_array(ref_raw)
    grid = ECDFGrid.build(sample)
    assert grid is not None and grid.bins == grid_bins(sample.n_unique)
    ks, w1 = grid.ks_and_wasserstein(sample, cur64)
    want_ks, want_w1 = scipy_ks_w1(ref64, cur64)
    assert ks == want_ks  # bitwise: the same integer counts divided the same way
    assert w1 == pytest.approx(want_w1, rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("trial", range(8))
def test_random_sizes_and_shifts_equal_scipy(trial):
    rng = np.random.default_rng(1000 + trial)
    n, m = (int(v) for v in rng.integers(10_001, 40_000, size=2))
    decimals = int(rng.integers(1, 6))  # from heavy ties to nearly distinct
    ref = np.round(rng.standard_t(3, size=n), decimals)
    cur = np.round(rng.standard_t(3, size=m) * rng.uniform(0.9, 1.1) + rng.normal(0, 0.1), decimals)
    sample = SortedSample.from_array(ref)
    ks, w1 = ECDFGrid.build(sample).ks_and_wasserstein(sample, cur)
    want_ks, want_w1 = scipy_ks_w1(ref, cur)
    assert ks == want_ks
    assert w1 == pytest.approx(want_w1, rel=1e-10, abs=1e-14)


def test_identical_samples_are_zero_at_any_bin_count():
    ref = np.random.default_rng(7).normal(size=30_000)
    sample = SortedSample.from_array(ref)
    assert ECDFGrid.build(sample).ks_and_wasserstein(sample, ref[::-1].copy()) == (0.0, 0.0)
