"""SortedSample: construction, storage round trip, counting, quantiles, moments."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.errors import ConfigError
from driftscope.stats import SortedSample, unique_cumcounts
from driftscope.stats.ecdf import sorted_sample_values

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
small_ints = st.integers(-3, 3).map(float)
samples = st.lists(st.one_of(finite, small_ints), min_size=1, max_size=60)
queries = st.lists(st.one_of(finite, small_ints), min_size=0, max_size=30)


def test_from_array_compresses_ties():
    s = SortedSample.from_array(np.array([3.0, 1.0, 2.0, 2.0, 3.0, 3.0]))
    np.testing.assert_array_equal(s.values, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(s.cumcounts, [1, 3, 6])
    assert s.cumcounts.dtype == np.int64 and s.values.dtype == np.float64
    assert (s.n, s.min, s.max, s.n_unique) == (6, 1.0, 3.0, 3)
    np.testing.assert_array_equal(s.counts(), [1, 2, 3])
    np.testing.assert_array_equal(s.repeat(), [1.0, 2.0, 2.0, 3.0, 3.0, 3.0])


def test_all_distinct_stores_no_cumcounts():
    x = np.random.default_rng(0).normal(size=100)
    s = SortedSample.from_array(x)
    assert s.cumcounts is None
    np.testing.assert_array_equal(s.values, np.sort(x))
    np.testing.assert_array_equal(s.repeat(), np.sort(x))


def test_arrays_are_read_only_and_input_untouched():
    x = np.array([2.0, 1.0])
    s = SortedSample.from_array(x)
    assert not s.values.flags.writeable
    np.testing.assert_array_equal(x, [2.0, 1.0])
    with pytest.raises(AttributeError):
        s.n = 3  # type: ignore[misc]  # frozen: the assignment must fail


@pytest.mark.parametrize(
    "x", [np.array([1.0, 1.0, 1.0]), np.arange(10.0), np.array([5.0]), np.repeat([0.1, 0.7], 500)]
)
def test_moments_match_numpy(x):
    s = SortedSample.from_array(x)
    assert s.mean == pytest.approx(np.mean(x), rel=1e-12, abs=1e-15)
    assert s.m2 == pytest.approx(np.sum((x - x.mean()) ** 2), rel=1e-9, abs=1e-12)
    assert s.std == pytest.approx(np.std(x), rel=1e-9, abs=1e-12)


def test_moments_are_stable_with_a_large_offset():
    x = 1e9 + np.random.default_rng(1).normal(size=10_000)
    s = SortedSample.from_array(x)
    assert s.std == pytest.approx(np.std(x - 1e9), rel=1e-6)


def test_constant_sample_has_zero_spread_exactly():
    s = SortedSample.from_array(np.full(1001, 0.1))
    assert s.mean == 0.1 and s.m2 == 0.0 and s.std == 0.0


@pytest.mark.parametrize("ties", [False, True])
def test_to_arrays_round_trip(ties):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 20, 300).astype(float) if ties else rng.normal(size=300)
    s = SortedSample.from_array(x)
    d = s.to_arrays()
    assert all(isinstance(v, np.ndarray) for v in d.values())
    assert ("cumcounts" in d) == ties
    s2 = SortedSample.from_arrays({k: v.copy() for k, v in d.items()})
    np.testing.assert_array_equal(s2.repeat(), s.repeat())
    assert (s2.n, s2.mean, s2.m2) == (s.n, s.mean, s.m2)
    # the keyword constructor is the reload path too
    s3 = SortedSample(
        d["values"], d.get("cumcounts"), int(d["n"]), float(d["mean"]), float(d["m2"])
    )
    np.testing.assert_array_equal(s3.repeat(), s.repeat())


def test_from_arrays_accepts_empty_cumcounts():
    s = SortedSample.from_array([1.0, 2.0])
    d = s.to_arrays() | {"cumcounts": np.zeros(0, dtype=np.int64)}
    assert SortedSample.from_arrays(d).cumcounts is None


@pytest.mark.parametrize(
    "bad",
    [
        [],
        [1.0, np.nan],
        [np.inf],
        [[1.0, 2.0]],
    ],
)
def test_from_array_rejects_bad_samples(bad):
    with pytest.raises(ValueError):
        SortedSample.from_array(np.array(bad, dtype=float))


@pytest.mark.parametrize(
    "values, cum, n",
    [
        ([2.0, 1.0], None, 2),  # not sorted
        ([1.0, 1.0], None, 2),  # not unique
        ([1.0, 2.0], None, 3),  # n inconsistent
        ([1.0, 2.0], [2, 2], 2),  # not increasing
        ([1.0, 2.0], [1, 3], 4),  # does not end at n
        ([1.0, 2.0], [1], 1),  # wrong length
        ([1.0, np.nan], None, 2),
    ],
)
def test_constructor_validates(values, cum, n):
    with pytest.raises(ValueError):
        SortedSample(np.array(values), None if cum is None else np.array(cum), n, 0.0, 0.0)


def test_counting_examples():
    s = SortedSample.from_array([1.0, 2.0, 2.0, 3.0])
    q = np.array([0.0, 1.0, 1.5, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(s.count_below(q), [0, 0, 1, 1, 3, 4])
    np.testing.assert_array_equal(s.count_at_or_below(q), [0, 1, 1, 3, 4, 4])
    below, at = s.counts_below_and_at_or_below(q.reshape(2, 3))
    assert below.shape == (2, 3) and at.dtype == np.int64


@settings(max_examples=150, deadline=None)
@given(samples, queries)
def test_counts_equal_brute_force(x, q):
    xa, qa = np.array(x), np.array(q + x[:5], dtype=float)
    s = SortedSample.from_array(xa)
    below, at = s.counts_below_and_at_or_below(qa)
    np.testing.assert_array_equal(below, [(xa < v).sum() for v in qa])
    np.testing.assert_array_equal(at, [(xa <= v).sum() for v in qa])
    np.testing.assert_array_equal(s.count_below(qa), below)
    np.testing.assert_array_equal(s.count_at_or_below(qa), at)


@settings(max_examples=150, deadline=None)
@given(samples, st.lists(st.floats(0.0, 1.0), min_size=1, max_size=10))
def test_quantile_matches_numpy(x, q):
    xa = np.array(x)
    s = SortedSample.from_array(xa)
    got = s.quantile(np.array(q))
    want = np.quantile(xa, np.array(q))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


def test_quantile_scalar_and_endpoints():
    x = np.random.default_rng(3).integers(0, 4, 37).astype(float)
    s = SortedSample.from_array(x)
    assert isinstance(s.quantile(0.5), float)
    assert s.quantile(0.0) == x.min() and s.quantile(1.0) == x.max()
    levels = np.linspace(0, 1, 101)
    np.testing.assert_array_equal(s.quantile(levels), np.quantile(x, levels))


@pytest.mark.parametrize("q", [-0.1, 1.5, np.nan])
def test_quantile_rejects_bad_levels(q):
    with pytest.raises(ConfigError):
        SortedSample.from_array([1.0, 2.0]).quantile(q)


def test_value_at_rank_and_unique_cumcounts():
    s = SortedSample.from_array([4.0, 4.0, 1.0, 9.0])
    np.testing.assert_array_equal(s.value_at_rank([0, 1, 2, 3]), [1.0, 4.0, 4.0, 9.0])
    u, c = unique_cumcounts(np.array([1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(u, [1.0, 2.0])
    np.testing.assert_array_equal(c, [2, 3])


def test_sorted_sample_values_skips_sorting_sorted_input():
    x = np.array([1.0, 2.0, 2.0, 5.0])
    assert sorted_sample_values(x) is x or np.shares_memory(sorted_sample_values(x), x)
    np.testing.assert_array_equal(sorted_sample_values([3.0, 1.0]), [1.0, 3.0])


def test_cached_builds_once():
    s = SortedSample.from_array([1.0, 2.0])
    calls = []
    build = lambda smp: calls.append(1) or smp.n  # noqa: E731
    assert s.cached("k", build) == 2 and s.cached("k", build) == 2
    assert len(calls) == 1


def test_pickle_round_trip_drops_cache():
    import pickle

    s = SortedSample.from_array([1.0, 1.0, 4.0])
    s.cached("k", lambda smp: 1)
    t = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(t.repeat(), s.repeat())
    assert not t.values.flags.writeable and t.cumcounts is not None
    assert t.cached("k", lambda smp: 2) == 2
