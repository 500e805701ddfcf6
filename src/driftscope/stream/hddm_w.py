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
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from driftscope.core._jit import njit
from driftscope.stream._binary import (
    DRIFT,
    FAST_TYPES,
    WARNING,
    BinaryDetector,
    check_confidences,
    check_flag,
    state_dtype,
)
from driftscope.stream.base import check_range

_sqrt = math.sqrt
_INF = math.inf


class HDDM_W(BinaryDetector):
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
        super().__init__(on_invalid=on_invalid)

    _STATE = state_dtype(
        *("total", "total_d", "total_started"),
        *("rise_at", "rise_at_d", "rise_at_started"),
        *("rise_after", "rise_after_d", "rise_after_started"),
        *("fall_at", "fall_at_d", "fall_at_started"),
        *("fall_after", "fall_after_d", "fall_after_started"),
        *("rise_cut", "fall_cut"),
    )

    def _restart(self) -> None:
        # EWMA, D = sum of squared weights, and whether it has seen a value (0/1), for the
        # stream since the last drift, the stream at and after the cut point for a rise,
        # and the same for a fall (tracked only with two_sided_test).
        self._total = 0.0
        self._total_d = 1.0
        self._total_started = 0.0
        self._rise_at = self._rise_after = self._fall_at = self._fall_after = 0.0
        self._rise_at_d = self._rise_after_d = self._fall_at_d = self._fall_after_d = 1.0
        self._rise_at_started = self._rise_after_started = 0.0
        self._fall_at_started = self._fall_after_started = 0.0
        self._rise_cut = _INF
        self._fall_cut = -_INF

    def update(self, x: Any) -> None:
        """Add one 0/1 value (1 = error); then read ``drift_detected``/``warning_detected``."""
        if x.__class__ not in FAST_TYPES or (x != 0 and x != 1):
            x = self._valid(x)
            if x is None:
                return
        v = 1.0 if x else 0.0
        self.n_updates += 1
        lam = self._lam
        if self._total_started:
            total = self._total = lam * v + self._keep * self._total
            total_d = self._total_d = self._lam_sq + self._keep_sq * self._total_d
        else:
            total = self._total = v
            total_d = self._total_d = 1.0
            self._total_started = 1.0
        eps = _sqrt(total_d * self._log_drift / 2)
        # Cut point for a rise: where total + eps was lowest.
        if total + eps < self._rise_cut:
            self._rise_cut = total + eps
            self._rise_at = total
            self._rise_at_d = total_d
            self._rise_at_started = 1.0
            self._rise_after = 0.0
            self._rise_after_d = 1.0
            self._rise_after_started = 0.0
        elif self._rise_after_started:
            self._rise_after = lam * v + self._keep * self._rise_after
            self._rise_after_d = self._lam_sq + self._keep_sq * self._rise_after_d
        else:
            self._rise_after = v
            self._rise_after_d = 1.0
            self._rise_after_started = 1.0
        drift = warning = False
        if self._rise_after_started:
            diff = self._rise_after - self._rise_at
            if diff > 0.0:
                d = self._rise_at_d + self._rise_after_d
                if diff > _sqrt(d * self._log_warning / 2):
                    if diff > _sqrt(d * self._log_drift / 2):
                        drift = True
                    else:
                        warning = True
        if self.two_sided_test:
            # Cut point for a fall: where total - eps was highest.
            if total - eps > self._fall_cut:
                self._fall_cut = total - eps
                self._fall_at = total
                self._fall_at_d = total_d
                self._fall_at_started = 1.0
                self._fall_after = 0.0
                self._fall_after_d = 1.0
                self._fall_after_started = 0.0
            elif self._fall_after_started:
                self._fall_after = lam * v + self._keep * self._fall_after
                self._fall_after_d = self._lam_sq + self._keep_sq * self._fall_after_d
            else:
                self._fall_after = v
                self._fall_after_d = 1.0
                self._fall_after_started = 1.0
            if self._fall_after_started:
                diff = self._fall_at - self._fall_after
                if diff > 0.0:
                    d = self._fall_after_d + self._fall_at_d
                    if diff > _sqrt(d * self._log_drift / 2):
                        drift = True
                    elif diff > _sqrt(d * self._log_warning / 2):
                        warning = True
        self._drift_detected = drift
        self._warning_detected = warning
        if drift:
            self.n_detections += 1
            self._restart()

    # ------------------------------------------------------------------ batches
    def _kernel_args(self) -> tuple[Any, ...]:
        return (
            self._lam,
            self._keep,
            self._lam_sq,
            self._keep_sq,
            self._log_drift,
            self._log_warning,
            bool(self.two_sided_test),
        )


