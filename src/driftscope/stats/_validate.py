"""Argument checks shared by the stats modules (internal).

>>> as_sample([3, 1, 2]).dtype
dtype('float64')
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import ConfigError


def as_sample(x: ArrayLike, name: str = "sample") -> np.ndarray:
    """Return ``x`` as a non-empty, finite, one-dimensional float64 array.

    Raises ValueError when the sample is empty, not one-dimensional or holds NaN/inf.

    >>> as_sample([1.0, 2.0], "current").shape
    (2,)
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: at least one value is needed")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def as_counts(x: ArrayLike, name: str) -> np.ndarray:
    """Return a vector of counts (or weights) as float64: 1-D, finite, non-negative, sum > 0.

    >>> as_counts([0, 3, 1], "reference counts")
    array([0., 3., 1.])
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: at least one category is needed")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative counts")
    if not arr.sum() > 0:
        raise ValueError(f"{name} sum to zero: the sample is empty")
    return arr


def check_aligned(ref: np.ndarray, cur: np.ndarray) -> None:
    """Raise ValueError unless the two count vectors have the same length.

    >>> check_aligned(np.ones(3), np.ones(3))
    """
    if ref.shape != cur.shape:
        raise ValueError(
            f"reference and current counts are not aligned: {ref.size} vs {cur.size} categories"
        )


def check_probability(value: float, name: str, *, low_open: bool = True) -> float:
    """Return ``value`` as float if it lies in (0, 1) (or [0, 1) when ``low_open`` is False).

    >>> check_probability(0.05, "alpha")
    0.05
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number in (0, 1), got {value!r}") from None
    ok = (0.0 < v < 1.0) if low_open else (0.0 <= v < 1.0)
    if not ok:
        raise ConfigError(f"{name} must lie in {'(' if low_open else '['}0, 1), got {value!r}")
    return v
