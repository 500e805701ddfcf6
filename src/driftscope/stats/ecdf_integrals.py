"""Wasserstein-1 and energy distances as ECDF integrals, in ``O(m log n)`` per batch.

``W1 = ∫ |F_ref - F_cur| dx`` and ``energy = sqrt(2 ∫ (F_ref - F_cur)^2 dx)`` (SciPy's
definitions). Between consecutive distinct current values ``F_cur`` is a constant ``c``;
the reference ECDF steps inside such an interval are integrated with prefix sums cached on
the :class:`~driftscope.stats.ecdf.SortedSample`, so a check touches only ``O(m)``
reference positions found by binary search. ``SortedSample.cached`` keeps the tables (about
two float64 arrays of ``n_unique`` values per power: 320 MB for 10^7 distinct values and
both powers) on the sample; they are built in ``O(n)`` on the first call.

>>> import numpy as np
>>> from driftscope.stats.ecdf import SortedSample
>>> rng = np.random.default_rng(0)
>>> ref = SortedSample.from_array(rng.normal(size=10_000))
>>> cur = rng.normal(0.5, 1.0, size=1_000)
>>> round(wasserstein(ref, cur), 2), round(energy(ref, cur), 2)
(0.47, 0.35)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

from driftscope.stats._magnitude import exponent_for, ldexp_saturating
from driftscope.stats._validate import as_sample
from driftscope.stats.ecdf import (
    SortedSample,
    as_reference,
    sorted_sample_values,
    unique_cumcounts,
)


def _prefix_dd(terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums ``P[j] = sum(terms[:j])`` (length ``len(terms) + 1``) as a double-double
    pair ``(hi, lo)``: ``hi`` is the float64 ``cumsum`` and ``lo`` accumulates the rounding
    error of each addition, recovered exactly by Knuth's TwoSum. ``hi[j] - hi[i] + lo[j] -
    lo[i]`` is then accurate relative to the *difference*, not to the (possibly much larger)
    prefix sums themselves.
    """
    hi = np.empty(terms.size + 1)
    hi[0] = 0.0
    np.cumsum(terms, out=hi[1:])
    prev = hi[:-1]
    s = prev + terms
    bb = s - prev
    err = (prev - (s - bb)) + (terms - bb)
    err += s - hi[1:]  # zero as cumsum adds sequentially; exact (Sterbenz) otherwise
    lo = np.empty_like(hi)
    lo[0] = 0.0
    np.cumsum(err, out=lo[1:])
    return hi, lo


@dataclass(frozen=True, slots=True)
class _Tables:
    """Prefix sums of one power of the reference ECDF, anchored at the nearer end.

    With ``F_k = cumcounts[k] / n`` on ``[v_k, v_{k+1})``, ``G_k = 1 - F_k`` and ``g_k =
    v_{k+1} - v_k``: ``low`` holds prefix sums of ``F_k**power * g_k`` for ``k < h`` and
    ``high`` suffix sums of ``G_k**power * g_k`` for ``k >= h``, where ``h`` is the first
    index with ``F_k > 1/2``. Anchoring each half at the end where the ECDF is 0 or 1 keeps
    the terms small in long tails, where ``F`` and ``F_cur`` are both close to 0 or 1.
    """

    h: int
    low: tuple[np.ndarray, np.ndarray]  # low[j] = sum_{k<j} F_k**p g_k, j in [0, h]
    high: tuple[np.ndarray, np.ndarray]  # high[j - h] = sum_{j<=k<K-1} G_k**p g_k, j >= h


def _build_tables(power: int) -> Callable[[SortedSample], _Tables]:
    def build(ref: SortedSample) -> _Tables:
        v = ref.values
        k_unique = v.size
        cum = np.arange(1, k_unique + 1, dtype=np.int64) if ref.cumcounts is None else ref.cumcounts
        h = int(np.searchsorted(2 * cum, ref.n, side="right"))  # first k: 2 cum_k > n
        gaps = np.diff(v)  # g_k, k in [0, K-1)
        f = cum[:h] / ref.n
        low = _prefix_dd(gaps[:h] * (f if power == 1 else f * f))
        g_upper = (ref.n - cum[h : k_unique - 1]) / ref.n
        terms = gaps[h:] * (g_upper if power == 1 else g_upper * g_upper)
        hi_rev, lo_rev = _prefix_dd(terms[::-1])  # suffix sums, reversed
        high = (hi_rev[::-1].copy(), lo_rev[::-1].copy())
        return _Tables(h, low, high)

    return build


def _tables(ref: SortedSample, power: int) -> _Tables:
    return ref.cached(f"ecdf_integral_tables_{power}", _build_tables(power))


