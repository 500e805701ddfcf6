"""Integer parameters and whole batches of values for the streaming detectors.

:func:`check_int` is :func:`~driftscope.stream.base.check_range` for counts and sizes.
:func:`split_batch` applies ``StreamDetector._valid``'s rules to a whole array at once, so
``update_many`` can hand the valid values to a compiled loop and map its detections back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from driftscope.errors import ConfigError


def check_int(name: str, value: Any, low: int, high: float = math.inf) -> Any:
    """``value`` when it is an integer in ``[low, high]``, else a ConfigError naming it.

    >>> check_int("clock", 32, 1)
    32
    >>> check_int("clock", 0.5, 1)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: clock must be an integer >= 1, got 0.5
    """
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not ok or not low <= value <= high:
        bound = f">= {low}" if high == math.inf else f"in [{low}, {high}]"
        raise ConfigError(f"{name} must be an integer {bound}, got {value!r}")
    return value


def _as_float(x: Any, binary: bool) -> float | None:
    """The rule of ``StreamDetector._valid`` without its side effects."""
    if isinstance(x, bool | np.bool_):
        return float(x)
    if isinstance(x, int | float | np.integer | np.floating):
        try:
            value = float(x)
        except OverflowError:
            return None
        if math.isfinite(value) and (not binary or value in (0.0, 1.0)):
            return value
    return None


def as_array(values: Any) -> np.ndarray:
    """``values`` as a flat array of numbers, or of the original objects when some are not.

    Iterators are consumed; a mixed list keeps its numbers (NumPy would turn them to text).
    """
    lazy = not isinstance(values, np.ndarray | list | tuple | str | bytes)
    if lazy and not hasattr(values, "__array__") and hasattr(values, "__iter__"):
        values = list(values)
    try:
        arr = np.asarray(values)
    except ValueError:  # ragged
        arr = np.asarray(values, dtype=object)
    if arr.dtype.kind not in "fiub":
        arr = np.asarray(values, dtype=object)
    return arr.ravel()


def split_batch(arr: np.ndarray, binary: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The valid values of ``arr`` as float64, and their positions (None when all are valid).

    >>> split_batch(np.array([1.0, np.nan, 3.0]), binary=False)
    (array([1., 3.]), array([0, 2]))
    """
    if arr.dtype.kind in "fiub":
        floats = arr.astype(np.float64)
        ok = np.isfinite(floats) if arr.dtype.kind == "f" else np.ones(len(arr), dtype=bool)
        if binary:
            ok &= (floats == 0.0) | (floats == 1.0)
    else:
        floats = np.zeros(len(arr))
        ok = np.zeros(len(arr), dtype=bool)
        for i, x in enumerate(arr.tolist()):
            value = _as_float(x, binary)
            if value is not None:
                floats[i] = value
                ok[i] = True
    if ok.all():
        return floats, None
    positions = np.flatnonzero(ok)
    return floats[positions], positions


def run_batch(detector: Any, values: Any, feed: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``update_many`` around a compiled ``feed``: validate, feed the valid values, map back.

    ``feed(floats)`` updates the detector with every value (counts and ``drift_detected``
    included) and returns the 0-based positions of its detections among ``floats``. Invalid
    values are counted in ``n_skipped`` or, with ``on_invalid="raise"``, raise after the
    values before them were fed -- exactly as a loop of ``update`` calls would.
    """
    arr = as_array(values)
    floats, positions = split_batch(arr, detector.binary)
    first_bad = -1
    if positions is not None and detector.on_invalid == "raise":
        mismatch = np.flatnonzero(positions != np.arange(len(positions)))
        first_bad = int(mismatch[0]) if len(mismatch) else len(positions)
        floats, positions = floats[:first_bad], None
    hits = feed(floats) if len(floats) else np.zeros(0, dtype=np.int64)
    if first_bad >= 0:
        detector._invalid(arr[first_bad])  # raises DataError
    if positions is not None:
        detector.n_skipped += len(arr) - len(positions)
        hits = positions[hits]
        if positions[-1:].tolist() != [len(arr) - 1]:
            detector._drift_detected = False  # the last update skipped a value
    return hits
