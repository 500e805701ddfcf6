"""A fitted, sorted and compressed one-dimensional sample: the reference side of every check.

The drift engine fits the reference once (``O(n log n)``) and then answers counting and
ECDF questions about many production batches in ``O(m log n)`` each.

>>> import numpy as np
>>> s = SortedSample.from_array(np.array([3.0, 1.0, 2.0, 2.0]))
>>> s.values, s.cumcounts, s.n
(array([1., 2., 3.]), array([1, 3, 4]), 4)
>>> s.counts_below_and_at_or_below(np.array([2.0, 2.5]))
(array([1, 3]), array([3, 3]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike

from driftscope.errors import ConfigError
from driftscope.stats import kernels
from driftscope.stats._magnitude import exponent_for, ldexp_saturating
from driftscope.stats._validate import as_sample

T = TypeVar("T")


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (the caller's array keeps its own flags)."""
    view = a.view()
    view.flags.writeable = False
    return view


def _compress(sorted_x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Unique values and cumulative counts (``None`` when all values are distinct)."""
    if sorted_x.size == 1:
        return sorted_x, None
    new = sorted_x[1:] != sorted_x[:-1]
    if new.all():
        return sorted_x, None
    starts = np.concatenate(([True], new))
    ends = np.concatenate((new, [True]))
    return sorted_x[starts], np.flatnonzero(ends).astype(np.int64) + 1


def _moments(values: np.ndarray, counts: np.ndarray | None, n: int) -> tuple[float, float]:
    """Mean and sum of squared deviations by the corrected two-pass algorithm.

    Values near the ends of the float64 range are rescaled by a power of two first (see
    :mod:`driftscope.stats._magnitude`), so the mean is always finite; the sum of squares is
    ``inf`` when it exceeds the float64 range (the standard deviation is then computed from
    the rescaled values, see :attr:`SortedSample.std`).
    """
    if values.size == 1:
        return float(values[0]), 0.0
    e = exponent_for(max(abs(float(values[0])), abs(float(values[-1]))))
    scaled = values if e == 0 else np.ldexp(values, -e)
    mean, m2 = _scaled_moments(scaled, counts, n)
    return math.ldexp(mean, e), ldexp_saturating(m2, 2 * e)


def _scaled_moments(values: np.ndarray, counts: np.ndarray | None, n: int) -> tuple[float, float]:
    compiled = kernels.moments(values, counts, n)
    if compiled is not None:
        return compiled
    if counts is None:
        mean = float(np.sum(values) / n)
        mean = min(max(mean, float(values[0])), float(values[-1]))
        dev = values - mean
        m2 = float(np.dot(dev, dev) - np.sum(dev) ** 2 / n)
    else:
        w = counts.astype(np.float64)
        mean = float(np.sum(w * values) / n)
        mean = min(max(mean, float(values[0])), float(values[-1]))
        dev = values - mean
        wdev = w * dev
        m2 = float(np.dot(wdev, dev) - np.sum(wdev) ** 2 / n)
    return mean, max(m2, 0.0)


def _rescaled(
    values: np.ndarray, cumcounts: np.ndarray | None, e: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Distinct sorted ``values * 2**-e`` and their cumulative counts: values that become
    equal (tiny ones rounded into the subnormal range) are merged."""
    scaled = np.ldexp(values, -e)
    if scaled.size == 1:
        return scaled, cumcounts
    new = scaled[1:] != scaled[:-1]
    if new.all():
        return scaled, cumcounts
    ends = np.flatnonzero(np.concatenate((new, [True])))
    cum = ends.astype(np.int64) + 1 if cumcounts is None else cumcounts[ends]
    return scaled[ends], cum


@dataclass(frozen=True, eq=False, slots=True)
class SortedSample:
    """A fitted sample of finite float64 values, stored sorted and compressed.

    ``values`` holds the sorted *unique* values; ``cumcounts[k]`` is the number of sample
    points ``<= values[k]`` (int64), or ``None`` when every value is distinct (then it is
    implicitly ``arange(1, n + 1)``, which saves memory). ``mean`` and ``m2`` (the sum of
    squared deviations from the mean) are computed by a stable two-pass algorithm, on values
    rescaled by a power of two when they lie near the ends of the float64 range; ``m2`` is
    ``inf`` when the sum exceeds that range (``std`` stays exact). The
    constructor is meant for reloading a stored sample (see :meth:`to_arrays` /
    :meth:`from_arrays`); fit new data with :meth:`from_array`. Arrays are exposed
    read-only. Derived tables (prefix sums for ECDF integrals) are cached lazily on the sample
    (see :meth:`cached`).

    >>> import numpy as np
    >>> s = SortedSample.from_array(np.array([2.0, 2.0, 5.0]))
    >>> s.n, s.min, s.max, round(s.mean, 4), round(s.std, 4)
    (3, 2.0, 5.0, 3.0, 1.4142)
    >>> s2 = SortedSample.from_arrays(s.to_arrays())
    >>> bool(np.array_equal(s2.repeat(), s.repeat()))
    True
    """

    values: np.ndarray
    cumcounts: np.ndarray | None
    n: int
    mean: float
    m2: float
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values)
        if values.dtype != np.float64:
            values = values.astype(np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError("SortedSample.values must be a non-empty one-dimensional array")
        if not np.isfinite(values).all():
            raise ValueError("SortedSample.values contains NaN or infinite values")
        if values.size > 1 and not (values[1:] > values[:-1]).all():
            raise ValueError("SortedSample.values must be strictly increasing (sorted, unique)")
        n = int(self.n)
        cum = self.cumcounts
        if cum is not None:
            cum = np.asarray(cum)
            if cum.dtype != np.int64:
                if not np.issubdtype(cum.dtype, np.integer):
                    raise ValueError("SortedSample.cumcounts must hold integers")
                cum = cum.astype(np.int64)
            if cum.shape != values.shape:
                raise ValueError("SortedSample.cumcounts must have the same length as values")
            if cum[0] < 1 or (cum.size > 1 and not (cum[1:] > cum[:-1]).all()):
                raise ValueError("SortedSample.cumcounts must be positive and increasing")
            if cum[-1] != n:
                raise ValueError(f"SortedSample.cumcounts ends at {cum[-1]}, expected n={n}")
            if cum[-1] == cum.size:  # all distinct after all: use the compact form
                cum = None
        elif n != values.size:
            raise ValueError(f"SortedSample: n={n} but {values.size} distinct values")
        mean, m2 = float(self.mean), float(self.m2)
        if not (np.isfinite(mean) and m2 >= 0):  # m2 is inf when it exceeds float64
            raise ValueError("SortedSample.mean must be finite and m2 >= 0 (or inf)")
        object.__setattr__(self, "values", _readonly(values))
        object.__setattr__(self, "cumcounts", None if cum is None else _readonly(cum))
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "m2", m2)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_array(cls, x: ArrayLike, *, overwrite: bool = False) -> SortedSample:
        """Fit a sample given in any order (``O(n log n)``). With ``overwrite=True`` a
        writeable float64 array is sorted in place instead of copied (saves memory).

        Raises ValueError when ``x`` is empty, not one-dimensional or not finite.

        >>> import numpy as np
        >>> x = np.random.default_rng(0).integers(0, 3, size=100).astype(float)
        >>> s = SortedSample.from_array(x)
        >>> s.values, int(s.cumcounts[-1])
        (array([0., 1., 2.]), 100)
        """
        arr = as_sample(x, "sample")
        if overwrite and arr is x and arr.flags.owndata:
            arr.setflags(write=True)
            arr.sort()
        else:
            arr = np.sort(arr)
        values, cum = _compress(arr)
        counts = None if cum is None else np.diff(cum, prepend=0)
        mean, m2 = _moments(values, counts, arr.size)
        return cls._built(values, cum, arr.size, mean, max(m2, 0.0))

    @classmethod
    def _built(
        cls, values: np.ndarray, cum: np.ndarray | None, n: int, mean: float, m2: float
    ) -> SortedSample:
        """A sample from arrays this module just built (sorted, distinct, finite, float64):
        skips the constructor's checks, two passes over the data."""
        sample = object.__new__(cls)
        object.__setattr__(sample, "values", _readonly(values))
        object.__setattr__(sample, "cumcounts", None if cum is None else _readonly(cum))
        object.__setattr__(sample, "n", int(n))
        object.__setattr__(sample, "mean", float(mean))
        object.__setattr__(sample, "m2", float(m2))
        object.__setattr__(sample, "_cache", {})
        return sample

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The sample as plain arrays, for storage; the inverse of :meth:`from_arrays`.

        Keys: ``values``, ``n``, ``mean``, ``m2`` (0-d arrays for scalars) and ``cumcounts``
        only when the sample has ties.

        >>> sorted(SortedSample.from_array([1.0, 1.0, 2.0]).to_arrays())
        ['cumcounts', 'm2', 'mean', 'n', 'values']
        """
        out = {
            "values": np.asarray(self.values),
            "n": np.asarray(self.n, dtype=np.int64),
            "mean": np.asarray(self.mean, dtype=np.float64),
            "m2": np.asarray(self.m2, dtype=np.float64),
        }
        if self.cumcounts is not None:
            out["cumcounts"] = np.asarray(self.cumcounts)
        return out

    @classmethod
    def from_arrays(cls, d: dict[str, np.ndarray]) -> SortedSample:
        """Rebuild a sample stored by :meth:`to_arrays` (a missing or empty ``cumcounts``
        means all values are distinct). The arrays are validated, not re-sorted.

        >>> s = SortedSample.from_array([4.0, 1.0])
        >>> SortedSample.from_arrays(s.to_arrays()).values
        array([1., 4.])
        """
        cum = d.get("cumcounts")
        if cum is not None and np.asarray(cum).size == 0:
            cum = None
        return cls(
            np.asarray(d["values"]),
            None if cum is None else np.asarray(cum),
            int(np.asarray(d["n"])),
            float(np.asarray(d["mean"])),
            float(np.asarray(d["m2"])),
        )

    # ------------------------------------------------------------------ summaries
    @property
    def min(self) -> float:
        """The smallest value.

        >>> SortedSample.from_array([3.0, -1.0]).min
        -1.0
        """
        return float(self.values[0])

    @property
    def max(self) -> float:
        """The largest value.

        >>> SortedSample.from_array([3.0, -1.0]).max
        3.0
        """
        return float(self.values[-1])

    @property
    def std(self) -> float:
        """Population standard deviation (``ddof=0``): ``sqrt(m2 / n)``, computed on values
        rescaled by a power of two when ``m2`` overflowed or underflowed, so it is finite and
        non-zero for every sample of two or more distinct values.

        >>> SortedSample.from_array([1.0, 3.0]).std
        1.0
        >>> SortedSample.from_array([-1e308, 1e308]).std
        1e+308
        """
        if self.values.size == 1:
            return 0.0
        if _NORMAL_MIN <= self.m2 < math.inf:
            return float(np.sqrt(self.m2 / self.n))
        return self.cached("std", _rescaled_std)

    def rescaled(self, e: int) -> SortedSample:
        """The sample multiplied by ``2**-e`` (exact, except that values rounded into the
        subnormal range may merge), cached on the sample. Distances that are equivariant
        under scaling are computed on it when the values would overflow.

        >>> SortedSample.from_array([-1e308, 1e308]).rescaled(1024).values.round(4)
        array([-0.5563,  0.5563])
        """
        if e == 0:
            return self
        return self.cached(f"rescaled{e}", lambda s: _rescaled_sample(s, e))

    @property
    def n_unique(self) -> int:
        """Number of distinct values.

        >>> SortedSample.from_array([1.0, 1.0, 3.0]).n_unique
        2
        """
        return int(self.values.size)

    def counts(self) -> np.ndarray:
        """Multiplicity (int64) of each distinct value.

        >>> SortedSample.from_array([1.0, 1.0, 3.0]).counts()
        array([2, 1])
        """
        if self.cumcounts is None:
            return np.ones(self.values.size, dtype=np.int64)
        return np.diff(self.cumcounts, prepend=np.int64(0))

    def repeat(self) -> np.ndarray:
        """The full sorted sample (``n`` values; for small-sample exact paths only). May be a
        read-only view of ``values``.

        >>> SortedSample.from_array([2.0, 1.0, 2.0]).repeat()
        array([1., 2., 2.])
        """
        if self.cumcounts is None:
            return self.values
        return np.repeat(self.values, self.counts())

    # ------------------------------------------------------------------ counting
    def counts_below_and_at_or_below(self, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``(# points < x, # points <= x)`` for each ``x`` (int64), with a single
        ``searchsorted``: ``O(m log n)`` for ``m`` query points. ``x`` must not be NaN.

        >>> s = SortedSample.from_array([1.0, 2.0, 2.0, 3.0])
        >>> s.counts_below_and_at_or_below([0.0, 2.0, 3.0, 9.0])
        (array([0, 1, 3, 4]), array([0, 3, 4, 4]))
        """
        q = np.asarray(x, dtype=np.float64)
        idx = np.searchsorted(self.values, q, side="left")
        safe = np.minimum(idx, self.values.size - 1)
        hit = self.values[safe] == q  # False when idx == n_unique (all values < q)
        if self.cumcounts is None:
            below = idx.astype(np.int64)
            return below, below + hit
        below = np.where(idx > 0, self.cumcounts[np.maximum(idx - 1, 0)], 0).astype(np.int64)
        at_or_below = np.where(hit, self.cumcounts[safe], below)
        return below, at_or_below

    def count_below(self, x: ArrayLike) -> np.ndarray:
        """Number of sample points strictly below each ``x`` (int64).

        >>> SortedSample.from_array([1.0, 2.0, 2.0]).count_below([2.0, 2.5])
        array([1, 3])
        """
        return self.counts_below_and_at_or_below(x)[0]

    def count_at_or_below(self, x: ArrayLike) -> np.ndarray:
        """Number of sample points ``<= x`` (int64); ``n`` times the ECDF at ``x``.

        >>> SortedSample.from_array([1.0, 2.0, 2.0]).count_at_or_below([0.5, 2.0])
        array([0, 3])
        """
        return self.counts_below_and_at_or_below(x)[1]

    def value_at_rank(self, rank: ArrayLike) -> np.ndarray:
        """The value of rank ``rank`` (0-based, int) in the full sorted sample.

        >>> SortedSample.from_array([5.0, 5.0, 7.0]).value_at_rank([0, 1, 2])
        array([5., 5., 7.])
        """
        r = np.asarray(rank, dtype=np.int64)
        if self.cumcounts is None:
            return self.values[r]
        return self.values[np.searchsorted(self.cumcounts, r, side="right")]

    @overload
    def quantile(self, q: float) -> float: ...
    @overload
    def quantile(self, q: Sequence[float] | np.ndarray) -> np.ndarray: ...
    def quantile(self, q: ArrayLike) -> float | np.ndarray:
        """Quantiles equal to ``np.quantile(raw, q)`` (default ``'linear'`` method), from the
        compressed form in ``O(len(q) log n)``. A scalar ``q`` gives a float.

        Values beyond ``±8.9e307``, where ``b - a`` overflows, are interpolated between their
        halves (numpy gives ``inf`` or ``nan`` there). Raises ConfigError unless every ``q``
        lies in ``[0, 1]``.

        >>> import numpy as np
        >>> raw = np.random.default_rng(1).integers(0, 5, size=50).astype(float)
        >>> s = SortedSample.from_array(raw)
        >>> bool(np.allclose(s.quantile([0.1, 0.5, 0.93]), np.quantile(raw, [0.1, 0.5, 0.93])))
        True
        """
        qa = np.asarray(q, dtype=np.float64)
        if not ((qa >= 0) & (qa <= 1)).all():
            raise ConfigError(f"quantile levels must lie in [0, 1], got {q!r}")
        # Mirrors numpy's linear method: virtual index (n-1)*q, floor, clip, lerp.
        virtual = (self.n - 1) * qa
        prev = np.floor(virtual)
        above = virtual >= self.n - 1
        prev = np.where(above, self.n - 1, prev).astype(np.int64)
        nxt = np.where(above, self.n - 1, prev + 1)
        gamma = virtual - prev
        a = self.value_at_rank(prev)
        b = self.value_at_rank(nxt)
        if max(abs(self.min), abs(self.max)) < _HALF_MAX:
            res = _lerp(a, b, gamma)
        else:  # b - a may overflow: interpolate between the halves (exact) and double
            res = np.clip(2.0 * _lerp(a / 2.0, b / 2.0, gamma), a, b)  # halving a subnormal
        if res.ndim == 0:
            return float(res)
        return res

    # ------------------------------------------------------------------ caching
    def cached(self, key: str, build: Callable[[SortedSample], T]) -> T:
        """Return ``build(self)``, computed on first use and kept on the sample (used for the
        prefix sums of the ECDF integrals, so repeated checks reuse them).

        >>> s = SortedSample.from_array([1.0, 2.0])
        >>> s.cached("double_max", lambda smp: 2 * smp.max)
        4.0
        """
        if key not in self._cache:
            self._cache[key] = build(self)
        return self._cache[key]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle the data only (not the cached tables); unpickling re-validates.
        return (type(self), (self.values, self.cumcounts, self.n, self.mean, self.m2))

    def __repr__(self) -> str:
        return (
            f"SortedSample(n={self.n}, n_unique={self.values.size}, min={self.min!r}, "
            f"max={self.max!r}, mean={self.mean!r}, std={self.std!r})"
        )


