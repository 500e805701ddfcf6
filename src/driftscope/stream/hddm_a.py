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

_sqrt = math.sqrt


class HDDM_A(BinaryDetector):
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
        super().__init__(on_invalid=on_invalid)

    _STATE = state_dtype("n", "mean", "lo_n", "lo_mean", "lo_eps", "hi_n", "hi_mean", "hi_eps")

    def _restart(self) -> None:
        # The stream since the last drift (count, mean) and its prefixes up to the cut
        # points for a rise (lo) and a fall (hi), each with its Hoeffding bound.
        self._n = self._mean = 0.0
        self._lo_n = self._lo_mean = self._lo_eps = 0.0
        self._hi_n = self._hi_mean = self._hi_eps = 0.0

    def update(self, x: Any) -> None:
        """Add one 0/1 value (1 = error); then read ``drift_detected``/``warning_detected``."""
        if x.__class__ not in FAST_TYPES or (x != 0 and x != 1):
            x = self._valid(x)
            if x is None:
                return
        v = 1.0 if x else 0.0
        self.n_updates += 1
        n = self._n + 1.0
        mean = self._mean
        mean += (1.0 / n) * (v - mean)
        self._n = n
        self._mean = mean
        eps = _sqrt(1.0 / (2 * n) * self._log_cut)
        lo_n = self._lo_n
        if lo_n == 0.0 or self._lo_mean + self._lo_eps >= mean + eps:
            self._lo_n = lo_n = n
            self._lo_mean = mean
            self._lo_eps = eps
        drift = warning = False
        if lo_n != n:
            diff = mean - self._lo_mean
            if diff > 0.0:
                m = (n - lo_n) / lo_n * (1.0 / n)
                if diff >= _sqrt(m / 2 * self._log_warning):
                    if diff >= _sqrt(m / 2 * self._log_drift):
                        drift = True
                    else:
                        warning = True
        if self.two_sided_test:
            hi_n = self._hi_n
            if hi_n == 0.0 or self._hi_mean - self._hi_eps <= mean - eps:
                self._hi_n = hi_n = n
                self._hi_mean = mean
                self._hi_eps = eps
            if hi_n != n:
                diff = self._hi_mean - mean
                if diff > 0.0:
                    m = (n - hi_n) / hi_n * (1.0 / n)
                    if diff >= _sqrt(m / 2 * self._log_drift):
                        drift = True
                    elif diff >= _sqrt(m / 2 * self._log_warning):
                        warning = True
        self._drift_detected = drift
        self._warning_detected = warning
        if drift:
            self.n_detections += 1
            self._restart()

    # ------------------------------------------------------------------ batches
    def _kernel_args(self) -> tuple[Any, ...]:
        return self._log_cut, self._log_drift, self._log_warning, bool(self.two_sided_test)


def _hddm_a_loop(
    codes: np.ndarray,
    out: np.ndarray,
    state: np.ndarray,
    log_cut: float,
    log_drift: float,
    log_warning: float,
    two_sided: bool,
) -> None:
    """HDDM_A.update over ``codes`` (1, 0, -1 = skip); flags in ``out``, state in place."""
    rec = state[0]
    drift, warning = rec["drift"], rec["warning"]
    n, mean = rec["n"], rec["mean"]
    lo_n, lo_mean, lo_eps = rec["lo_n"], rec["lo_mean"], rec["lo_eps"]
    hi_n, hi_mean, hi_eps = rec["hi_n"], rec["hi_mean"], rec["hi_eps"]
    for i in range(codes.size):
        c = codes[i]
        if c < 0:
            drift = False
            out[i] = WARNING * warning
            continue
        n += 1.0
        mean += (1.0 / n) * (c - mean)
        eps = math.sqrt(1.0 / (2 * n) * log_cut)
        if lo_n == 0.0 or lo_mean + lo_eps >= mean + eps:
            lo_n = n
            lo_mean = mean
            lo_eps = eps
        drift = warning = False
        if lo_n != n:
            diff = mean - lo_mean
            if diff > 0.0:
                m = (n - lo_n) / lo_n * (1.0 / n)
                if diff >= math.sqrt(m / 2 * log_warning):
                    if diff >= math.sqrt(m / 2 * log_drift):
                        drift = True
                    else:
                        warning = True
        if two_sided:
            if hi_n == 0.0 or hi_mean - hi_eps <= mean - eps:
                hi_n = n
                hi_mean = mean
                hi_eps = eps
            if hi_n != n:
                diff = hi_mean - mean
                if diff > 0.0:
                    m = (n - hi_n) / hi_n * (1.0 / n)
                    if diff >= math.sqrt(m / 2 * log_drift):
                        drift = True
                    elif diff >= math.sqrt(m / 2 * log_warning):
                        warning = True
        if drift:
            n = mean = lo_n = lo_mean = lo_eps = hi_n = hi_mean = hi_eps = 0.0
        out[i] = DRIFT * drift + WARNING * warning
    rec["drift"], rec["warning"] = drift, warning
    rec["n"], rec["mean"] = n, mean
    rec["lo_n"], rec["lo_mean"], rec["lo_eps"] = lo_n, lo_mean, lo_eps
    rec["hi_n"], rec["hi_mean"], rec["hi_eps"] = hi_n, hi_mean, hi_eps


HDDM_A._kernel = njit(_hddm_a_loop)
