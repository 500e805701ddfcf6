"""Power-of-two rescaling for values near the ends of the float64 range (internal).

Differences, squares and sums of finite float64 values overflow once the values approach
``1.8e308`` (``1e308 - (-1e308)`` is ``inf``; squares overflow from ``1.4e154``) and squares
underflow to zero below ``1e-162``. Every scale-equivariant statistic (a mean, a standard
deviation, a Wasserstein or energy distance, a kernel bandwidth) is therefore computed on the
values multiplied by ``2**-e``, which is exact in binary floating point, and the result is
multiplied back (or, for a ratio such as "Wasserstein in standard deviations", left as is).
Inside the safe band no rescaling happens, so ordinary data gives bitwise the same numbers.

>>> exponent_for(3.0), exponent_for(1e308), exponent_for(1e-310)
(0, 1024, -1029)
>>> ldexp_saturating(0.75, 1025), ldexp_saturating(0.75, 4)
(inf, 12.0)
"""

from __future__ import annotations

import math

#: Magnitudes in [2**SAFE_LOW, 2**SAFE_HIGH) are used as they are: sums of squares of up
#: to 2**100 such values stay finite and normal.
SAFE_HIGH = 400
SAFE_LOW = -300


def exponent_for(largest_magnitude: float) -> int:
    """0 when values up to ``largest_magnitude`` in absolute value can be differenced,
    squared and summed as they are; otherwise the exponent ``e`` with
    ``largest_magnitude * 2**-e`` in ``[0.5, 1)``.

    >>> exponent_for(3.0), exponent_for(1e308), exponent_for(1e-310)
    (0, 1024, -1029)
    """
    big = abs(float(largest_magnitude))
    if big == 0.0 or math.ldexp(1.0, SAFE_LOW) <= big < math.ldexp(1.0, SAFE_HIGH):
        return 0
    return math.frexp(big)[1]


def ldexp_saturating(x: float, e: int) -> float:
    """``x * 2**e`` that returns ``±inf`` instead of raising on overflow.

    >>> ldexp_saturating(0.75, 4), ldexp_saturating(-0.75, 1025)
    (12.0, -inf)
    """
    x = float(x)
    if x == 0.0 or not math.isfinite(x):
        return x
    if math.frexp(x)[1] + e > 1024:
        return math.copysign(math.inf, x)
    return math.ldexp(x, e)
