"""Drift methods: significance tests and distances, each usable alone or in a detector.

A p-value method flags drift when ``p_value < significance_level``; a distance flags it when
``statistic >= threshold``. Numerical methods compare a fitted sorted reference with the
current values; binned distances on numerical columns use the reference's quantile bins
(``bins``, default 10) with open outer bins, so every current value lands in a bin.

>>> import numpy as np, driftscope as ds
>>> rng = np.random.default_rng(7)
>>> ks = ds.KSTest(significance_level=0.05)
>>> ks.test(rng.normal(0, 1, 5000), rng.normal(0.3, 1, 5000)).drifted
True
>>> ds.PSICalculator(threshold=0.2).test(["a", "b"] * 500, ["a"] * 900 + ["b"] * 100).drifted
True
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from driftscope import stats
from driftscope.data import ColumnKind, read_table
from driftscope.drift.pairs import DEFAULT_BINS, CategoricalPair, NumericPair
from driftscope.drift.results import MethodResult
from driftscope.errors import ConfigError, DataError

NUMERIC_KINDS = frozenset({ColumnKind.NUMERICAL, ColumnKind.DATETIME})
CATEGORY_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
ALL_KINDS = NUMERIC_KINDS | CATEGORY_KINDS

Pair = NumericPair | CategoricalPair


class DriftMethod(ABC):
    """Base of every drift method; subclasses set ``name``, ``kinds`` and ``compute``."""

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
        return type(self) is type(other) and self.params() == other.params()  # type: ignore[union-attr]

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


def _check_bins(bins: int) -> int:
    if int(bins) != bins or bins < 2:
        raise ConfigError(f"bins must be an integer of at least 2, got {bins}")
    return int(bins)


class PValueMethod(DriftMethod):
    uses_p_value = True

    def __init__(self, significance_level: float = 0.05):
        self.significance_level = _check_level(significance_level, "significance_level")

    @property
    def threshold(self) -> float:
        return self.significance_level


class DistanceMethod(DriftMethod):
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
    """A distance between two histograms: reference-quantile bins or categories."""

    def __init__(self, threshold: float | None = None, bins: int = DEFAULT_BINS):
        super().__init__(threshold)
        self.bins = _check_bins(bins)

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        ref, cur = pair.binned(self.bins)
        return self.distance(ref, cur), None

    @abstractmethod
    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float: ...


# ----------------------------------------------------------------------------- tests
class KSTest(PValueMethod):
    """Two-sample Kolmogorov-Smirnov test on a numerical column (= scipy.stats.ks_2samp).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> KSTest().test(rng.normal(size=500), rng.normal(size=500)).drifted
    False
    """

    name = "ks"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        if pair.ks_and_wasserstein is not None:
            d = pair.ks_and_wasserstein[0]
            return d, stats.ks_asymptotic_pvalue(d, pair.reference.n, pair.current.size)
        r = stats.ks_2samp(pair.reference, pair.current_sorted)
        return r.statistic, r.pvalue


class AndersonDarlingTest(PValueMethod):
    """Anderson-Darling k-sample test (= scipy.stats.anderson_ksamp; p-value capped to
    [0.001, 0.25] as SciPy does).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> AndersonDarlingTest().test(rng.normal(size=300), rng.normal(1, 1, 300)).drifted
    True
    """

    name = "anderson_darling"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.anderson_ksamp(pair.reference, pair.current)
        return r.statistic, r.pvalue


class CramerVonMisesTest(PValueMethod):
    """Two-sample Cramér-von Mises test (= scipy.stats.cramervonmises_2samp).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> CramerVonMisesTest().test(rng.normal(size=300), rng.normal(1, 1, 300)).drifted
    True
    """

    name = "cramer_von_mises"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.cramervonmises_2samp(pair.reference, pair.current)
        return r.statistic, r.pvalue


class MannWhitneyTest(PValueMethod):
    """Two-sided Mann-Whitney U test (= scipy.stats.mannwhitneyu); sensitive to location.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> MannWhitneyTest().test(rng.normal(size=300), rng.normal(1, 1, 300)).drifted
    True
    """

    name = "mann_whitney"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.mannwhitneyu(pair.reference, pair.current)
        return r.statistic, r.pvalue


class MMDTest(PValueMethod):
    """Maximum mean discrepancy with a Gaussian kernel and a permutation p-value (1+k)/(1+B).

    Samples above ``max_samples`` are subsampled (seeded), so the test is approximate there.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> MMDTest(n_permutations=100).test(rng.normal(size=200), rng.normal(1, 1, 200)).drifted
    True
    """

    name = "mmd"
    kinds = NUMERIC_KINDS

    def __init__(
        self,
        significance_level: float = 0.05,
        n_permutations: int = 200,
        max_samples: int = 2000,
        seed: int = 0,
    ):
        super().__init__(significance_level)
        if n_permutations < 1:
            raise ConfigError(f"n_permutations must be at least 1, got {n_permutations}")
        if max_samples < 2:
            raise ConfigError(f"max_samples must be at least 2, got {max_samples}")
        self.n_permutations = int(n_permutations)
        self.max_samples = int(max_samples)
        self.seed = int(seed)

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.mmd_test(
            pair.reference.repeat() if len(pair.reference.values) else pair.reference,
            pair.current,
            n_permutations=self.n_permutations,
            max_samples=self.max_samples,
            seed=self.seed,
        )
        return r.statistic, r.pvalue


class ChiSquareTest(PValueMethod):
    """Chi-square test on the 2 x K table of category counts (= scipy.stats.chi2_contingency).

    ``correction=False`` (default) applies no Yates continuity correction, also for two
    categories; ``correction=True`` applies it when the table has one degree of freedom, as
    SciPy's default does. Categories absent from both samples are left out.

    >>> ChiSquareTest().test(["a", "b", "c"] * 100, ["a"] * 200 + ["b", "c"] * 50).drifted
    True
    """

    name = "chi_square"
    kinds = CATEGORY_KINDS

    def __init__(self, significance_level: float = 0.05, correction: bool = False):
        super().__init__(significance_level)
        self.correction = bool(correction)

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.chi2_two_sample(pair.reference, pair.current, correction=self.correction)
        return r.statistic, r.pvalue


class _TwoCategoryTest(PValueMethod):
    kinds = CATEGORY_KINDS

    def applies_to(self, kind: ColumnKind | str, pair: Pair | None = None) -> bool:
        if ColumnKind(kind) not in self.kinds:
            return False
        if pair is None:
            return True
        return (
            isinstance(pair, CategoricalPair) and ((pair.reference + pair.current) > 0).sum() <= 2
        )

    def successes(self, pair: Pair) -> tuple[int, int, int, int]:
        if not isinstance(pair, CategoricalPair):
            raise ConfigError(f"{type(self).__name__} compares categories, not numerical values")
        present = (pair.reference + pair.current) > 0
        if present.sum() > 2:
            raise ConfigError(
                f"{type(self).__name__} needs at most two categories, got {int(present.sum())}"
            )
        ref, cur = pair.reference[present], pair.current[present]
        return int(ref[0]), int(ref.sum()), int(cur[0]), int(cur.sum())


class ZTest(_TwoCategoryTest):
    """Two-sided pooled z-test for two proportions (boolean or two-category columns).

    >>> ZTest().test([True, False] * 500, [True] * 700 + [False] * 300).drifted
    True
    """

    name = "z_test"

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.proportions_ztest(*self.successes(pair))
        return r.statistic, r.pvalue


class FisherExactTest(_TwoCategoryTest):
    """Fisher's exact test on the 2 x 2 table (= scipy.stats.fisher_exact, two-sided).

    >>> FisherExactTest().test([True] * 5 + [False] * 15, [True] * 15 + [False] * 5).drifted
    True
    """

    name = "fisher_exact"

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.fisher_exact_2x2(*self.successes(pair))
        return r.statistic, r.pvalue


# ----------------------------------------------------------------------------- distances
class PSICalculator(BinnedDistance):
    """Population Stability Index on reference-quantile bins or categories.

    Empty bins get a share of ``epsilon`` (1e-4) so the logarithm stays finite. Common reading:
    below 0.1 stable, 0.1 to 0.2 moderate shift, 0.2 and above significant shift.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(PSICalculator().test(rng.normal(size=10_000), rng.normal(size=10_000)).statistic, 3)
    0.001
    """

    name = "psi"
    default_threshold = 0.2

    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float:
        return stats.psi(ref, cur)


class JensenShannonDistance(BinnedDistance):
    """Jensen-Shannon distance, base 2 (= scipy.spatial.distance.jensenshannon), in [0, 1].

    >>> JensenShannonDistance().test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10).drifted
    True
    """

    name = "jensen_shannon"
    upper_bound = 1.0

    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float:
        return stats.jensen_shannon(ref, cur)


class HellingerDistance(BinnedDistance):
    """Hellinger distance between the binned distributions, in [0, 1].

    >>> HellingerDistance().test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10).drifted
    True
    """

    name = "hellinger"
    upper_bound = 1.0

    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float:
        return stats.hellinger(ref, cur)


class KLDivergence(BinnedDistance):
    """Kullback-Leibler divergence KL(current || reference) in nats; empty bins get a share
    of 1e-4 before the logarithm.

    >>> KLDivergence().test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10).drifted
    True
    """

    name = "kl_divergence"

    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float:
        return stats.kl_divergence(ref, cur)


class TotalVariationDistance(BinnedDistance):
    """Total variation distance (half the L1 distance between the shares), in [0, 1].

    >>> TotalVariationDistance().test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10).statistic
    0.4
    """

    name = "total_variation"
    upper_bound = 1.0

    def distance(self, ref: np.ndarray, cur: np.ndarray) -> float:
        return stats.total_variation(ref, cur)


class WassersteinDistance(DistanceMethod):
    """Wasserstein-1 distance divided by the reference's standard deviation, so 0.1 means
    "moved by about a tenth of a standard deviation". When the reference is constant the
    pooled standard deviation is used instead, and two equal constants are at distance 0.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> WassersteinDistance().test(rng.normal(size=5000), rng.normal(0.5, 1, 5000)).drifted
    True
    """

    name = "wasserstein"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        if pair.ks_and_wasserstein is None:
            return stats.wasserstein_normed(pair.reference, pair.current_sorted), None
        w1 = pair.ks_and_wasserstein[1]
        scale = stats.spread(pair.reference, pair.current)
        return (w1 / scale if w1 > 0 and scale > 0 else 0.0), None


class EnergyDistance(DistanceMethod):
    """Energy distance (= scipy.stats.energy_distance) of the values divided by the
    reference's standard deviation (pooled one when the reference is constant).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> EnergyDistance().test(rng.normal(size=5000), rng.normal(0.5, 1, 5000)).drifted
    True
    """

    name = "energy"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        ref = pair.reference
        raw = stats.energy(ref, pair.current_sorted)
        scale = stats.spread(ref, pair.current)
        return (raw / math.sqrt(scale) if scale > 0 else 0.0), None


METHODS: dict[str, type[DriftMethod]] = {
    cls.name: cls
    for cls in (
        KSTest,
        ChiSquareTest,
        ZTest,
        FisherExactTest,
        AndersonDarlingTest,
        CramerVonMisesTest,
        MannWhitneyTest,
        MMDTest,
        PSICalculator,
        JensenShannonDistance,
        WassersteinDistance,
        HellingerDistance,
        KLDivergence,
        TotalVariationDistance,
        EnergyDistance,
    )
}


def method_from_name(name: str, threshold: float | None = None) -> DriftMethod:
    """Build a method from its name; ``threshold`` is the significance level of a test or
    the threshold of a distance.

    >>> method_from_name("psi", 0.25)
    PSICalculator(threshold=0.25, bins=10)
    """
    key = name.strip().lower().replace("-", "_")
    if key not in METHODS:
        raise ConfigError(f"unknown drift method {name!r}; known: {', '.join(sorted(METHODS))}")
    cls = METHODS[key]
    if threshold is None:
        return cls()
    if issubclass(cls, PValueMethod):
        return cls(significance_level=threshold)
    return cls(threshold=threshold)


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
        return CategoricalPair.align(r.categories, r.counts, c.categories, c.counts), kind
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
