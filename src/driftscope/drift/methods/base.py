"""Base classes of drift methods: a p-value test flags drift when ``p < significance_level``,
a distance when ``statistic >= threshold``. Every method works alone through ``test()``.

>>> from driftscope.drift.methods import KSTest
>>> KSTest().uses_p_value, KSTest().threshold
(True, 0.05)
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from driftscope import stats
from driftscope.core.kinds import NUMERIC_KINDS, ColumnKind
from driftscope.data import read_table
from driftscope.drift.pairs import DEFAULT_BINS, CategoricalPair, NumericPair
from driftscope.drift.results import MethodResult
from driftscope.errors import ConfigError, DataError

CATEGORY_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
ALL_KINDS = NUMERIC_KINDS | CATEGORY_KINDS

Pair = NumericPair | CategoricalPair


class DriftMethod(ABC):
    """Base of every drift method; subclasses set ``name``, ``kinds`` and ``compute``.

    >>> from driftscope.drift.methods import KSTest
    >>> method = KSTest()
    >>> result = method.test([1.0, 2.0, 3.0] * 50, [1.0, 2.0, 3.0] * 50)
    >>> isinstance(method, DriftMethod), result.statistic, result.drifted
    (True, 0.0, False)
    """

    name: ClassVar[str]
    kinds: ClassVar[frozenset[ColumnKind]] = ALL_KINDS
    uses_p_value: ClassVar[bool]

    def applies_to(self, kind: ColumnKind | str, pair: Pair | None = None) -> bool:
        return ColumnKind(kind) in self.kinds

    @abstractmethod
    def compute(self, pair: Pair) -> tuple[float, float | None]:
        """Return (statistic, p_value or None) for one column pair."""

    @property
    @abstractmethod
    def threshold(self) -> float:
        """Significance level (p-value methods) or distance threshold."""

    def decide(self, statistic: float, p_value: float | None) -> bool:
        if self.uses_p_value:
            return p_value is not None and p_value < self.threshold
        return statistic >= self.threshold

    def evaluate(self, pair: Pair) -> MethodResult:
        statistic, p_value = self.compute(pair)
        return MethodResult(
            method=self.name,
            statistic=float(statistic),
            p_value=None if p_value is None else float(p_value),
            threshold=self.threshold,
            drifted=self.decide(statistic, p_value),
            role="test" if self.uses_p_value else "distance",
        )

    def _numeric(self, pair: Pair) -> NumericPair:
        """``pair`` as numerical values (a ConfigError for categories)."""
        if not isinstance(pair, NumericPair):
            raise ConfigError(f"{type(self).__name__} compares numerical values, not categories")
        return pair

    def _categorical(self, pair: Pair) -> CategoricalPair:
        """``pair`` as category counts (a ConfigError for numerical values)."""
        if not isinstance(pair, CategoricalPair):
            raise ConfigError(f"{type(self).__name__} compares categories, not numerical values")
        return pair

    def test(self, reference: Any, current: Any) -> MethodResult:
        """Compare two one-dimensional samples (arrays, lists, Series) with this method alone."""
        pair, kind = _pair_from_samples(reference, current)
        if not self.applies_to(kind, pair):
            raise ConfigError(f"{type(self).__name__} does not apply to {kind} data")
        return self.evaluate(pair)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({params})"

    def params(self) -> dict[str, Any]:
        return {k.lstrip("_"): v for k, v in vars(self).items()}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DriftMethod)
            and type(self) is type(other)
            and self.params() == other.params()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.params().items()))))


def _check_level(value: float, name: str) -> float:
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ConfigError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    return value


def _check_threshold(value: float, name: str, upper: float = math.inf) -> float:
    value = float(value)
    if not (math.isfinite(value) and 0.0 < value <= upper):
        bound = "" if upper == math.inf else f" and at most {upper}"
        raise ConfigError(f"{name} must be a positive finite number{bound}, got {value}")
    return value


#: Most bins a binned distance takes: finer bins than this add no information on any sample
#: a monitor keeps, and a bound keeps a reference file from asking for a huge histogram.
MAX_BINS = 10_000


def _check_count(value: object, name: str, low: int, high: int) -> int:
    """``value`` (an int, NumPy's included, or a whole float) as an int in ``[low, high]``,
    else a ConfigError naming ``name`` (also for ``inf`` and ``nan``)."""
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())
    ):
        raise ConfigError(f"{name} must be an integer between {low:,} and {high:,}, got {value!r}")
    if not low <= int(value) <= high:
        raise ConfigError(f"{name} must be between {low:,} and {high:,}, got {int(value):,}")
    return int(value)


def _check_bins(bins: int) -> int:
    return _check_count(bins, "bins", 2, MAX_BINS)


class PValueMethod(DriftMethod):
    """A significance test: drift when ``p_value < significance_level`` (the threshold).

    >>> from driftscope.drift.methods import KSTest
    >>> test = KSTest(significance_level=0.01)
    >>> test.threshold, test.decide(0.3, p_value=0.002), test.decide(0.3, p_value=0.2)
    (0.01, True, False)
    """

    uses_p_value = True

    def __init__(self, significance_level: float = 0.05):
        self.significance_level = _check_level(significance_level, "significance_level")

    @property
    def threshold(self) -> float:
        return self.significance_level


class DistanceMethod(DriftMethod):
    """A distance: drift when ``statistic >= threshold`` (``default_threshold`` when None).

    >>> from driftscope.drift.methods import WassersteinDistance
    >>> distance = WassersteinDistance(threshold=0.2)
    >>> distance.threshold, distance.decide(0.25, None), WassersteinDistance().threshold
    (0.2, True, 0.1)
    """

    uses_p_value = False
    default_threshold: ClassVar[float] = 0.1
    upper_bound: ClassVar[float] = math.inf

    def __init__(self, threshold: float | None = None):
        value = self.default_threshold if threshold is None else threshold
        self._threshold = _check_threshold(value, "threshold", self.upper_bound)

    @property
    def threshold(self) -> float:
        return self._threshold


class BinnedDistance(DistanceMethod):
    """A distance between two histograms: reference-quantile bins or categories.

    >>> class MaxShareGap(BinnedDistance):
    ...     name = "max_share_gap"
    ...     def distance(self, ref, cur):
    ...         return float(np.max(np.abs(ref / ref.sum() - cur / cur.sum())))
    >>> MaxShareGap(threshold=0.2).test(["a", "b"] * 50, ["a"] * 90 + ["b"] * 10).statistic
    0.4
    """

    def __init__(self, threshold: float | None = None, bins: int = DEFAULT_BINS):
        super().__init__(threshold)
        self.bins = _check_bins(bins)

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        ref, cur = pair.binned(self.bins)
        return self.distance(ref, cur), None

    @abstractmethod
    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float: ...


def _pair_from_samples(reference: Any, current: Any) -> tuple[Pair, ColumnKind]:
    """Turn two raw one-dimensional samples into a pair (standalone use of a method)."""
    ref_table = read_table(_one_column(reference), role="reference")
    cur_table = read_table(_one_column(current), role="current")
    ref_name, cur_name = ref_table.columns[0], cur_table.columns[0]
    kind = ref_table.kind(ref_name)
    if kind in NUMERIC_KINDS:
        ref = ref_table.numeric(ref_name, kind=kind)
        cur = cur_table.numeric(cur_name, kind=kind)
        return NumericPair(stats.SortedSample.from_array(ref.values), cur.values), kind
    if kind in CATEGORY_KINDS:
        r = ref_table.categories(ref_name, kind=kind)
        c = cur_table.categories(cur_name, kind=kind)
        pair = CategoricalPair.align(
            r.categories, r.counts, c.categories, c.counts, r.other_counts, c.other_counts
        )
        return pair, kind
    raise DataError(f"is {kind} data, which drift methods do not compare", column=ref_name)


def _one_column(sample: Any) -> Any:
    """Pass Series and arrays through; turn plain sequences into a one-column dict."""
    if isinstance(sample, np.ndarray) or hasattr(sample, "to_numpy"):
        return sample
    values = list(sample)
    if values and all(isinstance(v, bool | np.bool_) for v in values):
        return {"value": np.asarray(values, dtype=bool)}
    if values and any(isinstance(v, str) for v in values):
        return {"value": np.asarray(values, dtype=object)}
    return {"value": np.asarray(values)}
