"""Run a model's health checks for its due windows and store every result.

:func:`run_checks` reads the logged predictions one window at a time from the model's
store, runs each check per window against the model's current baseline
(``monitor.save_reference``), writes every point to the store (upserted by model, check,
window and metric, so re-running a window is idempotent) and returns a
:class:`~driftscope.health.summary.HealthSummary`: the points, worst first, the
explanations the checks attached, and notes on what the run could not do.

Checks: ``"drift"`` (feature and prediction drift), ``"quality"`` (data quality,
:mod:`driftscope.quality`), ``"performance"`` (realized metrics once labels arrived,
against the baseline, :mod:`driftscope.health.performance_check`), ``"predictions"``
(confidence, anomalies and what changed, :mod:`driftscope.health.predictions_check`),
``"operational"`` (latency, throughput, error rate,
:mod:`driftscope.health.operational_check`) and ``"business"`` (the ``business_metrics``
functions, :mod:`driftscope.health.business_check`; nothing without them).

Which windows: :mod:`driftscope.health.plan` (the due windows within the span of the
model's records). Without a saved baseline the checks that need one store an ``unknown``
point per window and the summary carries one note. The next window is read on a background
thread while the checks run on the current one, so at most two windows are in memory; each
window's points are written as soon as its checks are done. A check that fails on a window
becomes one ``unknown`` point, ``check_error``, with no value and the error in its
details, and is logged; the other checks and windows go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.core.windows import window_size
from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError
from driftscope.health import (
    business_check,
    drift_check,
    operational_check,
    performance_check,
    predictions_check,
    quality_check,
)
from driftscope.health.business_check import BusinessMetric
from driftscope.health.context import (
    BaselineRequired,
    BusinessFunction,
    CheckRun,
    CheckWindow,
    WindowCheck,
)
from driftscope.health.plan import LABELLED_CHECKS, Window, WindowPlan, plan_windows
from driftscope.health.source import MonitoredModel, flush_once
from driftscope.health.summary import HealthSummary
from driftscope.store import Store

log = logging.getLogger(__name__)

#: ``progress(window, done, total)``: called after each window of a run.
Progress = Callable[[str, int, int], None]

CHECKS: dict[str, Callable[[CheckRun], WindowCheck]] = {
    "drift": drift_check.prepare,
    "quality": quality_check.prepare,
    "performance": performance_check.prepare,
    "operational": operational_check.prepare,
    "business": business_check.prepare,
    "predictions": predictions_check.prepare,
}
DEFAULT_CHECKS = ("drift", "quality", "performance", "operational", "business", "predictions")
#: Options of single checks that ``run_checks`` passes on (anything else is a ConfigError).
OPTIONS = {
    "quality_thresholds": "quality: a driftscope.quality.QualityThresholds",
    "performance_sigma": "performance: band width in standard deviations (default 3)",
    "threshold": "performance: score at or above which a 0/1 score counts as 1 (default 0.5)",
    "confidence": "performance: confidence level of the intervals (default 0.95)",
    "n_boot": "performance: bootstrap resamples where no analytic interval exists (200)",
    "error_rate_significance": "operational: level of the one-sided error-rate test (0.05)",
    "drift_methods": "drift: method objects such as KSTest() (default: the automatic choice)",
    "drift_features": "drift: the features compared (default: every feature of the baseline)",
    "significance_level": "drift: significance level of the automatic choice (default 0.05)",
    "min_change": "drift: smallest share of the data that counts as a change (0.025)",
}


def run_checks(
    source: MonitoredModel,
    window: str | timedelta = "day",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    business_metrics: Mapping[str, BusinessFunction | BusinessMetric] | None = None,
    label_delay: timedelta | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> HealthSummary:
    """Run ``checks`` on ``source``'s records (a ``ModelMonitor`` or any
    :class:`~driftscope.health.source.MonitoredModel`) for every complete window from
    ``since`` (default: after the last window already stored, or the last seven windows)
    to ``until`` (default: now) that lies within the span of the model's records. A model
    with nothing stored, neither predictions nor a baseline, is a ``ConfigError``.

    Labels come late: with ``label_delay`` (how long labels keep arriving after a
    prediction), the checks that need labels (performance) are also re-run on the windows
    already done that ended less than ``label_delay`` ago, so their points are replaced
    with ones on the labels that have arrived since. Without it, a window's performance is
    computed once, on the labels there when the window was first checked.

    ``business_metrics`` maps a name to a function of a window's rows returning a number
    (stored as check ``"business"``). ``progress(window, done, total)`` is called after
    each window (``window`` its start, as text), e.g. to draw a progress bar. Other
    ``options`` tune single checks (:data:`OPTIONS`).

    >>> import tempfile, numpy as np, pandas as pd
    >>> from datetime import UTC, datetime, timedelta
    >>> from driftscope.monitor import ModelMonitor
    >>> today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    >>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
    ...     _ = monitor.log_predictions(pd.DataFrame({"x": [0.5, 1.5]}), [0.2, 0.7],
    ...                                 timestamps=[today - timedelta(hours=5)] * 2)
    ...     summary = run_checks(monitor, "day", since=today - timedelta(days=5))
    >>> len(summary.windows), summary.baseline_version, summary.notes[0][:35]
    (1, None, "no baseline saved for model 'churn'")
    """
    checks = _validated(checks, options, label_delay)
    size = window_size(window)
    store, model = source.store, source.model_name
    flush_once(source)
    reference = _baseline(store, model)
    if reference is None and not store.count_predictions(model):
        raise ConfigError(  # most likely a misspelt name: "ok" would be a lie
            f"model {model!r} has nothing stored, neither predictions nor a baseline: log its "
            "predictions and call monitor.save_reference(training_data) first"
        )
    version = None if reference is None else reference.version
    now = until or datetime.now(UTC)
    plan = plan_windows(
        store, model, size, since=since, until=now, checks=checks, label_delay=label_delay
    )
    notes = list(plan.notes)
    if plan.empty:
        return HealthSummary(model, version, (), notes=tuple(notes))
    run = CheckRun(
        model=model,
        reference=reference,
        window=size,
        thresholds=source.alert_thresholds,
        metrics=source.metrics,
        business_metrics=dict(business_metrics or {}),
        options=options,
    )
    prepared = {name: _prepare(name, run) for name in checks}
    if reference is None:
        notes.insert(0, _no_baseline_note(model, [n for n in checks if prepared[n][1]]))
    checks_of = {n: p[0] for n, p in prepared.items()}
    records, explanations, idle = _execute(store, run, plan, checks_of, progress)
    if idle:
        shown = ", ".join(f"{start:%Y-%m-%d %H:%M}" for start in idle[:5])
        more = f" and {len(idle) - 5} more" if len(idle) > 5 else ""
        notes.append(
            f"{len(idle)} window(s) of model {model!r} had no predictions ({shown}{more}): "
            "nothing to check there; the operational throughput is 0"
        )
    return HealthSummary(model, version, records, explanations, tuple(notes))


def _validated(
    checks: Sequence[str], options: Mapping[str, Any], label_delay: timedelta | None
) -> tuple[str, ...]:
    names = tuple(checks)
    for name in names:
        if name not in CHECKS:
            raise ConfigError(f"unknown check {name!r}; available: {', '.join(CHECKS)}")
    if not names:
        raise ConfigError("no checks asked for")
    for key in options:
        if key not in OPTIONS:
            raise ConfigError(f"unknown option {key!r}; run_checks takes: {', '.join(OPTIONS)}")
    if label_delay is not None and (
        not isinstance(label_delay, timedelta) or label_delay < timedelta(0)
    ):
        raise ConfigError(f"label_delay must be a timedelta >= 0, got {label_delay!r}")
    return names


def _baseline(store: Store, model: str) -> Reference | None:
    """The model's current baseline, or ``None`` when none was saved (a store that fails
    to load one that exists raises)."""
    if not store.reference_history(model):
        return None
    return Reference.from_blob(store.load_reference(model))


def _prepare(name: str, run: CheckRun) -> tuple[WindowCheck, bool]:
    """The check's per-window function, and whether it stands in for a check that cannot
    run without a baseline (one ``unknown`` point per window saying so)."""
    try:
        return CHECKS[name](run), False
    except BaselineRequired as exc:
        reason = str(exc)
    why = f"no baseline saved for model {run.model!r}: {reason}"

    def unknown(frame: pd.DataFrame, at: CheckWindow) -> list[CheckRecord | Explanation]:
        return [at.record(name, "baseline", None, None, "unknown", reason=why)]

    return unknown, True


def _no_baseline_note(model: str, unknown: Sequence[str]) -> str:
    judged = (
        f"{', '.join(unknown)} are unknown and the other checks ran without baseline-relative"
        " points"
        if unknown
        else "the checks ran without baseline-relative points"
    )
    call = "call monitor.save_reference(training_data)"
    return f"no baseline saved for model {model!r}: {judged}; {call}"


NOTHING_LOGGED = "no predictions in the window"
# the one point of a window inside the model's span in which it logged nothing
_NOTHING_LOGGED = ("operational", "throughput_per_s", 0.0, None, "ok")


def _execute(
    store: Store,
    run: CheckRun,
    plan: WindowPlan,
    prepared: Mapping[str, WindowCheck],
    progress: Progress | None = None,
) -> tuple[tuple[CheckRecord, ...], tuple[Explanation, ...], list[datetime]]:
    """Run the planned windows in order, reading the next one while checking this one;
    each window's points are stored as soon as its checks are done. A window without
    records is not checked: its only point is the operational throughput, 0 per second
    (when the operational check runs), so no ``unknown`` point stands for nothing; the
    starts of such windows are returned last."""
    again = [name for name in prepared if name in LABELLED_CHECKS]
    steps = [(w, again) for w in plan.relabel] + [(w, list(prepared)) for w in plan.windows]
    records: list[CheckRecord] = []
    explanations: list[Explanation] = []
    idle: list[datetime] = []

    def read(bounds: Window) -> pd.DataFrame:
        return store.read_predictions(run.model, since=bounds[0], until=bounds[1])

    with ThreadPoolExecutor(1, thread_name_prefix="driftscope-read") as reader:
        pending = reader.submit(read, steps[0][0])
        for i, ((start, end), names) in enumerate(steps):
            part = pending.result()
            if i + 1 < len(steps):
                pending = reader.submit(read, steps[i + 1][0])  # overlaps with the checks
            at = CheckWindow(run.model, run.reference, start, end)
            found: list[CheckRecord] = []
            if part.empty:  # nothing to check; a live model that logged nothing says so once
                if names is not again:
                    idle.append(start)
                    if "operational" in prepared:
                        found.append(at.record(*_NOTHING_LOGGED, records=0, reason=NOTHING_LOGGED))
                names = []
            for name in names:
                points, said = _run_one(name, prepared[name], part, at)
                found.extend(points)
                explanations.extend(said)
            store.write_check_results(found)
            records.extend(found)
            del part
            if progress is not None:
                progress(f"{start:%Y-%m-%d %H:%M}", i + 1, len(steps))
    return tuple(records), tuple(explanations), idle


def _run_one(
    name: str, check: WindowCheck, frame: pd.DataFrame, at: CheckWindow
) -> tuple[list[CheckRecord], list[Explanation]]:
    """The check's points and explanations, or one ``unknown`` point (no value) saying
    why it failed."""
    try:
        found = check(frame, at)
        points = [item for item in found if isinstance(item, CheckRecord)]
        said = [item for item in found if isinstance(item, Explanation)]
        if len(points) + len(said) != len(found):
            odd = next(i for i in found if not isinstance(i, CheckRecord | Explanation))
            raise TypeError(f"returned a {type(odd).__name__}, not a CheckRecord or Explanation")
        return points, said
    except Exception as exc:  # one failing check must not lose the others
        log.exception("check %r failed on window %s of model %r", name, at.start, at.model)
        error = f"{type(exc).__name__}: {exc}"
        return [at.record(name, "check_error", None, None, "unknown", error=error)], []
