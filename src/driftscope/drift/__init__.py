"""Drift detection: fitted references, method objects, automatic choice, the detector."""

from driftscope.drift.auto import AutoPolicy
from driftscope.drift.concept import ConceptDriftResult, detect_concept_drift
from driftscope.drift.detector import DriftDetector
from driftscope.drift.methods import (
    METHODS,
    AndersonDarlingTest,
    AndersonKSTest,
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
    ShareMoved,
    SparseChiSquareTest,
    TotalVariationDistance,
    WassersteinDistance,
    ZTest,
    method_from_name,
)
from driftscope.drift.reference import Reference
from driftscope.drift.reference_file import FileLimits
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
    "AndersonKSTest",
    "AutoPolicy",
    "ChiSquareTest",
    "ColumnDrift",
    "ColumnSummary",
    "ConceptDriftResult",
    "CramerVonMisesTest",
    "Distribution",
    "DriftDetector",
    "DriftMethod",
    "DriftReport",
    "DriftResult",
    "EnergyDistance",
    "FileLimits",
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
    "ShareMoved",
    "SparseChiSquareTest",
    "StreamDriftEvent",
    "StreamingDriftMonitor",
    "TotalVariationDistance",
    "WassersteinDistance",
    "ZTest",
    "detect_concept_drift",
    "incremental_drift_monitoring",
    "method_from_name",
]
