"""wasserstein / energy equal SciPy's to 1e-9 relative; normalised variants."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.stats import SortedSample, energy, spread, wasserstein, wasserstein_normed
from tests.stats.stats_cases import asymptotic_pairs, awkward_pairs, ids

CASES = awkward_pairs() + asymptotic_pairs()


def close(got: float, want: float, scale: float) -> None:
    assert got == pytest.approx(want, rel=1e-9, abs=1e-13 * scale)


@pytest.mark.parametrize("name, x, y", CASES, ids=ids(CASES))
def test_equal_scipy(name, x, y):
    scale = float(np.ptp(np.concatenate([x, y]))) + 1.0
    w_want = scipy.stats.wasserstein_distance(x, y)
    e_want = scipy.stats.energy_distance(x, y)
    for ref, cur in ((SortedSample.from_array(x), y), (x, y), (SortedSample.from_array(y), x)):
        close(wasserstein(ref, cur), w_want, scale)
        close(energy(ref, cur), e_want, math.sqrt(scale))


@pytest.mark.parametrize("dist", ["normal", "lognormal", "ints", "offset"])
def test_accuracy_on_a_million_points(dist):
    rng = np.random.default_rng(11)
    n = 1_000_000
    draw = {
        "normal": lambda k: rng.normal(size=k),
        "lognormal": lambda k: rng.lognormal(0.0, 2.0, size=k),
        "ints": lambda k: rng.integers(0, 1000, size=k).astype(float),
        "offset": lambda k: 1e6 + rng.normal(size=k),
    }[dist]
    x, y = draw(n), draw(n // 4)
    ref = SortedSample.from_array(x)
    assert wasserstein(ref, y) == pytest.approx(scipy.stats.wasserstein_distance(x, y), rel=1e-9)
    assert energy(ref, y) == pytest.approx(scipy.stats.energy_distance(x, y), rel=1e-9)
    # second call reuses the cached prefix sums and gives the same value
    assert wasserstein(ref, y) == wasserstein(ref, y)


def test_many_batches_against_one_fitted_reference():
    rng = np.random.default_rng(12)
    x = rng.normal(size=50_000)
    ref = SortedSample.from_array(x)
    for shift in (0.0, 0.1, 1.0, 10.0):
        y = rng.normal(shift, 1.0, size=int(rng.integers(1, 3000)))
        assert wasserstein(ref, y) == pytest.approx(
            scipy.stats.wasserstein_distance(x, y), rel=1e-9
        )
        assert energy(ref, y) == pytest.approx(scipy.stats.energy_distance(x, y), rel=1e-9)


floats = st.one_of(
    st.integers(-5, 5).map(float),
    st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)
lists = st.lists(floats, min_size=1, max_size=40)


@settings(max_examples=100, deadline=None)
@given(lists, lists)
def test_property_symmetric_and_equal_scipy(x, y):
    xa, ya = np.array(x), np.array(y)
    scale = float(np.ptp(np.concatenate([xa, ya]))) + 1.0
    w_xy, w_yx = wasserstein(xa, ya), wasserstein(ya, xa)
    e_xy, e_yx = energy(xa, ya), energy(ya, xa)
    close(w_xy, w_yx, scale)
    close(e_xy, e_yx, math.sqrt(scale))
    close(w_xy, scipy.stats.wasserstein_distance(xa, ya), scale)
    close(e_xy, scipy.stats.energy_distance(xa, ya), math.sqrt(scale))


@settings(max_examples=100, deadline=None)
@given(lists)
def test_sample_against_itself_is_zero(x):
    xa = np.array(x)
    ref = SortedSample.from_array(xa)
    assert wasserstein(ref, xa) == 0.0
    assert energy(ref, xa) == 0.0
    assert wasserstein_normed(ref, xa[::-1]) == 0.0


def test_wasserstein_normed_uses_reference_std():
    rng = np.random.default_rng(13)
    x, y = rng.normal(0, 3, 2000), rng.normal(1, 3, 500)
    want = scipy.stats.wasserstein_distance(x, y) / np.std(x)
    assert wasserstein_normed(SortedSample.from_array(x), y) == pytest.approx(want, rel=1e-9)
    assert spread(x, y) == pytest.approx(np.std(x), rel=1e-12)


def test_wasserstein_normed_constant_reference_uses_pooled_std():
    x, y = np.full(10, 2.0), np.array([1.0, 4.0, 4.0])
    pooled = np.std(np.concatenate([x, y]))
    assert spread(x, y) == pytest.approx(pooled, rel=1e-12)
    want = scipy.stats.wasserstein_distance(x, y) / pooled
    assert wasserstein_normed(x, y) == pytest.approx(want, rel=1e-12)


def test_wasserstein_normed_same_constant_is_zero():
    assert wasserstein_normed(np.full(5, 3.0), np.full(2, 3.0)) == 0.0
    assert spread(np.full(5, 3.0), np.full(2, 3.0)) == 0.0


def test_rejects_empty_current():
    with pytest.raises(ValueError, match="empty"):
        wasserstein(np.array([1.0]), np.array([]))
    with pytest.raises(ValueError):
        energy(np.array([1.0]), np.array([np.nan]))
