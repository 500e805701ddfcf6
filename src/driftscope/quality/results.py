"""Typed results of the data-quality checks.

>>> from datetime import datetime, UTC
>>> t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
>>> r = QualityResult(t0, t1, "completeness", "age", "completeness", 1.0, 0.99, Status.OK)
>>> report = QualityReport((r,))
>>> report.to_frame()[["check", "feature", "status"]].values.tolist()
[['completeness', 'age', 'ok']]
>>> report.worst
<Status.OK: 'ok'>
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from driftscope.quality.config import Status

COLUMNS = (
    "window_start",
    "window_end",
    "check",
    "feature",
    "metric",
    "value",
    "threshold",
    "status",
)


@dataclass(frozen=True)
class QualityResult:
    """One check on one feature (``feature`` is None for whole-record checks) in one window.

    ``value`` is NaN only when ``status`` is ``unknown`` (nothing to measure); ``details``
    holds extra facts as (name, value) pairs, e.g. the top unseen categories and their
    weighted shares.

    >>> from datetime import UTC
    >>> t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    >>> r = QualityResult(t0, t1, "completeness", None, "completeness", 0.97, 0.99, Status.WARNING)
    >>> d = r.to_dict()
    >>> d["window_start"], d["value"], d["status"]
    ('2026-01-01T00:00:00+00:00', 0.97, 'warning')
    """

    window_start: datetime
    window_end: datetime
    check: str
    feature: str | None
    metric: str
    value: float
    threshold: float
    status: Status
    details: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        out: dict[str, Any] = {c: getattr(self, c) for c in COLUMNS}
        out["window_start"] = self.window_start.isoformat()
        out["window_end"] = self.window_end.isoformat()
        out["status"] = str(self.status)
        out["details"] = [list(d) for d in self.details]
        return out


@dataclass(frozen=True)
class QualityReport:
    """All results of a quality run, in window order, then check order.

    >>> from datetime import UTC
    >>> t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    >>> ok = QualityResult(t0, t1, "missing_feature", "age", "missing_feature_rate", 0.0, 0.001,
    ...                    Status.OK)
    >>> low = QualityResult(t0, t1, "completeness", None, "completeness", 0.97, 0.99,
    ...                     Status.WARNING)
    >>> report = QualityReport((ok, low))
    >>> report.worst, [r.check for r in report.issues()]
    (<Status.WARNING: 'warning'>, ['completeness'])
    """

    results: tuple[QualityResult, ...]

    @property
    def worst(self) -> Status:
        """The worst status over all results (``unknown`` when there are none)."""
        if not self.results:
            return Status.UNKNOWN
        return Status.worst(r.status for r in self.results)

    def issues(self) -> tuple[QualityResult, ...]:
        """The results that are ``warning`` or ``critical``, worst first."""
        bad = [r for r in self.results if r.status in (Status.WARNING, Status.CRITICAL)]
        return tuple(sorted(bad, key=lambda r: -Status(r.status).rank))

    def to_frame(self) -> pd.DataFrame:
        """One row per result with the columns of :data:`COLUMNS`."""
        rows = [
            {c: (str(r.status) if c == "status" else getattr(r, c)) for c in COLUMNS}
            for r in self.results
        ]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        for c in ("window_start", "window_end"):
            frame[c] = pd.to_datetime(frame[c], utc=True)
        frame["feature"] = pd.Series([r.feature for r in self.results], dtype=object)
        frame["value"] = frame["value"].astype("float64")
        frame["threshold"] = frame["threshold"].astype("float64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {"worst": str(self.worst), "results": [r.to_dict() for r in self.results]}
