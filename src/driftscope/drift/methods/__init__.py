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

from driftscope.drift.methods.base import (
    ALL_KINDS,
    CATEGORY_KINDS,
    NUMERIC_KINDS,
    BinnedDistance,
    DistanceMethod,
    DriftMethod,
    PValueMethod,
    _check_bins,
    _check_level,
    _check_threshold,
)
from driftscope.drift.methods.distances import (
    DEFAULT_MIN_CHANGE,
    EnergyDistance,
    HellingerDistance,
    JensenShannonDistance,
    KLDivergence,
    PSICalculator,
    ShareMoved,
    TotalVariationDistance,
    WassersteinDistance,
    share_moved,
)
from driftscope.drift.methods.significance import (
    AndersonDarlingTest,
    AndersonKSTest,
    ChiSquareTest,
    CramerVonMisesTest,
    FisherExactTest,
    KSTest,
    MannWhitneyTest,
    MMDTest,
    SparseChiSquareTest,
    ZTest,
)
from driftscope.errors import ConfigError

METHODS: dict[str, type[DriftMethod]] = {
    cls.name: cls
    for cls in (
        KSTest,
        ChiSquareTest,
        SparseChiSquareTest,
        ZTest,
        FisherExactTest,
        AndersonDarlingTest,
        AndersonKSTest,
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
        ShareMoved,
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
    if issubclass(cls, DistanceMethod):
        return cls(threshold=threshold)
    raise ConfigError(f"drift method {name!r} takes no threshold")


__all__ = [
    "ALL_KINDS",
    "CATEGORY_KINDS",
    "DEFAULT_MIN_CHANGE",
    "METHODS",
    "NUMERIC_KINDS",
    "AndersonDarlingTest",
    "AndersonKSTest",
    "BinnedDistance",
    "ChiSquareTest",
    "CramerVonMisesTest",
    "DistanceMethod",
    "DriftMethod",
    "EnergyDistance",
    "FisherExactTest",
    "HellingerDistance",
    "JensenShannonDistance",
    "KLDivergence",
    "KSTest",
    "MMDTest",
    "MannWhitneyTest",
    "PSICalculator",
    "PValueMethod",
    "ShareMoved",
    "SparseChiSquareTest",
    "TotalVariationDistance",
    "WassersteinDistance",
    "ZTest",
    "_check_bins",
    "_check_level",
    "_check_threshold",
    "method_from_name",
    "share_moved",
]
