"""Quantile edges and bin counts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.errors import ConfigError
from driftscope.stats import SortedSample, bin_counts, bin_counts_sorted, quantile_edges


def brute_counts(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    bounds = np.concatenate(([-np.inf], edges, [np.inf]))
    return np.array([((x >= lo) & (x < hi)).sum() for lo, hi in itertools.pairwise(bounds)])


@pytest.mark.parametrize("bins", [2, 3, 10, 17])
def test_edges_are_unique_reference_quantiles(bins):
    x = np.random.default_rng(0).normal(size=1000)
    edges = quantile_edges(SortedSample.from_array(x), bins)
    np.testing.assert_allclose(edges, np.quantile(x, np.arange(1, bins) / bins), rtol=1e-12)
    assert edges.size == bins - 1


def test_discrete_data_gives_fewer_bins():
    x = np.random.default_rng(1).integers(0, 3, 500).astype(float)
    edges = quantile_edges(SortedSample.from_array(x), 10)
    np.testing.assert_array_equal(edges, np.unique(np.quantile(x, np.arange(1, 10) / 10)))
    assert edges.size < 9
    assert quantile_edges(SortedSample.from_array(np.full(5, 2.0)), 10).tolist() == [2.0]


@pytest.mark.parametrize("bins", [1, 0, -3, 2.5, True, "10"])
def test_bad_bins(bins):
    with pytest.raises(ConfigError):
        quantile_edges(SortedSample.from_array([1.0, 2.0]), bins)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-5, 5).map(float), min_size=1, max_size=80),
    st.lists(st.integers(-5, 5).map(float), min_size=1, max_size=80),
    st.integers(2, 12),
)
def test_counts_equal_brute_force(ref, cur, bins):
    x, y = np.array(ref), np.array(cur)
    s = SortedSample.from_array(x)
    edges = quantile_edges(s, bins)
    want_ref, want_cur = brute_counts(x, edges), brute_counts(y, edges)
    np.testing.assert_array_equal(bin_counts_sorted(s, edges), want_ref)
    np.testing.assert_array_equal(bin_counts(y, edges), want_cur)
    np.testing.assert_array_equal(bin_counts(np.sort(y), edges), want_cur)
    # a value's bin is searchsorted(edges, x, 'right')
    np.testing.assert_array_equal(
        np.bincount(np.searchsorted(edges, y, side="right"), minlength=edges.size + 1), want_cur
    )
    assert bin_counts_sorted(s, edges).dtype == np.int64


def test_bin_counts_edge_cases():
    assert bin_counts(np.array([]), np.array([1.0])).tolist() == [0, 0]
    with pytest.raises(ConfigError):
        bin_counts(np.array([1.0]), np.array([2.0, 1.0]))
    with pytest.raises(ConfigError):
        bin_counts_sorted(SortedSample.from_array([1.0]), np.array([np.nan]))
    with pytest.raises(ValueError):
        bin_counts(np.array([np.nan]), np.array([1.0]))
