"""How large a change a drift check can see with the values it has: the power notes.

A two-sample test compares ``n`` reference values with ``m`` current ones. Two sizes matter:

- **Whether it can reject at all.** The most extreme outcome of any rank or permutation test
  is complete separation (every current value above, or below, every reference value); with
  no drift it has probability ``2 / C(n + m, n)``. When that is not below the significance
  level, no data whatsoever can make the test reject: one reference row against 30 current
  rows, or three against three, can never show drift at 0.05.
- **How small a change it can see.** The KS test at level α rejects only when the largest
  gap between the two distribution functions exceeds ``c(α) · sqrt(1/n + 1/m)`` with
  ``c(α) = sqrt(-ln(α/2) / 2)`` (1.36 at 0.05). When that detectable gap exceeds
  :data:`MIN_DETECTABLE` (a quarter of the distribution moved, e.g. a normal variable
  shifted by about 0.65 standard deviations), a "no drift" verdict only rules out large
  changes; with a large other side this happens below about 30 values, the classic rule of
  thumb, here with its reason.

Both give a note on the column (and, for the row counts of the whole data set, on the
result), so a verdict on one-row files never reads like a verdict on a thousand.

>>> smallest_p_value(1, 1), smallest_p_value(3, 3)
(1.0, 0.1)
>>> round(detectable_gap(30, 10**6, 0.05), 3)
0.248
>>> note = power_note(1, 1000, 0.05)  # one row: the test can reject, but only huge changes
>>> note.startswith("low power") and "moves the whole distribution" in note
True
>>> power_note(3, 3, 0.05).startswith("too few values to detect any drift")
True
>>> power_note(500, 800, 0.05) is None
True
"""

from __future__ import annotations

import math

#: A check whose smallest detectable KS distance exceeds this gets a low-power note.
MIN_DETECTABLE = 0.25


def smallest_p_value(n: int, m: int) -> float:
    """``2 / C(n + m, n)`` (at most 1): the smallest p-value any two-sided rank or
    permutation test can give for samples of ``n`` and ``m`` values."""
    if n < 1 or m < 1:
        return 1.0
    log_c = math.lgamma(n + m + 1) - math.lgamma(n + 1) - math.lgamma(m + 1)
    return min(1.0, 2.0 * math.exp(-log_c))


def detectable_gap(n: int, m: int, alpha: float) -> float:
    """The smallest KS distance that the asymptotic KS test at level ``alpha`` rejects for
    samples of ``n`` and ``m`` values: ``sqrt(-ln(alpha/2)/2) * sqrt(1/n + 1/m)``."""
    if n < 1 or m < 1:
        return math.inf
    return math.sqrt(-math.log(alpha / 2.0) / 2.0) * math.sqrt(1.0 / n + 1.0 / m)


def power_note(n: int, m: int, alpha: float, unit: str = "values") -> str | None:
    """The note for a check of ``n`` reference and ``m`` current ``unit`` at level
    ``alpha``, or None when it can see changes of :data:`MIN_DETECTABLE` or less."""
    sizes = f"{n:,} reference and {m:,} current {unit}"
    p_min = smallest_p_value(n, m)
    if p_min >= alpha:
        return (
            f"too few values to detect any drift: with {sizes} even completely separated "
            f'samples give p ≥ {p_min:.2g} (α={alpha:g}), so "no drift" says nothing about '
            "these data"
        )
    gap = detectable_gap(n, m, alpha)
    if gap <= MIN_DETECTABLE:
        return None
    if gap >= 1.0:
        change = "moves the whole distribution (a KS distance of 1)"
    else:
        change = f"moves at least {gap:.0%} of the distribution (a KS distance of {gap:.2f})"
    return (
        f"low power: with {sizes} a test at α={alpha:g} can only detect a change that "
        f'{change}, so "no drift" rules out only large changes'
    )
