"""ECDFGrid (exact KS and Wasserstein-1 against a fitted reference) equals SciPy, with the
Numba kernels and with their NumPy fallbacks, and the kernels equal their NumPy twins."""

from __future__ import annotations

import functools
import math
import warnings
import zlib
from collections.abc import Callable

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from driftscope.stats import grid as grid_mod
from driftscope.stats import kernels
from driftscope.stats.ecdf import SortedSample
from driftscope.stats.grid import ECDFGrid, _locate

from . import oracles
from .oracles import numpy_paths

# ---------------------------------------------------------------------------- references


def scipy_ks_w1(ref_raw: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ks = scipy.stats.ks_2samp(ref_raw, cur, method="asymp").statistic
    return float(ks), float(scipy.stats.wasserstein_distance(ref_raw, cur))


def brute_counts_below(cur: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.array([np.count_nonzero(cur < p) for p in points], dtype=np.int64)


def assert_w1(got: float, want: float, rtol: float = 1e-9) -> None:
    if abs(want) < 1e-12 and abs(got) < 1e-12:
        return  # both ~0 (identical samples): an absolute tolerance of 1e-12
    assert abs(got - want) <= rtol * abs(want), f"W1 {got!r} != {want!r} (rtol {rtol})"


def grid_points(grid: ECDFGrid, ref: np.ndarray, cur: np.ndarray, seed: int) -> np.ndarray:
    """Unsorted query points with duplicates: quantiles, sample values (ties with both
    samples and with the atoms of pure bins), bin edges, and points outside both ranges."""
    rng = np.random.default_rng(seed)
    both = np.concatenate((ref, cur))
    width = 1.0 / grid.scale
    ks = np.concatenate(([-1, 0, 1, grid.bins // 2, grid.bins, grid.bins + 1, grid.bins + 2],
                         rng.integers(0, grid.bins + 1, size=6)))  # fmt: skip
    pts = np.concatenate(
        (
            np.quantile(both, [0.0, 0.1, 0.5, 0.9, 1.0]),
            [ref.min(), ref.max(), cur.min(), cur.max()],
            [both.min() - 1.0, both.max() + 1.0, np.nextafter(cur.max(), np.inf)],
            rng.choice(ref, size=5),
            rng.choice(cur, size=5),
            grid.lo + ks * width,
            [grid.lo, np.nextafter(grid.lo, -np.inf), np.nextafter(grid.lo, np.inf)],
        )
    )
    pts = np.concatenate((pts, pts[:3]))  # duplicates
    return rng.permutation(pts)


# ---------------------------------------------------------------------------- cases

Gen = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]


def _rounded(rng: np.random.Generator, k: int) -> np.ndarray:
    """Half the values rounded to one decimal (many ties), half continuous."""
    x = rng.normal(size=k)
    r = rng.random(k) < 0.5
    x[r] = np.round(x[r], 1)
    return x


def _on_edges(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Current values exactly on the grid's bin edges (and on reference values)."""
    ref = np.round(rng.normal(size=n), 2)
    g = ECDFGrid.build(SortedSample.from_array(ref))
    assert g is not None
    k = rng.integers(-3, g.bins + 4, size=m)
    cur = g.lo + k * (1.0 / g.scale)
    cur[: m // 4] = rng.choice(ref, size=m // 4)
    return ref, cur


def _spike(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Almost constant reference: the tail quantiles coincide and the grid spans min..max."""
    ref = np.full(n, 1.0)
    ref[:3] = [0.0, 2.0, 1.5][:n]
    cur = np.where(rng.random(m) < 0.9, 1.0, rng.normal(1.0, 0.5, size=m))
    return ref, cur


GENERATORS: dict[str, Gen] = {
    "normal": lambda rng, n, m: (rng.normal(size=n), rng.normal(size=m)),
    "shifted": lambda rng, n, m: (rng.normal(size=n), rng.normal(0.3, 1.0, size=m)),
    "lognormal": lambda rng, n, m: (rng.lognormal(0, 2.5, n), rng.lognormal(0.2, 2.5, m)),
    "exponential": lambda rng, n, m: (rng.exponential(1.0, n), rng.exponential(1.3, m)),
    "poisson": lambda rng, n, m: (rng.poisson(4.0, n) + 0.0, rng.poisson(4.5, m) + 0.0),
    "rounded": lambda rng, n, m: (_rounded(rng, n), _rounded(rng, m)),
    "above": lambda rng, n, m: (x := rng.normal(size=n), x.max() + 1.0 + rng.exponential(size=m)),
    "below": lambda rng, n, m: (x := rng.normal(size=n), x.min() - 1.0 - rng.exponential(size=m)),
    "wider": lambda rng, n, m: (rng.normal(size=n), rng.normal(0.0, 25.0, size=m)),
    "narrower": lambda rng, n, m: (rng.normal(size=n), rng.normal(0.1, 1e-4, size=m)),
    "identical": lambda rng, n, m: (x := rng.normal(size=n), x.copy()),
    "identical-shuffled": lambda rng, n, m: (x := rng.poisson(3.0, n) + 0.0, rng.permutation(x)),
    "two-values": lambda rng, n, m: (
        np.resize([-1.5, 2.0], n),
        rng.choice([-3.0, -1.5, 0.0, 2.0, 5.0], size=m),
    ),
    "two-values-same": lambda rng, n, m: (
        rng.permutation(np.resize([-1.5, 2.0], n)),
        rng.choice([-1.5, 2.0], size=m),
    ),
    "far-from-zero": lambda rng, n, m: (
        1e6 + rng.normal(size=n) * 1e-3,
        1e6 + rng.normal(size=m) * 1e-3,
    ),
    "negative": lambda rng, n, m: (-5.0 - rng.exponential(10, n), -4.0 - rng.exponential(10, m)),
    "on-edges": _on_edges,
    # dyadic values: the grid's edges (multiples of 1/16) are exact, values sit on them
    "dyadic": lambda rng, n, m: (rng.integers(0, 65, n) / 8, rng.integers(-4, 140, m) / 16),
    "spike": _spike,
}

SIZES: dict[str, list[tuple[int, int]]] = {
    "normal": [(2, 1), (5, 5), (50, 2), (1000, 1001), (1001, 1000), (20_000, 1), (300_000, 5),
               (5, 300_000), (12_000, 12_000)],
    "shifted": [(100, 100), (2000, 50), (50_000, 50_000), (1_000_000, 1_000_000)],
    "lognormal": [(20, 30), (5000, 5000), (300_000, 100_000)],
    "exponential": [(30, 7), (10_000, 10_001), (100_000, 1_000_000)],
    "poisson": [(5, 2), (100, 1000), (20_000, 20_000), (300_000, 300_000), (1_000_000, 100_000)],
    "rounded": [(50, 50), (5000, 3000), (100_000, 200_000)],
    "above": [(5, 1), (2000, 2000), (50_000, 10)],
    "below": [(5, 2), (2000, 2000), (50_000, 10_001)],
    "wider": [(100, 1000), (20_000, 20_000), (1000, 300_000)],
    "narrower": [(1000, 1), (20_000, 5000)],
    "identical": [(2, 2), (5, 5), (1000, 1000), (1001, 1001), (20_000, 20_000),
                  (300_000, 300_000)],
    "identical-shuffled": [(50, 50), (50_000, 50_000)],
    "two-values": [(2, 1), (2, 5), (10, 1000), (20_000, 20_000)],
    "two-values-same": [(50, 50), (15_000, 3000)],
    "far-from-zero": [(5, 3), (1000, 1000), (20_000, 20_000)],
    "negative": [(7, 9), (3000, 3000), (40_000, 40_000)],
    "on-edges": [(5000, 2000), (30_000, 30_000)],
    "dyadic": [(3, 1), (500, 500), (100_000, 50_000)],
    "spike": [(10_000, 1000), (100_003, 100_000)],
}  # fmt: skip

# a seeded sweep over kinds and sizes (log-uniform, 2..300_000 reference points and
# 1..300_000 current points); far-from-zero data has its own cases above
SWEEP_KINDS = sorted(set(GENERATORS) - {"far-from-zero"})


def sweep_case(seed: int) -> str:
    rng = np.random.default_rng(seed)
    kind = SWEEP_KINDS[rng.integers(len(SWEEP_KINDS))]
    n, m = (int(v) for v in np.exp(rng.uniform(np.log([2, 1]), np.log(300_000))))
    if kind.startswith("identical"):
        m = n
    return f"{kind}-{n}x{m}"


CASES = [f"{kind}-{n}x{m}" for kind, sizes in SIZES.items() for n, m in sizes]
CASES += [f"sweep{seed}:{sweep_case(seed)}" for seed in range(60)]


def case_data(case: str) -> tuple[np.ndarray, np.ndarray]:
    """The (reference, current) pair of a case id, regenerated deterministically."""
    kind, size = case.split(":")[-1].rsplit("-", 1)
    n, m = (int(v) for v in size.split("x"))
    ref, cur = GENERATORS[kind](np.random.default_rng(zlib.crc32(case.encode())), n, m)
    ref, cur = np.asarray(ref, dtype=np.float64), np.asarray(cur, dtype=np.float64)
    assert ref.size == n and cur.size == m
    return ref, cur


@functools.cache
def expected(case: str) -> tuple[float, float, np.ndarray, np.ndarray]:
    """SciPy's KS statistic and W1, the query points and their brute-force counts."""
    ref, cur = case_data(case)
    sample = SortedSample.from_array(ref)
    grid = ECDFGrid.build(sample)
    assert grid is not None
    ks, w1 = scipy_ks_w1(sample.repeat(), cur)
    points = grid_points(grid, ref, cur, zlib.crc32(case.encode()) + 1)
    return ks, w1, points, brute_counts_below(cur, points)


def grid_results(case: str) -> tuple[tuple[float, float], tuple[float, float, np.ndarray]]:
    """``ks_and_wasserstein`` and ``analyze(points)`` on a freshly fitted sample and grid."""
    ref, cur = case_data(case)
    points = expected(case)[2]
    sample = SortedSample.from_array(ref)
    grid = ECDFGrid.build(sample)
    assert grid is not None
    return grid.ks_and_wasserstein(sample, cur), grid.locate(cur).analyze(sample, points)


def check_against_scipy(case: str, got) -> None:
    ks_want, w1_want, _, counts_want = expected(case)
    (ks1, w1), (ks2, w2, counts) = got
    assert ks1 == ks_want  # bitwise
    assert ks2 == ks_want
    assert_w1(w1, w1_want)
    assert_w1(w2, w1_want)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, counts_want)


# ---------------------------------------------------------------------------- 1. vs SciPy


@pytest.mark.parametrize("case", CASES)
def test_grid_equals_scipy(case):
    check_against_scipy(case, grid_results(case))


def test_analyze_without_points_and_repeated_queries():
    ref, cur = case_data("poisson-20000x20000")
    sample = SortedSample.from_array(ref)
    grid = ECDFGrid.build(sample)
    batch = grid.locate(cur)
    ks, w1, counts = batch.analyze(sample)
    assert counts.shape == (0,)
    ks_want, w1_want, points, counts_want = expected("poisson-20000x20000")
    assert ks == ks_want
    assert_w1(w1, w1_want)
    # one located batch answers several queries, and a fitted grid serves several batches
    for _ in range(2):
        ks2, w2, c2 = batch.analyze(sample, points)
        assert (ks2, w2) == (ks, w1)
        np.testing.assert_array_equal(c2, counts_want)
    other = np.random.default_rng(7).poisson(4.0, 3000) + 0.0
    assert grid.ks_and_wasserstein(sample, other)[0] == scipy_ks_w1(sample.repeat(), other)[0]


def test_sample_roundtrip_and_list_input():
    ref, cur = case_data("rounded-5000x3000")
    sample = SortedSample.from_arrays(SortedSample.from_array(ref).to_arrays())
    grid = ECDFGrid.build(sample)
    ks, w1 = grid.ks_and_wasserstein(sample, cur.tolist())  # any array-like batch
    ks_want, w1_want, _, _ = expected("rounded-5000x3000")
    assert ks == ks_want
    assert_w1(w1, w1_want)


# ---------------------------------------------------------------------------- 2. NumPy paths


@pytest.mark.parametrize("case", CASES)
def test_numpy_paths_equal_scipy_and_numba(case):
    compiled = grid_results(case)
    with numpy_paths():
        fallback = grid_results(case)
    check_against_scipy(case, fallback)
    (ks_a, w_a), (ks_b, wb_a, counts_a) = compiled
    (ks_c, w_c), (ks_d, wb_c, counts_c) = fallback
    assert ks_a == ks_c and ks_b == ks_d  # bitwise
    assert_w1(w_c, w_a, rtol=1e-12)
    assert_w1(wb_c, wb_a, rtol=1e-12)
    np.testing.assert_array_equal(counts_c, counts_a)


@pytest.mark.parametrize("case", ["poisson-20000x20000", "lognormal-5000x5000", "spike-10000x1000"])
def test_grid_build_numpy_equals_numba(case):
    ref, _ = case_data(case)
    sample = SortedSample.from_array(ref)
    a = ECDFGrid.build(sample)
    with numpy_paths():
        b = ECDFGrid.build(sample)
    assert (a.lo, a.scale, a.bins) == (b.lo, b.scale, b.bins)
    for name in ("ref_below", "unique_start"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert getattr(b, name).dtype == np.int64
    np.testing.assert_allclose(b.ref_inside, a.ref_inside, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(a.atom, b.atom)  # NaN in the same places


def test_numpy_paths_are_really_used():
    with numpy_paths():
        assert grid_mod.grid_counts is oracles.grid_counts
        values = np.arange(5000.0)
        assert kernels.moments(values, None, values.size) is None
        with pytest.raises(AssertionError, match="Numba kernel ran"):  # unreachable
            kernels.exact_scan(*([None] * 12))
    assert grid_mod.grid_counts is kernels.grid_counts


# ---------------------------------------------------------------------------- 3. kernel twins

# (lo, scale, bins): exact binary edges, an inexact scale, and data far from zero
GRIDS = [(-3.0, 8.0, 64), (0.1, 1.0 / 0.37, 100), (1e6, 1e3, 4096)]


def twin_inputs(lo: float, scale: float, bins: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Values inside, exactly on every edge, at ``lo`` and the top, below and above the grid;
    and an atom array with atoms that match values of x (and one that matches none)."""
    rng = np.random.default_rng(seed)
    width = 1.0 / scale
    top = lo + bins * width
    x = np.concatenate(
        (
            rng.uniform(lo, top, size=3000),
            lo + np.arange(-3, bins + 4) * width,  # on bin edges
            [lo, top, np.nextafter(lo, -np.inf), np.nextafter(top, np.inf)],
            lo - rng.exponential(10 * width, size=200),  # below lo
            top + rng.exponential(10 * width, size=200),  # above the top
            [lo - 1e12, top + 1e12],
        )
    )
    x = np.concatenate((x, rng.choice(x, size=500)))  # ties
    x = rng.permutation(x)
    k, _ = _locate(x, lo, scale, bins)
    atom = np.full(bins + 2, np.nan)
    chosen = rng.choice(x.size, size=bins // 2)
    atom[k[chosen]] = x[chosen]
    atom[0] = x[k == 0][0]
    atom[-1] = np.nan
    atom[bins // 3] = top + 7.0  # an atom no value equals
    return x, atom


@pytest.mark.parametrize("lo, scale, bins", GRIDS)
def test_grid_counts_equals_numpy_twin(lo, scale, bins):
    x, atom = twin_inputs(lo, scale, bins, seed=bins)
    counts, frac, equal, bin_of = kernels.grid_counts(x, lo, scale, bins, atom)
    counts_np, frac_np, equal_np, bin_of_np = oracles.grid_counts(x, lo, scale, bins, atom)
    assert bin_of.dtype == np.int32
    np.testing.assert_array_equal(bin_of, bin_of_np)
    assert counts.dtype == counts_np.dtype == equal.dtype == equal_np.dtype == np.int64
    assert counts.shape == frac.shape == equal.shape == (bins + 2,)
    np.testing.assert_array_equal(counts, counts_np)
    np.testing.assert_array_equal(equal, equal_np)
    np.testing.assert_allclose(frac, frac_np, rtol=1e-12, atol=0)
    # independent checks: the bins of _locate, monotone in x; far below lo is bin 0
    k, _ = _locate(x, lo, scale, bins)
    np.testing.assert_array_equal(counts, np.bincount(k, minlength=bins + 2))
    assert (np.diff(_locate(np.sort(x), lo, scale, bins)[0]) >= 0).all()
    assert counts[0] >= np.count_nonzero(x < lo - 1e-9 / scale) > 0
    assert counts[-1] >= np.count_nonzero(x > lo + (bins + 1e-9) / scale) > 0
    assert equal.sum() > 0 and (equal <= counts).all()


@pytest.mark.parametrize("lo, scale, bins", GRIDS)
def test_gather_bins_equals_numpy_twin(lo, scale, bins):
    x, _ = twin_inputs(lo, scale, bins, seed=bins + 1)
    rng = np.random.default_rng(bins)
    for flag in (
        rng.random(bins + 2) < 0.3,
        np.eye(bins + 2, dtype=bool)[0] | np.eye(bins + 2, dtype=bool)[-1],  # outer bins only
        np.ones(bins + 2, dtype=bool),
        np.zeros(bins + 2, dtype=bool),
    ):
        k, _ = _locate(x, lo, scale, bins)
        got = kernels.gather_bins(x, k.astype(np.int32), flag)
        want = oracles.gather_bins(x, k.astype(np.int32), flag)
        np.testing.assert_array_equal(got, want)  # same values, same (input) order
        np.testing.assert_array_equal(got, x[flag[k]])


def test_kernel_wrappers_on_small_inputs():
    # a few values (the docstrings' examples), compiled too
    atom = np.full(10, np.nan)
    counts, _, _, bin_of = kernels.grid_counts(np.array([0.05, 0.5, 0.55, 2.0]), 0.0, 10.0, 8, atom)
    assert counts.tolist() == [0, 1, 0, 0, 0, 0, 2, 0, 0, 1]
    assert bin_of.tolist() == [1, 6, 6, 9]
    flag = np.eye(10, dtype=bool)[6]
    assert kernels.gather_bins(np.array([0.05, 0.5, 2.0]), bin_of[[0, 1, 3]], flag).tolist() == [
        0.5
    ]


def _moment_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(31)
    return [
        ("normal", rng.normal(5.0, 2.0, 5000)),
        ("centered", rng.normal(0.0, 1.0, 20_000)),
        ("rounded-ties", np.round(rng.normal(3.0, 1.0, 100_000), 3)),
        ("far-from-zero", 1e6 + rng.normal(size=50_000) * 1e-3),
        ("negative-heavy", -rng.lognormal(0.0, 2.0, 30_000)),
    ]


@pytest.mark.parametrize("name, raw", _moment_cases(), ids=[c[0] for c in _moment_cases()])
def test_moments_equal_numpy(name, raw):
    values, counts = np.unique(raw, return_counts=True)
    assert values.size >= 1000
    cnt = None if (counts == 1).all() else counts.astype(np.int64)
    mean, m2 = kernels.moments(values, cnt, raw.size)
    want_mean = raw.mean()
    want_m2 = float(np.sum((raw - want_mean) ** 2))
    exact_mean = math.fsum(raw) / raw.size
    exact_m2 = math.fsum((raw - exact_mean) ** 2)
    assert mean == pytest.approx(want_mean, rel=1e-12, abs=1e-12 * raw.std())
    assert mean == pytest.approx(exact_mean, rel=1e-12, abs=1e-12 * raw.std())
    assert m2 == pytest.approx(want_m2, rel=1e-12)
    assert m2 == pytest.approx(exact_m2, rel=1e-12)
    # and the sample's moments agree between the compiled and the NumPy paths
    s = SortedSample.from_array(raw)
    with numpy_paths():
        s_np = SortedSample.from_array(raw)
    assert s.mean == pytest.approx(s_np.mean, rel=1e-12, abs=1e-12 * raw.std())
    assert s.m2 == pytest.approx(s_np.m2, rel=1e-12)


def test_moments_declines_small_inputs():
    values = np.arange(999.0)
    assert kernels.moments(values, None, values.size) is None


# ---------------------------------------------------------------------------- 4. property

POOL = [-2.5, -1.0, 0.0, 0.5, 1.0, 3.0, 1000.0]
VALUES = st.one_of(
    st.sampled_from(POOL),
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)
SMALL_LISTS = st.lists(VALUES, min_size=1, max_size=40)


def padded_reference(base: list[float], pad: str) -> np.ndarray:
    """``base`` plus enough points for ``n > 10_000`` (and the compiled loops)."""
    b = np.asarray(base, dtype=np.float64)
    if pad == "tile":  # the list's own values, repeated (ties everywhere)
        return np.resize(b, 10_001 + b.size)
    if pad == "pool":  # the small pool (ties with the current values)
        return np.concatenate((b, np.resize(POOL, 10_001)))
    scale = max(1.0, float(np.abs(b).max()))  # continuous values over the list's range
    return np.concatenate((b, np.random.default_rng(b.size).normal(0.0, scale, 10_001)))


@settings(max_examples=60, deadline=None)
@given(
    ref=SMALL_LISTS,
    cur=SMALL_LISTS,
    pad=st.sampled_from(["tile", "pool", "normal"]),
    big_batch=st.booleans(),
)
def test_property_equals_scipy(ref, cur, pad, big_batch):
    ref_raw = padded_reference(ref, pad)
    cur_raw = np.asarray(cur, dtype=np.float64)
    if big_batch:
        cur_raw = np.resize(cur_raw, 1001 + cur_raw.size)
    sample = SortedSample.from_array(ref_raw)
    grid = ECDFGrid.build(sample)
    if grid is None:  # a constant sample (or a subnormal range: bins / range overflows)
        assert sample.n_unique == 1 or sample.max - sample.min < 1e-300
    assume(grid is not None)
    ks_want, w1_want = scipy_ks_w1(sample.repeat(), cur_raw)
    points = np.concatenate((ref_raw[:40], cur_raw[:40], POOL, [grid.lo, grid.lo + 1.0]))
    ks, w1, counts = grid.locate(cur_raw).analyze(sample, points)
    assert ks == ks_want
    assert_w1(w1, w1_want)
    np.testing.assert_array_equal(counts, brute_counts_below(cur_raw, points))
    assert grid.ks_and_wasserstein(sample, cur_raw) == (ks, w1)
    with numpy_paths():
        sample_np = SortedSample.from_array(ref_raw)
        ks_np, w1_np, counts_np = (
            ECDFGrid.build(sample_np).locate(cur_raw).analyze(sample_np, points)
        )
    assert ks_np == ks
    assert_w1(w1_np, w1, rtol=1e-12)
    np.testing.assert_array_equal(counts_np, counts)


# ---------------------------------------------------------------------------- 5. no grid


@pytest.mark.parametrize(
    "raw",
    [
        np.array([3.0]),
        np.full(7, -2.5),
        np.full(20_000, 1e6 + 0.125),
        np.zeros(1001),
    ],
    ids=["one-point", "small-constant", "large-constant-far", "zeros"],
)
def test_constant_sample_has_no_grid(raw):
    sample = SortedSample.from_array(raw)
    assert ECDFGrid.build(sample) is None
    with numpy_paths():
        assert ECDFGrid.build(SortedSample.from_array(raw)) is None


def test_two_distinct_values_have_a_grid():
    sample = SortedSample.from_array([1.0, 1.0, 1.0, 2.0])
    grid = ECDFGrid.build(sample)
    assert grid is not None
    assert grid.bins == 64
    assert grid.ref_below[-1] == sample.n
