"""How much of the data moved, with confidence bounds: the effect size of the default verdict.

The *share moved* between two distributions is the largest difference in probability they give
to one set of values: the Kolmogorov-Smirnov distance ``D = max |F(x) - G(x)|`` over half-lines
for numbers, the total variation distance over all sets of categories for categories. 0.03
means "at most 3 % of the rows would have to move to turn one distribution into the other, on
the best-placed threshold or set of levels". It is unchanged by any monotone transformation
of a numerical column (logarithm, rank, units), and it grows with a change of location,
spread or shape alike.

Bounds, each holding with probability at least ``confidence``:

- **upper**: at the set ``A*`` where the true distance is reached, the estimate is at least
  the observed gap there, and that gap is a difference of two independent proportions whose
  variance is at most ``(1/n + 1/m) / 4``: ``D <= D̂ + z · sqrt((1/n + 1/m) / 4)``. It needs
  no assumption on the distributions and is one-sided, so it is tight;
- **lower**: the estimate exceeds the true distance by at most the largest sampling error
  over all sets at once: the Dvoretzky-Kiefer-Wolfowitz bound (Massart's constant) on each
  side for half-lines, the Bretagnolle-Huber-Carol bound over ``cells`` levels for categories.

>>> low, high = share_moved_bounds(0.05, 20_000, 20_000)
>>> round(low, 4), round(high, 4)
(0.0291, 0.0582)
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special
from numpy.typing import ArrayLike

from driftscope.stats.sparse_categories import frequent_levels


def share_moved_bounds(
    estimate: float, n: int, m: int, confidence: float = 0.95, cells: int | None = None
) -> tuple[float, float]:
    """Lower and upper confidence bounds on the true share moved, from its estimate on
    samples of ``n`` and ``m`` values. ``cells`` is the number of categories compared (the
    total variation distance), ``None`` for numbers (the Kolmogorov-Smirnov distance).
    Clipped to [0, 1]; ``(0, 1)`` when a side is empty.

    >>> [round(b, 3) for b in share_moved_bounds(0.0, 200, 200)]
    [0.0, 0.082]
    >>> [round(b, 3) for b in share_moved_bounds(0.2, 2_000, 2_000, cells=5)]
    [0.115, 0.226]
    """
    if n <= 0 or m <= 0 or not math.isfinite(estimate):
        return 0.0, 1.0
    alpha = 1.0 - confidence
    z = float(scipy.special.ndtri(confidence))
    upper = estimate + z * math.sqrt((1.0 / n + 1.0 / m) / 4.0)
    error = sum(_uniform_error(size, alpha / 2.0, cells) for size in (n, m))
    return max(estimate - error, 0.0), min(upper, 1.0)


def _uniform_error(size: int, alpha: float, cells: int | None) -> float:
    """A bound, holding with probability ``1 - alpha``, on the largest error of one sample's
    empirical probabilities over all half-lines (``cells`` None) or all sets of ``cells``
    levels."""
    if cells is None:  # P(sup |F_n - F| > e) <= 2 exp(-2 n e^2)
        return math.sqrt(math.log(2.0 / alpha) / (2.0 * size))
    # P(||p_n - p||_1 >= e) <= 2^k exp(-n e^2 / 2); total variation is half the L1 distance
    l1 = math.sqrt(2.0 * (max(cells, 1) * math.log(2.0) + math.log(1.0 / alpha)) / size)
    return l1 / 2.0


def categorical_share_moved(ref_counts: ArrayLike, cur_counts: ArrayLike) -> tuple[float, int]:
    """The share of the data that moved between two samples of categories (aligned count
    vectors), and the number of cells it was measured on.

    The levels seen often enough (:func:`~driftscope.stats.sparse_categories.frequent_levels`,
    the rule of :func:`~driftscope.stats.pool_rare_levels`) are compared one by one. The rare
    ones are compared as two groups: *rare levels the reference has*, and *levels new to the
    reference*. The reference's share of new levels is its Good-Turing estimate, the share of
    the reference's values that are the only one of their level (a column of ids, every
    value new, has 100 %); production's is the share of its values on rare levels the
    reference lacks. So a column whose every value is new, before and after, has moved
    nothing, while production moving to another range of ids, or one id taking 9 % of the
    rows, moves that much.

    >>> categorical_share_moved([40, 30, 30], [30, 30, 40])
    (0.1, 3)
    >>> categorical_share_moved([1] * 200 + [0] * 200, [0] * 200 + [1] * 200)  # all new: ids
    (0.0, 1)
    """
    ref = np.asarray(ref_counts, dtype=np.float64)
    cur = np.asarray(cur_counts, dtype=np.float64)
    n, m = ref.sum(), cur.sum()
    if not (n > 0 and m > 0):
        return float("nan"), 0
    total = ref + cur
    kept = frequent_levels(total, n, m)
    rare = ~kept & (total > 0)
    singletons = float(np.sum(rare & (ref == 1)))
    rare_in_reference = float(ref[rare].sum())
    reference = np.append(ref[kept] / n, [(rare_in_reference - singletons) / n, singletons / n])
    current = np.append(
        cur[kept] / m,
        [cur[rare & (ref > 0)].sum() / m, cur[rare & (ref == 0)].sum() / m],
    )
    used = (reference > 0) | (current > 0)
    distance = 0.5 * float(np.abs(reference - current).sum())
    return round(min(distance, 1.0), 15), int(used.sum())
