"""KSWIN: Kolmogorov-Smirnov windowing (Raab et al. 2020), detection for detection as River's.

A sliding window holds the last ``window_size`` values. Once it is full, every update
compares its newest ``stat_size`` values with ``stat_size`` values drawn without
replacement from the older ``window_size - stat_size`` ones, with a two-sample
Kolmogorov-Smirnov test; a drift is reported when the p-value is at most ``alpha`` and the
statistic exceeds 0.1 (River's rule), and the detector then starts afresh (empty window,
reseeded generator) at the next update, as River does.

Parity with River, fast:

* the draws are River's: ``random.Random(seed).sample(range(window_size - stat_size),
  stat_size)``, reproduced in compiled code (CPython's Mersenne Twister, ``_randbelow`` and
  ``sample``, started from the generator's own state);
* both samples have ``stat_size`` values, so the statistic is ``h / stat_size`` for an
  integer ``h``, and SciPy's p-value (exact for ``stat_size <= 10000``) depends on ``h``
  only; the smallest ``h`` that River's rule accepts is found once per (``stat_size``,
  ``alpha``) by asking ``scipy.stats.ks_2samp`` itself, after which each test is two sorts
  and a merge.
"""

from __future__ import annotations

import functools
import math
import random
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from scipy import stats

from driftscope.errors import ConfigError
from driftscope.stream._inputs import check_int, run_batch
from driftscope.stream._jit import compiled, jit
from driftscope.stream.base import StreamDetector, check_range

#: SciPy's ks_2samp(method="auto") is exact up to this sample size, asymptotic beyond.
EXACT_MAX = 10000

# Int state ``it``: values in the window, slot of the next value, "restart before the next
# value", h of the last test (-1: none yet), (at 10) whether the newest stat_size values are
# kept sorted at the end of ``fl``, then the parameters window_size, stat_size,
# the critical h, whether sample() uses its pool method, whether a restart reseeds, whether
# the test is asymptotic; then the Mersenne Twister (624 words and a position), its seeded
# start, and scratch for the sample (indices, pool, marks).
_COUNT, _NEXT, _RESTART, _LAST_H, _SORTED = 0, 1, 2, 3, 10
_WS, _SS, _HCRIT, _POOL, _RESEED, _ASYMP = 4, 5, 6, 7, 8, 9
_MT = 16
_MT0 = _MT + 625
_SCRATCH = _MT0 + 625
# Float state ``fl``: the window (a ring), then the sample drawn from the older values
# (sorted for each test), then the newest stat_size values, kept sorted while the window
# is full; each sample is followed by an infinite sentinel.

_UPPER, _LOWER, _MATRIX = 0x80000000, 0x7FFFFFFF, 0x9908B0DF


# ---------------------------------------------------------------------- CPython's random
@jit
def _twist(mt):
    """Regenerate the 624 words of the Mersenne Twister."""
    for k in range(624):
        y = (mt[k] & _UPPER) | (mt[k + 1 if k < 623 else 0] & _LOWER)
        v = mt[k + 397 if k < 227 else k - 227] ^ (y >> 1)
        if y & 1:
            v ^= _MATRIX
        mt[k] = v


@jit
def _randbelow(mt, n, bits):
    """``random.Random._randbelow(n)`` (``bits = n.bit_length()``): draws ``bits``-bit
    numbers until one is below ``n``. The position in ``mt`` is kept in ``mt[624]``."""
    pos = mt[624]
    while True:
        if pos >= 624:
            _twist(mt)
            pos = 0
        y = mt[pos]  # tempered into the generator's output
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        pos += 1
        if y >> (32 - bits) < n:
            mt[624] = pos
            return y >> (32 - bits)


@jit
def _sample(it, n, k, out):
    """``random.Random.sample(range(n), k)`` into ``it[out:out + k]`` (the same draws)."""
    mt = it[_MT : _MT + 625]
    bits = 0
    while n >> bits:
        bits += 1
    if it[_POOL]:  # a list of the candidates, each pick replaced by the last one
        pool = it[out + k : out + k + n]
        for i in range(n):
            pool[i] = i
        for i in range(k):
            left = n - i
            if left < 1 << (bits - 1):
                bits -= 1
            j = _randbelow(mt, left, bits)
            it[out + i] = pool[j]
            pool[j] = pool[left - 1]
    else:  # redraw picks already taken
        taken = it[out + k + n : out + k + 2 * n]
        for i in range(k):
            j = _randbelow(mt, n, bits)
            while taken[j]:
                j = _randbelow(mt, n, bits)
            taken[j] = 1
            it[out + i] = j
        for i in range(k):
            taken[it[out + i]] = 0


