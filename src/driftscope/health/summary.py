"""The typed result of a health run: every stored point, worst first, with what the checks
explained and what the run could not do.

>>> from datetime import datetime, UTC
>>> from driftscope.core.checks import CheckRecord
>>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
>>> summary = HealthSummary("churn", "3f2a", (
...     CheckRecord("churn", "drift", t0, t1, "data_drift_score", 0.05, 0.2, "ok"),
...     CheckRecord("churn", "drift", t0, t1, "drift_share", 0.5, None, "warning"),
... ))
>>> summary.status, summary.worst_first()[0].metric
('warning', 'drift_share')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.core.status import Status
from driftscope.health.context import plain

#: Version of the layout of :meth:`HealthSummary.to_dict`.
SCHEMA_VERSION = "1"
#: The columns of :meth:`HealthSummary.to_frame`, in order.
FRAME_COLUMNS = (
    "window_start",
    "window_end",
    "check",
    "metric",
    "value",
    "threshold",
    "status",
    "baseline_version",
    "details",
)


@dataclass(frozen=True)
class HealthSummary:
    """What :func:`~driftscope.health.run_checks` computed and stored, for one model.

    ``records`` are the stored points (``value`` is ``None`` where a metric could not be
    computed); ``explanations`` say in words what changed in a window (they are not
    stored as points); ``notes`` say what the run could not do (no baseline, windows
    outside the model's records). ``baseline_version`` is ``None`` without a baseline.

    >>> from datetime import datetime, UTC
    >>> from driftscope.core.checks import CheckRecord, Explanation
    >>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    >>> summary = HealthSummary(
    ...     "churn", None,
    ...     (CheckRecord("churn", "drift", t0, t1, "baseline", None, None, "unknown"),
    ...      CheckRecord("churn", "performance", t0, t1, "accuracy", 0.71, 0.85, "critical")),
    ...     explanations=(Explanation("predictions", t0, t1, "what_changed",
    ...                               "scores fell", {"changes": 2}),),
    ...     notes=("no baseline saved for model 'churn'",))
    >>> data = summary.to_dict()
    >>> data["status"], data["windows"], data["records"][0]["metric"]
    ('critical', [['2026-11-01T00:00:00+00:00', '2026-11-02T00:00:00+00:00']], 'accuracy')
    >>> data["records"][1]["value"], data["explanations"][0]["text"], data["notes"]
    (None, 'scores fell', ["no baseline saved for model 'churn'"])
    >>> summary.to_frame()[["check", "value", "status"]].to_string(index=False)
    '      check  value   status\\nperformance   0.71 critical\\n      drift    NaN  unknown'
    >>> '"status": "critical"' in summary.to_json()
    True
    """

    model: str
    baseline_version: str | None
    records: tuple[CheckRecord, ...]
    explanations: tuple[Explanation, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """The worst status of any record ("ok" when there is none)."""
        return Status.worst(r.status for r in self.records).value

    @property
    def windows(self) -> list[tuple[datetime, datetime]]:
        """The ``(start, end)`` of every window with a point, in time order."""
        return sorted({(r.window_start, r.window_end) for r in self.records})

    def worst_first(self) -> list[CheckRecord]:
        """Records by severity (worst first), then by window (latest first)."""
        return sorted(
            self.records,
            key=lambda r: (-Status(r.status).rank, -r.window_start.timestamp(), r.check, r.metric),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, keys in a stable order: times as ISO 8601 text, statuses by name,
        records worst first, a missing value as ``None``."""
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "baseline_version": self.baseline_version,
            "status": self.status,
            "windows": [[a.isoformat(), b.isoformat()] for a, b in self.windows],
            "records": [_record(r) for r in self.worst_first()],
            "explanations": [_json_ready(e.to_dict()) for e in self.explanations],
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (never ``NaN``)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per record, worst first, with the columns of :data:`FRAME_COLUMNS`:
        window bounds as UTC timestamps, ``value`` and ``threshold`` as floats (NaN where
        missing). Explanations and notes are in :meth:`to_dict`."""
        rows = [
            {
                "window_start": r.window_start,
                "window_end": r.window_end,
                "check": r.check,
                "metric": r.metric,
                "value": r.value,
                "threshold": r.threshold,
                "status": r.status,
                "baseline_version": r.baseline_version,
                "details": r.details,
            }
            for r in self.worst_first()
        ]
        frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
        for name in ("window_start", "window_end"):
            frame[name] = pd.to_datetime(frame[name], utc=True)
        for name in ("value", "threshold"):
            frame[name] = frame[name].astype("float64")
        return frame


def _record(r: CheckRecord) -> dict[str, Any]:
    return {
        "window_start": r.window_start.isoformat(),
        "window_end": r.window_end.isoformat(),
        "check": r.check,
        "metric": r.metric,
        "value": r.value,
        "threshold": r.threshold,
        "status": r.status,
        "baseline_version": r.baseline_version,
        "details": _json_ready(r.details),
        "computed_at": r.computed_at.isoformat(),
    }


def _json_ready(value: Any) -> Any:
    """:func:`~driftscope.health.context.plain`, with times as ISO 8601 text."""
    if isinstance(value, datetime):  # pandas' Timestamp too
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return plain(value)
