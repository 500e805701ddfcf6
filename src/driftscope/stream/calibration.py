"""Calibrated false alarms: choose a detector's threshold from reference data by simulation.

River's defaults were set once, for one kind of stream; on plain N(0, 1) noise Page-Hinkley
fires hundreds of times per million values. Calibration turns the user's promise into the
detector's threshold parameter (its *knob*), on the user's own data:

* ``ert=N``: the expected run length between false alarms on stationary data, in updates;
* ``false_alarm_rate=a, window=W``: the probability of any alarm within ``W`` updates.

How: stationary streams are drawn from the reference sample by the bootstrap (independent
draws with replacement; a 0/1 stream for the binary detectors, at the reference's error
rate), and the knob is found by bisection on a log scale with the *same* simulated streams
at every step (common random numbers make the estimate monotone in the knob). For ``ert``
the simulated length is ``ert_multiple * ert`` updates in all and the estimate is
``updates / alarms`` (detectors restart after an alarm, so alarms form a renewal process);
for ``false_alarm_rate`` it is the share of ``runs`` streams of ``window`` updates with an
alarm. The ERT simulation uses ``ert_multiple`` independent streams of ``ert`` updates each:
the detector's warm-up, where the false alarms of DDM, EDDM and the HDDMs cluster, is
sampled once per ``ert`` updates, so the promise holds even for a detector restarted that
often; a detector left running does better.

Both are Monte Carlo estimates (the ERT one sees about ``ert_multiple`` = 30 alarms, the
rate one ``runs`` = 1,000 streams), so the search judges each candidate on the upper ~97.5 %
confidence bound of its alarm count: the calibrated detector errs towards fewer false
alarms than promised, never more, up to that confidence.
``tests/stream/test_calibration.py`` checks the promise on fresh streams over many seeds.
ERT here is the mean number of updates between false alarms in continuous operation, the
detector restarting after each alarm as it does in production.
The bootstrap ignores autocorrelation: on autocorrelated data calibrate on real stationary
history instead (``resample=False`` replays stretches of the reference as given).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from driftscope.errors import ConfigError, DataError

if TYPE_CHECKING:
    from driftscope.stream.base import StreamDetector


@dataclass(frozen=True)
class Knob:
    """The parameter that sets a detector's alarm threshold, and its search range.

    >>> knob = KNOBS["ADWIN"]
    >>> knob.name, knob.more_alarms_when_larger
    ('delta', True)
    """

    name: str
    low: float
    high: float
    more_alarms_when_larger: bool
    coupled: Callable[[dict[str, Any], float], dict[str, Any]] | None = None


def _scaled_warning(warning: str, ratio_of: tuple[float, float]) -> Callable[..., dict[str, Any]]:
    """Keep the warning parameter in its default proportion to the drift parameter."""
    drift_default, warning_default = ratio_of

    def couple(params: dict[str, Any], value: float) -> dict[str, Any]:
        return {**params, warning: value * warning_default / drift_default}

    return couple


KNOBS: dict[str, Knob] = {
    "ADWIN": Knob("delta", 1e-15, 0.5, True),
    "KSWIN": Knob("alpha", 1e-15, 0.5, True),
    "PageHinkley": Knob("threshold", 1e-3, 1e6, False),
    "DDM": Knob(
        "drift_threshold", 0.5, 50.0, False, _scaled_warning("warning_threshold", (3.0, 2.0))
    ),
    "EDDM": Knob("beta", 1e-4, 0.94, True),
    "HDDM_A": Knob(
        "drift_confidence", 1e-15, 0.1, True, _scaled_warning("warning_confidence", (0.001, 0.005))
    ),
    "HDDM_W": Knob(
        "drift_confidence", 1e-15, 0.1, True, _scaled_warning("warning_confidence", (0.001, 0.005))
    ),
}


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` found: the knob's value and the estimate it achieves.

    >>> record = Calibration("threshold", 41.5, "false_alarm_rate <= 0.05 over 500", 0.03, 10**6)
    >>> record.parameter, record.estimate <= 0.05
    ('threshold', True)
    """

    parameter: str
    value: float
    target: str
    estimate: float
    simulated_updates: int