def _low_sum(t: _Tables, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """sum_{i<=k<j} F_k**p g_k for ``i <= j <= h``."""
    hi, lo = t.low
    return (hi[j] - hi[i]) + (lo[j] - lo[i])


def _high_sum(t: _Tables, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """sum_{i<=k<j} G_k**p g_k for ``h <= i <= j``."""
    hi, lo = t.high
    return (hi[i - t.h] - hi[j - t.h]) + (lo[i - t.h] - lo[j - t.h])


def _linear(
    t1: _Tables, v: np.ndarray, i: np.ndarray, j: np.ndarray, c: np.ndarray, c_bar: np.ndarray
) -> np.ndarray:
    """sum_{i<=k<j} (F_k - c) g_k; ``c_bar = 1 - c`` (given exactly)."""
    mid_lo = np.minimum(j, t1.h)
    mid_hi = np.maximum(np.maximum(i, t1.h), mid_lo)
    i_low = np.minimum(i, mid_lo)
    part_f = _low_sum(t1, i_low, mid_lo) - c * (v[mid_lo] - v[i_low])
    j_high = np.maximum(j, mid_hi)
    # on the upper half F - c = (1 - c) - G
    part_g = c_bar * (v[j_high] - v[mid_hi]) - _high_sum(t1, mid_hi, j_high)
    return part_f + part_g


def _quadratic(
    t1: _Tables,
    t2: _Tables,
    v: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    c: np.ndarray,
    c_bar: np.ndarray,
) -> np.ndarray:
    """sum_{i<=k<j} (F_k - c)^2 g_k, each half expanded around its own anchor."""
    mid_lo = np.minimum(j, t1.h)
    mid_hi = np.maximum(np.maximum(i, t1.h), mid_lo)
    i_low = np.minimum(i, mid_lo)
    part_f = (
        _low_sum(t2, i_low, mid_lo)
        - 2.0 * c * _low_sum(t1, i_low, mid_lo)
        + c * c * (v[mid_lo] - v[i_low])
    )
    j_high = np.maximum(j, mid_hi)
    part_g = (
        _high_sum(t2, mid_hi, j_high)
        - 2.0 * c_bar * _high_sum(t1, mid_hi, j_high)
        + c_bar * c_bar * (v[j_high] - v[mid_hi])
    )
    return np.maximum(part_f, 0.0) + np.maximum(part_g, 0.0)


def _integral(ref: SortedSample, cur: np.ndarray, power: int) -> float:
    """``∫ |F_ref - F_cur|**power dx`` over the real line (``power`` 1 or 2), ``cur`` sorted
    and finite (from :func:`_rescaled_pair`).

    Segments: ``[u_{j-1}, u_j)`` with ``c = C_{j-1}/m`` for the distinct current values
    ``u``, plus the left tail ``[min(v_0, u_0), u_0)`` with ``c = 0`` and the right tail
    ``[u_{J-1}, max(v_last, u_{J-1}))`` with ``c = 1`` (outside these the integrand is 0).
    Within a segment ``[a, b)`` let ``v_p .. v_{q-1}`` be the reference's distinct values in
    ``(a, b)``. The integral is the edge piece ``[a, v_p)`` (F_ref = F(a)), the inner steps
    ``[v_k, v_{k+1})`` for ``p <= k < q-1`` (prefix sums), and the edge piece
    ``[v_{q-1}, b)``; with no reference value inside, ``F_ref = F(a)`` on all of ``[a, b)``.
    For ``power == 1`` the inner steps are split where the monotone ``F_ref`` crosses ``c``
    (found by one ``searchsorted`` on the cumulative counts), so that each part is a signed
    difference of prefix sums without an absolute value.

    Accuracy: edge pieces use exact integer numerators for ``F - c``; prefix sums are
    double-double and anchored at the nearer end of the ECDF (see ``_Tables``), so the only
    cancellation left is local to a segment.
    """
    u, ccum = unique_cumcounts(cur)
    v = ref.values
    n, m = ref.n, cur.size
    k_unique = v.size
    # Segment starts a, ends b, and the current count C on each segment.
    a = np.concatenate(([min(v[0], u[0])], u))
    b = np.concatenate((u, [max(v[-1], u[-1])]))
    c_count = np.concatenate(([0], ccum))  # C_{j-1}; the last segment has C = m
    # One searchsorted gives p (# values <= a) and q (# values < b) for the inner segments.
    idx_left = np.searchsorted(v, u, side="left")
    hit = v[np.minimum(idx_left, k_unique - 1)] == u
    p = np.concatenate(([np.searchsorted(v, a[0], side="right")], idx_left + hit))
    q = np.concatenate((idx_left, [np.searchsorted(v, b[-1], side="left")]))

    cum_all = ref.cumcounts

    def cum_before(idx: np.ndarray) -> np.ndarray:
        """``cumcounts[idx - 1]`` (0 for ``idx == 0``): # points below ``values[idx]``."""
        if cum_all is None:
            return idx.astype(np.int64)
        return np.where(idx > 0, cum_all[np.maximum(idx - 1, 0)], 0)

    # Exact integer numerators: F_k - c = (cum_k * m - C * n) / (n * m).
    nm = float(n) * float(m)
    d_start = (cum_before(p) * m - c_count * n) / nm  # F(a) - c
    inner = q > p
    length_start = np.where(inner, v[np.minimum(p, k_unique - 1)], b) - a
    total = np.abs(d_start) ** power * length_start

    if inner.any():
        pi, qi, cci = p[inner], q[inner], c_count[inner]
        ci = cci / m
        ci_bar = (m - cci) / m
        d_end = (cum_before(qi) * m - cci * n) / nm  # F_{q-1} - c
        total_inner = np.abs(d_end) ** power * (b[inner] - v[qi - 1])
        last = qi - 1  # inner steps are k in [p, last)
        t1 = _tables(ref, 1)
        if power == 1:
            # r = first k with F_k > c  <=>  cum_k > floor(C*n/m)
            thr = (cci * n) // m
            if cum_all is None:
                r = np.minimum(thr, k_unique)
            else:
                r = np.searchsorted(cum_all, thr, side="right")
            r = np.clip(r, pi, last)
            below = -_linear(t1, v, pi, r, ci, ci_bar)  # ∫ (c - F) where F <= c
            above = _linear(t1, v, r, last, ci, ci_bar)  # ∫ (F - c) where F > c
            total_inner += np.maximum(below, 0.0) + np.maximum(above, 0.0)
        else:
            t2 = _tables(ref, 2)
            total_inner += _quadratic(t1, t2, v, pi, last, ci, ci_bar)
        total[inner] += total_inner
    return float(np.sum(total))


def _rescaled_pair(
    reference: SortedSample | ArrayLike, current: ArrayLike
) -> tuple[SortedSample, np.ndarray, int]:
    """The fitted reference and the sorted current values, both multiplied by ``2**-e``
    when their magnitudes would overflow (or underflow) the integrals, and ``e``."""
    ref = as_reference(reference)
    cur = sorted_sample_values(current)
    e = exponent_for(max(abs(ref.min), abs(ref.max), abs(cur[0]), abs(cur[-1])))
    if e == 0:
        return ref, cur, 0
    return ref.rescaled(e), np.ldexp(cur, -e), e


def wasserstein(reference: SortedSample | ArrayLike, current: ArrayLike) -> float:
    """Wasserstein-1 (earth mover's) distance ``∫ |F_ref - F_cur| dx``, equal to
    ``scipy.stats.wasserstein_distance(reference_raw, current)``; ``O(m log n)`` for a fitted
    reference after a one-off ``O(n)`` prefix-sum build cached on it. Values near the ends of
    the float64 range are integrated rescaled by a power of two; a distance beyond the
    float64 range is ``inf``.

    >>> wasserstein([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    5.0
    >>> wasserstein([-1e308], [1e308])
    inf
    """
    ref, cur, e = _rescaled_pair(reference, current)
    return ldexp_saturating(_integral(ref, cur, 1), e)


def energy(reference: SortedSample | ArrayLike, current: ArrayLike) -> float:
    """Energy distance ``sqrt(2 ∫ (F_ref - F_cur)^2 dx)``, equal to
    ``scipy.stats.energy_distance(reference_raw, current)`` (rescaled by a power of two near
    the ends of the float64 range, like :func:`wasserstein`).

    >>> round(energy([0.0, 1.0], [0.0, 1.0, 2.0]), 4)
    0.527
    """
    ref, cur, e = _rescaled_pair(reference, current)
    root = math.sqrt(2.0) * math.sqrt(_integral(ref, cur, 2))
    half, odd = divmod(e, 2)
    return ldexp_saturating(root * (math.sqrt(2.0) if odd else 1.0), half)


#: IQR / IQR_PER_SIGMA estimates the standard deviation of a normal variable.
IQR_PER_SIGMA = 2.0 * float(NormalDist().inv_cdf(0.75))
#: The scale is at most this many IQR / IQR_PER_SIGMA (see :func:`spread`).
SPREAD_CAP = 2.0


def spread(reference: SortedSample | ArrayLike, current: ArrayLike) -> float:
    """The scale used to normalise distances: the reference's standard deviation
    (``ddof=0``), capped at twice its interquartile range divided by 1.349 (the standard
    deviation of a normal variable with that IQR). The cap leaves ordinary data alone (a
    normal, exponential or Student-t sample is far below it; so is any sample of two or
    three values) and stops a few extreme values, which inflate the standard deviation
    without bound, from making every shift of the bulk look small; it applies only when the
    IQR is positive. If the reference has a single distinct value: the standard deviation
    (``ddof=0``) of the pooled sample reference + current, from the two samples' moments
    (Chan et al.'s combination); ``0.0`` when both are the same constant. Finite for all
    finite inputs (moments of huge or tiny values are taken on rescaled values).

    >>> spread([1.0, 3.0], [10.0])
    1.0
    >>> spread([1.0, 1.0], [3.0, 3.0])
    1.0
    >>> spread([2.0], [2.0, 2.0])
    0.0
    >>> spread([-1e308, 1e308], [0.0])
    1e+308
    >>> round(spread([0.0, 1.0, 2.0, 3.0, 1e308], [0.0]), 4)  # std 4e307, IQR 2: the cap
    2.9652
    """
    ref = as_reference(reference)
    if ref.n_unique > 1:
        return ref.cached("spread", _reference_spread)
    cur = as_sample(current, "current")
    lo, hi = float(cur.min()), float(cur.max())
    if lo == hi == ref.min:
        return 0.0
    e = exponent_for(max(abs(ref.min), abs(lo), abs(hi)))
    if e:
        cur = np.ldexp(cur, -e)
    cur_mean = float(np.mean(cur))
    cur_m2 = float(np.sum((cur - cur_mean) ** 2))
    n, m = ref.n, cur.size
    delta = cur_mean - math.ldexp(ref.mean, -e)
    pooled_m2 = cur_m2 + delta * delta * n * m / (n + m)  # the reference's m2 is 0
    return ldexp_saturating(math.sqrt(pooled_m2 / (n + m)), e)


def _reference_spread(ref: SortedSample) -> float:
    q1, q3 = (float(q) for q in ref.quantile([0.25, 0.75]))
    iqr_sigma = (q3 / 2.0 - q1 / 2.0) / (IQR_PER_SIGMA / 2.0)  # halves: no overflow
    std = ref.std
    return min(std, SPREAD_CAP * iqr_sigma) if iqr_sigma > 0.0 else std


def wasserstein_normed(reference: SortedSample | ArrayLike, current: ArrayLike) -> float:
    """Wasserstein-1 distance in units of :func:`spread`: the reference's standard deviation
    (``ddof=0``, capped at twice IQR/1.349), or — when the reference has a single distinct
    value — the standard deviation of the pooled sample reference + current.
    If that is zero too, both samples are the same constant and the result is ``0.0``.
    Both are scale-equivariant, so they are taken on values rescaled by a power of two when
    the values lie near the ends of the float64 range: the result is finite for all finite
    inputs.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(wasserstein_normed(rng.normal(0, 2, 5000), rng.normal(1, 2, 5000)), 1)
    0.5
    >>> wasserstein_normed([1.0, 1.0], [3.0, 3.0])
    2.0
    >>> wasserstein_normed([-1e308, 1e308], [-1e308, -1e308])
    1.0
    >>> round(wasserstein_normed([0.0, 1.0, 2.0, 3.0, 1e308], [1.0, 2.0, 3.0, 4.0, 1e308]), 3)
    0.27
    """
    ref, cur, _ = _rescaled_pair(reference, current)
    w = _integral(ref, cur, 1)
    scale = spread(ref, cur)
    if w == 0.0 or scale == 0.0:
        return 0.0
    return w / scale


def energy_normed(reference: SortedSample | ArrayLike, current: ArrayLike) -> float:
    """Energy distance divided by the square root of :func:`spread` (energy has the units
    of the square root of the values), so that it does not depend on the units; computed on
    rescaled values like :func:`wasserstein_normed`. ``0.0`` when both samples are the same
    constant.

    >>> round(energy_normed([0.0, 2.0], [0.0, 2.0, 4.0]), 4)
    0.7454
    >>> round(energy_normed([-1e308, 1e308], [-1e308, -1e308]), 4)
    1.0
    """
    ref, cur, _ = _rescaled_pair(reference, current)
    scale = spread(ref, cur)
    if scale == 0.0:
        return 0.0
    return math.sqrt(2.0 * _integral(ref, cur, 2)) / math.sqrt(scale)
