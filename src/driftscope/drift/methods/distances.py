"""Distances: PSI, Jensen-Shannon, Hellinger, KL and total variation on binned data (both
kinds), Wasserstein and energy on numerical columns.

>>> TotalVariationDistance().test(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10).statistic
0.4
"""

from __future__ import annotations

import numpy as np

from driftscope import stats
from driftscope.drift.methods.base import NUMERIC_KINDS, BinnedDistance, DistanceMethod, Pair


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
