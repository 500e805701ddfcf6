"""Plain NumPy twins of the compiled kernels of ``driftscope.stats`` (``stats.kernels`` and
``GridBatch._exact_bins``): independent references, written as whole-array expressions,
that the tests compare the compiled loops with (directly, and through :func:`numpy_paths`,
which runs ``ECDFGrid``/``GridBatch`` on them). Numba is a dependency of driftscope, so
these live here, not in the library.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from driftscope.stats import grid as grid_mod
from driftscope.stats import kernels
from driftscope.stats.ecdf import SortedSample
from driftscope.stats.grid import GridBatch, _locate
from driftscope.stats.kernels import positions_numpy

# the compiled loops behind the kernel wrappers; none may run while the NumPy paths are forced
COMPILED = ("_grid_counts", "_gather_bins", "_grid_build", "_exact_scan", "_moments")


def grid_counts(
    x: np.ndarray, lo: float, scale: float, bins: int, atom: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin counts, sums of in-bin positions, counts of values equal to the bin's atom and
    each value's bin (see ``kernels.grid_counts``)."""
    t = positions_numpy(x, lo, scale, bins)
    k = t.astype(np.int64)
    t -= k
    counts = np.bincount(k, minlength=bins + 2).astype(np.int64)
    if atom.size:
        equal = np.bincount(k[x == atom[k]], minlength=bins + 2).astype(np.int64)
    else:
        equal = np.zeros(bins + 2, dtype=np.int64)
    return counts, np.bincount(k, weights=t, minlength=bins + 2), equal, k.astype(np.int32)


