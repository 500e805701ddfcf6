"""KSWIN's compiled core: the window, River's random sample of it, and the KS test.

The state is two arrays with named fields (:class:`State`): ``head``, one record of
counters, parameters and the buffer of random words; and ``rows``, four float64 rows of
``window_size`` entries, named by :data:`RING`, :data:`OLDER`, :data:`NEWEST` and
:data:`POOL`: the window (a ring); the two samples of a test, each sorted and ended by +inf
(``older`` drawn from the older values, ``newest`` the newest ``stat_size`` values, kept
sorted while the window is full; ``window_size >= 2 stat_size`` holds each and its
sentinel); and the scratch of the draws (indices and stamps, whole numbers far below
2**53, so exact as floats). Rows of one 2-D array stay contiguous, which the sorts and the
merge of a test need to run at full speed (fields of one record array would be strided).

Two arrays, not four: ``KSWIN.update`` calls :func:`step` through Numba's entry point,
which spends ~60 ns unpacking each array argument (see :func:`stepper`).

The draws are River's, ``random.Random(seed).sample(range(window_size - stat_size),
stat_size)``: :class:`~driftscope.stream._mt19937.MersenneTwister` makes the 32-bit words of
``random.Random(seed)`` (a buffer of them is kept in ``head``) and :func:`_draw` is
CPython's ``sample`` and ``_randbelow`` on them. A step that runs out of words changes
nothing and returns :data:`NEED_WORDS`.

The functions are written in the subset of Python Numba compiles; ``.py_func`` runs each as
plain Python (the tests compare both).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from driftscope.core._jit import entry_point, njit
from driftscope.stream._mt19937 import MersenneTwister

#: Random words kept at a time (a draw of ``stat_size`` values takes 1-2 words a value).
WORDS = 8192
#: What a step returns: no drift, a drift, or "call again once words were added".
NONE, DRIFT, NEED_WORDS = 0, 1, 2

HEAD = np.dtype(
    [
        ("count", "i8"),  # values in the window
        ("next", "i8"),  # slot of the next value in the ring
        ("restart", "i8"),  # 1: empty the window before the next value (after a drift)
        ("last_h", "i8"),  # h of the last test, -1 before the first one after a start
        ("sorted", "i8"),  # 1: samples[1] holds the newest values, sorted
        ("window_size", "i8"),
        ("stat_size", "i8"),
        ("h_crit", "i8"),  # the least h River's rule accepts
        ("pool_method", "i8"),  # 1: sample() draws from a shrinking pool, 0: redraws repeats
        ("asymptotic", "i8"),  # 1: the statistic's float decides ``> 0.1`` (stat_size > 10000)
        ("stamp", "i8"),  # draws of the redraw method: pool[j] == stamp marks j as taken
        ("pos", "i8"),  # next unused word
        ("end", "i8"),  # words available
        ("words", "i8", (WORDS,)),  # the generator's output, in order
    ]
)
#: The rows of ``rows`` (see the module's docstring).
RING, OLDER, NEWEST, POOL = range(4)


class State(NamedTuple):
    """KSWIN's state (see the module's docstring)."""

    head: np.ndarray  # one HEAD record
    rows: np.ndarray  # float64, (4, window_size): RING, OLDER, NEWEST, POOL

    @classmethod
    def new(cls, window_size: int, stat_size: int, h_crit: int, asymptotic: bool) -> State:
        """An empty window, without random words yet."""
        head = np.zeros(1, dtype=HEAD)
        h = head[0]
        h["last_h"] = -1
        h["window_size"], h["stat_size"], h["h_crit"] = window_size, stat_size, h_crit
        h["pool_method"] = uses_pool(window_size - stat_size, stat_size)
        h["asymptotic"] = asymptotic
        rows = np.zeros((4, window_size))
        rows[OLDER, stat_size] = rows[NEWEST, stat_size] = np.inf
        return cls(head, rows)

    @property
    def ring(self) -> np.ndarray:
        """The window, a ring of ``window_size`` values (a view)."""
        return self.rows[RING]

    @property
    def pool(self) -> np.ndarray:
        """The draws' scratch (a view)."""
        return self.rows[POOL]

    def add_words(self, rng: MersenneTwister) -> None:
        """Move the unused words to the front and fill the buffer from ``rng``."""
        h = self.head[0]
        words = h["words"]
        left = int(h["end"] - h["pos"])
        words[:left] = words[int(h["pos"]) : int(h["end"])]
        rng.fill(words[left:])
        h["pos"], h["end"] = 0, WORDS

    def set_words(self, words: np.ndarray) -> None:
        """Replace the buffer by ``words`` (:data:`WORDS` of them), e.g. the first words of
        the seeded generator after a drift: a copy, where generating them costs ~25 µs."""
        h = self.head[0]
        h["words"][:] = words
        h["pos"], h["end"] = 0, WORDS


def uses_pool(n: int, k: int) -> bool:
    """Which of its two methods ``random.Random.sample`` uses for (range(n), k)."""
    setsize = 21
    if k > 5:
        setsize += 4 ** math.ceil(math.log(k * 3, 4))
    return n <= setsize


