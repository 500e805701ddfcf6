"""A column of the fitted reference side by side with the same column of the current data.

Method objects compute on these pairs, so work shared by several methods on one column
(sorting the current values, binning them on the reference's edges) is done once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftscope.stats import (
    MAX_EXACT_N,
    ECDFGrid,
    GridBatch,
    SortedSample,
    bin_counts,
    bin_counts_sorted,
    fits_grid,
    ks_statistic,
    quantile_edges,
)

DEFAULT_BINS = 10


@dataclass
class NumericPair:
    """Reference sample (fitted once, sorted) and current finite values of one column.

    >>> import numpy as np
    >>> pair = NumericPair(SortedSample.from_array(np.arange(100.0)), np.arange(50.0))
    >>> [int(c) for c in pair.binned(2)[1]]
    [50, 0]
    """

    reference: SortedSample
    current: np.ndarray
    # Lazily computed, per pair. Not functools.cached_property: before Python 3.12 it takes
    # one lock shared by every instance, which serialised the columns' worker threads.
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def current_sorted(self) -> np.ndarray:
        return self._once("sorted", lambda: np.sort(self.current))

    @property
    def batch(self) -> GridBatch | None:
        """The current values on the reference's :class:`~driftscope.stats.ECDFGrid`, for
        samples past SciPy's exact-KS size (below it the small exact paths are used)."""
        return self._once("batch", self._locate)

    def _locate(self) -> GridBatch | None:
        if max(self.reference.n, self.current.size) <= MAX_EXACT_N:
            return None
        if not fits_grid(self.current.min(), self.current.max()):
            return None  # values near the float64 limits: the exact paths rescale them
        grid = self.reference.cached("ecdf_grid", ECDFGrid.build)
        return None if grid is None else grid.locate(self.current)

    @property
    def _grid_results(self) -> tuple[float, float, np.ndarray] | None:
        """KS, W1 and the batch's counts below the decile edges then the chart edges."""
        batch = self.batch
        if batch is None:
            return None
        points = np.concatenate((self.edges(DEFAULT_BINS), self.chart_edges()))
        return self._once("grid", lambda: batch.analyze(self.reference, points))

    @property
    def ks_and_wasserstein(self) -> tuple[float, float] | None:
        """Exact KS statistic and Wasserstein-1 distance from the grid, or None."""
        r = self._grid_results
        return None if r is None else (r[0], r[1])

    @property
    def ks_distance(self) -> float:
        """The Kolmogorov-Smirnov distance ``max |F_ref - F_cur|`` (exact, computed once)."""
        grid = self.ks_and_wasserstein
        if grid is not None:
            return grid[0]
        return self._once("ks", lambda: ks_statistic(self.reference, self.current_sorted))

    def edges(self, bins: int = DEFAULT_BINS) -> np.ndarray:
        """Interior edges of the reference's ``bins`` quantile bins."""
        return self._once(f"edges{bins}", lambda: quantile_edges(self.reference, bins))

    def chart_edges(self) -> np.ndarray:
        """Edges for a histogram that shows the distribution's shape: one bar per value when
        the reference has at most 20 distinct values, else equal widths over its 1%-99%
        range (outer bars open-ended)."""
        return self._once("chart_edges", lambda: chart_edges(self.reference))

    def binned(self, bins: int = DEFAULT_BINS) -> tuple[np.ndarray, np.ndarray]:
        """Counts of reference and current on the reference's quantile bins."""
        grid = self._grid_results
        below = None
        if grid is not None and bins == DEFAULT_BINS:
            below = grid[2][: len(self.edges(bins))]
        return self._counts(self.edges(bins), below)

    def chart(self) -> tuple[np.ndarray, np.ndarray]:
        """Counts of reference and current on :meth:`chart_edges`."""
        grid = self._grid_results
        below = None if grid is None else grid[2][len(self.edges(DEFAULT_BINS)) :]
        return self._counts(self.chart_edges(), below)

    def _counts(self, edges: np.ndarray, below: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        ref = bin_counts_sorted(self.reference, edges)
        if self.batch is None:
            return ref, bin_counts(self.current_sorted, edges)
        if below is None:
            below = self.batch.analyze(self.reference, edges)[2]
        return ref, np.diff(np.concatenate(([0], below, [self.current.size])))


CHART_BARS = 20


def chart_edges(sample: SortedSample) -> np.ndarray:
    """Histogram edges for charts (see :meth:`NumericPair.chart_edges`).

    >>> chart_edges(SortedSample.from_array([1.0, 2.0, 2.0, 3.0])).tolist()
    [1.5, 2.5]
    >>> chart_edges(SortedSample.from_array([-1e308, 1e308, 1.7e308])).tolist()
    [0.0, 1.35e+308]
    """
    values = sample.values
    if values.size <= CHART_BARS:  # midpoints; halves first so that 1e308 + 1e308 is no inf
        return values[:-1] / 2.0 + values[1:] / 2.0
    lo, hi = (float(v) for v in sample.quantile([0.01, 0.99]))
    if not hi > lo:
        lo, hi = sample.min, sample.max
    if fits_grid(lo, hi):
        edges = np.linspace(lo, hi, CHART_BARS - 1)
    else:  # hi - lo may overflow: space the halves and double them (exact)
        edges = 2.0 * np.linspace(lo / 2.0, hi / 2.0, CHART_BARS - 1)
    return np.unique(edges)


@dataclass
class CategoricalPair:
    """Category counts of reference and current, aligned on the union of categories.

    Reference categories come first in their fitted order; categories seen only in the
    current data follow.

    >>> import numpy as np
    >>> pair = CategoricalPair.align(("a", "b"), np.array([5, 5]), ("c", "a"), np.array([2, 8]))
    >>> pair.categories, pair.current.tolist(), pair.unseen_categories
    (('a', 'b', 'c'), [8, 0, 2], ('c',))
    """

    categories: tuple[str, ...]
    reference: np.ndarray
    current: np.ndarray

    @classmethod
    def align(
        cls,
        ref_categories: tuple[str, ...],
        ref_counts: np.ndarray,
        cur_categories: tuple[str, ...],
        cur_counts: np.ndarray,
    ) -> CategoricalPair:
        index = {c: i for i, c in enumerate(ref_categories)}
        new = [c for c in cur_categories if c not in index]
        categories = tuple(ref_categories) + tuple(new)
        for c in new:
            index[c] = len(index)
        ref = np.zeros(len(categories), dtype=np.int64)
        ref[: len(ref_categories)] = ref_counts
        cur = np.zeros(len(categories), dtype=np.int64)
        positions = np.fromiter((index[c] for c in cur_categories), np.int64, len(cur_categories))
        cur[positions] = cur_counts
        return cls(categories, ref, cur)

    @property
    def _unseen(self) -> np.ndarray:
        """Positions of the categories with current values and no reference value."""
        return np.flatnonzero((self.reference == 0) & (self.current > 0))

    @property
    def unseen_categories(self) -> tuple[str, ...]:
        return tuple(self.categories[i] for i in self._unseen)

    @property
    def unseen_share(self) -> float:
        """The share of the current values that fall in categories the reference never had.

        >>> CategoricalPair(("a", "b"), np.array([4, 0]), np.array([1, 3])).unseen_share
        0.75
        """
        total = self.current.sum()
        return float(self.current[self._unseen].sum() / total) if total else 0.0

    def binned(self, bins: int = DEFAULT_BINS) -> tuple[np.ndarray, np.ndarray]:
        return self.reference, self.current
