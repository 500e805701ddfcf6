"""Run a model's health checks for its due windows and store every result.

:func:`run_checks` reads the logged predictions one window at a time, runs each check per
window against the model's current baseline (``monitor.save_reference``), writes every
result to the store (upserted by model, check, window and metric, so re-running a window is
idempotent) and returns a :class:`~driftscope.health.summary.HealthSummary`, worst first.

Checks: ``"drift"`` (feature and prediction drift), ``"quality"`` (data quality,
:mod:`driftscope.quality`), ``"performance"`` (realized metrics once labels arrived,
against the baseline, :mod:`driftscope.health.performance_check`), ``"predictions"``
(confidence, anomalies and what changed, :mod:`driftscope.health.predictions_check`),
``"operational"`` (latency, throughput, error rate,
:mod:`driftscope.health.operational_check`) and ``"business"`` (the ``business_metrics``
functions, :mod:`driftscope.health.business_check`; nothing without them).

The next window is read on a background thread while the checks run on the current one
(reading decodes Parquet and joins labels outside the GIL), so at most two windows are in
memory. Each window's points are written as soon as its checks are done: a run that stops
half-way keeps the windows it finished. A check that fails on a window (a bug, or data it
cannot handle) becomes one ``unknown`` point, ``check_error``, with the error in its
details, and is logged; the other checks and windows go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from driftscope.core.windows import due_windows, window_size, window_start
from driftscope.errors import ConfigError, StoreError
from driftscope.health import (
    business_check,
    drift_check,
    operational_check,
    performance_check,
    predictions_check,
    quality_check,
)
from driftscope.health.business_check import BusinessMetric
from driftscope.health.context import BusinessFunction, CheckRun, CheckWindow, WindowCheck
from driftscope.health.summary import HealthSummary

if TYPE_CHECKING:
    from driftscope.core.checks import CheckRecord
    from driftscope.monitor import ModelMonitor

log = logging.getLogger(__name__)

CHECKS: dict[str, Callable[[CheckRun], WindowCheck]] = {
    "drift": drift_check.prepare,
    "quality": quality_check.prepare,
    "performance": performance_check.prepare,
    "operational": operational_check.prepare,
    "business": business_check.prepare,
    "predictions": predictions_check.prepare,
}
DEFAULT_CHECKS = ("drift", "quality", "performance", "operational", "business", "predictions")
DEFAULT_LOOKBACK = 7  # windows, when nothing was computed before
#: Options of single checks that ``run_checks`` passes on (anything else is a ConfigError).
OPTIONS = {
    "quality_thresholds": "quality: a driftscope.quality.QualityThresholds",
    "performance_sigma": "performance: band width in standard deviations (default 3)",
    "threshold": "performance: score at or above which a 0/1 score counts as 1 (default 0.5)",
    "confidence": "performance: confidence level of the intervals (default 0.95)",
    "n_boot": "performance: bootstrap resamples where no analytic interval exists (200)",
    "error_rate_significance": "operational: level of the one-sided error-rate test (0.05)",
}
LABELLED_CHECKS = ("performance",)  # re-run while labels may still arrive (label_delay)


def run_checks(
    monitor: ModelMonitor,
    window: str | timedelta = "day",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    business_metrics: Mapping[str, BusinessFunction | BusinessMetric] | None = None,
    label_delay: timedelta | None = None,
    **options: Any,
) -> HealthSummary:
    """Run ``checks`` for every complete window from ``since`` (default: after the last
    window already stored, or the last seven windows) to ``until`` (default: now).

    Labels come late: with ``label_delay`` (how long labels keep arriving after a
    prediction), the checks that need labels (performance) are also re-run on the windows
    already done that ended less than ``label_delay`` ago, so their points are replaced
    with ones on the labels that have arrived since. Without it, a window's performance is
    computed once, on the labels there when the window was first checked.

    ``business_metrics`` maps a name to a function of a window's rows returning a number
    (stored as check ``"business"``). Other ``options`` tune single checks (:data:`OPTIONS`).

    >>> import tempfile, numpy as np
    >>> from datetime import UTC, datetime, timedelta
    >>> from driftscope.monitor import ModelMonitor
    >>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
    ...     _ = monitor.save_reference({"x": np.random.default_rng(0).normal(size=1000)})
    ...     summary = run_checks(monitor, "day", since=datetime.now(UTC) - timedelta(days=1))
    >>> summary.status, {r.status for r in summary.records}, len(summary.windows)
    ('unknown', {'unknown'}, 1)
    """
    checks = tuple(checks)
    for name in checks:
        if name not in CHECKS:
            raise ConfigError(f"unknown check {name!r}; available: {sorted(CHECKS)}")
    if not checks:
        raise ConfigError("no checks asked for")
    for key in options:
        if key not in OPTIONS:
            raise ConfigError(f"unknown option {key!r}; run_checks takes: {sorted(OPTIONS)}")
    if label_delay is not None and (
        not isinstance(label_delay, timedelta) or label_delay < timedelta(0)
    ):
        raise ConfigError(f"label_delay must be a timedelta >= 0, got {label_delay!r}")
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
    relabel = []
    if label_delay and any(name in LABELLED_CHECKS for name in checks):
        first = windows[0][0] if windows else window_start(since, size)
        oldest = window_start(now - label_delay, size)
        done = store.read_check_results(model, check=LABELLED_CHECKS[0], since=oldest)
        starts = {pd.Timestamp(t) for t in done["window_start"]}
        relabel = [
            w
            for w in due_windows(size, since=now - label_delay, now=now)
            if w[0] < first and pd.Timestamp(w[0]) in starts
        ]
    if not windows and not relabel:
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
    prepared = {name: CHECKS[name](run) for name in checks}
    again = [name for name in checks if name in LABELLED_CHECKS]
    plan = [(w, again) for w in relabel] + [(w, list(checks)) for w in windows]
    records: list[CheckRecord] = []

    def read(bounds: tuple[datetime, datetime]) -> pd.DataFrame:
        return monitor.get_recent_predictions(since=bounds[0], until=bounds[1])

    with ThreadPoolExecutor(1, thread_name_prefix="driftscope-read") as reader:
        pending = reader.submit(read, plan[0][0])
        for i, ((start, end), names) in enumerate(plan):
            part = pending.result()
            if i + 1 < len(plan):
                pending = reader.submit(read, plan[i + 1][0])  # overlaps with the checks
            at = CheckWindow(model, reference, start, end)
            found = []
            for name in names:
                found.extend(_run_one(name, prepared[name], part, at))
            store.write_check_results(found)
            records.extend(found)
            del part
    return HealthSummary(model, reference.version, tuple(records))


def _run_one(name: str, check: WindowCheck, frame: pd.DataFrame, at: CheckWindow) -> list:
    """The check's points, or one ``unknown`` point saying why it failed."""
    try:
        return check(frame, at)
    except Exception as exc:  # one failing check must not lose the others
        log.exception("check %r failed on window %s of model %r", name, at.start, at.model)
        error = f"{type(exc).__name__}: {exc}"
        return [at.record(name, "check_error", 0, None, "unknown", error=error)]
