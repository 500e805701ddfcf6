"""The operational check of one window: latency, throughput and error rate of the served calls.

Read from the store, so it covers every process that logs to it (``operational_stats()``
only knows the calling process). Every total is Horvitz-Thompson weighted by
``sampling_weight``, so sampled logging gives unbiased numbers.

* ``latency_p50_ms``, ``latency_p95_ms``, ``latency_p99_ms``: weighted quantiles (the
  inverted weighted CDF: the smallest latency whose weighted share of calls at or below it
  reaches q, numpy's ``quantile(..., weights=, method="inverted_cdf")``) of
  ``metadata.latency_ms``, which ``@track_predictions`` stores on every call it logs, failed
  ones included (a timeout is a latency problem too). ``critical`` above
  ``alert_thresholds["latency_p50_ms"]`` (etc.) when set, else ``ok``. When no record of the
  window carries a latency (no tracked call, or a tracked function that logs its own
  records: then the wrapper only times the call in memory) there is no point, or an
  ``unknown`` one when a threshold asks for it.
* ``throughput_per_s``: weighted records logged in the window / the window's length in
  seconds (status ``ok``: there is no threshold for it).
* ``error_rate``: weighted failed calls (records with ``metadata.error``, see
  :mod:`driftscope.monitor.tracking`) / weighted records of the window; no point (or
  ``unknown`` when a threshold asks for one) when no record of the window went through
  ``@track_predictions`` (no latency and no error: nothing says whether failures would have
  been seen). Against ``alert_thresholds["error_rate"]``
  the status is decided by a one-sided binomial test, so that one failure among three calls
  does not page anyone: H0 "the true error rate is at most the threshold" is rejected
  (``critical``) when P(X >= k | n, threshold) < ``error_rate_significance`` (a
  ``run_checks`` option, default 0.05), with n the Kish effective number of calls
  (sum(w))^2 / sum(w^2) and k = error_rate * n (the exact binomial test when weights are
  equal; the tail through the regularized incomplete beta function otherwise). Else ``ok``;
  the observed rate, p-value and failures by exception type are in the details.

An empty window gives ``throughput_per_s``, and the metrics that have a threshold, as
``unknown`` with a missing value (an ``unknown`` point never carries a value).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.checks import CheckRecord
from driftscope.core.records import METADATA_PREFIX
from driftscope.core.weights import read_sampling_weights
from driftscope.errors import ConfigError
from driftscope.health.context import ERROR_COLUMN, CheckRun, CheckWindow, WindowCheck
from driftscope.stats import binomial_upper_p_value, kish_effective_n, weighted_quantile

CHECK = "operational"
LATENCY_COLUMN = METADATA_PREFIX + "latency_ms"
QUANTILES = {"latency_p50_ms": 0.50, "latency_p95_ms": 0.95, "latency_p99_ms": 0.99}
DEFAULT_SIGNIFICANCE = 0.05
NO_ROWS = "no predictions in the window"
NOT_TRACKED = "no call logged by @track_predictions in the window"


def prepare(run: CheckRun) -> WindowCheck:
    """The operational check of ``run``'s windows (see the module docstring)."""
    alpha = run.options.get("error_rate_significance", DEFAULT_SIGNIFICANCE)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ConfigError(f"error_rate_significance must be a number in (0, 1), got {alpha!r}")
    limits = {name: run.thresholds.get(name) for name in (*QUANTILES, "error_rate")}

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord]:
        seconds = (window.end - window.start).total_seconds()
        if frame.empty:
            out = [window.record(CHECK, "throughput_per_s", None, None, "unknown", reason=NO_ROWS)]
            for name in (*QUANTILES, "error_rate"):
                if limits[name] is not None:
                    out.append(
                        window.record(CHECK, name, None, limits[name], "unknown", reason=NO_ROWS)
                    )
            return out
        weights = _weights(frame)
        total = float(weights.sum())
        out = [
            window.record(
                CHECK, "throughput_per_s", total / seconds, None, "ok", records=len(frame)
            )
        ]
        out.extend(_latencies(frame, weights, limits, window))
        out.extend(_error_rate(frame, weights, limits["error_rate"], float(alpha), window))
        return out

    return check


def _weights(frame: pd.DataFrame) -> np.ndarray:
    w = read_sampling_weights(frame)
    return np.ones(len(frame)) if w is None else w


def _latencies(
    frame: pd.DataFrame,
    weights: np.ndarray,
    limits: dict[str, Any],
    window: CheckWindow,
) -> list[CheckRecord]:
    if LATENCY_COLUMN in frame.columns:
        ms = pd.to_numeric(frame[LATENCY_COLUMN], errors="coerce").to_numpy(np.float64)
    else:
        ms = np.full(len(frame), np.nan)
    timed = np.isfinite(ms)
    if not timed.any():
        return [  # nothing to say, unless a threshold asks for it
            window.record(CHECK, name, None, limits[name], "unknown", reason=NOT_TRACKED)
            for name in QUANTILES
            if limits[name] is not None
        ]
    values, w = ms[timed], weights[timed]
    out = []
    for name, q in QUANTILES.items():
        value = weighted_quantile(values, w, q)
        limit = limits[name]
        status = "ok" if limit is None or value <= limit else "critical"
        out.append(
            window.record(
                CHECK, name, value, limit, status, timed_records=int(timed.sum()), quantile=q
            )
        )
    return out


def _error_rate(
    frame: pd.DataFrame,
    weights: np.ndarray,
    limit: float | None,
    alpha: float,
    window: CheckWindow,
) -> list[CheckRecord]:
    errors = frame[ERROR_COLUMN] if ERROR_COLUMN in frame.columns else None
    failed_rows = (
        errors.notna().to_numpy() if errors is not None else np.zeros(len(frame), dtype=bool)
    )
    timed = (
        frame[LATENCY_COLUMN].notna().to_numpy()
        if LATENCY_COLUMN in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    if not (failed_rows.any() or timed.any()):
        if limit is None:
            return []
        return [window.record(CHECK, "error_rate", None, limit, "unknown", reason=NOT_TRACKED)]
    total = float(weights.sum())
    failed = float(weights[failed_rows].sum())
    rate = failed / total
    calls = kish_effective_n(weights)
    by_type: dict[str, float] = {}
    if errors is not None and failed_rows.any():
        sums = pd.Series(weights[failed_rows]).groupby(errors[failed_rows].astype(str).to_numpy())
        by_type = {str(k): float(v) for k, v in sums.sum().items()}
    details: dict[str, Any] = {
        "failed_calls": failed,
        "calls": total,
        "effective_calls": calls,
        "errors": by_type,
    }
    if limit is None:
        return [window.record(CHECK, "error_rate", rate, None, "ok", **details)]
    p_value = binomial_upper_p_value(rate * calls, calls, float(limit))
    status = "critical" if p_value < alpha else "ok"
    if math.isnan(p_value):
        status = "unknown"
    return [
        window.record(
            CHECK,
            "error_rate",
            rate,
            limit,
            status,
            p_value=p_value,
            significance=alpha,
            **details,
        )
    ]
