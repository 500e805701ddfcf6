"""The data-quality check of one window (:mod:`driftscope.quality`) as stored points.

Each quality result becomes one point of check ``"quality"`` whose metric names the feature
(``completeness:age``; whole-record checks keep the bare name, ``invalid_rate``); a result
with nothing to measure is stored as ``unknown`` with a missing value (never 0) and the
reason.
Correlation changes are measured when the baseline kept a sample of its rows
(``Reference.row_sample``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.errors import ConfigError
from driftscope.health.context import (
    CheckRun,
    CheckWindow,
    WindowCheck,
    features_only,
    successful,
)
from driftscope.quality import QualityChecker, QualityThresholds
from driftscope.quality.checker import numeric_features
from driftscope.quality.config import THRESHOLD_PAIRS
from driftscope.quality.correlation import ReferenceCorrelations
from driftscope.quality.results import QualityResult

CHECK = "quality"
NO_ROWS = "no predictions in the window"


def _thresholds(
    given: QualityThresholds | None, alert_thresholds: Mapping[str, float]
) -> QualityThresholds:
    """``given`` (default: the documented ones) with the warning levels the monitor's
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
    changes: dict[str, Any] = {}  # threshold fields by name, for dataclasses.replace
    for warn, crit, direction in THRESHOLD_PAIRS:
        if warn in alert_thresholds:
            level = float(alert_thresholds[warn])
            changes[warn] = level
            critical = getattr(thresholds, crit)
            changes[crit] = max(critical, level) if direction == "max" else min(critical, level)
    return replace(thresholds, **changes) if changes else thresholds


def prepare(run: CheckRun) -> WindowCheck:
    """The quality check of ``run``'s windows (seed thresholds unless configured): a
    :class:`~driftscope.quality.QualityChecker` fitted once, then one report per window.
    Without a saved baseline (``run.reference`` None) the schema comes from the records
    and completeness, missing features and invalid inputs are still measured."""
    thresholds = _thresholds(run.options.get("quality_thresholds"), run.thresholds)
    reference = None if run.reference is None else features_only(run.reference)
    rows = None if reference is None else reference.row_sample
    correlations = None
    if reference is not None and rows is not None:  # the baseline's correlations, once
        correlations = ReferenceCorrelations.fit(
            rows,
            numeric_features(reference),
            thresholds.correlation_method,
            thresholds.min_correlation_rows,
        )
    checker = QualityChecker.fit(reference, thresholds, reference_data=correlations)

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord | Explanation]:
        frame = successful(frame)  # calls that raised: counted by the operational check
        if frame.empty:
            return [window.record(CHECK, "rows", None, None, "unknown", reason=NO_ROWS)]
        report = checker.check(frame, start=window.start, end=window.end)
        return [_point(window, r) for r in report.results]

    return check


def _point(window: CheckWindow, r: QualityResult) -> CheckRecord:
    """A quality result as a stored point; one with nothing to measure is stored missing."""
    metric = r.metric if r.feature is None else f"{r.metric}:{r.feature}"
    measured = not (isinstance(r.value, float) and math.isnan(r.value))
    details: dict[str, Any] = dict(r.details)
    if not measured:
        details["reason"] = "nothing to measure in the window"
    status = str(r.status) if measured else "unknown"
    threshold = float(r.threshold) if math.isfinite(r.threshold) else None
    value = float(r.value) if measured else None
    return window.record(CHECK, metric, value, threshold, status, **details)
