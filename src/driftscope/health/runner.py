"""Run a model's health checks for its due windows and store every result.

:func:`run_checks` reads the logged predictions one window at a time, runs each check per
window against the model's current baseline (``monitor.save_reference``), writes every
result to the store (upserted by model, check, window and metric, so re-running a window is
idempotent) and returns a :class:`~driftscope.health.summary.HealthSummary`, worst first.

Checks available now: ``"drift"`` (feature and prediction drift per window) and
``"quality"`` (data quality, :mod:`driftscope.quality`). Performance and prediction analysis
plug in here as they land (issue 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from driftscope.errors import ConfigError, StoreError
from driftscope.health.drift_check import drift_records
from driftscope.health.quality_check import quality_records
from driftscope.health.summary import HealthSummary
from driftscope.health.windows import due_windows, window_size

if TYPE_CHECKING:
    from driftscope.monitor import ModelMonitor

CHECKS = {"drift": drift_records, "quality": quality_records}
DEFAULT_LOOKBACK = 7  # windows, when nothing was computed before


def run_checks(
    monitor: ModelMonitor,
    window: str | timedelta = "day",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    checks: Sequence[str] = ("drift", "quality"),
) -> HealthSummary:
    """Run ``checks`` for every complete window from ``since`` (default: after the last
    window already stored, or the last seven windows) to ``until`` (default: now).

    >>> import tempfile, numpy as np
    >>> from datetime import UTC, datetime, timedelta
    >>> from driftscope.monitor import ModelMonitor
    >>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
    ...     _ = monitor.save_reference({"x": np.random.default_rng(0).normal(size=1000)})
    ...     summary = run_checks(monitor, "day", since=datetime.now(UTC) - timedelta(days=1))
    >>> summary.status, {r.metric for r in summary.records}
    ('unknown', {'rows'})
    """
    for name in checks:
        if name not in CHECKS:
            raise ConfigError(f"unknown check {name!r}; available: {sorted(CHECKS)}")
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
    records = []
    for start, end in windows:  # one window in memory at a time
        part = monitor.get_recent_predictions(since=start, until=end)
        for name in checks:
            records.extend(
                CHECKS[name](model, part, reference, start, end, monitor.alert_thresholds)
            )
    store.write_check_results(records)
    return HealthSummary(model, reference.version, tuple(records))
