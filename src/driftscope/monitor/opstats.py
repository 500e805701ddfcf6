"""Operational statistics of a tracked function: calls, errors, latency percentiles.

Latencies go into a fixed logarithmic histogram (40 bins a decade from 100 ns to 1000 s),
so memory stays constant however long the process runs, and a percentile is exact to the
bin: within 6 % of the true value.

>>> stats = LatencyStats()
>>> for ms in (1, 2, 3, 4, 100):
...     stats.record(ms / 1000, error=ms == 100)
>>> s = stats.snapshot()
>>> s["calls"], s["errors"], 2.8 < s["latency_ms"]["p50"] < 3.2, s["latency_ms"]["max"]
(5, 1, True, 100.0)
"""

from __future__ import annotations

import math
import threading
from typing import Any

_LOW = -7.0  # log10 of the smallest bin edge (100 ns)
_PER_DECADE = 40
_BINS = 10 * _PER_DECADE  # up to 1000 s


class LatencyStats:
    """Counts and a latency histogram (thread-safe).

    >>> stats = LatencyStats()
    >>> for seconds in (0.001, 0.002, 0.004):
    ...     stats.record(seconds)
    >>> stats.record(0.5, error=True)
    >>> stats.calls, stats.errors
    (4, 1)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bins = [0] * (_BINS + 2)
        self.calls = 0
        self.errors = 0
        self.monitoring_errors = 0
        self._sum = 0.0
        self._max = 0.0
        self._min = math.inf

    def record(self, seconds: float, *, error: bool = False) -> None:
        if seconds > 0:
            index = int((math.log10(seconds) - _LOW) * _PER_DECADE) + 1
            index = 0 if index < 0 else min(index, _BINS + 1)
        else:
            index = 0
        with self._lock:
            self.calls += 1
            if error:
                self.errors += 1
            self._bins[index] += 1
            self._sum += seconds
            if seconds > self._max:
                self._max = seconds
            if seconds < self._min:
                self._min = seconds

    def monitoring_error(self) -> None:
        with self._lock:
            self.monitoring_errors += 1

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0-100) in seconds: the geometric middle of its bin,
        clamped to the observed min and max."""
        with self._lock:
            total = sum(self._bins)
            if not total:
                return math.nan
            rank = q / 100 * total
            seen, index = 0, 0
            for position, count in enumerate(self._bins):
                seen += count
                index = position
                if seen >= rank and count:
                    break
            lo_max, hi_min = self._max, self._min
        middle = 10 ** (_LOW + (index - 0.5) / _PER_DECADE)
        return min(max(middle, hi_min), lo_max)

    def snapshot(self) -> dict[str, Any]:
        """``calls``, ``errors``, ``error_rate``, ``monitoring_errors`` and ``latency_ms``
        (``p50``, ``p90``, ``p99``, ``mean``, ``max``)."""
        with self._lock:
            calls, errors, total, top = self.calls, self.errors, self._sum, self._max
            monitoring = self.monitoring_errors
        latency = {
            "p50": self.percentile(50) * 1000,
            "p90": self.percentile(90) * 1000,
            "p99": self.percentile(99) * 1000,
            "mean": total / calls * 1000 if calls else math.nan,
            "max": top * 1000 if calls else math.nan,
        }
        return {
            "calls": calls,
            "errors": errors,
            "error_rate": errors / calls if calls else 0.0,
            "monitoring_errors": monitoring,
            "latency_ms": latency,
        }
