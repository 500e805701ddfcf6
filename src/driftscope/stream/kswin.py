"""KSWIN: Kolmogorov-Smirnov windowing (Raab et al. 2020), detection for detection as River's.

A sliding window holds the last ``window_size`` values. Once it is full, every update
compares its newest ``stat_size`` values with ``stat_size`` values drawn without
replacement from the older ``window_size - stat_size`` ones, with a two-sample
Kolmogorov-Smirnov test; a drift is reported when the p-value is at most ``alpha`` and the
statistic exceeds 0.1 (River's rule), and the detector then starts afresh (empty window,
reseeded generator) at the next update, as River does.

Parity with River, fast:

* the draws are River's: ``random.Random(seed).sample(range(window_size - stat_size),
  stat_size)``: CPython's generator compiled (:mod:`~driftscope.stream._mt19937`, started
  from the state ``random.Random(seed)`` seeds) and what ``sample`` and ``_randbelow`` do
  with its words (:mod:`~driftscope.stream._kswin_core`);
* both samples have ``stat_size`` values, so the statistic is ``h / stat_size`` for an
  integer ``h``, and SciPy's p-value (exact for ``stat_size <= 10000``) depends on ``h``
  only; the smallest ``h`` that River's rule accepts is found once per (``stat_size``,
  ``alpha``) by asking ``scipy.stats.ks_2samp`` itself, after which each test is two sorts
  and a merge.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy import stats

from driftscope.errors import ConfigError
from driftscope.stream import _kswin_core as core
from driftscope.stream._inputs import check_int, run_batch
from driftscope.stream._mt19937 import MersenneTwister
from driftscope.stream.base import StreamDetector, check_range

#: SciPy's ks_2samp(method="auto") is exact up to this sample size, asymptotic beyond.
EXACT_MAX = 10000


# ---------------------------------------------------------------------- SciPy's decision
def _scipy_test(stat_size: int, h: int) -> tuple[float, float]:
    """River's ``ks_2samp(..., method="auto")`` on two samples of ``stat_size`` values whose
    statistic is ``h / stat_size``: (statistic, p-value)."""
    first = np.arange(stat_size, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        result = stats.ks_2samp(first, first + h, method="auto")
    return float(result.statistic), float(result.pvalue)


@functools.lru_cache(maxsize=256)
def critical_h(stat_size: int, alpha: float) -> int:
    """The least ``h`` for which River's rule (p-value <= alpha and statistic > 0.1) holds
    on samples of ``stat_size`` values, ``stat_size + 1`` if none does (for an asymptotic
    test, only the p-value's part: the statistic's is checked on each test's own float).

    Both parts grow with ``h``, so a binary search asks SciPy ~log2(stat_size) times.

    With the defaults, a drift needs 14 of the 30 values more on one side of some point:

    >>> critical_h(30, 0.005)
    14
    """
    asymp = stat_size > EXACT_MAX

    def passes(h: int) -> bool:
        statistic, p_value = _scipy_test(stat_size, h)
        return p_value <= alpha and (asymp or statistic > 0.1)

    low, high = 1, stat_size + 1  # passes(high) is taken as True
    while low < high:
        mid = (low + high) // 2
        if passes(mid):
            high = mid
        else:
            low = mid + 1
    return low


@functools.lru_cache(maxsize=4096)
def _p_value(stat_size: int, h: int) -> float:
    return _scipy_test(stat_size, h)[1]


class KSWIN(StreamDetector):
    """Kolmogorov-Smirnov windowing: a drift when the newest values of the window are not
    distributed like a random sample of the older ones.

    Parameters and defaults are River's: ``alpha`` (the test's level, the one knob that sets
    the false-alarm rate), ``window_size``, ``stat_size`` (size of each sample; the window
    must hold at least two samples' worth), ``seed`` (of the draws; River's draws for the
    same seed) and ``window`` (values to start with, as if seen first).

    After a drift the window starts empty and, with a seed, the draws start again from the
    seed, as River's do. Without a seed River draws a fresh OS seed; this detector continues
    its generator instead (the same distribution of draws). ``p_value`` is River's: 0
    before the first test after a start.

    >>> import random
    >>> rng = random.Random(12345)
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> kswin = KSWIN(alpha=0.0001, seed=42)
    >>> for i, x in enumerate(stream):
    ...     kswin.update(x)
    ...     if kswin.drift_detected:
    ...         print(f"drift at {i}")
    drift at 1016
    >>> KSWIN(alpha=0.0001, seed=42).update_many(stream)
    array([1016])
    """

    def __init__(
        self,
        alpha: float = 0.005,
        window_size: int = 100,
        stat_size: int = 30,
        seed: int | None = None,
        window: Iterable[float] | None = None,
        *,
        on_invalid: str = "skip",
    ) -> None:
        self.alpha = check_range("alpha", alpha, 0, 1, closed="neither")
        self.stat_size = check_int("stat_size", stat_size, 1)
        self.window_size = check_int("window_size", window_size, 2)
        if window_size < 2 * stat_size:
            raise ConfigError(
                f"window_size must be at least 2 * stat_size = {2 * stat_size} (the older "
                f"window_size - stat_size values are sampled stat_size at a time), "
                f"got {window_size!r}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ConfigError(f"seed must be None or an integer, got {seed!r}")
        self.seed = seed
        self.window = None if window is None else _as_window(window)
        super().__init__(on_invalid=on_invalid)

    def _reset(self) -> None:
        super()._reset()
        ws, ss = int(self.window_size), int(self.stat_size)
        self._core_state = core.State.new(ws, ss, critical_h(ss, float(self.alpha)), ss > EXACT_MAX)
        # The draws start with the first words of the generator, and with a seed start
        # there again after each drift: those words are kept, and the generator after them.
        self._seeded = MersenneTwister(self.seed)
        first_words = self._seeded.words(core.WORDS)
        self._first_words = None if self.seed is None else first_words
        self._rng = self._seeded.copy()
        self._core_state.set_words(first_words)
        if self.window:
            start = self.window[-ws:]
            head = self._core_state.head[0]
            self._core_state.ring[: len(start)] = start
            head["count"], head["next"] = len(start), len(start) % ws
        self._attach()

    def _attach(self) -> None:
        """What ``update`` works with (rebuilt after unpickling)."""
        self._head, self._rows = self._core_state
        self._step = core.stepper()

    # ------------------------------------------------------------------ updating
    def update(self, x: Any) -> None:
        """Add one value; once the window is full, test it."""
        if x.__class__ is not float or x - x != 0.0:
            x = self._valid(x)
            if x is None:
                return
        self.n_updates += 1
        found = self._step(self._head, self._rows, x)
        if not found:
            self._drift_detected = False
            return
        if found == core.NEED_WORDS:
            self._core_state.add_words(self._rng)
            found = self._step(self._head, self._rows, x)
        self._drift_detected = found == core.DRIFT
        if self._drift_detected:
            self.n_detections += 1
            self._after_drift()

    def _after_drift(self) -> None:
        """River restarts its generator from the seed after a drift (and draws a fresh OS
        seed without one; this detector continues its generator instead)."""
        if self._first_words is not None:
            self._rng = self._seeded.copy()
            self._core_state.set_words(self._first_words)

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in one compiled loop; the 0-based positions of the detections."""
        return run_batch(self, values, self._feed)

    def _feed(self, floats: np.ndarray) -> np.ndarray:
        hits = np.zeros(len(floats) // self.window_size + 1, dtype=np.int64)
        n_hits, start, code = 0, 0, core.NONE
        reseed = self.seed is not None
        while start < len(floats):
            n_hits, start, code = core.feed(
                self._head, self._rows, floats, start, reseed, hits, n_hits
            )
            if code == core.NEED_WORDS:
                self._core_state.add_words(self._rng)
            elif code == core.DRIFT:
                self._after_drift()
        self.n_updates += len(floats)
        self.n_detections += n_hits
        self._drift_detected = n_hits > 0 and hits[n_hits - 1] == len(floats) - 1
        return hits[:n_hits]

    @property
    def p_value(self) -> float:
        """The p-value of the last test (River's: 0 before the first test after a start)."""
        h = int(self._core_state.head[0]["last_h"])
        return 0.0 if h < 0 else _p_value(int(self.stat_size), h)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_head", "_rows", "_step")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._attach()

    def _state(self) -> tuple[Any, ...]:
        """The window, the counters and the generator's position (for tests)."""
        head = self._core_state.head[0]
        fields = [n for n in core.HEAD.names or () if n not in ("words", "pos", "end", "stamp")]
        used = self._rng.key.tolist(), self._rng.pos, int(head["end"] - head["pos"])
        return self._core_state.ring.tolist(), [int(head[n]) for n in fields], used


def _as_window(window: Iterable[float]) -> tuple[float, ...]:
    """``window`` as a tuple of floats, or a ConfigError naming it."""
    try:
        values = tuple(float(v) for v in np.asarray(window, dtype=float).ravel())
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"window must be a sequence of numbers: {exc}") from None
    if not all(math.isfinite(v) for v in values):
        raise ConfigError("window must hold finite numbers only (found NaN or infinity)")
    return values