# ---------------------------------------------------------------------- the test
@jit
def _ks_distance(a, b, n, asymp):
    """For sorted ``a[:n]`` and ``b[:n]``, each followed by an infinite sentinel: ``h``, the
    largest gap between their counts at or below a value (after all ties of the value),
    and SciPy's float statistic when the test is asymptotic (its rounding then decides
    ``statistic > 0.1``).

    The merge (``a`` first on ties) runs without a data-dependent branch, as two halves
    at once: the second starts where the first n merged values end (a binary search)."""
    lo, hi = 0, n  # the first half takes lo values from a
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] <= b[n - mid - 1]:
            lo = mid + 1
        else:
            hi = mid
    i1 = j1 = 0
    i2, j2 = lo, n - lo
    h1 = h2 = 0
    d1 = d2 = 0.0
    for _ in range(n):
        a1, b1, a2, b2 = a[i1], b[j1], a[i2], b[j2]
        take1, take2 = a1 <= b1, a2 <= b2
        v1 = a1 if take1 else b1
        v2 = a2 if take2 else b2
        i1 += take1
        j1 += not take1
        i2 += take2
        j2 += not take2
        if min(a[i1], b[j1]) > v1:  # all ties of v1 are counted
            h1 = max(h1, abs(i1 - j1))
            if asymp:
                d1 = max(d1, abs(i1 / n - j1 / n))
        if min(a[i2], b[j2]) > v2:
            h2 = max(h2, abs(i2 - j2))
            if asymp:
                d2 = max(d2, abs(i2 / n - j2 / n))
    return max(h1, h2), max(d1, d2)