def calibrate(
    detector: StreamDetector,
    reference: Any,
    *,
    ert: float | None = None,
    false_alarm_rate: float | None = None,
    window: int | None = None,
    runs: int = 1000,
    ert_multiple: float = 30.0,
    steps: int = 14,
    resample: bool = True,
    seed: int = 0,
) -> tuple[StreamDetector, Calibration]:
    """A fresh copy of ``detector`` whose knob meets the promise, and the calibration record
    (:class:`Calibration`: the parameter, its value, the promise and the estimate).

    >>> import numpy as np
    >>> from driftscope.stream import PageHinkley
    >>> noise = np.random.default_rng(0).normal(size=5000)
    >>> detector, record = calibrate(PageHinkley(), noise, false_alarm_rate=0.05, window=500)
    >>> record.parameter, detector.threshold == record.value, record.estimate <= 0.05
    ('threshold', True, True)
    """
    knob = KNOBS.get(type(detector).__name__)
    if knob is None:
        raise ConfigError(f"no calibration knob is known for {type(detector).__name__}")
    if (ert is None) == (false_alarm_rate is None):
        raise ConfigError("give exactly one of ert= or false_alarm_rate= (with window=)")
    values = np.asarray(reference, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size < 30:
        raise DataError(f"calibration needs at least 30 finite reference values, got {values.size}")
    if detector.binary and not np.isin(values, (0.0, 1.0)).all():
        raise DataError(
            f"{type(detector).__name__} watches a 0/1 stream; the reference has other values"
        )
    rng = np.random.default_rng(seed)
    if ert is not None:
        if not (isinstance(ert, int | float) and ert >= 10):
            raise ConfigError(f"ert must be a number >= 10, got {ert!r}")
        # independent streams of ``ert`` updates each: a detector's warm-up, where some
        # detectors' false alarms cluster, is sampled once per ``ert`` updates, so the promise
        # holds even for a detector restarted that often (longer runs do better)
        pieces = max(1, round(ert_multiple))
        length = math.ceil(ert)
        streams = [_draw(values, length, rng, resample) for _ in range(pieces)]
        target = f"ert={ert:g}"
    else:
        if not (isinstance(false_alarm_rate, float | int) and 0 < false_alarm_rate < 1):
            raise ConfigError(f"false_alarm_rate must be in (0, 1), got {false_alarm_rate!r}")
        if not (isinstance(window, int) and window >= 10):
            raise ConfigError(f"window must be an integer >= 10, got {window!r}")
        streams = [_draw(values, window, rng, resample) for _ in range(runs)]
        target = f"false_alarm_rate={false_alarm_rate:g} per {window}"
    total = sum(len(s) for s in streams)
    params = detector._params()

    def build(value: float) -> StreamDetector:
        p = {**params, knob.name: value}
        if knob.coupled is not None:
            p = knob.coupled(p, value)
        return type(detector)(**p)

    def count(value: float) -> int:
        """Alarms in all (ert) or streams with an alarm (rate), at this knob value."""
        alarms = [len(build(value).update_many(s)) for s in streams]
        return sum(alarms) if ert is not None else sum(1 for a in alarms if a)

    def too_many(k: int) -> bool:
        # judged on the ~97.5 % upper confidence bound of the Poisson/binomial count, so the
        # Monte Carlo error errs on the side of fewer false alarms
        upper = k + 2.0 * math.sqrt(k) + 1.0
        if ert is not None:
            return total / upper < ert
        assert false_alarm_rate is not None  # exactly one of the two was given
        return upper / runs > false_alarm_rate

    lo, hi = math.log(knob.low), math.log(knob.high)
    for _ in range(steps):
        mid = (lo + hi) / 2
        # move towards fewer alarms when there are too many
        if too_many(count(math.exp(mid))) == knob.more_alarms_when_larger:
            hi = mid
        else:
            lo = mid
    value = math.exp(lo if knob.more_alarms_when_larger else hi)  # the side keeping the promise
    k = count(value)
    estimate = (total / k if k else math.inf) if ert is not None else k / runs
    record = Calibration(knob.name, value, target, estimate, total * (steps + 1))
    return build(value), record


def _draw(values: np.ndarray, n: int, rng: np.random.Generator, resample: bool) -> np.ndarray:
    if resample:
        return rng.choice(values, size=n, replace=True)
    if values.size < n:
        raise DataError(f"resample=False needs at least {n} reference values, got {values.size}")
    start = int(rng.integers(0, values.size - n + 1))
    return values[start : start + n]
