"""Quantile bins fitted on the reference, and fast bin counts.

Bins are ``(-inf, e_0), [e_0, e_1), ..., [e_last, inf)`` for interior edges ``e``: a value's
bin is ``np.searchsorted(edges, x, side='right')`` and there are ``len(edges) + 1`` bins.

>>> import numpy as np
>>> from driftscope.stats.ecdf import SortedSample
>>> ref = SortedSample.from_array(np.arange(100.0))
>>> edges = quantile_edges(ref, bins=4)
>>> edges, bin_counts_sorted(ref, edges), bin_counts(np.array([-5.0, 30.0, 99.0]), edges)
(array([24.75, 49.5 , 74.25]), array([25, 25, 25, 25]), array([1, 1, 0, 1]))
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import ConfigError
from driftscope.stats._validate import as_sample
from driftscope.stats.ecdf import SortedSample


def quantile_edges(sample: SortedSample, bins: int = 10) -> np.ndarray:
    """Interior bin edges at the reference quantiles ``k / bins`` (``k = 1 .. bins-1``, numpy's
    linear method), de-duplicated: discrete data gives fewer (at least 2) bins. Raises
    ConfigError unless ``bins`` is an integer >= 2.

    >>> from driftscope.stats.ecdf import SortedSample
    >>> quantile_edges(SortedSample.from_array([0.0, 0.0, 0.0, 1.0, 2.0]), bins=5)
    array([0. , 0.4, 1.2])
    """
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 2:
        raise ConfigError(f"bins must be an integer >= 2, got {bins!r}")
    levels = np.arange(1, int(bins)) / int(bins)
    edges = np.asarray(sample.quantile(levels), dtype=np.float64)
    return np.unique(edges)


def _check_edges(edges: ArrayLike) -> np.ndarray:
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1:
        raise ConfigError(f"edges must be one-dimensional, got shape {e.shape}")
    if not np.isfinite(e).all():
        raise ConfigError("edges must be finite (the outer bins are open-ended)")
    if e.size > 1 and not (e[1:] > e[:-1]).all():
        raise ConfigError("edges must be strictly increasing")
    return e


def bin_counts(values: ArrayLike, edges: ArrayLike) -> np.ndarray:
    """Counts (int64, ``len(edges) + 1`` bins) of raw values, sorted or not:
    ``O(m log bins)``. Values must be finite (ValueError otherwise; empty gives zeros).

    >>> bin_counts(np.array([0.5, 1.0, 1.0, 7.0]), np.array([1.0, 2.0]))
    array([1, 2, 1])
    """
    e = _check_edges(edges)
    x = np.asarray(values, dtype=np.float64)
    if x.ndim == 1 and x.size == 0:
        return np.zeros(e.size + 1, dtype=np.int64)
    x = as_sample(x, "values")
    idx = np.searchsorted(e, x, side="right")
    return np.bincount(idx, minlength=e.size + 1).astype(np.int64)


def bin_counts_sorted(sample: SortedSample, edges: ArrayLike) -> np.ndarray:
    """Counts (int64) of a fitted sample in the bins, from its cumulative counts:
    ``O(bins log n)``.

    >>> from driftscope.stats.ecdf import SortedSample
    >>> bin_counts_sorted(SortedSample.from_array([0.5, 1.0, 1.0, 7.0]), [1.0, 2.0])
    array([1, 2, 1])
    """
    e = _check_edges(edges)
    below = sample.count_below(e)
    bounds = np.concatenate(([0], below, [sample.n])).astype(np.int64)
    return np.diff(bounds)
