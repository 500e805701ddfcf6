"""EDDM, the Early Drift Detection Method (Baena-García, del Campo-Ávila, Fidalgo, Bifet,
Gavaldà and Morales-Bueno, 2006).

EDDM watches the distances between consecutive errors of a classifier (1 = error): their
running mean ``p'`` and standard deviation ``s'``. It remembers the largest ``p' + 2 s'``
and, at each error once more than ``warm_start`` values and more than ``warm_start`` errors
were seen, compares ``level = (p' + 2 s') / max``: a drift when ``level < beta``, a warning
when ``beta <= level < alpha``; after a drift it starts afresh. Nothing is decided at a
correct prediction (0), so the warning state holds until the next error.

Decisions and arithmetic are River's (``river.drift.binary.EDDM``: distances counted from
the last error, or from the start for the first one; sample standard deviation), with one
correction. River sets its warning flag only when an error's level is compared with
``alpha``; an error that raises ``p' + 2 s'`` to a new maximum (level 1, in control) or that
detects a drift leaves the previous error's warning on (with the drift, or until the next
error). Here every error sets the flag afresh, as the paper's three exclusive zones (in
control, warning, drift) and MOA's implementation have it. Drifts are River's.

``beta`` alone sets the false-alarm rate (the knob a calibration turns).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftscope.core._jit import njit
from driftscope.errors import ConfigError
from driftscope.stream._binary import (
    DRIFT,
    FAST_TYPES,
    WARNING,
    BinaryDetector,
    check_count,
    state_dtype,
)
from driftscope.stream.base import check_range


class EDDM(BinaryDetector):
    """Early Drift Detection Method: errors coming closer together than they used to.

    Parameters (River's names and defaults): ``warm_start``, the number of values and of
    errors seen before any decision; ``alpha`` and ``beta``, the warning and drift levels
    of ``(p' + 2 s') / max(p' + 2 s')`` (0 < beta < alpha < 1).

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]  # 10 % then 30 %
    >>> eddm = EDDM(beta=0.8)
    >>> for i, x in enumerate(errors.tolist()):
    ...     eddm.update(x)
    ...     if eddm.drift_detected:
    ...         print(f"drift at {i}")
    drift at 2527
    >>> drifts, warnings = EDDM(beta=0.8).update_many(errors, return_warnings=True)
    >>> drifts.tolist(), warnings[warnings >= 2000][0].item()  # first warning after the change
    ([2527], 2084)

    With River's default ``beta=0.9`` the same stream raises 15 drifts: calibrate ``beta``.
    """

    def __init__(
        self,
        warm_start: int = 30,
        alpha: float = 0.95,
        beta: float = 0.9,
        *,
        on_invalid: str = "skip",
    ) -> None:
        self.warm_start = check_count("warm_start", warm_start)
        self.alpha = check_range("alpha", alpha, 0, 1, closed="neither")
        self.beta = check_range("beta", beta, 0, 1, closed="neither")
        if not beta < alpha:
            raise ConfigError(f"beta must be below alpha, got beta={beta!r} >= alpha={alpha!r}")
        super().__init__(on_invalid=on_invalid)

    _STATE = state_dtype("n", "n_errors", "last_error", "mean", "sum_sq", "p2s_max")

    def _restart(self) -> None:
        self._origin = self.n_updates  # values since the last drift: n_updates - _origin
        self._n_errors = 0  # errors among them
        self._last_error = 0  # position (1-based, in those values) of the last error
        self._mean = 0.0  # mean distance between errors (River's Welford update)
        self._sum_sq = 0.0  # and its sum of squared deviations
        self._p2s_max = -1.0  # largest p' + 2 s' so far

    def update(self, x: Any) -> None:
        """Add one 0/1 value (1 = error); then read ``drift_detected``/``warning_detected``."""
        if x.__class__ not in FAST_TYPES or (x != 0 and x != 1):
            x = self._valid(x)
            if x is None:
                return
        self.n_updates += 1
        self._drift_detected = False
        if x:
            self._error()

    def _error(self) -> None:
        n = self.n_updates - self._origin
        k = self._n_errors + 1
        self._n_errors = k
        distance = n - self._last_error
        self._last_error = n
        mean_old = self._mean
        mean = mean_old + (1.0 / k) * (distance - mean_old)
        self._mean = mean
        self._sum_sq = sum_sq = self._sum_sq + (distance - mean_old) * (distance - mean)
        self._warning_detected = False
        if n > self.warm_start:
            p2s = mean + 2 * ((sum_sq / (k - 1) if k > 1 else 0.0) ** 0.5)
            if p2s > self._p2s_max:
                self._p2s_max = p2s
            elif k > self.warm_start:
                level = p2s / self._p2s_max
                if level < self.beta:
                    self._drift_detected = True
                    self.n_detections += 1
                    self._restart()
                else:
                    self._warning_detected = level < self.alpha

    # ------------------------------------------------------------------ batches
    def _get_state(self) -> list[float]:
        return [
            float(self.n_updates - self._origin),
            float(self._n_errors),
            float(self._last_error),
            self._mean,
            self._sum_sq,
            self._p2s_max,
        ]

    def _set_state(self, record: Any) -> None:
        self._origin = self.n_updates - int(record["n"])  # n_updates already counts the batch
        self._n_errors, self._last_error = int(record["n_errors"]), int(record["last_error"])
        self._mean, self._sum_sq = float(record["mean"]), float(record["sum_sq"])
        self._p2s_max = float(record["p2s_max"])

    def _kernel_args(self) -> tuple[Any, ...]:
        return float(self.warm_start), float(self.alpha), float(self.beta), 0.5


def _eddm_loop(
    codes: np.ndarray,
    out: np.ndarray,
    state: np.ndarray,
    warm_start: float,
    alpha: float,
    beta: float,
    half: float,
) -> None:
    """EDDM.update over ``codes`` (1, 0, -1 = skip); flags in ``out``, state in place.

    ``half`` is 0.5, given at run time so that ``** half`` stays the C library's ``pow`` (as
    in Python and River) instead of being compiled into ``sqrt``, which rounds differently
    in the last bit for about 1 value in 1000.
    """
    rec = state[0]
    drift, warning = rec["drift"], rec["warning"]
    n, k, last_error = rec["n"], rec["n_errors"], rec["last_error"]
    mean, sum_sq, p2s_max = rec["mean"], rec["sum_sq"], rec["p2s_max"]
    for i in range(codes.size):
        c = codes[i]
        drift = False
        if c >= 0:
            n += 1.0
        if c == 1:
            k += 1.0
            distance = n - last_error
            last_error = n
            mean_old = mean
            mean = mean_old + (1.0 / k) * (distance - mean_old)
            sum_sq += (distance - mean_old) * (distance - mean)
            warning = False
            if n > warm_start:
                p2s = mean + 2 * ((sum_sq / (k - 1) if k > 1 else 0.0) ** half)
                if p2s > p2s_max:
                    p2s_max = p2s
                elif k > warm_start:
                    level = p2s / p2s_max
                    if level < beta:
                        drift = True
                        n = k = last_error = mean = sum_sq = 0.0
                        p2s_max = -1.0
                    else:
                        warning = level < alpha
        out[i] = DRIFT * drift + WARNING * warning
    rec["drift"], rec["warning"] = drift, warning
    rec["n"], rec["n_errors"], rec["last_error"] = n, k, last_error
    rec["mean"], rec["sum_sq"], rec["p2s_max"] = mean, sum_sq, p2s_max


EDDM._kernel = njit(_eddm_loop)
