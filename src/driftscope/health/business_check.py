"""The business check of one window: the user's own metrics, one number per function.

``run_checks(business_metrics={"revenue": fn, ...})`` calls each function on the window's
successful rows (the frame of ``get_recent_predictions``, without the failed calls of
``@track_predictions``) and stores the number it returns as metric ``<name>`` of check
``"business"``. The rows are sampled records: a total over them should weight each row by
its ``sampling_weight`` (see docs/monitoring.md). Each function gets its own shallow copy
of the rows, so one that adds a column changes nothing for the others.

``alert_thresholds`` only takes the names driftscope knows, so bounds come with the
function: ``BusinessMetric(fn, min=..., max=...)`` is ``critical`` below ``min`` or above
``max`` and ``ok`` between; a plain callable is always ``ok``.

Never a crash: a function that raises, or returns something that is not a finite real
number (None, NaN, a string, an array), is stored as ``unknown`` with a missing value
(never 0) and the error in ``details["error"]``, naming the metric. A window with no
successful row gives every metric as ``unknown`` without calling the functions (a sum
over no rows would be a misleading 0, a mean a NaN). Without ``business_metrics`` the
check stores nothing.

>>> import pandas as pd
>>> from driftscope.drift.reference import Reference
>>> from driftscope.health.context import CheckRun, CheckWindow
>>> from datetime import UTC, datetime, timedelta
>>> ref = Reference.fit({"x": [1.0, 2.0, 3.0]})
>>> run = CheckRun("shop", ref, timedelta(days=1), business_metrics={
...     "revenue": BusinessMetric(lambda df: (df["x"] * df["sampling_weight"]).sum(), min=10),
...     "broken": lambda df: df["nope"].sum()})
>>> day = CheckWindow("shop", ref, datetime(2026, 11, 2, tzinfo=UTC),
...                   datetime(2026, 11, 3, tzinfo=UTC))
>>> rows = pd.DataFrame({"x": [2.0, 4.0], "sampling_weight": [1.0, 2.0]})
>>> [(p.metric, p.value, p.status) for p in prepare(run)(rows, day)]
[('revenue', 10.0, 'ok'), ('broken', None, 'unknown')]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord
from driftscope.errors import ConfigError, safe_repr
from driftscope.health.context import CheckRun, CheckWindow, WindowCheck, successful

CHECK = "business"
NO_ROWS = "no successful predictions in the window: the function was not called"


@dataclass(frozen=True)
class BusinessMetric:
    """A business metric with bounds: ``fn(window_rows) -> float``; the window is
    ``critical`` when the value is below ``min`` or above ``max`` (either may be None).

    >>> BusinessMetric(len, min=100).status(42.0)
    'critical'
    """

    fn: Callable[[pd.DataFrame], Any]
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise ConfigError(
                f"BusinessMetric needs a function of the window's rows, got {safe_repr(self.fn)}"
            )
        for bound in ("min", "max"):
            value = getattr(self, bound)
            if value is not None and not _finite(value):
                raise ConfigError(f"BusinessMetric {bound}= must be a finite number, got {value!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ConfigError(f"BusinessMetric min={self.min} is above max={self.max}")

    def status(self, value: float) -> str:
        """``critical`` outside ``[min, max]``, else ``ok``."""
        low = self.min is not None and value < self.min
        high = self.max is not None and value > self.max
        return "critical" if low or high else "ok"

    @property
    def threshold(self) -> float | None:
        """The bound stored with each point: ``min`` when set, else ``max``."""
        return float(self.min) if self.min is not None else self.max


def prepare(run: CheckRun) -> WindowCheck:
    """The business check of ``run``'s windows (see the module docstring)."""
    specs = {}
    for name, spec in run.business_metrics.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"business metric names must be non-empty strings, got {name!r}")
        if not isinstance(spec, BusinessMetric):
            if not callable(spec):
                raise ConfigError(
                    f"business metric {name!r} must be a function of the window's rows or a "
                    f"BusinessMetric, got {safe_repr(spec)}"
                )
            spec = BusinessMetric(spec)
        specs[name] = spec

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord]:
        if not specs:
            return []
        rows = successful(frame)
        if rows.empty:
            return [
                window.record(CHECK, name, None, spec.threshold, "unknown", reason=NO_ROWS)
                for name, spec in specs.items()
            ]
        return [_measure(name, spec, rows, window) for name, spec in specs.items()]

    return check


def _measure(
    name: str, spec: BusinessMetric, rows: pd.DataFrame, window: CheckWindow
) -> CheckRecord:
    try:
        value = spec.fn(rows.copy(deep=False))
    except Exception as exc:
        error = f"business metric {name!r} raised {type(exc).__name__}: {exc}"
        return window.record(CHECK, name, None, spec.threshold, "unknown", error=error)
    if not _finite(value):
        error = (
            f"business metric {name!r} returned {type(value).__name__} {safe_repr(value)}; "
            "expected a finite number"
        )
        return window.record(CHECK, name, None, spec.threshold, "unknown", error=error)
    value = float(value)
    return window.record(
        CHECK,
        name,
        value,
        spec.threshold,
        spec.status(value),
        rows=len(rows),
        min=spec.min,
        max=spec.max,
    )


def _finite(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
