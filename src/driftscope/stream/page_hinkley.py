"""Page-Hinkley: a cumulative sum of deviations from the running mean (Page 1954).

With ``x̄_t`` the mean of the values so far (the current one included), the detector keeps
two faded cumulative sums (``alpha`` is the forgetting factor, Mouss et al. 2004)::

    up_t   = alpha * up_{t-1}   + (x_t - x̄_t) - delta     (rises when the mean rises)
    down_t = alpha * down_{t-1} + (x_t - x̄_t) + delta     (falls when the mean falls)

and reports a drift, once ``min_instances`` values were seen, when ``up_t - min(up)`` (mode
"up"), ``max(down) - down_t`` (mode "down") or either (mode "both") exceeds ``threshold``.
After a drift it starts afresh, as River does. Same arithmetic as River's ``PageHinkley``,
operation for operation, so the detections are the same.

``update`` is plain Python (a dozen float operations); ``update_many`` runs a compiled loop.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from driftscope.core._jit import njit
from driftscope.errors import ConfigError
from driftscope.stream._inputs import check_int, run_batch
from driftscope.stream.base import StreamDetector, check_range

MODES = ("up", "down", "both")


#: The statistics, River's: the count, the mean, the sums ``up`` and ``down``, ``lo`` =
#: min(up) and ``hi`` = max(down). ``update`` keeps them as a tuple in this order, the
#: compiled loop as one record of this dtype.
STATE = np.dtype([(name, "f8") for name in ("n", "mean", "up", "down", "lo", "hi")])

#: The state after a (re)start; the first update always raises max(down) above its -1
#: (delta >= 0).
_FRESH = (0.0, 0.0, 0.0, 0.0, math.inf, -1.0)


@njit
def _ph_feed(
    state: np.ndarray,
    values: np.ndarray,
    hits: np.ndarray,
    alpha: float,
    delta: float,
    threshold: float,
    min_n: float,
    watch_up: bool,
    watch_down: bool,
) -> int:
    """Feed ``values``, restarting after each detection; the number of detections, whose
    positions are written to ``hits``. ``update``, line for line, on local variables."""
    rec = state[0]
    n, mean, up, down = rec["n"], rec["mean"], rec["up"], rec["down"]
    lo, hi = rec["lo"], rec["hi"]
    n_hits = 0
    for j in range(len(values)):
        x = values[j]
        n += 1.0
        mean += (1.0 / n) * (x - mean)
        dev = x - mean
        up = alpha * up + dev - delta
        down = alpha * down + dev + delta
        if up < lo:
            lo = up
        if down > hi:
            hi = down
        if n >= min_n and (
            (watch_up and up - lo > threshold) or (watch_down and hi - down > threshold)
        ):
            hits[n_hits] = j
            n_hits += 1
            n, mean, up, down, lo, hi = 0.0, 0.0, 0.0, 0.0, math.inf, -1.0
    rec["n"], rec["mean"], rec["up"], rec["down"] = n, mean, up, down
    rec["lo"], rec["hi"] = lo, hi
    return n_hits


class PageHinkley(StreamDetector):
    """Page-Hinkley test for a change in the mean, upward, downward or both.

    Parameters and defaults are River's: ``min_instances`` (values before any detection),
    ``delta`` (the magnitude of change tolerated), ``threshold`` (lambda: the one knob that
    sets the false-alarm rate), ``alpha`` (forgetting factor of the sums, 1 = none) and
    ``mode`` ("up", "down" or "both").

    >>> import random
    >>> rng = random.Random(12345)
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> ph = PageHinkley()
    >>> for i, x in enumerate(stream):
    ...     ph.update(x)
    ...     if ph.drift_detected:
    ...         print(f"drift at {i}")
    drift at 1006
    >>> PageHinkley(mode="down").update_many(stream)
    array([], dtype=int64)
    """

    def __init__(
        self,
        min_instances: int = 30,
        delta: float = 0.005,
        threshold: float = 50.0,
        alpha: float = 1 - 0.0001,
        mode: str = "both",
        *,
        on_invalid: str = "skip",
    ) -> None:
        self.min_instances = check_int("min_instances", min_instances, 1)
        self.delta = check_range("delta", delta, 0, math.inf, closed="left")
        self.threshold = check_range("threshold", threshold, 0, math.inf, closed="neither")
        self.alpha = check_range("alpha", alpha, 0, 1, closed="right")
        if mode not in MODES:
            raise ConfigError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        super().__init__(on_invalid=on_invalid)

    def _reset(self) -> None:
        super()._reset()
        # Parameters as floats/flags, and the state, as tuples: update() unpacks each in one go.
        self._consts = (
            float(self.alpha),
            float(self.delta),
            float(self.threshold),
            float(self.min_instances),
            self.mode != "down",
            self.mode != "up",
        )
        self._st = _FRESH

    # ------------------------------------------------------------------ updating
    def update(self, x: Any) -> None:
        """Add one value; afterwards ``drift_detected`` says whether it revealed a drift."""
        if x.__class__ is not float or x - x != 0.0:
            x = self._valid(x)
            if x is None:
                return
        n, mean, up, down, lo, hi = self._st
        alpha, delta, threshold, min_n, watch_up, watch_down = self._consts
        n += 1.0
        mean += (1.0 / n) * (x - mean)
        dev = x - mean
        up = alpha * up + dev - delta
        down = alpha * down + dev + delta
        if up < lo:
            lo = up
        if down > hi:
            hi = down
        self.n_updates += 1
        if n >= min_n and (
            (watch_up and up - lo > threshold) or (watch_down and hi - down > threshold)
        ):
            self._drift_detected = True
            self.n_detections += 1
            self._st = _FRESH  # River resets at the next update; nothing shows the difference
            return
        self._drift_detected = False
        self._st = (n, mean, up, down, lo, hi)

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in one compiled loop; the 0-based positions of the detections."""
        return run_batch(self, values, self._feed)

    def _feed(self, floats: np.ndarray) -> np.ndarray:
        state = np.array([self._st], dtype=STATE)
        hits = np.zeros(len(floats) // self.min_instances + 1, dtype=np.int64)
        n_hits = _ph_feed(state, floats, hits, *self._consts)
        self._st = state[0].item()
        self.n_updates += len(floats)
        self.n_detections += n_hits
        self._drift_detected = n_hits > 0 and hits[n_hits - 1] == len(floats) - 1
        return hits[:n_hits]

    def _state(self) -> tuple[float, ...]:
        """The statistics: count, mean, up, down, min(up), max(down) (for tests)."""
        return self._st