# ---------------------------------------------------------------------- CPython's sample()
@njit
def _draw(h: Any, pool: np.ndarray, ring: np.ndarray, oldest: int, out: np.ndarray) -> bool:
    """``random.Random.sample(range(n), k)`` on the buffered words (n older values, k =
    stat_size), the values drawn written to ``out[:k]``; False (and no word used) if the
    words ran out.

    ``_randbelow(m)`` takes words until one, shifted to ``m.bit_length()`` bits, is below
    ``m``. ``sample`` either draws from a pool of candidates, each pick replaced by the last
    one, or (large populations) redraws picks already taken.
    """
    ws, k = h["window_size"], h["stat_size"]
    n = ws - k
    words, pos, end = h["words"], h["pos"], h["end"]
    from_pool = h["pool_method"] != 0
    stamp = h["stamp"] + 1
    h["stamp"] = stamp
    bits = 0
    while n >> bits:
        bits += 1
    if from_pool:
        for i in range(n):
            pool[i] = i
    for i in range(k):
        left = n - i if from_pool else n
        if left < 1 << (bits - 1):
            bits -= 1
        while True:  # _randbelow(left)
            if pos == end:
                return False
            j = words[pos] >> (32 - bits)
            pos += 1
            if j < left and (from_pool or pool[j] != stamp):
                break
        if from_pool:
            pick = int(pool[j])
            pool[j] = pool[left - 1]
        else:
            pick = j
            pool[j] = stamp
        at = oldest + pick
        out[i] = ring[at - ws if at >= ws else at]
    h["pos"] = pos
    return True


# ---------------------------------------------------------------------- the test
@njit
def ks_distance(a: np.ndarray, b: np.ndarray, n: int, asymptotic: bool) -> tuple[int, float]:
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
            if asymptotic:
                d1 = max(d1, abs(i1 / n - j1 / n))
        if min(a[i2], b[j2]) > v2:
            h2 = max(h2, abs(i2 - j2))
            if asymptotic:
                d2 = max(d2, abs(i2 / n - j2 / n))
    return max(h1, h2), max(d1, d2)


@njit
def _insertion_sort(a: np.ndarray) -> None:
    for i in range(1, len(a)):
        v = a[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


@njit
def _replace_sorted(a: np.ndarray, gone: float, new: float) -> None:
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


@njit
def step(head: np.ndarray, rows: np.ndarray, x: float) -> int:
    """Add ``x`` to the window and, once it is full, test: :data:`DRIFT` or :data:`NONE`;
    :data:`NEED_WORDS` (and nothing changed but a restart) if the words ran out."""
    h = head[0]
    ring, older, newest, pool = rows[RING], rows[OLDER], rows[NEWEST], rows[POOL]
    ws, ss = h["window_size"], h["stat_size"]
    if h["restart"]:
        h["count"] = h["next"] = h["restart"] = h["sorted"] = 0
        h["last_h"] = -1
    slot = h["next"]
    oldest = slot + 1 if slot + 1 < ws else 0  # once x is in
    full = h["count"] + 1 >= ws
    if full and not _draw(h, pool, ring, oldest, older):  # the older values are in the ring
        return NEED_WORDS
    ring[slot] = x
    h["next"] = oldest
    h["count"] = min(h["count"] + 1, ws)
    if not full:
        return NONE
    if h["sorted"]:  # the newest values lost the one now oldest among the older ones
        left = oldest + ws - ss - 1
        _replace_sorted(newest[:ss], ring[left - ws if left >= ws else left], x)
    else:
        for i in range(ss):
            at = oldest + ws - ss + i
            newest[i] = ring[at - ws if at >= ws else at]
        newest[:ss].sort()
        h["sorted"] = 1
    if ss <= 64:
        _insertion_sort(older[:ss])
    else:
        older[:ss].sort()
    gap, d = ks_distance(older, newest, ss, h["asymptotic"] != 0)
    h["last_h"] = gap
    if gap >= h["h_crit"] and (not h["asymptotic"] or d > 0.1):
        h["restart"] = 1
        return DRIFT
    return NONE


@njit
def feed(
    head: np.ndarray,
    rows: np.ndarray,
    values: np.ndarray,
    start: int,
    stop_at_drift: bool,
    hits: np.ndarray,
    n_hits: int,
) -> tuple[int, int, int]:
    """Feed ``values[start:]``, the positions of drifts written to ``hits`` from ``n_hits``;
    stops early when the words run out, or after a drift if ``stop_at_drift`` (to reseed).
    Returns (detections in ``hits``, index of the next value to feed, the last step's code).
    """
    code = NONE
    for j in range(start, len(values)):
        code = step(head, rows, values[j])
        if code == NEED_WORDS:
            return n_hits, j, code
        if code == DRIFT:
            hits[n_hits] = j
            n_hits += 1
            if stop_at_drift:
                return n_hits, j + 1, code
    return n_hits, len(values), code


@functools.cache
def stepper() -> Callable[..., int]:
    """:func:`step`'s machine-code entry (see :func:`~driftscope.core._jit.entry_point`), for
    ``update``, which calls it once per value."""
    return entry_point(step, *State.new(2, 1, 2, False), 0.5)
