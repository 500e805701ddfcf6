"""Drift detection: fitted references, method objects, automatic choice, the detector."""

from driftscope.drift.auto import AutoPolicy
from driftscope.drift.detector import DriftDetector
from driftscope.drift.methods import (
    METHODS,
    AndersonDarlingTest,
    ChiSquareTest,
    CramerVonMisesTest,
    DriftMethod,
    EnergyDistance,
    FisherExactTest,
    HellingerDistance,
    JensenShannonDistance,
    KLDivergence,
    KSTest,
    MannWhitneyTest,
    MMDTest,
    PSICalculator,
    TotalVariationDistance,
    WassersteinDistance,
    ZTest,
    method_from_name,
)
from driftscope.drift.reference import Reference
from driftscope.drift.results import (
    ColumnDrift,
    ColumnSummary,
    Distribution,
    DriftReport,
    DriftResult,
    MethodResult,
)

__all__ = [
    "METHODS",
    "AndersonDarlingTest",
    "AutoPolicy",
    "ChiSquareTest",
    "ColumnDrift",
    "ColumnSummary",
    "CramerVonMisesTest",
    "Distribution",
    "DriftDetector",
    "DriftMethod",
    "DriftReport",
    "DriftResult",
    "EnergyDistance",
    "FisherExactTest",
    "HellingerDistance",
    "JensenShannonDistance",
    "KLDivergence",
    "KSTest",
    "MMDTest",
    "MannWhitneyTest",
    "MethodResult",
    "PSICalculator",
    "Reference",
    "TotalVariationDistance",
    "WassersteinDistance",
    "ZTest",
    "method_from_name",
]
