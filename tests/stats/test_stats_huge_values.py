"""Values near the ends of the float64 range (±1e308, subnormals): every statistic stays
finite and exact, no RuntimeWarning escapes, and SciPy is the oracle on the same data
rescaled by a power of two (exact in binary floating point), where SciPy itself does not
overflow.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from driftscope.stats import (
    ECDFGrid,
    SortedSample,
    energy,
    energy_normed,
    ks_2samp,
    mmd_test,
    quantile_edges,
    spread,
    wasserstein,
    wasserstein_normed,
)
from tests.no_warnings import no_warnings

rng = np.random.default_rng(2026)
BIG = 1e308


def ref_with_extremes(n: int = 1000, k: int = 5) -> np.ndarray:
    x = rng.normal(size=n)
    x[:k], x[k : 2 * k] = BIG, -BIG
    return x


def test_numpy_overflows_on_this_data():
    """The premise: plain NumPy arithmetic overflows on these values (with a warning)."""
    x = ref_with_extremes()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        assert not np.isfinite(np.std(x))
        assert not np.isfinite(scipy.stats.wasserstein_distance([-BIG, BIG], [BIG, BIG]))


def test_moments_of_extreme_values_are_finite_and_exact():
    x = ref_with_extremes()
    s = no_warnings(SortedSample.from_array, x)
    e = 1024
    want_std = math.ldexp(float(np.std(np.ldexp(x, -e))), e)
    want_mean = math.ldexp(float(np.mean(np.ldexp(x, -e))), e)
    assert math.isfinite(s.mean) and math.isfinite(s.std)
    assert s.std == pytest.approx(want_std, rel=1e-12)
    assert s.mean == pytest.approx(want_mean, rel=1e-9, abs=1e-9 * want_std)
    assert s.m2 == math.inf  # the sum of squares itself is beyond float64; std is not


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e-310, 1.0])
def test_std_is_scale_equivariant(scale):
    x = rng.normal(size=2000)
    s = no_warnings(SortedSample.from_array, x * scale)
    assert s.std == pytest.approx(np.std(x) * scale, rel=1e-6 if scale < 1e-300 else 1e-12)
    assert s.std > 0


def test_stored_sample_with_overflowed_m2_reloads():
    s = SortedSample.from_array(ref_with_extremes())
    again = SortedSample.from_arrays(s.to_arrays())
    assert again.std == s.std and again.mean == s.mean


def test_quantiles_between_opposite_extremes():
    s = SortedSample.from_array([-1.79e308, 1.79e308, 0.0, 5.0])
    q = no_warnings(s.quantile, [0.0, 0.1, 0.2, 0.5, 0.9, 1.0])
    assert np.isfinite(q).all()
    # exact reference: the same lerp on halves, in exact rational arithmetic
    from fractions import Fraction

    values = sorted(Fraction(v) for v in (-1.79e308, 1.79e308, 0.0, 5.0))
    for level, got in zip([0.0, 0.1, 0.2, 0.5, 0.9, 1.0], q, strict=True):
        pos = Fraction(level) * 3
        lo = int(pos)
        hi = min(lo + 1, 3)
        want = values[lo] + (values[hi] - values[lo]) * (pos - lo)
        assert got == pytest.approx(float(want), rel=1e-12, abs=1e-300)
    edges = no_warnings(quantile_edges, s, 10)
    assert np.isfinite(edges).all() and (edges[1:] > edges[:-1]).all()


@pytest.mark.parametrize("e", [1019, -1029, 700])
def test_wasserstein_and_energy_equal_scipy_on_rescaled_data(e):
    x, y = rng.normal(size=700), rng.normal(0.4, 1.3, size=500)
    x[:3] = [4.0, -6.0, 9.0]  # a spread-out tail: 9 * 2**1019 is near the float64 maximum
    big_x, big_y = np.ldexp(x, e), np.ldexp(y, e)
    w = no_warnings(wasserstein, big_x, big_y)
    assert w == pytest.approx(math.ldexp(scipy.stats.wasserstein_distance(x, y), e), rel=1e-9)
    en = no_warnings(energy, big_x, big_y)
    want_en = scipy.stats.energy_distance(x, y) * 2.0 ** (e / 2)
    assert en == pytest.approx(want_en, rel=1e-9)
    # normalised forms do not depend on the units at all
    ref = SortedSample.from_array(big_x)
    assert no_warnings(wasserstein_normed, ref, big_y) == pytest.approx(
        wasserstein_normed(x, y), rel=1e-9
    )
    assert no_warnings(energy_normed, ref, big_y) == pytest.approx(energy_normed(x, y), rel=1e-9)


def test_wasserstein_between_opposite_extremes():
    x, y = ref_with_extremes(), rng.normal(1.0, 1.0, size=1000)
    xs, ys = np.ldexp(x, -1024), np.ldexp(y, -1024)
    # SciPy on the rescaled data (finite there) is the oracle
    want = math.ldexp(scipy.stats.wasserstein_distance(xs, ys), 1024)
    assert no_warnings(wasserstein, x, y) == pytest.approx(want, rel=1e-9)
    normed = no_warnings(wasserstein_normed, x, y)
    assert math.isfinite(normed) and normed >= 0.1  # the gate sees the change
    assert no_warnings(wasserstein, [-BIG], [BIG]) == math.inf  # truly beyond float64


def test_spread_is_capped_by_the_iqr_so_outliers_cannot_hide_a_shift():
    """The same extremes in both samples and the bulk shifted by one standard deviation:
    with the plain standard deviation (~1e307) as the unit the shift would measure ~1e-307."""
    bulk = rng.normal(size=2000)
    x = np.concatenate([bulk, [BIG, -BIG]])
    y = np.concatenate([bulk + 1.0, [BIG, -BIG]])
    scale = no_warnings(spread, x, y)
    iqr = np.subtract(*np.quantile(bulk, [0.75, 0.25]))
    assert scale <= 2.0 * iqr / 1.349 * 1.01
    assert no_warnings(wasserstein_normed, x, y) > 0.3


def test_spread_of_ordinary_data_is_the_standard_deviation():
    for x in (rng.normal(size=50), rng.exponential(size=5000), rng.standard_t(3, 5000), [1, 3]):
        assert spread(x, [0.0]) == pytest.approx(np.std(x), rel=1e-12)


def test_grid_steps_aside_for_extreme_values_and_ks_equals_scipy():
    x = rng.normal(size=20_000)
    x[:50], x[50:100] = BIG, -BIG
    s = SortedSample.from_array(x)
    assert ECDFGrid.build(s) is None
    y = rng.normal(1.0, 1.0, 20_000)
    got = no_warnings(ks_2samp, s, y)
    want = scipy.stats.ks_2samp(x, y)
    assert got.statistic == pytest.approx(want.statistic, rel=1e-12)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-6, abs=1e-300)


@pytest.mark.parametrize("e", [1000, -1000])
def test_mmd_is_unchanged_by_rescaling(e):
    x, y = rng.normal(size=150), rng.normal(0.7, 1.0, size=120)
    plain = mmd_test(x, y, n_permutations=50, seed=1)
    big = no_warnings(mmd_test, np.ldexp(x, e), np.ldexp(y, e), n_permutations=50, seed=1)
    assert big.statistic == pytest.approx(plain.statistic, rel=1e-12)
    assert big.pvalue == plain.pvalue


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
huge = st.one_of(finite, st.sampled_from([1.79e308, -1.79e308, 5e-324, -1e308, 1e308, 0.0]))


@settings(max_examples=150, deadline=None)
@given(
    x=arrays(np.float64, st.integers(2, 40), elements=huge),
    y=arrays(np.float64, st.integers(1, 40), elements=huge),
)
def test_any_finite_values_give_finite_statistics_without_warnings(x, y):
    ref = no_warnings(SortedSample.from_array, x)
    assert math.isfinite(ref.mean) and math.isfinite(ref.std) and ref.std >= 0
    assert ref.min <= ref.mean <= ref.max
    w = no_warnings(wasserstein_normed, ref, y)
    en = no_warnings(energy_normed, ref, y)
    # never NaN; +inf only where the ratio itself is beyond float64 (1e303 / 1e-5)
    assert w >= 0 and en >= 0
    assert math.isfinite(no_warnings(spread, ref, y))
    q = no_warnings(ref.quantile, np.linspace(0, 1, 11))
    assert np.isfinite(q).all() and (q[1:] >= q[:-1]).all()
    assert (q >= ref.min).all() and (q <= ref.max).all()
    ks = no_warnings(ks_2samp, ref, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SciPy's switch to asymptotic
        want = scipy.stats.ks_2samp(x, y)
    assert ks.statistic == pytest.approx(want.statistic, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    x=arrays(np.float64, st.integers(2, 30), elements=st.floats(-1e3, 1e3)),
    y=arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e3, 1e3)),
    e=st.sampled_from([-1060, -900, 600, 1010, 1013]),
)
def test_normed_distances_do_not_depend_on_the_units(x, y, e):
    """W1 / spread and energy / sqrt(spread) of ``x * 2**e`` equal those of ``x``."""
    with np.errstate(all="ignore"):
        bx, by = np.ldexp(x, e), np.ldexp(y, e)
        exact = np.array_equal(np.ldexp(bx, -e), x) and np.array_equal(np.ldexp(by, -e), y)
    if not exact:  # the scaling itself lost digits (subnormals) or overflowed
        return
    w = no_warnings(wasserstein_normed, bx, by)
    assert w == pytest.approx(wasserstein_normed(x, y), rel=1e-9, abs=1e-12)
    en = no_warnings(energy_normed, bx, by)
    assert en == pytest.approx(energy_normed(x, y), rel=1e-9, abs=1e-12)