_NORMAL_MIN = float(np.finfo(np.float64).tiny)
_HALF_MAX = float(np.finfo(np.float64).max) / 2.0


def _lerp(a: np.ndarray, b: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """numpy's linear interpolation between ``a`` and ``b`` (``np.quantile``'s arithmetic)."""
    diff = b - a
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)


def _rescaled_sample(sample: SortedSample, e: int) -> SortedSample:
    values, cum = _rescaled(sample.values, sample.cumcounts, e)
    counts = None if cum is None else np.diff(cum, prepend=0)
    mean, m2 = _scaled_moments(values, counts, sample.n) if values.size > 1 else (values[0], 0.0)
    return SortedSample._built(values, cum, sample.n, float(mean), max(float(m2), 0.0))


def _rescaled_std(sample: SortedSample) -> float:
    """The standard deviation of a sample whose ``m2`` over- or underflowed: from the values
    rescaled into [0.5, 1) by a power of two, multiplied back."""
    e = math.frexp(max(abs(sample.min), abs(sample.max)))[1]
    scaled = _rescaled_sample(sample, e)
    return math.ldexp(math.sqrt(scaled.m2 / scaled.n), e)


def unique_cumcounts(sorted_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of an already *sorted* array and the int64 count of points ``<=``
    each (the compressed ECDF of a production batch).

    >>> unique_cumcounts(np.array([1.0, 1.0, 2.0, 4.0, 4.0]))
    (array([1., 2., 4.]), array([2, 3, 5]))
    """
    values, cum = _compress(sorted_x)
    if cum is None:
        cum = np.arange(1, values.size + 1, dtype=np.int64)
    return values, cum


def sorted_sample_values(x: ArrayLike, name: str = "current") -> np.ndarray:
    """Validate a raw sample and return it sorted; an already sorted array is used as is
    (an ``O(m)`` check instead of an ``O(m log m)`` sort).

    >>> sorted_sample_values([3.0, 1.0, 2.0])
    array([1., 2., 3.])
    """
    arr = as_sample(x, name)
    if arr.size > 1 and not (arr[1:] >= arr[:-1]).all():
        arr = np.sort(arr)
    return arr


def as_reference(reference: SortedSample | ArrayLike) -> SortedSample:
    """Return ``reference`` if it is already a :class:`SortedSample`, else fit it.

    >>> as_reference([2.0, 1.0]).values
    array([1., 2.])
    """
    if isinstance(reference, SortedSample):
        return reference
    return SortedSample.from_array(reference)


def reference_values(reference: SortedSample | ArrayLike) -> np.ndarray:
    """The raw reference values (sorted, full length for a SortedSample; validated input as
    given otherwise), for tests that need every observation.

    >>> reference_values(SortedSample.from_array([2.0, 1.0, 2.0]))
    array([1., 2., 2.])
    """
    if isinstance(reference, SortedSample):
        return reference.repeat()
    return as_sample(reference, "reference")
