"""Single-pass compiled loops for the hot path of a drift check (Numba, no GIL).

Placing 10^6 values on a grid with NumPy takes about ten passes over memory (subtract,
scale, clip, floor, two bincounts, gathers); these loops take one, and release the GIL so
columns run in parallel threads. Numba is a dependency, so they always run; the tests
compare each with a plain NumPy twin (``tests/stats/oracles.py``).

>>> import numpy as np
>>> atom = np.full(10, np.nan)
>>> x = np.array([0.05, 0.5, 0.55, 2.0])
>>> counts, frac_sum, equal, bin_of = grid_counts(x, 0.0, 10.0, 8, atom)
>>> counts.tolist(), bin_of.tolist()
([0, 1, 0, 0, 0, 0, 2, 0, 0, 1], [1, 6, 6, 9])
"""

from __future__ import annotations

import numpy as np

from driftscope.core._jit import njit


def positions_numpy(x: np.ndarray, lo: float, scale: float, bins: int) -> np.ndarray:
    """``clip((x - lo) * scale, -1, bins) + 1``: the integer part is the bin, the rest the
    position inside it. Subtracting ``lo`` first avoids cancellation for data far from zero.

    >>> positions_numpy(np.array([-5.0, 0.25, 99.0]), 0.0, 4.0, 8).tolist()
    [0.0, 2.0, 9.0]
    """
    t = x - lo
    t *= scale
    np.clip(t, -1.0, float(bins), out=t)
    t += 1.0
    return t


@njit(inline="always")
def _position(v: float, lo: float, scale: float, top: float) -> float:
    t = (v - lo) * scale
    if t < -1.0:
        t = -1.0
    elif t > top:
        t = top
    return t + 1.0


