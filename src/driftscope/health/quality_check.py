"""The data-quality check of one window (:mod:`driftscope.quality`) as stored points.

Each quality result becomes one point of check ``"quality"`` whose metric names the feature
(``completeness:age``; whole-record checks keep the bare name, ``invalid_rate``); a result
with nothing to measure (``no_data``) is stored as ``unknown`` with value 0 and the reason.
Correlation changes are measured when the baseline kept a sample of its rows
(``Reference.row_sample``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord
from driftscope.errors import ConfigError
from driftscope.health.context import (
    CheckRun,
    CheckWindow,
    WindowCheck,
    features_only,
    successful,
)
from driftscope.quality import QualityThresholds, check_quality
from driftscope.quality.config import THRESHOLD_PAIRS
from driftscope.quality.correlation import ReferenceCorrelations

CHECK = "quality"


def _thresholds(
    given: QualityThresholds | None, alert_thresholds: Mapping[str, float]
) -> QualityThresholds:
    """``given`` (default: the seed's) with the warning levels the monitor's
    ``alert_thresholds`` set (``completeness``, ``invalid_rate``, ...); a critical level
    the new warning level passes moves with it.

    >>> t = _thresholds(None, {"invalid_rate": 0.1, "data_drift_score": 0.2})
    >>> t.invalid_rate, t.invalid_rate_critical, t.completeness
    (0.1, 0.1, 0.99)
    """
    thresholds = given if given is not None else QualityThresholds()
    if not isinstance(thresholds, QualityThresholds):
        raise ConfigError(
            f"quality_thresholds must be a QualityThresholds, got {type(thresholds).__name__}"
        )
    changes: dict[str, float] = {}
    for warn, crit, direction in THRESHOLD_PAIRS:
        if warn in alert_thresholds:
            level = float(alert_thresholds[warn])
            changes[warn] = level
            critical = getattr(thresholds, crit)
            changes[crit] = max(critical, level) if direction == "max" else min(critical, level)
    return replace(thresholds, **changes) if changes else thresholds


def prepare(run: CheckRun) -> WindowCheck:
    """The quality check of ``run``'s windows (seed thresholds unless configured)."""
    reference = features_only(run.reference)
    thresholds = _thresholds(run.options.get("quality_thresholds"), run.thresholds)
    rows = getattr(reference, "row_sample", None)
    if rows is not None:  # the baseline's correlations: once per run, not once per window
        numeric = [n for n, c in reference.columns.items() if str(c.kind) == "numerical"]
        rows = ReferenceCorrelations.fit(
            rows, numeric, thresholds.correlation_method, thresholds.min_correlation_rows
        )

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord]:
        frame = successful(frame)  # calls that raised: counted by the operational check
        if frame.empty:
            return [
                window.record(
                    CHECK, "rows", 0, None, "unknown", reason="no predictions in the window"
                )
            ]
        report = check_quality(
            frame,
            reference,
            window=None,
            thresholds=thresholds,
            reference_data=rows,
            start=window.start,
            end=window.end,
        )
        out = []
        for r in report.results:
            metric = r.metric if r.feature is None else f"{r.metric}:{r.feature}"
            measured = not (isinstance(r.value, float) and math.isnan(r.value))
            details: dict[str, Any] = dict(r.details)
            if not measured:
                details["reason"] = "nothing to measure in the window"
            status = str(r.status) if measured else "unknown"
            threshold = float(r.threshold) if math.isfinite(r.threshold) else None
            value = float(r.value) if measured else 0.0
            out.append(window.record(CHECK, metric, value, threshold, status, **details))
        return out

    return check
