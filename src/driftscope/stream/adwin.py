"""ADWIN: adaptive windowing (Bifet & Gavaldà 2007), detection for detection as River's.

The window is kept as an exponential histogram: row ``r`` holds up to ``max_buckets``
buckets of ``2**r`` values each (a sum and a sum of squared deviations per bucket); a row
that overflows merges its two oldest buckets into the next row. Every ``clock`` values, once
the window holds more than ``grace_period`` values, each bucket boundary splits the window
into an older part W0 and a newer part W1 (both of at least ``min_window_length`` values),
and the means are compared with the bound of the paper, with ``delta' = delta / ln(width)``::

    |mean(W0) - mean(W1)| > sqrt(2 / m * var(W) * ln(2 / delta')) + 2 / (3 m) * ln(2 / delta')

where ``1/m = 1/(n0 - min_window_length + 1) + 1/(n1 - min_window_length + 1)``. While a
split passes, the oldest bucket is dropped and the splits are checked again. A drift is
reported for the update, and -- as in River -- the detector starts afresh (empty window) at
the next update.

The histogram and the checks are compiled (:mod:`driftscope.stream._adwin_core`). ``update``
queues values and runs the core once every ``clock`` values, when a check is due, so the
per-value cost is a few Python operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftscope.stream import _adwin_core as core
from driftscope.stream._inputs import check_int, run_batch
from driftscope.stream.base import StreamDetector, check_range


class _Never:
    """A type no value has: with ``on_invalid="raise"``, ``update`` checks every value."""


class ADWIN(StreamDetector):
    """Adaptive windowing: a drift when two parts of the recent window differ in mean.

    Parameters and defaults are River's: ``delta`` (the confidence of the cut test, the one
    knob that sets the false-alarm rate), ``clock`` (check every ``clock`` values),
    ``max_buckets`` (buckets per row of the histogram), ``min_window_length`` (least values
    on each side of a split) and ``grace_period`` (least values before any check).

    Same detections as ``river.drift.ADWIN`` for the same stream, with three documented
    differences where River is wrong: ``variance`` is the variance of the window (River
    returns the sum of squared deviations), ``n_detections`` counts every detection (River's
    goes back to 0 after each), and ``max_buckets=1`` works (River can panic).

    >>> import random
    >>> rng = random.Random(12345)
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> adwin = ADWIN()
    >>> for i, x in enumerate(stream):
    ...     adwin.update(x)
    ...     if adwin.drift_detected:
    ...         print(f"drift at {i}, window of {adwin.width}")
    drift at 1023, window of 32
    >>> ADWIN().update_many(stream)
    array([1023])
    """

    def __init__(
        self,
        delta: float = 0.002,
        clock: int = 32,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
        *,
        on_invalid: str = "skip",
    ) -> None:
        self.delta = check_range("delta", delta, 0, 1, closed="neither")
        self.clock = check_int("clock", clock, 1)
        self.max_buckets = check_int("max_buckets", max_buckets, 1)
        self.min_window_length = check_int("min_window_length", min_window_length, 1)
        self.grace_period = check_int("grace_period", grace_period, 0)
        super().__init__(on_invalid=on_invalid)

    def _reset(self) -> None:
        self._core_state = core.State.new(
            float(self.delta),
            int(self.clock),
            int(self.max_buckets),
            int(self.min_window_length),
            int(self.grace_period),
        )
        self._k = 0  # values queued
        self._stop = min(int(self.clock), core.QUEUE)  # the core runs when this many are queued
        self._attach()
        super()._reset()

    def _attach(self) -> None:
        """The views ``update`` works through (rebuilt after unpickling)."""
        self._window_record, self._buckets = self._core_state
        self._window = self._window_record[0]
        self._queue = memoryview(self._window_record["queue"][0])
        self._run_queue = core.queue_runner()
        # NaN and infinities are floats that the core skips and counts; with
        # on_invalid="raise" every value is checked in Python first.
        self._unchecked = float if self.on_invalid == "skip" else _Never

    # ------------------------------------------------------------------ updating
    def update(self, x: Any) -> None:
        """Add one value; a check of the window runs every ``clock`` values."""
        if x.__class__ is not self._unchecked:
            x = self._valid(x)
            if x is None:
                return
        k = self._k
        self._queue[k] = x
        k += 1
        if k != self._stop:
            self._k = k
            return
        self._k = 0
        self._drift_detected = False
        found = self._run_queue(self._window_record, self._buckets, k)
        if found or k != self.clock:  # a drift, a skipped value, or a run short of a check
            self._after_run(found)

    def _run(self, k: int) -> None:
        """Feed the ``k`` queued values to the core."""
        self._k = 0
        self._drift_detected = False
        self._after_run(self._run_queue(self._window_record, self._buckets, k))

    def _after_run(self, found: int) -> None:
        """Note a drift (``found & 1``); the queue's length before the next check."""
        if found & 1:
            self._drift_detected = True
            self.n_detections += 1
        self._stop = min(core.QUEUE, int(self._window["until"]))

    def _flush(self) -> None:
        """Put the queued values in the window (no check is due among them)."""
        if self._k:
            self._run(self._k)

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in one compiled loop; the 0-based positions of the detections."""
        return run_batch(self, values, self._feed)

    def _feed(self, floats: np.ndarray) -> np.ndarray:
        self._flush()
        hits = np.zeros(len(floats) // self.clock + 1, dtype=np.int64)
        n_hits = core.feed(self._window_record, self._buckets, floats, len(floats), hits, True)
        self.n_detections += n_hits
        self._drift_detected = n_hits > 0 and hits[n_hits - 1] == len(floats) - 1
        self._stop = min(core.QUEUE, int(self._window["until"]))
        return hits[:n_hits]

    # ------------------------------------------------------------------ counters, state
    # The core counts the values it takes or skips; the Python side adds values of the
    # wrong type. Reading a count first runs the core on the queued values.
    @property
    def n_updates(self) -> int:
        """The number of valid values seen."""
        self._flush()
        return int(self._window["valid"])

    @n_updates.setter
    def n_updates(self, value: int) -> None:
        self._flush()
        self._window["valid"] = value

    @property
    def n_skipped(self) -> int:
        """The number of invalid values skipped."""
        self._flush()
        return int(self._window["nonfinite"])

    @n_skipped.setter
    def n_skipped(self, value: int) -> None:
        self._flush()
        self._window["nonfinite"] = value

    @property
    def drift_detected(self) -> bool:
        """Whether the last update detected a drift."""
        return self._drift_detected and not self._k

    def __getstate__(self) -> dict[str, Any]:
        self._flush()
        views = ("_window_record", "_buckets", "_window", "_queue", "_run_queue", "_unchecked")
        return {k: v for k, v in self.__dict__.items() if k not in views}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._attach()

    def _state(self) -> tuple[dict[str, Any], np.ndarray]:
        """The window record's fields and the buckets' sums after the queued values went in
        (for tests; the queue and the split points are scratch)."""
        self._flush()
        window = {name: self._window[name].tolist() for name in core.WINDOW.names or ()}
        window["skipped"] = window["queue"] = 0  # scratch of the last feed
        return window, self._buckets[["sum", "sqdev"]].copy()

    # ------------------------------------------------------------------ River's properties
    @property
    def width(self) -> int:
        """The number of values in the window."""
        self._flush()
        return int(self._window["width"])

    @property
    def total(self) -> float:
        """The sum of the values in the window."""
        self._flush()
        return float(self._window["total"])

    @property
    def variance(self) -> float:
        """The (population) variance of the values in the window, as used by the cut test.

        River's ``variance`` returns the sum of squared deviations, ``width`` times this.
        """
        self._flush()
        width = self._window["width"]
        return float(self._window["var"] / width) if width > 0 else 0.0

    @property
    def estimation(self) -> float:
        """The mean of the values in the window (0 when it is empty)."""
        self._flush()
        width = self._window["width"]
        return float(self._window["total"] / width) if width > 0 else 0.0
