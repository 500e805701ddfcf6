"""Exact KS statistic and Wasserstein-1 distance against a fitted reference, without sorting
or binary-searching the current batch.

Sorting a batch of 10^6 values is cheap; binary-searching 10^6 values in a fitted reference
is not (about 50 ms, where the rest of a check costs a few). :class:`ECDFGrid` cuts the
reference's range into ``B`` equal-width bins (fitted once) and puts each current value in
its bin with one multiplication. Per bin it knows the reference and current counts below the
bin and the sums of positions inside it, which gives:

- the ECDF difference ``d = F_ref - F_cur`` exactly at every bin boundary, and an upper bound
  of ``|d|`` inside each bin. Only bins whose bound exceeds the largest boundary value can hold
  the KS supremum; those few are evaluated point by point;
- ``∫|d| dx`` exactly on every bin where ``d`` keeps one sign (``∫ d`` follows from counts and
  sums of positions), and point by point on the few bins where it may change sign.

Both results are exact (the KS statistic is bitwise the value SciPy computes; the Wasserstein
distance equals SciPy's up to floating-point summation order). The work is ``O(m + B)`` plus
the size of the bins evaluated point by point; when the two samples are identical every bin
is, and the cost is that of sorting the batch.

>>> import numpy as np
>>> from driftscope.stats.ecdf import SortedSample
>>> rng = np.random.default_rng(0)
>>> ref = SortedSample.from_array(rng.normal(size=100_000))
>>> cur = rng.normal(0.1, 1.0, size=50_000)
>>> d, w = ECDFGrid.build(ref).ks_and_wasserstein(ref, cur)
>>> round(d, 4), round(w, 4)
(0.0433, 0.1002)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from driftscope.stats._magnitude import SAFE_HIGH
from driftscope.stats.ecdf import SortedSample
from driftscope.stats.kernels import (
    classify_bins,
    exact_scan,
    gather_bins,
    grid_build,
    grid_counts,
    positions_numpy,
)

MAX_BINS = 1 << 16
MIN_BINS = 64
VALUES_PER_BIN = 12  # measured: fewer, larger bins cost less below ~10^6 distinct values
TAIL = 0.0005  # the grid spans the reference's 0.05% to 99.95% quantiles


@dataclass(frozen=True, slots=True)
class ECDFGrid:
    """Equal-width bins over a reference's range, with the reference's per-bin summaries.

    A value ``x`` lies in bin ``floor(clip((x - lo) * scale, -1, B) + 1)``: bin 0 holds values
    below ``lo``, bins ``1..B`` split ``[lo, lo + B*width)`` evenly, and bin ``B+1`` holds the
    rest. The same arithmetic places reference and current values, so bins are consistent to
    the last bit. ``ref_below[k]`` counts reference points in bins ``< k``, ``ref_inside[k]`` is
    ``Σ (1 - frac)`` over reference points in interior bin ``k`` (``frac`` is the position
    inside the bin in units of the width), and ``unique_start[k]`` is the
    index of the first distinct reference value in bin ``k``; ``atom[k]`` is the reference's
    only value in bin ``k`` when it has exactly one (NaN otherwise). A bin whose current values
    all equal its atom (typical of integer data) is solved exactly from counts.

    >>> from driftscope.stats.ecdf import SortedSample
    >>> ECDFGrid.build(SortedSample.from_array(np.arange(100_000.0))).bins
    16384
    >>> ECDFGrid.build(SortedSample.from_array([1.0, 1.0])) is None  # constant: no grid
    True
    """

    lo: float
    scale: float
    bins: int
    ref_below: np.ndarray
    ref_inside: np.ndarray
    unique_start: np.ndarray
    atom: np.ndarray
    has_atoms: bool

    @classmethod
    def build(cls, sample: SortedSample) -> ECDFGrid | None:
        """Fit the grid on ``sample``; ``None`` when the sample is constant or its values lie
        near the ends of the float64 range (see :func:`fits_grid`)."""
        if not fits_grid(sample.min, sample.max):
            return None
        lo, hi = (float(v) for v in sample.quantile([TAIL, 1.0 - TAIL]))
        if not hi > lo:
            lo, hi = sample.min, sample.max
        if not hi > lo:
            return None
        bins = grid_bins(sample.n_unique)
        scale = bins / (hi - lo)
        if not (np.isfinite(scale) and scale > 0):
            return None
        per_bin, inside, distinct = grid_build(sample.values, sample.cumcounts, lo, scale, bins)
        ref_below = np.zeros(bins + 3, dtype=np.int64)
        np.cumsum(per_bin, out=ref_below[1:])
        unique_start = np.zeros(bins + 3, dtype=np.int64)
        np.cumsum(distinct, out=unique_start[1:])
        atom = np.full(bins + 2, np.nan)
        single = distinct == 1
        atom[single] = sample.values[unique_start[:-1][single]]
        has_atoms = bool(single.any())
        return cls(lo, scale, bins, ref_below, inside, unique_start, atom, has_atoms)

    def locate(self, current: np.ndarray) -> GridBatch:
        """Put a batch of finite values on the grid (``O(m)``); the batch answers queries.
        The values must pass :func:`fits_grid` (callers fall back to the exact paths)."""
        return GridBatch(self, np.asarray(current, dtype=np.float64))

    def ks_and_wasserstein(self, sample: SortedSample, current: np.ndarray) -> tuple[float, float]:
        """``(sup |F_ref - F_cur|, ∫ |F_ref - F_cur| dx)`` for finite ``current`` values."""
        ks, w1, _ = self.locate(current).analyze(sample)
        return ks, w1


def grid_bins(n_unique: int) -> int:
    """The number of bins for a reference of ``n_unique`` distinct values: the power of two
    at or above ``n_unique / VALUES_PER_BIN``, between ``MIN_BINS`` and ``MAX_BINS``.

    Every check pays per bin (classifying, summing) and per value in a bin evaluated point by
    point; about a dozen distinct values per bin cost least per value, fit and detect together,
    from 3 x 10^4 to 10^6 values (docs/benchmarks.md; one per bin cost up to 2.5x more).

    >>> grid_bins(1_000), grid_bins(100_000), grid_bins(10**7)
    (128, 16384, 65536)
    """
    wanted = max(1, -(-n_unique // VALUES_PER_BIN))
    return min(MAX_BINS, max(MIN_BINS, 1 << (wanted - 1).bit_length()))


def fits_grid(lowest: float, highest: float) -> bool:
    """Whether values in ``[lowest, highest]`` can go on a grid: positions and areas are
    differences of values, which overflow near the top of the float64 range; such data
    takes the exact paths (which rescale it). Tiny values fit: a range too narrow for the
    grid's scale is caught when the grid is built.

    >>> fits_grid(-1e9, 1e9), fits_grid(0.0, 1e308), fits_grid(0.0, 1e-219)
    (True, False, True)
    """
    return max(abs(float(lowest)), abs(float(highest))) < 2.0**SAFE_HIGH


class GridBatch:
    """A current batch placed on an :class:`ECDFGrid`: the bin of each value and per-bin
    counts and position sums, from one compiled pass over the batch.

    >>> import numpy as np
    >>> ref = SortedSample.from_array(np.linspace(0.0, 1.0, 20_001))
    >>> ks, w1, below = ECDFGrid.build(ref).locate(np.full(5, 0.25)).analyze(ref, [0.5])
    >>> round(ks, 3), round(w1, 3), below.tolist()
    (0.75, 0.313, [5])
    """

    def __init__(self, grid: ECDFGrid, x: np.ndarray):
        self.grid = grid
        self.x = x
        atoms = grid.atom if grid.has_atoms else np.zeros(0)
        count, frac_sum, self.equal, self.bin_of = grid_counts(
            x, grid.lo, grid.scale, grid.bins, atoms
        )
        self.below = np.zeros(grid.bins + 3, dtype=np.int64)
        np.cumsum(count, out=self.below[1:])
        self.inside = count - frac_sum

    def analyze(
        self, sample: SortedSample, points: np.ndarray | None = None
    ) -> tuple[float, float, np.ndarray]:
        """``(sup |F_ref - F_cur|, ∫ |F_ref - F_cur| dx, counts below points)``: the KS
        statistic, the Wasserstein-1 distance against the grid's reference, and the number of
        batch values strictly below each of a few ``points`` (e.g. bin edges)."""
        g = self.grid
        ks_edges, w_smooth, w_pure, exact, pure = classify_bins(
            g.ref_below, g.ref_inside, g.atom, self.below, self.inside, self.equal,
            sample.n, self.x.size, g.lo, g.scale,
        )  # fmt: skip
        c0, c1 = self.below[:-1], self.below[1:]
        p = np.zeros(0) if points is None else np.asarray(points, dtype=np.float64)
        pk, _ = _locate(p, g.lo, g.scale, g.bins)
        gather = exact.copy()
        gather[pk] = ~pure[pk]
        xs = np.sort(gather_bins(self.x, self.bin_of, gather)) if gather.any() else p[:0]
        ks_exact, w_exact = self._exact_bins(sample, xs, np.flatnonzero(exact))
        # values below a point: all values in lower bins + gathered values of its bin below it
        xk, _ = _locate(xs, g.lo, g.scale, g.bins)
        in_lower_bins = np.searchsorted(xk, pk, side="left")
        below_points = self.below[pk] + np.searchsorted(xs, p, side="left") - in_lower_bins
        on_atom = pure[pk]
        below_points[on_atom] = self.below[pk[on_atom]] + np.where(
            p[on_atom] > g.atom[pk[on_atom]], c1[pk[on_atom]] - c0[pk[on_atom]], 0
        )
        ks = max(ks_edges, ks_exact)
        return ks, w_smooth + w_pure + w_exact, below_points.astype(np.int64)

    def _exact_bins(
        self, sample: SortedSample, gathered: np.ndarray, bins: np.ndarray
    ) -> tuple[float, float]:
        """KS supremum and ``∫|d|`` over ``bins``, point by point; ``gathered`` holds the
        sorted batch values of (at least) those bins."""
        if bins.size == 0:
            return 0.0, 0.0
        grid = self.grid
        cum = sample.cumcounts
        if cum is None:
            cum = np.zeros(0, dtype=np.int64)
        return exact_scan(
            bins.astype(np.int64), gathered, sample.values, cum, sample.n, self.x.size,
            grid.lo, grid.scale, grid.bins, grid.ref_below, self.below, grid.unique_start,
        )  # fmt: skip


def _locate(x: np.ndarray, lo: float, scale: float, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin index (0 below ``lo``, ``bins + 1`` from the top) and position inside the bin."""
    t = positions_numpy(x, lo, scale, bins)
    k = t.astype(np.int64)  # t >= 0: truncation is floor
    t -= k
    return k, t