@njit
def _grid_counts(
    x: np.ndarray, lo: float, scale: float, bins: int, atom: np.ndarray, is_atom: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    counts = np.zeros(bins + 2, dtype=np.int64)
    frac_sum = np.zeros(bins + 2, dtype=np.float64)
    equal = np.zeros(bins + 2, dtype=np.int64)
    bin_of = np.empty(x.size, dtype=np.int32)
    top = float(bins)
    for i in range(x.size):
        t = _position(x[i], lo, scale, top)
        k = int(t)
        bin_of[i] = k
        counts[k] += 1
        frac_sum[k] += t - k
        if atom.size and is_atom[k] and x[i] == atom[k]:  # the flag is in cache, atom not
            equal[k] += 1
    return counts, frac_sum, equal, bin_of


@njit
def _gather_bins(x: np.ndarray, bin_of: np.ndarray, flag: np.ndarray) -> np.ndarray:
    out = np.empty(x.size, dtype=np.float64)
    j = 0
    for i in range(x.size):
        if flag[bin_of[i]]:
            out[j] = x[i]
            j += 1
    return out[:j].copy()


@njit
def _exact_scan(
    bins_list: np.ndarray,
    xs: np.ndarray,
    values: np.ndarray,
    cumcounts: np.ndarray,
    n: int,
    m: int,
    lo: float,
    scale: float,
    nbins: int,
    ref_below: np.ndarray,
    cur_below: np.ndarray,
    ustart: np.ndarray,
) -> tuple[float, float]:
    width = 1.0 / scale
    top = float(nbins)
    ks = 0.0
    w = 0.0
    j = 0
    for b in bins_list:
        # skip gathered current values of lower bins
        while j < xs.size:
            if int(_position(xs[j], lo, scale, top)) >= b:
                break
            j += 1
        fr = ref_below[b]
        fc = cur_below[b]
        d = fr / n - fc / m
        pos = (b - 1) * width  # positions are measured from lo (see GridBatch)
        first = True
        i = ustart[b]
        iend = ustart[b + 1]
        while True:
            has_cur = False
            if j < xs.size:
                has_cur = int(_position(xs[j], lo, scale, top)) == b
            if i >= iend and not has_cur:
                break
            take_ref = i < iend and (not has_cur or values[i] <= xs[j])
            p = values[i] if take_ref else xs[j]
            if not (first and b == 0):
                w += abs(d) * ((p - lo) - pos)
            first = False
            if i < iend and values[i] == p:
                fr = cumcounts[i] if cumcounts.size else i + 1
                i += 1
            while j < xs.size and xs[j] == p:
                fc += 1
                j += 1
            ks = max(ks, abs(d))
            d = fr / n - fc / m
            ks = max(ks, abs(d))
            pos = p - lo
        if b != nbins + 1:
            w += abs(d) * (b * width - pos)
    return ks, w


@njit
def _grid_build(
    values: np.ndarray, cumcounts: np.ndarray, lo: float, scale: float, bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    per_bin = np.zeros(bins + 2, dtype=np.int64)
    inside = np.zeros(bins + 2, dtype=np.float64)
    distinct = np.zeros(bins + 2, dtype=np.int64)
    top = float(bins)
    prev = 0
    for i in range(values.size):
        t = _position(values[i], lo, scale, top)
        k = int(t)
        c = (cumcounts[i] - prev) if cumcounts.size else 1
        prev = cumcounts[i] if cumcounts.size else prev
        per_bin[k] += c
        inside[k] += c * (1.0 - (t - k))
        distinct[k] += 1
    return per_bin, inside, distinct


def grid_build(
    values: np.ndarray, cumcounts: np.ndarray | None, lo: float, scale: float, bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a reference's distinct sorted ``values`` (``cumcounts`` their cumulative counts,
    None when each occurs once): per bin the point count, ``Σ count * (1 - position)`` and the
    number of distinct values."""
    cum = np.zeros(0, dtype=np.int64) if cumcounts is None else cumcounts
    return _grid_build(values, cum, float(lo), float(scale), int(bins))


def exact_scan(
    bins_list: np.ndarray,
    xs: np.ndarray,
    values: np.ndarray,
    cumcounts: np.ndarray,
    n: int,
    m: int,
    lo: float,
    scale: float,
    nbins: int,
    ref_below: np.ndarray,
    cur_below: np.ndarray,
    ustart: np.ndarray,
) -> tuple[float, float]:
    """KS supremum and ``∫|F_ref - F_cur|`` over the listed grid bins by merging, point by
    point, the sorted current values ``xs`` with the reference's distinct ``values``
    (``cumcounts`` their cumulative counts; empty when every value occurs once)."""
    return _exact_scan(
        bins_list, xs, values, cumcounts, n, m, lo, scale, nbins, ref_below, cur_below, ustart
    )


@njit
def _moments(values: np.ndarray, counts: np.ndarray, n: float) -> tuple[float, float]:
    total = 0.0
    for i in range(values.size):
        total += values[i] * (counts[i] if counts.size else 1.0)
    mean = total / n
    mean = min(max(mean, values[0]), values[values.size - 1])
    s1 = 0.0
    s2 = 0.0
    for i in range(values.size):
        w = counts[i] if counts.size else 1.0
        dev = values[i] - mean
        s1 += w * dev
        s2 += w * dev * dev
    return mean, s2 - s1 * s1 / n


def moments(values: np.ndarray, counts: np.ndarray | None, n: int) -> tuple[float, float] | None:
    """Mean and sum of squared deviations (corrected two-pass algorithm) of sorted distinct
    ``values`` with ``counts`` (None: each once), without temporaries; None below 1000
    values, where the caller's NumPy expressions cost no more."""
    if values.size < 1000:
        return None
    w = np.zeros(0) if counts is None else counts.astype(np.float64)
    mean, m2 = _moments(values, w, float(n))
    return float(mean), max(float(m2), 0.0)


@njit
def _classify_bins(
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
    nb = ref_inside.size
    ks_edges = 0.0
    for k in range(nb):
        ks_edges = max(ks_edges, abs(ref_below[k] / n - cur_below[k] / m))
    width = 1.0 / scale
    exact = np.zeros(nb, dtype=np.bool_)
    pure = np.zeros(nb, dtype=np.bool_)
    w_smooth = 0.0
    w_pure = 0.0
    for k in range(nb):
        r0, r1 = ref_below[k], ref_below[k + 1]
        c0, c1 = cur_below[k], cur_below[k + 1]
        is_pure = not np.isnan(atom[k]) and equal[k] == c1 - c0
        pure[k] = is_pure
        d_edge = r0 / n - c0 / m
        if is_pure:
            left = (k - 1) * width
            at = atom[k] - lo
            w_pure += abs(d_edge) * (at - left) + abs(r1 / n - c1 / m) * (k * width - at)
            continue
        if r1 == r0 and c1 == c0:
            if 0 < k < nb - 1:
                w_smooth += abs((r0 + ref_inside[k]) / n - (c0 + cur_inside[k]) / m)
            continue
        low = r0 / n - c1 / m
        high = r1 / n - c0 / m
        if k == 0 or k == nb - 1 or max(abs(low), abs(high)) > ks_edges or (low < 0 and high > 0):
            exact[k] = True
        else:
            w_smooth += abs((r0 + ref_inside[k]) / n - (c0 + cur_inside[k]) / m)
    return ks_edges, w_smooth * width, w_pure, exact, pure


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
    """Sort the grid's bins out, in one pass and without the GIL: returns the largest ``|d|``
    at a bin edge, ``∫|d|`` over the bins where ``d`` keeps one sign (from counts and
    position sums), ``∫|d|`` over *pure* bins (one reference value that every current value
    in the bin equals), and the masks of the bins to evaluate point by point and of the pure
    bins. ``d = F_ref - F_cur``; ``*_below`` are counts below each bin (``bins + 3``)."""
    args = (ref_below, ref_inside, atom, cur_below, cur_inside, equal, n, m, lo, scale)
    ks, w_smooth, w_pure, exact, pure = _classify_bins(*args)
    return float(ks), float(w_smooth), float(w_pure), exact, pure


def grid_counts(
    x: np.ndarray, lo: float, scale: float, bins: int, atom: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bin ``k = floor(clip((x - lo) * scale, -1, bins) + 1)`` of each value: returns the
    count per bin (``bins + 2`` of them), the sum per bin of ``t - k`` (the position inside
    the bin in units of its width), the number of values equal to ``atom[k]`` (NaN: none;
    an empty ``atom`` skips that count) and each value's bin ``k`` (int32, for
    :func:`gather_bins`).
    One pass over ``x``.
    """
    is_atom = ~np.isnan(atom)  # a byte a bin: reading it first spares most loads of atom
    return _grid_counts(x, float(lo), float(scale), int(bins), atom, is_atom)


def gather_bins(x: np.ndarray, bin_of: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """The values of ``x`` (in input order) whose bin ``bin_of`` (from :func:`grid_counts`)
    is flagged. Reading the stored bins instead of placing each value again made this pass
    about five times faster on 10^6 values (docs/benchmarks.md).

    >>> gather_bins(np.array([0.05, 0.5, 2.0]), np.array([1, 6, 9]), np.eye(10, dtype=bool)[6])
    array([0.5])
    """
    return _gather_bins(x, bin_of, flag)
