"""HDDM_W, drift detection with McDiarmid's bound and weighted moving averages
(Frías-Blanco, del Campo-Ávila, Ramos-Jiménez, Morales-Bueno, Ortiz-Díaz and
Caballero-Mota, 2015).

HDDM_W follows exponentially weighted moving averages (EWMA, weight ``lambda_val`` on the
newest value): of the whole stream since the last drift and of the values after a cut
point, the moment where ``EWMA + bound`` was lowest (for a rise) or ``EWMA - bound`` highest
(for a fall, with ``two_sided_test``). When the EWMA after the cut exceeds the EWMA at the
cut by more than McDiarmid's bound for ``drift_confidence`` it is a drift, for
``warning_confidence`` a warning; after a drift it starts afresh. The bound of an EWMA
``sum(w_i x_i)`` depends on ``D = sum(w_i^2)``, updated as ``D <- lambda^2 + (1-lambda)^2 D``.

Decisions and arithmetic are River's (``river.drift.binary.HDDMW``), with one correction.
An EWMA starts at its first value, whose weight is then 1, so ``D = 1`` after the first
value: the paper's definition, and what MOA's ``HDDM_W_Test`` (by the paper's first
author) and scikit-multiflow compute. River starts ``D`` at 1 *before* the first value and
so reports ``lambda^2 + (1-lambda)^2`` after it: every ``D`` one step too small, bounds too
narrow while a sample is short (about 5 % narrow after one value with the default lambda,
fading geometrically), hence a few more, earlier detections than the stated confidence.

``drift_confidence`` alone sets the false-alarm rate (the knob a calibration turns).

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
from driftscope.stream.base import check_range

#: The statistics (see :func:`~driftscope.stream._binary.state_dtype`): an EWMA, its ``D``
#: (sum of squared weights) and whether it has seen a value (0/1), for the stream since the
#: last drift (``total``), the stream at and after the cut point for a rise, and the same
#: for a fall (tracked only with two_sided_test); then the cut levels.
STATE = state_dtype(
    *("total", "total_d", "total_started"),
    *("rise_at", "rise_at_d", "rise_at_started"),
    *("rise_after", "rise_after_d", "rise_after_started"),
    *("fall_at", "fall_at_d", "fall_at_started"),
    *("fall_after", "fall_after_d", "fall_after_started"),
    *("rise_cut", "fall_cut"),
)
#: The statistics after a (re)start, in ``STATE``'s order: no value seen, D = 1.
FRESH = (0.0, 1.0, 0.0) * 5 + (math.inf, -math.inf)


@njit(inline="always")
def _start_afresh(s: Any) -> None:
    """Set the statistics of record ``s`` to :data:`FRESH`."""
    s["total"] = s["rise_at"] = s["rise_after"] = s["fall_at"] = s["fall_after"] = 0.0
    s["total_d"] = s["rise_at_d"] = s["rise_after_d"] = s["fall_at_d"] = s["fall_after_d"] = 1.0
    s["total_started"] = s["rise_at_started"] = s["rise_after_started"] = 0.0
    s["fall_at_started"] = s["fall_after_started"] = 0.0
    s["rise_cut"] = math.inf
    s["fall_cut"] = -math.inf


@njit(inline="always")
def _step(
    s: Any,
    v: float,
    lam: float,
    keep: float,
    lam_sq: float,
    keep_sq: float,
    log_drift: float,
    log_warning: float,
    two_sided: bool,
) -> int:
    """One value ``v`` (0.0 or 1.0) into the ``STATE`` record ``s``: its flags (``DRIFT``,
    ``WARNING``), also left in ``s``; after a drift the statistics restart at once."""
    if s["total_started"]:
        total = s["total"] = lam * v + keep * s["total"]
        total_d = s["total_d"] = lam_sq + keep_sq * s["total_d"]
    else:
        total = s["total"] = v
        total_d = s["total_d"] = 1.0
        s["total_started"] = 1.0
    eps = math.sqrt(total_d * log_drift / 2)
    # Cut point for a rise: where total + eps was lowest.
    if total + eps < s["rise_cut"]:
        s["rise_cut"] = total + eps
        s["rise_at"] = total
        s["rise_at_d"] = total_d
        s["rise_at_started"] = 1.0
        s["rise_after"] = 0.0
        s["rise_after_d"] = 1.0
        s["rise_after_started"] = 0.0
    elif s["rise_after_started"]:
        s["rise_after"] = lam * v + keep * s["rise_after"]
        s["rise_after_d"] = lam_sq + keep_sq * s["rise_after_d"]
    else:
        s["rise_after"] = v
        s["rise_after_d"] = 1.0
        s["rise_after_started"] = 1.0
    drift = warning = False
    if s["rise_after_started"]:
        diff = s["rise_after"] - s["rise_at"]
        if diff > 0.0:
            d = s["rise_at_d"] + s["rise_after_d"]
            if diff > math.sqrt(d * log_warning / 2):
                if diff > math.sqrt(d * log_drift / 2):
                    drift = True
                else:
                    warning = True
    if two_sided:
        # Cut point for a fall: where total - eps was highest.
        if total - eps > s["fall_cut"]:
            s["fall_cut"] = total - eps
            s["fall_at"] = total
            s["fall_at_d"] = total_d
            s["fall_at_started"] = 1.0
            s["fall_after"] = 0.0
            s["fall_after_d"] = 1.0
            s["fall_after_started"] = 0.0
        elif s["fall_after_started"]:
            s["fall_after"] = lam * v + keep * s["fall_after"]
            s["fall_after_d"] = lam_sq + keep_sq * s["fall_after_d"]
        else:
            s["fall_after"] = v
            s["fall_after_d"] = 1.0
            s["fall_after_started"] = 1.0
        if s["fall_after_started"]:
            diff = s["fall_at"] - s["fall_after"]
            if diff > 0.0:
                d = s["fall_after_d"] + s["fall_at_d"]
                if diff > math.sqrt(d * log_drift / 2):
                    drift = True
                elif diff > math.sqrt(d * log_warning / 2):
                    warning = True
    if drift:
        _start_afresh(s)
    s["drift"] = drift
    s["warning"] = warning
    return DRIFT * drift + WARNING * warning


@njit
def update_one(
    state: np.ndarray,
    v: float,
    lam: float,
    keep: float,
    lam_sq: float,
    keep_sq: float,
    log_drift: float,
    log_warning: float,
    two_sided: bool,
) -> int:
    """:func:`_step` on ``state[0]`` (the entry ``update`` calls)."""
    return _step(state[0], v, lam, keep, lam_sq, keep_sq, log_drift, log_warning, two_sided)


@njit
def update_all(
    codes: np.ndarray,
    out: np.ndarray,
    state: np.ndarray,
    lam: float,
    keep: float,
    lam_sq: float,
    keep_sq: float,
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
            out[i] = _step(
                s, float(c), lam, keep, lam_sq, keep_sq, log_drift, log_warning, two_sided
            )


@functools.cache
def stepper() -> Callable[..., int]:
    """:func:`update_one`'s machine-code entry (see :func:`~driftscope.core._jit.entry_point`),
    for ``update``, which calls it once per value."""
    state = np.array([(False, False, *FRESH)], dtype=STATE)
    return entry_point(update_one, state, 0.5, 0.1, 0.9, 0.01, 0.81, 1.0, 1.0, False)


class HDDM_W(SteppedDetector):
    """Hoeffding/McDiarmid-bound drift detection on weighted moving averages (the W-test).

    Parameters (River's names and defaults): ``drift_confidence`` and
    ``warning_confidence``, the error probabilities of the drift and warning tests
    (0 < drift_confidence < warning_confidence < 1); ``lambda_val`` in (0, 1), the weight
    of the newest value in the moving averages; ``two_sided_test``, also detect a fall of
    the error rate.

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]  # 10 % then 30 %
    >>> hddm = HDDM_W()
    >>> for i, x in enumerate(errors.tolist()):
    ...     hddm.update(x)
    ...     if hddm.drift_detected:
    ...         print(f"drift at {i}")
    drift at 2075
    >>> drifts, warnings = HDDM_W().update_many(errors, return_warnings=True)
    >>> drifts.tolist(), warnings[warnings >= 2000][0].item()  # first warning after the change
    ([2075], 2053)
    >>> HDDM_W(two_sided_test=True).update_many(errors[::-1]).tolist()  # 30 % then 10 %
    [2045]
    """

    def __init__(
        self,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        lambda_val: float = 0.05,
        two_sided_test: bool = False,
        *,
        on_invalid: str = "skip",
    ) -> None:
        check_confidences(drift_confidence, warning_confidence)
        self.drift_confidence = drift_confidence
        self.warning_confidence = warning_confidence
        self.lambda_val = check_range("lambda_val", lambda_val, 0, 1, closed="neither")
        self.two_sided_test = check_flag("two_sided_test", two_sided_test)
        # Constants of River's arithmetic, computed as River does.
        self._lam = float(lambda_val)
        self._keep = 1 - self._lam  # weight of the previous EWMA
        self._lam_sq = self._lam * self._lam
        self._keep_sq = (1 - self._lam) ** 2
        self._log_drift = math.log(1 / drift_confidence)
        self._log_warning = math.log(1 / warning_confidence)
        self._args = (
            *(self._lam, self._keep, self._lam_sq, self._keep_sq),
            *(self._log_drift, self._log_warning, bool(two_sided_test)),
        )
        super().__init__(on_invalid=on_invalid)

    _STATE = STATE
    _FRESH = FRESH
    _stepper = staticmethod(stepper)


HDDM_W._kernel = update_all
