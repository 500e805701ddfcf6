"""Shares (proportions): effective sample size, effect size and one-sided tests.

Weighted rows (sampling weights that undo a sampler) count as Kish's effective number
of rows, ``(Σw)² / Σw²``; a share's change is sized by Cohen's ``h`` and tested with
both sample sizes, so 30 rows are not taken for 30,000.

>>> round(cohens_h(0.01, 0.15), 2), kish_effective_n([1.0, 1.0, 2.0])
(0.6, 2.6666666666666665)
>>> round(share_test(100, 10_000, 45, 3_000, "greater"), 4)
0.0165
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betainc
from scipy.stats import hypergeom

Alternative = Literal["greater", "less", "two-sided"]
ALTERNATIVES: tuple[str, ...] = ("greater", "less", "two-sided")


def kish_effective_n(weights: ArrayLike) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` of weighted rows (``n`` when every
    weight is equal; 0.0 for no rows or zero weights).

    >>> kish_effective_n([2.0, 2.0, 2.0]), kish_effective_n([])
    (3.0, 0.0)
    """
    w = np.asarray(weights, dtype=np.float64)
    s2 = float(np.square(w).sum())
    return float(w.sum()) ** 2 / s2 if s2 > 0 else 0.0


def cohens_h(p0: float, p1: float) -> float:
    """Cohen's ``h = |2 asin √p1 - 2 asin √p0|``, the effect size of a change of share
    from ``p0`` to ``p1`` (shares clipped to [0, 1]); 0.2 is "small", 0.5 "medium".

    >>> cohens_h(0.5, 0.5), round(cohens_h(0.0, 1.0), 6)
    (0.0, 3.141593)
    """
    a, b = (2.0 * math.asin(math.sqrt(min(max(p, 0.0), 1.0))) for p in (p0, p1))
    return abs(b - a)


def share_test(k0: int, n0: int, k1: int, n1: int, alternative: Alternative = "greater") -> float:
    """p-value of Fisher's exact test that the share ``k1 / n1`` (the second sample) is
    greater than (``"greater"``), less than (``"less"``) or different from
    (``"two-sided"``: twice the smaller one-sided p-value, at most 1) the share
    ``k0 / n0``. Equals ``scipy.stats.fisher_exact([[k1, n1 - k1], [k0, n0 - k0]],
    alternative=...)`` for the one-sided alternatives.

    >>> share_test(0, 10, 0, 10, "greater")
    1.0
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    if not (0 <= k0 <= n0 and 0 <= k1 <= n1):
        raise ValueError(f"counts must satisfy 0 <= k <= n, got {k0}/{n0} and {k1}/{n1}")
    greater = float(hypergeom.sf(k1 - 1, n0 + n1, k0 + k1, n1))  # P(X >= k1)
    less = float(hypergeom.cdf(k1, n0 + n1, k0 + k1, n1))  # P(X <= k1)
    if alternative == "greater":
        return min(greater, 1.0)
    if alternative == "less":
        return min(less, 1.0)
    return min(1.0, 2.0 * min(greater, less))


def binomial_upper_p_value(k: float, n: float, p: float) -> float:
    """``P(X >= k)`` for ``X ~ Binomial(n, p)``: the one-sided p-value of "the true rate
    is at most ``p``" after ``k`` events in ``n`` trials. ``k`` and ``n`` may be effective
    (non-integer) counts: the tail is then the regularized incomplete beta function
    ``I_p(k, n - k + 1)``, which equals the binomial tail for whole numbers.

    >>> round(binomial_upper_p_value(1, 3, 0.05), 3), binomial_upper_p_value(0, 100, 0.05)
    (0.143, 1.0)
    """
    if k <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    return float(betainc(k, n - k + 1.0, p))