def gather_bins(x: np.ndarray, bin_of: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """The values of ``x`` whose bin is flagged (see ``kernels.gather_bins``)."""
    return x[flag[bin_of]]


def grid_build(
    values: np.ndarray, cumcounts: np.ndarray | None, lo: float, scale: float, bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin: point count, ``Σ count * (1 - position)``, distinct values (see
    ``kernels.grid_build``)."""
    t = positions_numpy(values, lo, scale, bins)
    k = t.astype(np.int64)
    t -= k
    ones = np.ones(values.size, np.int64)
    counts = ones if cumcounts is None else np.diff(cumcounts, prepend=0)
    per_bin = np.bincount(k, weights=counts, minlength=bins + 2)
    inside = np.bincount(k, weights=counts * (1.0 - t), minlength=bins + 2)
    distinct = np.bincount(k, minlength=bins + 2)
    return np.rint(per_bin).astype(np.int64), inside, distinct.astype(np.int64)


def classify_bins(
    ref_below: np.ndarray,
    ref_inside: np.ndarray,
    atom: np.ndarray,
    cur_below: np.ndarray,
    cur_inside: np.ndarray,
    equal: np.ndarray,
    n: int,
    m: int,
    lo: float,
    scale: float,
) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """See ``kernels.classify_bins``."""
    r0, r1 = ref_below[:-1], ref_below[1:]
    c0, c1 = cur_below[:-1], cur_below[1:]
    pure = ~np.isnan(atom) & (equal == c1 - c0)
    d_edge = r0 / n - c0 / m  # d just before each bin: a value d takes (or 0)
    ks_edges = float(np.abs(d_edge).max())
    low, high = r0 / n - c1 / m, r1 / n - c0 / m  # d stays within [low, high] in a bin
    occupied = (r1 > r0) | (c1 > c0)
    bound = np.maximum(np.abs(low), np.abs(high))
    exact = occupied & ~pure & ((bound > ks_edges) | ((low < 0) & (high > 0)))
    exact[0] = occupied[0] & ~pure[0]
    exact[-1] = occupied[-1] & ~pure[-1]
    width = 1.0 / scale
    smooth = ~exact & ~pure
    smooth[0] = smooth[-1] = False
    integral = (r0 + ref_inside) / n - (c0 + cur_inside) / m
    w_smooth = float(np.abs(integral[smooth]).sum()) * width
    kp = np.flatnonzero(pure)  # d is d_edge before the atom, the next bin's d_edge from it on
    left = (kp - 1) * width  # positions measured from lo
    at = atom[kp] - lo
    after = r1[kp] / n - c1[kp] / m
    w_pure = float(np.sum(np.abs(d_edge[kp]) * (at - left) + np.abs(after) * (kp * width - at)))
    return ks_edges, w_smooth, w_pure, exact, pure


def exact_bins(
    batch: GridBatch, sample: SortedSample, gathered: np.ndarray, bins: np.ndarray
) -> tuple[float, float]:
    """KS supremum and ``∫|d|`` over ``bins`` (see ``GridBatch._exact_bins``), by sorting
    the distinct reference and batch values of those bins together."""
    if bins.size == 0:
        return 0.0, 0.0
    grid, cur_below = batch.grid, batch.below
    n, m = sample.n, batch.x.size
    gk, _ = _locate(gathered, grid.lo, grid.scale, grid.bins)
    flag = np.zeros(grid.bins + 2, dtype=bool)
    flag[bins] = True
    xs = gathered[flag[gk]]
    # distinct current values in those bins, with their counts
    if xs.size:
        starts = np.flatnonzero(np.concatenate(([True], xs[1:] != xs[:-1])))
        cur_vals = xs[starts]
        cur_cnt = np.diff(np.append(starts, xs.size))
    else:
        cur_vals, cur_cnt = xs, np.zeros(0, dtype=np.int64)
    # distinct reference values in those bins, with their counts
    first, last = grid.unique_start[bins], grid.unique_start[bins + 1]
    lengths = last - first
    total = int(lengths.sum())
    offsets = np.repeat(first - np.cumsum(lengths) + lengths, lengths)
    ridx = np.arange(total) + offsets
    ref_vals = sample.values[ridx]
    cum = sample.cumcounts
    if cum is None:
        ref_cnt = np.ones(total, dtype=np.int64)
    else:
        ref_cnt = cum[ridx] - np.where(ridx > 0, cum[np.maximum(ridx - 1, 0)], 0)
    vals = np.concatenate((ref_vals, cur_vals))
    order = np.argsort(vals, kind="stable")
    vals = vals[order]
    dref = np.concatenate((ref_cnt, np.zeros(cur_vals.size, np.int64)))[order]
    dcur = np.concatenate((np.zeros(total, np.int64), cur_cnt))[order]
    group = np.concatenate(([True], vals[1:] != vals[:-1]))
    gstart = np.flatnonzero(group)
    vals = vals[gstart]
    dref = np.add.reduceat(dref, gstart)
    dcur = np.add.reduceat(dcur, gstart)
    gbin, _ = _locate(vals, grid.lo, grid.scale, grid.bins)
    # counts at or below each point: counts below its bin + counts inside the bin so far
    first_in_bin = np.concatenate(([True], gbin[1:] != gbin[:-1]))
    cs_ref, cs_cur = np.cumsum(dref), np.cumsum(dcur)
    seg = np.cumsum(first_in_bin) - 1
    head = np.flatnonzero(first_in_bin)
    base_ref = (cs_ref - dref)[head][seg]
    base_cur = (cs_cur - dcur)[head][seg]
    fr = grid.ref_below[gbin] + cs_ref - base_ref
    fc = cur_below[gbin] + cs_cur - base_cur
    d_at = fr / n - fc / m
    d_before = np.empty_like(d_at)
    d_before[1:] = d_at[:-1]
    edge = grid.ref_below[gbin] / n - cur_below[gbin] / m
    d_before[first_in_bin] = edge[first_in_bin]
    ks = float(max(np.abs(d_at).max(), np.abs(d_before).max()))
    # ∫|d|: from each point to the next point in its bin, or to the bin's right edge;
    # plus from the bin's left edge to its first point. The outer bins are unbounded,
    # but d = 0 before the first and after the last point of all data.
    # Positions are measured from lo: for data far from zero, absolute bin edges would
    # be rounded to the float spacing there, a large part of a narrow bin.
    width = 1.0 / grid.scale
    vals = vals - grid.lo
    left_edge = (gbin - 1) * width
    right_edge = gbin * width
    last_in_bin = np.append(first_in_bin[1:], True)
    nxt = np.empty_like(vals)
    nxt[:-1] = vals[1:]
    nxt = np.where(last_in_bin, right_edge, nxt)
    outer_last = last_in_bin & (gbin == grid.bins + 1)
    nxt[outer_last] = vals[outer_last]
    w = float(np.sum(np.abs(d_at) * (nxt - vals)))
    lead = first_in_bin & (gbin > 0)
    w += float(np.sum(np.abs(d_before[lead]) * (vals[lead] - left_edge[lead])))
    return ks, w


@contextlib.contextmanager
def numpy_paths() -> Iterator[None]:
    """Run ``ECDFGrid``, ``GridBatch`` and ``ecdf``'s moments on the NumPy twins: the kernel
    wrappers that ``stats.grid`` imports by name, ``GridBatch._exact_bins`` and
    ``kernels.moments`` (None: ``ecdf`` then uses its own NumPy expressions) are replaced,
    and the compiled loops by functions that fail, so a path that still reached Numba would
    be caught."""

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a Numba kernel ran while the NumPy paths were forced")

    def exact(self: GridBatch, *args: Any) -> tuple[float, float]:
        return exact_bins(self, *args)

    with pytest.MonkeyPatch.context() as mp:
        for name in ("grid_counts", "gather_bins", "grid_build", "classify_bins"):
            mp.setattr(grid_mod, name, globals()[name])
        mp.setattr(grid_mod, "exact_scan", forbidden)
        mp.setattr(GridBatch, "_exact_bins", exact)
        mp.setattr(kernels, "moments", lambda *args: None)
        for name in COMPILED:
            mp.setattr(kernels, name, forbidden, raising=False)
        yield
