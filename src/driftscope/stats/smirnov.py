"""Smirnov's exact one-sided KS tail, compiled: ``scipy.special.smirnov(n, d)`` without the
GIL and about a hundred times faster for large ``n``.

``P(D_n^+ >= d) = d * sum_{j=0}^{floor(n(1-d))} C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1)``
(Birnbaum and Tingey, 1951): every term is positive, so it is summed in log space from the
largest term (no overflow, no cancellation). ``log C(n, j)`` is built up one ratio at a
time by compensated (Kahan) summation, without which a million additions to a total near
``n log 2`` lose 1e-8; ``log(1 - d - j/n)`` is taken by ``log1p``. SciPy's ``kstwo.sf``
uses ``2 * smirnov(n, d)`` when ``n > 140`` and ``2.2 <= n d² < 370``; there cephes sums
the same series holding the GIL (about 0.2 s at ``n`` = 1.7 × 10^5). The two agree to
about 1e-13 relative (tested over a grid of ``n`` and ``d``; against a 45-digit evaluation
at ``n`` = 10^6, cephes is within 4e-16 and this within 2e-13).

>>> import scipy.special
>>> round(smirnov_sf(200_000, 0.004) / float(scipy.special.smirnov(200_000, 0.004)), 9)
1.0
"""

from __future__ import annotations

import math

import numpy as np

from driftscope.core._jit import njit


@njit
def _log_terms(n: int, d: float) -> np.ndarray:
    last = int(math.floor(n * (1.0 - d)))  # noqa: RUF046 - Numba's floor gives a float
    out = np.empty(last + 1)
    log_c, carry = 0.0, 0.0  # log C(n, j), summed with Kahan's compensation
    for j in range(last + 1):
        if j > 0:
            step = math.log((n - j + 1) / j) - carry
            total = log_c + step
            carry = (total - log_c) - step
            log_c = total
        high = d + j / n  # 1 - high, the other base, through log1p: no digits lost
        log_low = 0.0 if n - j == 0 else (n - j) * math.log1p(-high) if high < 1 else -math.inf
        out[j] = log_c + log_low + (j - 1) * math.log(high)
    return out


@njit
def _smirnov(n: int, d: float) -> float:
    terms = _log_terms(n, d)
    top = terms.max()
    total = 0.0
    for t in terms:
        total += math.exp(t - top)
    return d * total * math.exp(top)


def smirnov_sf(n: int, d: float) -> float:
    """``P(D_n^+ >= d)`` for ``n`` >= 1 (see the module docstring); 1 for ``d <= 0``, 0 for
    ``d >= 1``."""
    if d <= 0:
        return 1.0
    if d >= 1:
        return 0.0
    return float(_smirnov(int(n), float(d)))
