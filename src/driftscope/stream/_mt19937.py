"""CPython's random number generator (the Mersenne Twister MT19937), compiled, for KSWIN.

KSWIN must draw River's samples, ``random.Random(seed).sample(...)``, and a test per value
needs ~40 random words: Python's ``getrandbits`` (or NumPy's ``MT19937.random_raw``) costs
12-18 ns a word, about half of KSWIN's whole update, where this loop costs 2-3 ns. The
generator starts from the state Python's own seeding gives (``random.Random(seed)
.getstate()``), so no seeding is reimplemented: only the twist and the tempering of
Matsumoto and Nishimura (1998), as in CPython's ``_randommodule.c``.

>>> import random
>>> words = MersenneTwister(7).words(3)
>>> rng = random.Random(7)
>>> words.tolist() == [rng.getrandbits(32) for _ in range(3)]
True
"""

from __future__ import annotations

import random

import numpy as np

from driftscope.core._jit import njit

N = 624  # words of state
UPPER, LOWER, MATRIX = 0x80000000, 0x7FFFFFFF, 0x9908B0DF


@njit
def _twist(key: np.ndarray) -> None:
    """Regenerate the 624 words of state."""
    for k in range(N):
        y = (key[k] & UPPER) | (key[k + 1 if k < N - 1 else 0] & LOWER)
        v = key[k + 397 if k < N - 397 else k - (N - 397)] ^ (y >> 1)
        if y & 1:
            v ^= MATRIX
        key[k] = v


@njit
def _fill(key: np.ndarray, pos: int, out: np.ndarray) -> int:
    """The next ``len(out)`` outputs (tempered words) into ``out``; the new position."""
    for i in range(len(out)):
        if pos >= N:
            _twist(key)
            pos = 0
        y = key[pos]
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        out[i] = y
        pos += 1
    return pos


class MersenneTwister:
    """The stream of 32-bit words of ``random.Random(seed)``: ``words(n)`` are the values
    ``getrandbits(32)`` would return ``n`` times (``getrandbits(k)`` for ``k < 32`` is the
    same word shifted right by ``32 - k``).

    >>> MersenneTwister(1).words(2).tolist() == MersenneTwister(1).words(3)[:2].tolist()
    True
    """

    def __init__(self, seed: int | None) -> None:
        internal = random.Random(seed).getstate()[1]
        self.key = np.array(internal[:N], dtype=np.int64)  # words < 2**32
        self.pos = int(internal[N])

    def fill(self, out: np.ndarray) -> None:
        """Write the next ``len(out)`` words to ``out``."""
        self.pos = int(_fill(self.key, self.pos, out))

    def copy(self) -> MersenneTwister:
        """An independent generator at the same point of the same stream (~1 µs, where
        seeding anew takes ~30 µs).

        >>> first = MersenneTwister(3)
        >>> again = first.copy()
        >>> first.words(2).tolist() == again.words(2).tolist()
        True
        """
        twin = MersenneTwister.__new__(MersenneTwister)
        twin.key, twin.pos = self.key.copy(), self.pos
        return twin

    def words(self, n: int) -> np.ndarray:
        """The next ``n`` words."""
        out = np.zeros(n, dtype=np.int64)
        self.fill(out)
        return out

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MersenneTwister)
            and self.pos == other.pos
            and bool(np.array_equal(self.key, other.key))
        )

    __hash__ = None  # type: ignore[assignment]  # unhashable: mutable, compared by value
