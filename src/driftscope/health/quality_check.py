"""The data-quality check of one window (:mod:`driftscope.quality`) as stored points.

Each quality result becomes one point of check ``"quality"`` whose metric names the feature
(``completeness:age``; whole-record checks keep the bare name, ``invalid_rate``); a result
with nothing to measure (``no_data``) is stored as ``unknown`` with value 0 and the reason.
Correlation changes are measured when the baseline kept a sample of its rows
(``Reference.row_sample``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from driftscope.health.context import (
    CheckRun,
    CheckWindow,
    WindowCheck,
    features_only,
    successful,
)
from driftscope.quality import check_quality
from driftscope.store import CheckRecord

CHECK = "quality"


def prepare(run: CheckRun) -> WindowCheck:
    """The quality check of ``run``'s windows (seed thresholds unless configured)."""
    reference = features_only(run.reference)
    thresholds = run.options.get("quality_thresholds")
    rows = getattr(reference, "row_sample", None)

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
            status = str(r.status) if measured and str(r.status) != "no_data" else "unknown"
            threshold = float(r.threshold) if math.isfinite(r.threshold) else None
            value = float(r.value) if measured else 0.0
            out.append(window.record(CHECK, metric, value, threshold, status, **details))
        return out

    return check
