"""Run a model's health checks for its due windows and store every result.

:func:`run_checks` reads the logged predictions one window at a time, runs each check per
window against the model's current baseline (``monitor.save_reference``), writes every
result to the store (upserted by model, check, window and metric, so re-running a window is
idempotent) and returns a :class:`~driftscope.health.summary.HealthSummary`, worst first.

Checks: ``"drift"`` (feature and prediction drift), ``"quality"`` (data quality,
:mod:`driftscope.quality`) and ``"performance"`` (realized metrics once labels arrived,
against the baseline, :mod:`driftscope.health.performance_check`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from driftscope.errors import ConfigError, StoreError
from driftscope.health import drift_check, quality_check
from driftscope.health.context import BusinessMetric, CheckRun, CheckWindow, WindowCheck
from driftscope.health.summary import HealthSummary
from driftscope.health.windows import due_windows, window_size

if TYPE_CHECKING:
    from driftscope.monitor import ModelMonitor

CHECKS: dict[str, Callable[[CheckRun], WindowCheck]] = {
    "drift": drift_check.prepare,
    "quality": quality_check.prepare,
}
DEFAULT_CHECKS = ("drift", "quality")
DEFAULT_LOOKBACK = 7  # windows, when nothing was computed before


def run_checks(
    monitor: ModelMonitor,
    window: str | timedelta = "day",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    business_metrics: Mapping[str, BusinessMetric] | None = None,
    **options: Any,
) -> HealthSummary:
    """Run ``checks`` for every complete window from ``since`` (default: after the last
    window already stored, or the last seven windows) to ``until`` (default: now).

    ``business_metrics`` maps a name to a function of a window's rows returning a number
    (stored as check ``"business"``). Other ``options`` tune single checks (see each check).

    >>> import tempfile, numpy as np
    >>> from datetime import UTC, datetime, timedelta
    >>> from driftscope.monitor import ModelMonitor
    >>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
    ...     _ = monitor.save_reference({"x": np.random.default_rng(0).normal(size=1000)})
    ...     summary = run_checks(monitor, "day", since=datetime.now(UTC) - timedelta(days=1))
    >>> summary.status, sorted({(r.check, r.metric) for r in summary.records})[:2]
    ('unknown', [('drift', 'rows'), ('quality', 'rows')])
    """
    checks = tuple(checks)
    for name in checks:
        if name not in CHECKS:
            raise ConfigError(f"unknown check {name!r}; available: {sorted(CHECKS)}")
    if not checks:
        raise ConfigError("no checks asked for")
    size = window_size(window)
    store, model = monitor.store, monitor.model_name
    try:
        reference = monitor.reference()
    except StoreError as exc:
        raise ConfigError(
            f"model {model!r} has no baseline: call monitor.save_reference(training_data) first"
        ) from exc
    now = until or datetime.now(UTC)
    if since is None:
        done = store.read_check_results(model, check=checks[0])
        since = (
            pd.Timestamp(done["window_end"].max()).to_pydatetime()
            if len(done)
            else now - DEFAULT_LOOKBACK * size
        )
    windows = due_windows(size, since=since, now=now)
    if not windows:
        return HealthSummary(model, reference.version, ())
    run = CheckRun(
        model=model,
        reference=reference,
        window=size,
        thresholds=monitor.alert_thresholds,
        metrics=monitor.metrics,
        business_metrics=dict(business_metrics or {}),
        options=options,
    )
    prepared = [CHECKS[name](run) for name in checks]
    records = []
    for start, end in windows:  # one window in memory at a time
        part = monitor.get_recent_predictions(since=start, until=end)
        at = CheckWindow(model, reference, start, end)
        for check in prepared:
            records.extend(check(part, at))
    store.write_check_results(records)
    return HealthSummary(model, reference.version, tuple(records))
