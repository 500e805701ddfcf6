"""The result of a check, as every layer sees it: a point of a time series, and the
explanation a check may attach to a window.

A health run turns each window into :class:`CheckRecord` points (one per metric) that a
store keeps as a time series, and optionally :class:`Explanation` items that say what
changed in words; explanations travel with the run's summary, they are not metrics.

>>> from datetime import datetime, UTC
>>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
>>> CheckRecord("churn", "performance", t0, t1, "accuracy", None, 0.85).missing
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from driftscope.core.status import STATUSES, Status
from driftscope.errors import ConfigError


@dataclass(frozen=True)
class CheckRecord:
    """One value of one metric of one check over one window: a point of a time series.

    ``(model, check, window_start, window_end, metric)`` identifies the point: writing it
    again replaces it, so re-running a window is idempotent. ``value`` is ``None`` when the
    metric could not be computed (no rows, no labels yet); such a point is never stored as
    0. ``status`` is one of :data:`~driftscope.core.status.STATUSES`.

    >>> from datetime import datetime, UTC
    >>> CheckRecord("churn", "drift", datetime(2026, 11, 1, tzinfo=UTC),
    ...             datetime(2026, 11, 2, tzinfo=UTC), "data_drift_score", 0.31, 0.2,
    ...             "warning", baseline_version="3f2a").status
    'warning'
    """

    model: str
    check: str
    window_start: datetime
    window_end: datetime
    metric: str
    value: float | None
    threshold: float | None = None
    status: str = Status.UNKNOWN.value
    baseline_version: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    computed_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        for name in ("window_start", "window_end", "computed_at"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise ConfigError(f"CheckRecord.{name} must be a timezone-aware datetime")
        if self.window_end < self.window_start:
            raise ConfigError("CheckRecord.window_end is before window_start")
        if self.status not in STATUSES:
            raise ConfigError(f"CheckRecord.status must be one of {STATUSES}, got {self.status!r}")
        object.__setattr__(self, "status", Status(self.status).value)
        value = self.value
        if value is not None:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(f"CheckRecord.value must be a number or None, got {value!r}")
            if math.isnan(value):
                object.__setattr__(self, "value", None)
        if self.threshold is not None and not math.isfinite(self.threshold):
            raise ConfigError("CheckRecord.threshold must be finite or None")

    @property
    def missing(self) -> bool:
        """Whether the metric could not be computed for the window."""
        return self.value is None


@dataclass(frozen=True)
class Explanation:
    """What changed in one window, in words, with the facts behind it: attached to a
    health run's summary next to its points (for instance the features whose shift best
    explains a move of the predictions).

    >>> from datetime import datetime, UTC
    >>> note = Explanation("predictions", datetime(2026, 11, 1, tzinfo=UTC),
    ...                    datetime(2026, 11, 2, tzinfo=UTC), "what_changed",
    ...                    "scores rose; 'plan' moved most", {"features": ["plan"]})
    >>> note.to_dict()["text"]
    "scores rose; 'plan' moved most"
    """

    check: str
    window_start: datetime
    window_end: datetime
    topic: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 text."""
        return {
            "check": self.check,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "topic": self.topic,
            "text": self.text,
            "details": self.details,
        }


#: The columns of a check-result frame, in order (the fields of :class:`CheckRecord`).
CHECK_FIELDS: tuple[str, ...] = (
    "model",
    "check",
    "window_start",
    "window_end",
    "metric",
    "value",
    "threshold",
    "status",
    "baseline_version",
    "details",
    "computed_at",
)
CHECK_TIME_FIELDS: tuple[str, ...] = ("window_start", "window_end", "computed_at")