def _hddm_w_loop(
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
    """HDDM_W.update over ``codes`` (1, 0, -1 = skip); flags in ``out``, state in place."""
    rec = state[0]
    drift, warning = rec["drift"], rec["warning"]
    total, total_d, total_started = rec["total"], rec["total_d"], rec["total_started"]
    rise_at, rise_at_d, rise_at_started = rec["rise_at"], rec["rise_at_d"], rec["rise_at_started"]
    rise_after, rise_after_d = rec["rise_after"], rec["rise_after_d"]
    rise_after_started = rec["rise_after_started"]
    fall_at, fall_at_d, fall_at_started = rec["fall_at"], rec["fall_at_d"], rec["fall_at_started"]
    fall_after, fall_after_d = rec["fall_after"], rec["fall_after_d"]
    fall_after_started = rec["fall_after_started"]
    rise_cut, fall_cut = rec["rise_cut"], rec["fall_cut"]
    for i in range(codes.size):
        c = codes[i]
        if c < 0:
            drift = False
            out[i] = WARNING * warning
            continue
        v = float(c)
        if total_started:
            total = lam * v + keep * total
            total_d = lam_sq + keep_sq * total_d
        else:
            total = v
            total_d = 1.0
            total_started = 1.0
        eps = math.sqrt(total_d * log_drift / 2)
        if total + eps < rise_cut:
            rise_cut = total + eps
            rise_at, rise_at_d, rise_at_started = total, total_d, 1.0
            rise_after, rise_after_d, rise_after_started = 0.0, 1.0, 0.0
        elif rise_after_started:
            rise_after = lam * v + keep * rise_after
            rise_after_d = lam_sq + keep_sq * rise_after_d
        else:
            rise_after, rise_after_d, rise_after_started = v, 1.0, 1.0
        drift = warning = False
        if rise_after_started:
            diff = rise_after - rise_at
            if diff > 0.0:
                d = rise_at_d + rise_after_d
                if diff > math.sqrt(d * log_warning / 2):
                    if diff > math.sqrt(d * log_drift / 2):
                        drift = True
                    else:
                        warning = True
        if two_sided:
            if total - eps > fall_cut:
                fall_cut = total - eps
                fall_at, fall_at_d, fall_at_started = total, total_d, 1.0
                fall_after, fall_after_d, fall_after_started = 0.0, 1.0, 0.0
            elif fall_after_started:
                fall_after = lam * v + keep * fall_after
                fall_after_d = lam_sq + keep_sq * fall_after_d
            else:
                fall_after, fall_after_d, fall_after_started = v, 1.0, 1.0
            if fall_after_started:
                diff = fall_at - fall_after
                if diff > 0.0:
                    d = fall_after_d + fall_at_d
                    if diff > math.sqrt(d * log_drift / 2):
                        drift = True
                    elif diff > math.sqrt(d * log_warning / 2):
                        warning = True
        if drift:
            total = rise_at = rise_after = fall_at = fall_after = 0.0
            total_d = rise_at_d = rise_after_d = fall_at_d = fall_after_d = 1.0
            total_started = rise_at_started = rise_after_started = 0.0
            fall_at_started = fall_after_started = 0.0
            rise_cut = math.inf
            fall_cut = -math.inf
        out[i] = DRIFT * drift + WARNING * warning
    rec["drift"], rec["warning"] = drift, warning
    rec["total"], rec["total_d"], rec["total_started"] = total, total_d, total_started
    rec["rise_at"], rec["rise_at_d"], rec["rise_at_started"] = rise_at, rise_at_d, rise_at_started
    rec["rise_after"], rec["rise_after_d"] = rise_after, rise_after_d
    rec["rise_after_started"] = rise_after_started
    rec["fall_at"], rec["fall_at_d"], rec["fall_at_started"] = fall_at, fall_at_d, fall_at_started
    rec["fall_after"], rec["fall_after_d"] = fall_after, fall_after_d
    rec["fall_after_started"] = fall_after_started
    rec["rise_cut"], rec["fall_cut"] = rise_cut, fall_cut


HDDM_W._kernel = njit(_hddm_w_loop)
