"""Distances: PSI, Jensen-Shannon, Hellinger, KL and total variation on binned data (both
kinds), Wasserstein and energy on numerical columns.

>>> TotalVariationDistance().test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10).statistic
0.4
"""

from __future__ import annotations

import numpy as np

from driftscope import stats
from driftscope.drift.methods.base import (
    NUMERIC_KINDS,
    BinnedDistance,
    DistanceMethod,
    Pair,
    _check_level,
)
from driftscope.drift.pairs import NumericPair
from driftscope.drift.results import MethodResult


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
    "moved by about a tenth of a standard deviation". The standard deviation is capped at
    twice IQR/1.349, so a few extreme values cannot make every shift look small (see
    :func:`driftscope.stats.spread`). When the reference is constant the pooled standard
    deviation is used instead, and two equal constants are at distance 0. Finite for any
    finite data (values near the float64 limits are rescaled by a power of two).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> WassersteinDistance().test(rng.normal(size=5000), rng.normal(0.5, 1, 5000)).drifted
    True
    """

    name = "wasserstein"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        pair = self._numeric(pair)
        if pair.ks_and_wasserstein is None:
            return stats.wasserstein_normed(pair.reference, pair.current_sorted), None
        w1 = pair.ks_and_wasserstein[1]
        scale = stats.spread(pair.reference, pair.current)
        return (w1 / scale if w1 > 0 and scale > 0 else 0.0), None


class EnergyDistance(DistanceMethod):
    """Energy distance (= scipy.stats.energy_distance) of the values divided by the square
    root of the reference's standard deviation (pooled one when the reference is constant),
    so that it does not depend on the units.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> EnergyDistance().test(rng.normal(size=5000), rng.normal(0.5, 1, 5000)).drifted
    True
    """

    name = "energy"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        pair = self._numeric(pair)
        return stats.energy_normed(pair.reference, pair.current_sorted), None


#: The smallest change the default verdict calls drift: 2.5 % of the data moved (the
#: reasoning and the measurements are in docs/methods.md, "The relevance threshold").
DEFAULT_MIN_CHANGE = 0.025


def share_moved(pair: Pair) -> tuple[float, int, int, int | None]:
    """The share of the data that moved between the two sides of ``pair`` (see
    :class:`ShareMoved`), the two sample sizes, and the number of categories compared
    (``None`` for numbers).

    >>> import numpy as np
    >>> from driftscope.drift.pairs import CategoricalPair
    >>> share, n, m, cells = share_moved(
    ...     CategoricalPair(("a", "b"), np.array([50, 50]), np.array([60, 40])))
    >>> round(share, 3), n, m, cells
    (0.1, 100, 100, 2)
    """
    if isinstance(pair, NumericPair):
        return pair.ks_distance, pair.reference.n, int(pair.current.size), None
    distance, cells = stats.categorical_share_moved(pair.reference, pair.current)
    return distance, int(pair.reference.sum()), int(pair.current.sum()), cells


class ShareMoved(DistanceMethod):
    """The relevance gate of the default verdict: the share of the data that moved, and
    whether it may reach ``threshold`` (:func:`driftscope.stats.share_moved_bounds`).

    The share moved is the Kolmogorov-Smirnov distance for numbers and the total variation
    distance for categories, the rare levels grouped into "seen in the reference" and "new"
    (:func:`driftscope.stats.categorical_share_moved`: a column of near-unique ids, whose
    every value is new before and after, has moved nothing). Both are in [0, 1] and read
    "this share of the rows sits elsewhere". The gate *opens* (``drifted``) unless the data
    show, with ``confidence``, that less than ``threshold`` moved: its upper confidence
    bound is below the threshold. Alone it opens on every small sample, so it is meant to go with a
    significance test (as the automatic choice does); ``interval`` in the result holds both
    bounds.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> big = ShareMoved().test(rng.normal(size=200_000), rng.normal(0.01, 1, 200_000))
    >>> round(big.statistic, 3), big.drifted  # 0.01 SD: 0.4 % of the data moved
    (0.005, False)
    >>> ShareMoved().test(rng.normal(size=200_000), rng.normal(0.1, 1, 200_000)).drifted
    True
    """

    name = "share_moved"
    default_threshold = DEFAULT_MIN_CHANGE
    upper_bound = 1.0

    def __init__(self, threshold: float | None = None, confidence: float = 0.95):
        super().__init__(threshold)
        self.confidence = _check_level(confidence, "confidence")

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        return share_moved(pair)[0], None

    def evaluate(self, pair: Pair) -> MethodResult:
        share, n, m, cells = share_moved(pair)
        low, high = stats.share_moved_bounds(share, n, m, self.confidence, cells)
        return MethodResult(
            method=self.name,
            statistic=float(share),
            p_value=None,
            threshold=self.threshold,
            drifted=bool(high >= self.threshold),
            role="distance",
            interval=(low, high),
        )
