"""The drift check of one window: feature drift and prediction drift against the baseline.

Status per window: ``critical`` when the drift score reaches the model's threshold
(``alert_thresholds["data_drift_score"]``, default 0.2 as in the seed; for predictions
``prediction_drift_score``, default 0.15), ``warning`` when the detector flags drift (a test
significant after correction *and* an effect large enough to matter, see docs/methods.md),
else ``ok``; ``unknown`` when the window holds no prediction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from driftscope.drift.detector import DriftDetector
from driftscope.drift.reference import Reference
from driftscope.store import CheckRecord

CHECK = "drift"
DEFAULTS = {"data_drift_score": 0.2, "prediction_drift_score": 0.15}


def drift_records(
    model: str,
    frame: pd.DataFrame,
    reference: Reference,
    start: datetime,
    end: datetime,
    thresholds: Mapping[str, float],
) -> list[CheckRecord]:
    """The drift check's points for one window (see the module docstring)."""

    def record(metric: str, value: float, threshold: float | None, status: str, **details: Any):
        return CheckRecord(
            model,
            CHECK,
            start,
            end,
            metric,
            float(value),
            threshold,
            status,
            baseline_version=reference.version,
            details=details,
        )

    if frame.empty:
        return [record("rows", 0, None, "unknown", reason="no predictions in the window")]
    detector = DriftDetector(reference=reference)
    features = [n for n in detector.feature_names if n in frame.columns]
    out = [record("rows", len(frame), None, "ok")]
    if features:
        result = detector.detect_feature_drift(frame, features)
        limit = float(thresholds.get("data_drift_score", DEFAULTS["data_drift_score"]))
        status = _status(result.score, limit, result.has_drift)
        out.append(
            record(
                "data_drift_score",
                result.score,
                limit,
                status,
                drifted_features=result.drifted_features,
                notes=list(result.notes),
            )
        )
        out.append(
            record(
                "drift_share",
                result.drift_share,
                None,
                "warning" if result.has_drift else "ok",
                drifted_features=result.drifted_features,
            )
        )
    if "prediction" in reference.columns and "prediction" in frame.columns:
        result = detector.detect_feature_drift(frame, ["prediction"])
        limit = float(thresholds.get("prediction_drift_score", DEFAULTS["prediction_drift_score"]))
        out.append(
            record(
                "prediction_drift_score",
                result.score,
                limit,
                _status(result.score, limit, result.has_drift),
            )
        )
    return out


def _status(score: float, limit: float, flagged: bool) -> str:
    if score >= limit:
        return "critical"
    return "warning" if flagged else "ok"
