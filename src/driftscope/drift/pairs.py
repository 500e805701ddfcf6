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
    current data follow. Levels that counting left out (more distinct values than
    ``max_categories``, see :mod:`driftscope.data.categorical`) come last, ``left_out`` of
    them, one per left-out count, each under a synthetic label and absent from the other side
    (the approximation: they are each side's rarest levels, compared by their counts only).

    >>> import numpy as np
    >>> pair = CategoricalPair.align(("a", "b"), np.array([5, 5]), ("c", "a"), np.array([2, 8]))
    >>> pair.categories, pair.current.tolist(), pair.unseen_categories
    (('a', 'b', 'c'), [8, 0, 2], ('c',))
    >>> pair = CategoricalPair.align(("a",), np.array([5]), ("a",), np.array([8]),
    ...                              ref_other=np.array([1]), cur_other=np.array([2]))
    >>> pair.categories[1:], pair.reference.tolist(), pair.current.tolist(), pair.left_out
    (('(left-out level 1)', '(left-out level 2)'), [5, 1, 0], [8, 0, 2], 2)
    >>> pair.unseen_categories, pair.unseen_share
    ((), 0.0)
    """

    categories: tuple[str, ...]
    reference: np.ndarray
    current: np.ndarray
    #: the last ``left_out`` categories are anonymous left-out levels
    left_out: int = 0

    @classmethod
    def align(
        cls,
        ref_categories: tuple[str, ...],
        ref_counts: np.ndarray,
        cur_categories: tuple[str, ...],
        cur_counts: np.ndarray,
        ref_other: np.ndarray | None = None,
        cur_other: np.ndarray | None = None,
    ) -> CategoricalPair:
        """Align the two sides' counts; ``ref_other``/``cur_other`` are the counts of the
        levels each side left out (``CategoryCounts.other_counts``), appended as one anonymous
        level each: ``(count, 0)`` for the reference's, ``(0, count)`` for the current's."""
        index = {c: i for i, c in enumerate(ref_categories)}
        new = [c for c in cur_categories if c not in index]
        labelled = tuple(ref_categories) + tuple(new)
        for c in new:
            index[c] = len(index)
        ref_other = np.zeros(0, np.int64) if ref_other is None else np.asarray(ref_other)
        cur_other = np.zeros(0, np.int64) if cur_other is None else np.asarray(cur_other)
        left_out = len(ref_other) + len(cur_other)
        categories = labelled + left_out_labels(left_out, labelled)
        ref = np.zeros(len(categories), dtype=np.int64)
        ref[: len(ref_categories)] = ref_counts
        ref[len(labelled) : len(labelled) + len(ref_other)] = ref_other
        cur = np.zeros(len(categories), dtype=np.int64)
        positions = np.fromiter((index[c] for c in cur_categories), np.int64, len(cur_categories))
        cur[positions] = cur_counts
        cur[len(categories) - len(cur_other) :] = cur_other
        return cls(categories, ref, cur, left_out=left_out)

    @property
    def labelled(self) -> int:
        """Number of categories with a real label (all but the left-out levels)."""
        return len(self.categories) - self.left_out

    @property
    def _unseen(self) -> np.ndarray:
        """Positions of the labelled categories with current values and no reference value
        (a left-out level is never one: whether the other side had it is unknown)."""
        n = self.labelled
        return np.flatnonzero((self.reference[:n] == 0) & (self.current[:n] > 0))

    @property
    def unseen_categories(self) -> tuple[str, ...]:
        return tuple(self.categories[i] for i in self._unseen)

    @property
    def unseen_share(self) -> float:
        """The share of the current values that fall in labelled categories the reference
        never had.

        >>> CategoricalPair(("a", "b"), np.array([4, 0]), np.array([1, 3])).unseen_share
        0.75
        """
        total = self.current.sum()
        return float(self.current[self._unseen].sum() / total) if total else 0.0

    def binned(self, bins: int = DEFAULT_BINS) -> tuple[np.ndarray, np.ndarray]:
        return self.reference, self.current


LEFT_OUT_LABEL = "(left-out level {})"


def left_out_labels(n: int, taken: tuple[str, ...]) -> tuple[str, ...]:
    """``n`` synthetic labels for left-out levels, ``"(left-out level 1)"`` onwards, none
    of them in ``taken`` (a real label of that form wraps them in more parentheses).

    >>> left_out_labels(2, ("a",))
    ('(left-out level 1)', '(left-out level 2)')
    >>> left_out_labels(1, ("(left-out level 1)",))
    ('((left-out level 1))',)
    """
    if n == 0:
        return ()
    template = LEFT_OUT_LABEL
    suspects = {c for c in taken if c.startswith("(") and c.endswith(")")}
    while True:
        labels = tuple(template.format(i) for i in range(1, n + 1))
        if suspects.isdisjoint(labels):
            return labels
        template = f"({template})"
