"""driftscope.predictions: prediction distribution, confidence, uncertainty and anomalies.

>>> from driftscope.predictions import prediction_uncertainty
>>> prediction_uncertainty([[0.2, 0.8]]).summary.mean_confidence
0.8
"""

from driftscope.predictions.anomalies import AnomalyDetector, AnomalyModel
from driftscope.predictions.anomaly_results import AnomalyResult, AnomalySummary, RowAnomaly
from driftscope.predictions.summary import (
    Change,
    PredictionSummary,
    WindowStats,
    summarize_predictions,
    window_starts,
    window_stats,
)
from driftscope.predictions.uncertainty import (
    Uncertainty,
    UncertaintySummary,
    prediction_uncertainty,
    probability_matrix,
)

__all__ = [
    "AnomalyDetector",
    "AnomalyModel",
    "AnomalyResult",
    "AnomalySummary",
    "Change",
    "PredictionSummary",
    "RowAnomaly",
    "Uncertainty",
    "UncertaintySummary",
    "WindowStats",
    "prediction_uncertainty",
    "probability_matrix",
    "summarize_predictions",
    "window_starts",
    "window_stats",
]
