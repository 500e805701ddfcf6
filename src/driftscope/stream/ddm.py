"""DDM, the Drift Detection Method (Gama, Medas, Castillo and Rodrigues, 2004).

DDM watches the error rate ``p`` of a classifier (1 = error) and its binomial standard
deviation ``s = sqrt(p (1 - p) / n)``. It remembers ``p_min`` and ``s_min`` where ``p + s``
was lowest and, once more than ``warm_start`` values were seen, warns when
``p + s > p_min + warning_threshold * s_min`` and detects a drift when
``p + s > p_min + drift_threshold * s_min``; then it starts afresh.

The decisions, and the arithmetic behind them, are River's (``river.drift.binary.DDM``), so
both report the same warnings and drifts. ``drift_threshold`` alone sets the false-alarm
rate (the knob a calibration turns).

A property of the method (River and MOA share it): if none of the first ``warm_start + 1``
values is an error, ``p_min = s_min = 0`` and the first error is a drift. On streams with a
low error rate, choose ``warm_start`` well above ``1 / p``.
"""

from __future__ import annotations

import math
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

_sqrt = math.sqrt
_INF = math.inf


class DDM(BinaryDetector):
    """Drift Detection Method: a rise of the error rate beyond its best level.

    Parameters (River's names and defaults): ``warm_start`` values are seen before any
    decision; ``warning_threshold`` and ``drift_threshold`` are the multiples of ``s_min``
    above ``p_min`` for a warning and a drift (0 < warning_threshold < drift_threshold).

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]  # 10 % then 30 %
    >>> ddm = DDM()
    >>> for i, x in enumerate(errors.tolist()):
    ...     ddm.update(x)
    ...     if ddm.drift_detected:
    ...         print(f"drift at {i}")
    drift at 2226
    >>> drifts, warnings = DDM().update_many(errors, return_warnings=True)
    >>> drifts.tolist(), warnings[warnings >= 2000][0].item()  # first warning after the change
    ([2226], 2069)
    """

    def __init__(
        self,
        warm_start: int = 30,
        warning_threshold: float = 2.0,
        drift_threshold: float = 3.0,
        *,
        on_invalid: str = "skip",
    ) -> None:
        self.warm_start = check_count("warm_start", warm_start)
        self.warning_threshold = check_range(
            "warning_threshold", warning_threshold, 0, math.inf, closed="neither"
        )
        self.drift_threshold = check_range(
            "drift_threshold", drift_threshold, 0, math.inf, closed="neither"
        )
        if not warning_threshold < drift_threshold:
            raise ConfigError(
                f"warning_threshold must be below drift_threshold, got {warning_threshold!r} "
                f">= {drift_threshold!r}"
            )
        self._warm = float(warm_start)
        super().__init__(on_invalid=on_invalid)

    _STATE = state_dtype("n", "p", "ps_min", "warning_level", "drift_level")

    def _restart(self) -> None:
        self._n = 0.0  # values since the last drift
        self._p = 0.0  # their error rate (River's running mean, same rounding)
        self._ps_min = _INF  # lowest p + s so far, and the two levels it sets
        self._warning_level = _INF
        self._drift_level = _INF

    def update(self, x: Any) -> None:
        """Add one 0/1 value (1 = error); then read ``drift_detected``/``warning_detected``."""
        if x.__class__ not in FAST_TYPES or (x != 0 and x != 1):
            x = self._valid(x)
            if x is None:
                return
        self.n_updates += 1
        n = self._n + 1.0
        p = self._p
        p += (1.0 / n) * ((1.0 if x else 0.0) - p)
        self._n = n
        self._p = p
        if n > self._warm:
            s = _sqrt(p * (1 - p) / n)
            ps = p + s
            if ps <= self._ps_min:
                self._ps_min = ps
                self._warning_level = p + self.warning_threshold * s
                self._drift_level = p + self.drift_threshold * s
            if ps > self._drift_level:
                self._drift_detected = True
                self._warning_detected = False
                self.n_detections += 1
                self._restart()
            else:
                self._drift_detected = False
                self._warning_detected = ps > self._warning_level
        else:
            self._drift_detected = False

    # ------------------------------------------------------------------ batches
    def _kernel_args(self) -> tuple[Any, ...]:
        return self._warm, float(self.warning_threshold), float(self.drift_threshold)


def _ddm_loop(
    codes: np.ndarray,
    out: np.ndarray,
    state: np.ndarray,
    warm_start: float,
    warning_threshold: float,
    drift_threshold: float,
) -> None:
    """DDM.update over ``codes`` (1, 0, -1 = skip); flags in ``out``, state in place."""
    rec = state[0]
    drift, warning = rec["drift"], rec["warning"]
    n, p, ps_min, warning_level, drift_level = (
        rec["n"], rec["p"], rec["ps_min"], rec["warning_level"], rec["drift_level"]
    )  # fmt: skip
    for i in range(codes.size):
        c = codes[i]
        drift = False
        if c >= 0:
            n += 1.0
            p += (1.0 / n) * (c - p)
            if n > warm_start:
                s = math.sqrt(p * (1 - p) / n)
                ps = p + s
                if ps <= ps_min:
                    ps_min = ps
                    warning_level = p + warning_threshold * s
                    drift_level = p + drift_threshold * s
                if ps > drift_level:
                    drift = True
                    warning = False
                    n = p = 0.0
                    ps_min = warning_level = drift_level = math.inf
                else:
                    warning = ps > warning_level
        out[i] = DRIFT * drift + WARNING * warning
    rec["drift"], rec["warning"] = drift, warning
    rec["n"], rec["p"], rec["ps_min"] = n, p, ps_min
    rec["warning_level"], rec["drift_level"] = warning_level, drift_level


DDM._kernel = njit(_ddm_loop)
