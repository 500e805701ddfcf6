"""The typed result of a health run: every stored point, worst first.

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

from dataclasses import dataclass
from typing import Any

from driftscope.core.checks import CheckRecord
from driftscope.core.status import Status


@dataclass(frozen=True)
class HealthSummary:
    """What :func:`~driftscope.health.run_checks` computed and stored, for one model."""

    model: str
    baseline_version: str | None
    records: tuple[CheckRecord, ...]

    @property
    def status(self) -> str:
        """The worst status of any record ("ok" when there is none)."""
        return Status.worst(r.status for r in self.records).value

    @property
    def windows(self) -> list[tuple[Any, Any]]:
        return sorted({(r.window_start, r.window_end) for r in self.records})

    def worst_first(self) -> list[CheckRecord]:
        """Records by severity (worst first), then by window (latest first)."""
        return sorted(
            self.records,
            key=lambda r: (-Status(r.status).rank, -r.window_start.timestamp(), r.check, r.metric),
        )

    def to_frame(self) -> Any:
        import pandas as pd

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
            }
            for r in self.worst_first()
        ]
        return pd.DataFrame(rows)
