"""HDDM_A, drift detection with Hoeffding's bound and moving averages (Frías-Blanco,
del Campo-Ávila, Ramos-Jiménez, Morales-Bueno, Ortiz-Díaz and Caballero-Mota, 2015).

HDDM_A compares the mean of the whole stream since the last drift with the mean of its
prefix up to a cut point: the prefix where ``mean + Hoeffding bound`` was lowest (for a rise)
or ``mean - bound`` highest (for a fall, with ``two_sided_test``). A difference beyond the
Hoeffding bound for ``drift_confidence`` is a drift, for ``warning_confidence`` a warning;
after a drift it starts afresh.

Decisions and arithmetic are River's (``river.drift.binary.HDDMA``, itself MOA's
``HDDM_A_Test``): both report the same warnings and drifts. ``drift_confidence`` alone sets
the false-alarm rate (the knob a calibration turns).

The algorithm is written once, :func:`_step` (one value), compiled: ``update`` calls it
(faster than the same lines run by Python) and ``update_many``'s loop runs it per value.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from driftscope.core._jit import entry_point, njit
from driftscope.stream._binary import (
    DRIFT,
    WARNING,
    SteppedDetector,
    check_confidences,
    check_flag,
    state_dtype,
)

#: The statistics (see :func:`~driftscope.stream._binary.state_dtype`): the stream since the
#: last drift (count, mean) and its prefixes up to the cut points for a rise (lo) and a fall
#: (hi), each with its Hoeffding bound. All 0 after a (re)start.
STATE = state_dtype("n", "mean", "lo_n", "lo_mean", "lo_eps", "hi_n", "hi_mean", "hi_eps")


@njit(inline="always")
def _step(
    s: Any, v: float, log_cut: float, log_drift: float, log_warning: float, two_sided: bool
) -> int:
    """One value ``v`` (0.0 or 1.0) into the ``STATE`` record ``s``: its flags (``DRIFT``,
    ``WARNING``), also left in ``s``; after a drift the statistics restart at once."""
    n = s["n"] + 1.0
    mean = s["mean"]
    mean += (1.0 / n) * (v - mean)
    s["n"] = n
    s["mean"] = mean
    eps = math.sqrt(1.0 / (2 * n) * log_cut)
    lo_n = s["lo_n"]
    if lo_n == 0.0 or s["lo_mean"] + s["lo_eps"] >= mean + eps:
        s["lo_n"] = lo_n = n
        s["lo_mean"] = mean
        s["lo_eps"] = eps
    drift = warning = False
    if lo_n != n:
        diff = mean - s["lo_mean"]
        if diff > 0.0:
            m = (n - lo_n) / lo_n * (1.0 / n)
            if diff >= math.sqrt(m / 2 * log_warning):
                if diff >= math.sqrt(m / 2 * log_drift):
                    drift = True
                else:
                    warning = True
    if two_sided:
        hi_n = s["hi_n"]
        if hi_n == 0.0 or s["hi_mean"] - s["hi_eps"] <= mean - eps:
            s["hi_n"] = hi_n = n
            s["hi_mean"] = mean
            s["hi_eps"] = eps
        if hi_n != n:
            diff = s["hi_mean"] - mean
            if diff > 0.0:
                m = (n - hi_n) / hi_n * (1.0 / n)
                if diff >= math.sqrt(m / 2 * log_drift):
                    drift = True
                elif diff >= math.sqrt(m / 2 * log_warning):
                    warning = True
    if drift:
        s["n"] = s["mean"] = 0.0
        s["lo_n"] = s["lo_mean"] = s["lo_eps"] = 0.0
        s["hi_n"] = s["hi_mean"] = s["hi_eps"] = 0.0
    s["drift"] = drift
    s["warning"] = warning
    return DRIFT * drift + WARNING * warning


@njit
def update_one(
    state: np.ndarray,
    v: float,
    log_cut: float,
    log_drift: float,
    log_warning: float,
    two_sided: bool,
) -> int:
    """:func:`_step` on ``state[0]`` (the entry ``update`` calls)."""
    return _step(state[0], v, log_cut, log_drift, log_warning, two_sided)


@njit
def update_all(
    codes: np.ndarray,
    out: np.ndarray,
    state: np.ndarray,
    log_cut: float,
    log_drift: float,
    log_warning: float,
    two_sided: bool,
) -> None:
    """:func:`_step` over ``codes`` (1, 0, -1 = skip); flags in ``out``, state in place."""
    s = state[0]
    for i in range(codes.size):
        c = codes[i]
        if c < 0:  # a skipped value clears the drift flag, keeps the warning
            s["drift"] = False
            out[i] = WARNING * s["warning"]
        else:
            out[i] = _step(s, float(c), log_cut, log_drift, log_warning, two_sided)


@functools.cache
def stepper() -> Callable[..., int]:
    """:func:`update_one`'s machine-code entry (see :func:`~driftscope.core._jit.entry_point`),
    for ``update``, which calls it once per value."""
    return entry_point(update_one, np.zeros(1, dtype=STATE), 0.5, 1.0, 1.0, 1.0, False)


class HDDM_A(SteppedDetector):
    """Hoeffding-bound drift detection on moving averages (the A-test).

    Parameters (River's names and defaults): ``drift_confidence`` and
    ``warning_confidence``, the error probabilities of the drift and warning tests
    (0 < drift_confidence < warning_confidence < 1); ``two_sided_test``, also detect a
    fall of the error rate.

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]  # 10 % then 30 %
    >>> hddm = HDDM_A()
    >>> for i, x in enumerate(errors.tolist()):
    ...     hddm.update(x)
    ...     if hddm.drift_detected:
    ...         print(f"drift at {i}")
    drift at 2071
    >>> drifts, warnings = HDDM_A().update_many(errors, return_warnings=True)
    >>> drifts.tolist(), warnings.tolist()[-3:]
    ([2071], [2068, 2069, 2070])
    >>> HDDM_A(two_sided_test=True).update_many(errors[::-1]).tolist()  # 30 % then 10 %
    [2129]
    """

    def __init__(
        self,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        two_sided_test: bool = False,
        *,
        on_invalid: str = "skip",
    ) -> None:
        check_confidences(drift_confidence, warning_confidence)
        self.drift_confidence = drift_confidence
        self.warning_confidence = warning_confidence
        self.two_sided_test = check_flag("two_sided_test", two_sided_test)
        # Logarithms of River's bounds, computed as River does.
        self._log_cut = math.log(1.0 / drift_confidence)
        self._log_drift = math.log(2.0 / drift_confidence)
        self._log_warning = math.log(2.0 / warning_confidence)
        self._args = (self._log_cut, self._log_drift, self._log_warning, bool(two_sided_test))
        super().__init__(on_invalid=on_invalid)

    _STATE = STATE
    _FRESH = (0.0,) * 8
    _stepper = staticmethod(stepper)


HDDM_A._kernel = update_all