@jit
def _insertion_sort(a):
    for i in range(1, len(a)):
        v = a[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


@jit
def _replace_sorted(a, gone, new):
    """In sorted ``a``, replace one value equal to ``gone`` by ``new``, keeping it sorted."""
    i = np.searchsorted(a, gone)
    n = len(a)
    if new >= gone:
        while i + 1 < n and a[i + 1] < new:
            a[i] = a[i + 1]
            i += 1
    else:
        while i > 0 and a[i - 1] > new:
            a[i] = a[i - 1]
            i -= 1
    a[i] = new


@jit
def _step(fl, it, x):
    """Add ``x`` to the window and, once it is full, test; whether a drift was found."""
    ws, ss = it[_WS], it[_SS]
    old = ws - ss
    if it[_RESTART]:
        it[_COUNT] = 0
        it[_NEXT] = 0
        it[_RESTART] = 0
        it[_LAST_H] = -1
        it[_SORTED] = 0
        if it[_RESEED]:
            it[_MT : _MT + 625] = it[_MT0 : _MT0 + 625]
    slot = it[_NEXT]
    fl[slot] = x
    oldest = slot + 1 if slot + 1 < ws else 0
    it[_NEXT] = oldest
    if it[_COUNT] < ws:
        it[_COUNT] += 1
        if it[_COUNT] < ws:
            return False
    a = fl[ws : ws + ss]  # then an infinite sentinel
    b = fl[ws + ss + 1 : ws + 2 * ss + 1]  # then an infinite sentinel
    if it[_SORTED]:  # the newest values lost the one now oldest among the older ones
        left = oldest + old - 1
        _replace_sorted(b, fl[left - ws if left >= ws else left], x)
    else:
        for i in range(ss):
            at = oldest + old + i
            b[i] = fl[at - ws if at >= ws else at]
        b.sort()
        it[_SORTED] = 1
    _sample(it, old, ss, _SCRATCH)
    for i in range(ss):
        at = oldest + it[_SCRATCH + i]
        a[i] = fl[at - ws if at >= ws else at]
    if ss <= 64:
        _insertion_sort(a)
    else:
        a.sort()
    h, d = _ks_distance(fl[ws : ws + ss + 1], fl[ws + ss + 1 :], ss, it[_ASYMP])
    it[_LAST_H] = h
    if h >= it[_HCRIT] and (not it[_ASYMP] or d > 0.1):
        it[_RESTART] = 1
        return True
    return False


@jit
def _kswin_run(fl, it, x):
    """One update (the entry ``update`` calls)."""
    return _step(fl, it, x)


@jit
def _kswin_many(fl, it, values, hits):
    """Feed ``values``; the number of detections, their positions written to ``hits``."""
    n_hits = 0
    for j in range(len(values)):
        if _step(fl, it, values[j]):
            hits[n_hits] = j
            n_hits += 1
    return n_hits


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


def _uses_pool(n: int, k: int) -> bool:
    """Which of its two methods ``random.Random.sample`` uses for (range(n), k)."""
    setsize = 21
    if k > 5:
        setsize += 4 ** math.ceil(math.log(k * 3, 4))
    return n <= setsize


@functools.cache
def _core() -> Callable:
    """``_kswin_run`` compiled for the argument types ``update`` passes it."""
    fl, it = np.zeros(6), np.zeros(_SCRATCH + 4, dtype=np.int64)
    it[_WS], it[_SS], it[_HCRIT], it[_POOL] = 2, 1, 2, 1
    return compiled(_kswin_run, fl, it, 0.5)


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
        old = ws - ss
        self._fl = np.zeros(ws + 2 * ss + 2)
        self._fl[ws + ss] = self._fl[-1] = np.inf  # the samples' sentinels
        self._it = it = np.zeros(_SCRATCH + ss + 2 * old, dtype=np.int64)
        it[_LAST_H] = -1
        it[_WS], it[_SS], it[_HCRIT] = ws, ss, critical_h(ss, float(self.alpha))
        it[_POOL] = _uses_pool(old, ss)
        it[_ASYMP] = ss > EXACT_MAX
        it[_RESEED] = self.seed is not None
        words = random.Random(self.seed).getstate()[1]
        it[_MT : _MT + 625] = words
        it[_MT0 : _MT0 + 625] = words
        if self.window:
            start = self.window[-ws:]
            self._fl[: len(start)] = start
            it[_COUNT] = len(start)
            it[_NEXT] = len(start) % ws
        self._core = _core()

    # ------------------------------------------------------------------ updating
    def update(self, x: Any) -> None:
        """Add one value; once the window is full, test it."""
        if x.__class__ is not float or x - x != 0.0:
            x = self._valid(x)
            if x is None:
                return
        self.n_updates += 1
        if self._core(self._fl, self._it, x):
            self._drift_detected = True
            self.n_detections += 1
        else:
            self._drift_detected = False

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in one compiled loop; the 0-based positions of the detections."""
        return run_batch(self, values, self._feed)

    def _feed(self, floats: np.ndarray) -> np.ndarray:
        hits = np.zeros(len(floats) // self.window_size + 1, dtype=np.int64)
        n_hits = _kswin_many(self._fl, self._it, floats, hits)
        self.n_updates += len(floats)
        self.n_detections += n_hits
        self._drift_detected = n_hits > 0 and hits[n_hits - 1] == len(floats) - 1
        return hits[:n_hits]

    @property
    def p_value(self) -> float:
        """The p-value of the last test (River's: 0 before the first test after a start)."""
        h = int(self._it[_LAST_H])
        return 0.0 if h < 0 else _p_value(int(self.stat_size), h)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_core"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._core = _core()

    def _state(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the state arrays (for tests)."""
        return self._fl[: self.window_size].copy(), self._it[:_SCRATCH].copy()


def _as_window(window: Iterable[float]) -> tuple[float, ...]:
    """``window`` as a tuple of floats, or a ConfigError naming it."""
    try:
        values = tuple(float(v) for v in np.asarray(window, dtype=float).ravel())
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"window must be a sequence of numbers: {exc}") from None
    if not all(math.isfinite(v) for v in values):
        raise ConfigError("window must hold finite numbers only (found NaN or infinity)")
    return values
