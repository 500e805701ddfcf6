"""The base of every streaming detector: River's interface, validated input, batch updates.

A detector watches a stream value by value: ``update(x)`` then read ``drift_detected`` (and
``warning_detected`` for detectors that warn). Hyperparameters are stored exactly as given
(so ``repr``, :meth:`clone` and equality come from them) and all state is rebuilt by one
``_reset()``. Parameter names and defaults follow River's, so switching is a one-line change.

Bad values never corrupt the statistics: NaN, infinities, ``None`` and values of the wrong
type are *skipped and counted* in ``n_skipped`` (``on_invalid="skip"``, the default, so
monitoring never takes down what it watches) or raise :class:`~driftscope.errors.DataError`
(``on_invalid="raise"``). A skipped value does not advance the detector.

:meth:`update_many` feeds a whole array and returns the positions (0-based, in ``values``)
where a drift was detected; detectors override it with a compiled loop.
"""

from __future__ import annotations

import inspect
import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

import numpy as np

from driftscope.errors import ConfigError, DataError

if TYPE_CHECKING:
    from driftscope.stream.calibration import Calibration

ON_INVALID = ("skip", "raise")


class StreamDetector(ABC):
    """Base class: River-style ``update(x)`` / ``drift_detected``, plus ``update_many``.

    >>> from driftscope.stream import PageHinkley
    >>> detector = PageHinkley()
    >>> for x in [0.1, float("nan"), 0.2]:
    ...     detector.update(x)
    >>> isinstance(detector, StreamDetector), detector.drift_detected, detector.n_skipped
    (True, False, 1)
    >>> detector.clone() == detector
    True
    """

    #: True for detectors of a 0/1 stream (errors of a classifier): DDM, EDDM, HDDM_*.
    binary: ClassVar[bool] = False
    #: Set by :meth:`calibrated`: how the alarm threshold was chosen.
    calibration_: Calibration | None = None

    def __init__(self, *, on_invalid: str = "skip") -> None:
        if on_invalid not in ON_INVALID:
            raise ConfigError(f"on_invalid must be one of {ON_INVALID}, got {on_invalid!r}")
        self.on_invalid = on_invalid
        self._reset()

    # ------------------------------------------------------------------ state
    def _reset(self) -> None:
        """Rebuild every piece of state; subclasses extend it and call ``super()._reset()``.

        ``n_updates``, ``n_skipped`` and ``n_detections`` are lifetime counters: a drift
        restarts a detector's statistics, never these. (A detector that restarts "at the
        next update after a drift" must keep its own flag for that: skipping a bad value
        clears ``drift_detected``.)
        """
        self._drift_detected = False
        self.n_updates = 0
        self.n_skipped = 0
        self.n_detections = 0

    @property
    def drift_detected(self) -> bool:
        """Whether the last update detected a drift."""
        return self._drift_detected

    # ------------------------------------------------------------------ updating
    @abstractmethod
    def update(self, x: Any) -> None:
        """Add one value; afterwards ``drift_detected`` says whether it revealed a drift."""

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in order; the 0-based positions where a drift was detected.

        Invalid values are skipped (or raise) as in :meth:`update`. The state afterwards is
        the same as after calling :meth:`update` on each value.
        """
        hits = []
        for i, x in enumerate(np.asarray(values, dtype=object).ravel()):
            self.update(x)
            if self._drift_detected:
                hits.append(i)
        return np.asarray(hits, dtype=np.int64)

    def _valid(self, x: Any) -> float | None:
        """``x`` as a float, or None after counting (or raising on) an invalid value."""
        if isinstance(x, bool | np.bool_):
            return float(x)
        if isinstance(x, int | float | np.integer | np.floating):
            try:
                value = float(x)
            except OverflowError:  # an int beyond float range
                self._invalid(x)
                return None
            if math.isfinite(value) and (not self.binary or value in (0.0, 1.0)):
                return value
        self._invalid(x)
        return None

    def _invalid(self, x: Any) -> None:
        self._drift_detected = False
        if self.on_invalid == "raise":
            expected = "0/1 or a bool" if self.binary else "a finite number"
            raise DataError(
                f"{type(self).__name__}.update: expected {expected}, got {x!r} "
                f"(after {self.n_updates} valid updates)"
            )
        self.n_skipped += 1

    # ------------------------------------------------------------------ calibration
    @classmethod
    def calibrated(
        cls,
        reference: Any,
        *,
        ert: float | None = None,
        false_alarm_rate: float | None = None,
        window: int | None = None,
        seed: int = 0,
        **params: Any,
    ) -> Self:
        """A detector whose threshold parameter is calibrated on ``reference`` (stationary
        values of the watched stream) for ``ert`` (mean updates between false alarms) or for
        ``false_alarm_rate`` per ``window`` updates; see :mod:`driftscope.stream.calibration`.
        Other parameters are passed through. The record is kept in ``calibration_``."""
        from driftscope.stream.calibration import calibrate

        detector, record = calibrate(
            cls(**params),
            reference,
            ert=ert,
            false_alarm_rate=false_alarm_rate,
            window=window,
            seed=seed,
        )
        calibrated = cast(Self, detector)  # calibrate returns a copy of cls(**params)
        calibrated.calibration_ = record
        return calibrated

    # ------------------------------------------------------------------ parameters
    def _params(self) -> dict[str, Any]:
        names = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.name != "self" and p.kind is not p.VAR_KEYWORD and p.kind is not p.VAR_POSITIONAL
        ]
        return {name: getattr(self, name) for name in names}

    def clone(self) -> Self:
        """A fresh detector with the same parameters and no state."""
        return type(self)(**self._params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StreamDetector)
            and type(other) is type(self)
            and (self._params() == other._params())
        )

    __hash__ = None  # type: ignore[assignment]  # unhashable: equality by parameters


def check_range(name: str, value: Any, low: float, high: float, *, closed: str = "both") -> Any:
    """``value`` when it is a number between ``low`` and ``high`` (ends included per
    ``closed``: "both", "left", "right" or "neither"), else a ConfigError naming it.

    >>> check_range("delta", 0.002, 0, 1, closed="neither")
    0.002
    >>> check_range("delta", 0, 0, 1, closed="neither")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: delta must be in (0, 1), got 0
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    v = float(value)
    ok_low = v >= low if closed in ("both", "left") else v > low
    ok_high = v <= high if closed in ("both", "right") else v < high
    if math.isnan(v) or not (ok_low and ok_high):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        raise ConfigError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")
    return value
