"""The data-quality check of one window (:mod:`driftscope.quality`) as stored points.

Each quality result becomes one point of check ``"quality"`` whose metric names the feature
(``completeness:age``; whole-record checks keep the bare name, ``invalid_rate``); a result
with nothing to measure (``no_data``) is stored as ``unknown`` with value 0 and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from driftscope.drift.reference import Reference
from driftscope.quality import check_quality
from driftscope.store import CheckRecord

CHECK = "quality"


def quality_records(
    model: str,
    frame: pd.DataFrame,
    reference: Reference,
    start: datetime,
    end: datetime,
    thresholds: Mapping[str, float],
) -> list[CheckRecord]:
    """The quality check's points for one window (seed thresholds unless configured)."""
    if frame.empty:
        return [
            CheckRecord(
                model,
                CHECK,
                start,
                end,
                "rows",
                0.0,
                None,
                "unknown",
                baseline_version=reference.version,
                details={"reason": "no predictions in the window"},
            )
        ]
    report = check_quality(frame, reference, window=None, start=start, end=end)
    out = []
    for r in report.results:
        metric = r.metric if r.feature is None else f"{r.metric}:{r.feature}"
        measured = not (isinstance(r.value, float) and math.isnan(r.value))
        details: dict[str, Any] = {k: _plain(v) for k, v in r.details}
        if not measured:
            details["reason"] = "nothing to measure in the window"
        out.append(
            CheckRecord(
                model,
                CHECK,
                start,
                end,
                metric,
                float(r.value) if measured else 0.0,
                float(r.threshold) if math.isfinite(r.threshold) else None,
                str(r.status) if measured and str(r.status) != "no_data" else "unknown",
                baseline_version=reference.version,
                details=details,
            )
        )
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: tuples to lists, numpy scalars to Python numbers, NaN to None."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
