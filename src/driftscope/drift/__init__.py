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
from driftscope.drift.streaming import (
    StreamDriftEvent,
    StreamingDriftMonitor,
    incremental_drift_monitoring,
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
    "StreamDriftEvent",
    "StreamingDriftMonitor",
    "TotalVariationDistance",
    "WassersteinDistance",
    "ZTest",
    "incremental_drift_monitoring",
    "method_from_name",
]
