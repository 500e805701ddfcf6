"""``ModelMonitor``: log predictions from serving code, cheaply, and read them back.

Logging goes through the sampler and the buffer (:mod:`driftscope.monitor.buffer`) to the
store, on a background thread; every read flushes first, so that what was logged before the
call is included. The baseline and health-check methods are conveniences over
:mod:`driftscope.drift` and :mod:`driftscope.health`, imported when first called so that
serving code that only logs never loads them.

>>> import tempfile, driftscope.monitor as dm
>>> with dm.ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
...     pid = monitor.log_prediction({"age": 41, "plan": "pro"}, 0.83)
...     monitor.log_ground_truth(pid, 1)
...     df = monitor.get_recent_predictions(days=1)
>>> df[["age", "plan", "prediction", "label"]].values.tolist()
[[41, 'pro', 0.83, 1]]
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from driftscope.errors import safe_repr
from driftscope.monitor import _lifecycle
from driftscope.monitor._columns import refusal
from driftscope.monitor._inputs import features_dict, metadata_dict, prediction_value
from driftscope.monitor._reads import flush_for_read, judged_output, read_since, retention_age
from driftscope.monitor.batching import BatchBuilder
from driftscope.monitor.buffer import Buffer
from driftscope.monitor.clock import RawTimestamp, now_us, to_datetime
from driftscope.monitor.config import MonitorConfig
from driftscope.monitor.costs import CostPrices, CostReport
from driftscope.monitor.opstats import LatencyStats
from driftscope.monitor.sampling import Sampler, SamplingPolicy
from driftscope.monitor.tracking import CURRENT, FeaturesFrom, track
from driftscope.monitor.values import key_name
from driftscope.store import (
    ArchiveReport,
    ReferenceRecord,
    Store,
    StoreLocation,
    UnmatchedLabels,
    open_store,
)

if TYPE_CHECKING:
    import pandas as pd

    from driftscope.drift.reference import Reference
    from driftscope.health.summary import HealthSummary
    from driftscope.stream.base import StreamDetector
    from driftscope.stream.labelled import ErrorDriftReport

_perf = time.perf_counter
_time_ns = time.time_ns
log = logging.getLogger(__name__)


class ModelMonitor:
    """Logs a model's predictions (sampled, buffered, written in the background) and late
    labels to a :class:`~driftscope.store.Store`, and reads them back for the checks.

    ``store`` is a Store or anything :func:`~driftscope.store.open_store` accepts (None:
    the embedded store at ``$DRIFTSCOPE_HOME``); it is opened on first use and closed with
    the monitor when the monitor opened it. ``sampling`` is a
    :class:`~driftscope.monitor.SamplingPolicy` (default: log everything). ``strict=True``
    checks each record in the caller's thread and raises
    :class:`~driftscope.errors.DataError` naming the feature instead of recording a
    data-quality issue. The remaining options tune the buffer (see
    :mod:`driftscope.monitor.buffer`), ``prices`` the :meth:`cost_report` and ``retention``
    (a timedelta or days) the age past which :meth:`apply_retention` archives records.

    Use it as a context manager or call :meth:`close`; a monitor left open is flushed at
    interpreter exit (at most ``_lifecycle.EXIT_TIMEOUT`` seconds).

    >>> import tempfile
    >>> with ModelMonitor("fraud", store=tempfile.mkdtemp(), model_version="v2") as monitor:
    ...     ids = [monitor.log_prediction({"amount": a}, a > 100) for a in (20.0, 250.0)]
    ...     recent = monitor.get_recent_predictions(hours=1)
    >>> recent["prediction"].tolist(), recent["model_version"].unique().tolist()
    ([False, True], ['v2'])
    """

    def __init__(
        self,
        model_name: str,
        metrics: Sequence[str] = ("accuracy",),
        alert_thresholds: Mapping[str, float] | None = None,
        store: Store | str | Any = None,
        sampling: SamplingPolicy | None = None,
        model_version: str | None = None,
        *,
        feature_names: Sequence[str] | None = None,
        strict: bool = False,
        flush_interval: float = 1.0,
        batch_size: int = 10_000,
        max_buffered: int = 200_000,
        max_retry_seconds: float = 60.0,
        max_value_bytes: int = 64 * 1024,
        prices: CostPrices | None = None,
        retention: timedelta | float | None = None,
    ):
        self.config = MonitorConfig(
            model_name=model_name,
            metrics=metrics,  # type: ignore[arg-type]  # MonitorConfig.__post_init__ normalises it
            alert_thresholds=alert_thresholds or {},
            model_version=model_version,
            sampling=sampling,  # type: ignore[arg-type]  # MonitorConfig.__post_init__ normalises it
            feature_names=feature_names,  # type: ignore[arg-type]  # MonitorConfig.__post_init__ normalises it
            strict=strict,
            flush_interval=flush_interval,
            batch_size=batch_size,
            max_buffered=max_buffered,
            max_retry_seconds=max_retry_seconds,
            max_value_bytes=max_value_bytes,
            prices=prices,  # type: ignore[arg-type]  # MonitorConfig.__post_init__ normalises it
            retention=retention,  # type: ignore[arg-type]  # MonitorConfig.__post_init__ normalises it
        )
        self.model_name = model_name
        if store is not None and not isinstance(store, Store):
            StoreLocation.parse(store)  # a bad location fails here, not on the writer thread
        self._location = store
        self._owns_store = not isinstance(store, Store)
        self._store: Store | None = store if isinstance(store, Store) else None
        self._store_lock = threading.Lock()
        self._inherited: list[Store] = []
        self._schema_open = not self.config.feature_names
        self._builder = BatchBuilder(
            model_version=model_version,
            feature_names=self.config.feature_names,
            value_limit=self.config.max_value_bytes,
        )
        self._sampler = Sampler(self.config.sampling)
        self._decide = self._sampler.decide
        self._names = self.config.feature_names
        self._strict = strict
        self._buffer = Buffer(
            self._builder,
            self._write_predictions,
            self._write_labels,
            name=model_name,
            on_start=_lifecycle.on_writer_start,
            flush_interval=self.config.flush_interval,
            batch_size=batch_size,
            max_buffered=max_buffered,
            max_retry_seconds=self.config.max_retry_seconds,
        )
        self._ops = LatencyStats()
        self._check_listeners: list[Callable[[HealthSummary], None]] = []
        self._notification_cost: Callable[[str], float] | None = None
        self._new_ids()
        self._closed = False
        _lifecycle.register(self)

    # ------------------------------------------------------------------ settings
    @property
    def metrics(self) -> tuple[str, ...]:
        return self.config.metrics

    @property
    def alert_thresholds(self) -> dict[str, float]:
        return dict(self.config.alert_thresholds)

    @property
    def sampling(self) -> SamplingPolicy:
        return self.config.sampling

    @property
    def model_version(self) -> str | None:
        return self.config.model_version

    def __repr__(self) -> str:
        return (
            f"ModelMonitor({self.model_name!r}, sampling rate={self.config.sampling.rate:g}, "
            f"pending={self._buffer.pending()}{', closed' if self._closed else ''})"
        )

    def _new_ids(self) -> None:
        # 64 random bits per monitor and process + a counter: unique across processes
        self._prefix = secrets.token_hex(8) + "-"
        self._ids = itertools.count()

    # ------------------------------------------------------------------ the store
    @property
    def store(self) -> Store:
        """The store (opened now if it was not yet)."""
        store = self._store
        if store is None:
            with self._store_lock:
                if self._store is None:
                    self._store = open_store(self._location)
                store = self._store
        return store

    def _write_predictions(self, table: Any) -> int:
        return self.store.write_predictions(self.model_name, table)

    def _write_labels(self, table: Any) -> int:
        return self.store.write_labels(self.model_name, table)

    # ------------------------------------------------------------------ logging
    def log_prediction(
        self,
        features: Any,
        prediction: Any,
        timestamp: datetime | None = None,
        metadata: Mapping[str, Any] | None = None,
        prediction_id: str | None = None,
    ) -> str:
        """Log one prediction; return its id (also when sampling skips the record).

        ``features``, ``prediction`` and ``timestamp`` may take the shapes described in
        :mod:`driftscope.monitor._inputs` and :mod:`driftscope.monitor.clock` (a naive
        datetime is local time). Without ``strict`` this never raises: what is wrong with a
        record is stored with it as data-quality issues.
        """
        start = _perf()
        if prediction_id is None:
            pid = f"{self._prefix}{next(self._ids)}"
        else:
            pid = prediction_id if type(prediction_id) is str else _as_id(prediction_id)
        decision = self._decide(features, prediction, metadata)
        if decision is None:
            self._buffer.skip(_perf() - start)
            return pid
        call = CURRENT.get()
        if call is not None and (metadata is None or isinstance(metadata, Mapping)):
            # logged from inside a tracked call: its latency so far (the model's, when the
            # record is logged after predicting, as in the usual serving code)
            try:
                if metadata is None or "latency_ms" not in metadata:
                    latency = (start - call.start) * 1000.0
                    metadata = {**(metadata or {}), "latency_ms": latency}
            except Exception:  # a hostile mapping: recorded as it is (bad_metadata)
                pass
        if timestamp is None:
            ts: Any = _time_ns() // 1000  # now_us(), without the call
        elif isinstance(timestamp, datetime):
            ts = timestamp
        else:
            ts = RawTimestamp(timestamp, now_us())
        record = (
            pid,
            ts,
            features.copy() if type(features) is dict else features_dict(features, self._names),
            prediction_value(prediction),
            None if metadata is None else metadata_dict(metadata),
            decision[0],
            decision[1],
        )
        if self._schema_open and type(record[2]) is dict:
            # the first record logged fixes the feature schema, in logging order (a batch
            # converted before the writer reaches earlier single records must not fix it)
            names = [k if type(k) is str else key_name(k)[0] for k in dict.keys(record[2])]
            self._builder.schema.establish(names)
            self._schema_open = False
        if call is not None:
            call.logged = True
        if self._strict:
            self._log_strict(record, start)
        else:
            self._buffer.offer(record, _perf() - start)
        return pid

    def _log_strict(self, record: tuple[Any, ...], start: float) -> None:
        table, counts = self._builder.trial(lambda: self._builder.predictions([record]))
        if counts:
            raise refusal(table.column("quality_issues")[0].as_py().split("; ")[0])
        self._buffer.count_batch(0, Counter({record[6]: 1}), _perf() - start)
        self._buffer.offer_table("predictions", table, wait=0.0)

    def log_predictions(
        self,
        features_frame: Any,
        predictions: Any,
        timestamps: Any = None,
        metadata: Any = None,
        prediction_ids: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Log a batch (a scoring job's output) in one vectorised pass; return the ids of
        all rows (a numpy array of str), kept by sampling or not.

        When the buffer is full this waits (up to ``max_retry_seconds``) for room: a batch
        job is slowed down rather than losing records. Inputs that do not line up raise
        :class:`~driftscope.errors.DataError`; bad values become data-quality issues
        (or raise, with ``strict``).
        """
        from driftscope.monitor._batchlog import log_batch

        return log_batch(self, features_frame, predictions, timestamps, metadata, prediction_ids)

    def log_ground_truth(
        self, prediction_id: str, label: Any, timestamp: datetime | None = None
    ) -> None:
        """Log the true outcome of a prediction (it may arrive days later)."""
        pid = prediction_id if type(prediction_id) is str else _as_id(prediction_id)
        if timestamp is None:
            ts: Any = now_us()
        elif isinstance(timestamp, datetime):
            ts = timestamp
        else:
            ts = RawTimestamp(timestamp, now_us())
        if isinstance(label, np.generic):
            label = label.item()
        self._buffer.offer_label((pid, label, ts))

    def log_ground_truths(
        self,
        prediction_ids: Sequence[str] | np.ndarray,
        labels: Sequence[Any] | np.ndarray,
        timestamp: datetime | None = None,
    ) -> None:
        """Log many labels at once (one ``timestamp`` for all, default now)."""
        from driftscope.monitor._batchlog import log_label_batch

        log_label_batch(self, prediction_ids, labels, timestamp)

    def track_predictions(
        self,
        fn: Callable[..., Any] | None = None,
        *,
        prediction_from: Callable[[Any], Any] | None = None,
        features_from: FeaturesFrom = None,
    ) -> Any:
        """Decorate a sync or async prediction function (see
        :mod:`driftscope.monitor.tracking`); usable bare or with options."""
        decorate = track(
            self.log_prediction,
            self._ops,
            prediction_from=prediction_from,
            features_from=features_from,
        )
        return decorate if fn is None else decorate(fn)

    # ------------------------------------------------------------------ reading
    def get_recent_predictions(
        self,
        days: float | None = None,
        hours: float | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        model_version: str | None = None,
        include_archive: bool = False,
    ) -> pd.DataFrame:
        """The predictions of the last ``days`` + ``hours`` (default 7 days), or of
        ``[since, until)``, with their labels; flushes first so that everything logged so
        far is included. Columns: see :mod:`driftscope.core.records`.

        When records cannot be written now (a store outage), what the store holds is
        returned all the same, with a ``RuntimeWarning`` saying how many records are still
        pending; the frame's ``attrs["pending_records"]`` holds that number.
        """
        flush_for_read(self.flush)
        frame = self.store.read_predictions(
            self.model_name,
            since=read_since(days, hours, since),
            until=to_datetime(until, "until"),
            model_version=model_version,
            include_archive=include_archive,
        )
        pending = self._buffer.pending()
        if pending:
            frame.attrs["pending_records"] = pending
        return frame

    def unmatched_labels(self, limit: int = 10) -> UnmatchedLabels:
        """Labels logged for prediction ids the store holds no prediction for (sampled
        out, archived, not logged yet, or a wrong id): they join nothing, so performance
        does not see them. Counts distinct ids, with up to ``limit`` examples.

        >>> import tempfile
        >>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
        ...     pid = monitor.log_prediction({"age": 41}, 0.83)
        ...     monitor.log_ground_truths([pid, "no-such-id"], [1, 0])
        ...     found = monitor.unmatched_labels()
        >>> found.labelled, found.unmatched, found.examples
        (2, 1, ('no-such-id',))
        """
        flush_for_read(self.flush)
        return self.store.unmatched_labels(self.model_name, limit=limit)

    def apply_retention(self, older_than: timedelta | float | None = None) -> ArchiveReport:
        """Archive this model's predictions older than ``older_than`` (a timedelta, or a
        number of days; default: the monitor's ``retention``) to cold storage. Run it from a
        scheduled job; it is idempotent."""
        age = retention_age(older_than, self.config.retention)
        flush_for_read(self.flush)
        return self.store.archive(age, model=self.model_name)

    # ------------------------------------------------------------------ baseline and checks
    def save_reference(self, reference_or_data: Any, note: str = "") -> ReferenceRecord:
        """Store the model's baseline: a fitted ``Reference``, or data to fit one from."""
        from driftscope.drift.reference import Reference

        ref = reference_or_data
        if not isinstance(ref, Reference):
            ref = Reference.fit(reference_or_data)
        return self.store.save_reference(self.model_name, ref, note=note)

    def reference(self, version: str | None = None) -> Reference:
        """The current baseline, or the given version."""
        from driftscope.drift.reference import Reference

        return Reference.from_blob(self.store.load_reference(self.model_name, version))

    def run_checks(
        self,
        window: str | timedelta = "day",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        checks: Sequence[str] | None = None,
        business_metrics: Mapping[str, Callable[[pd.DataFrame], float]] | None = None,
        label_delay: timedelta | None = None,
        **options: Any,
    ) -> HealthSummary:
        """Run the health checks (drift, data quality, performance, ...) for the due
        windows within the span of this model's records, store every result with the
        baseline version it used, and return the summary, worst first; re-running a window
        is idempotent. Flushes once, then reads the store. Without a saved baseline the
        checks that need one are ``unknown`` and ``summary.notes`` says so.

        A convenience for :func:`driftscope.health.run_checks` with this monitor as the
        :class:`~driftscope.health.source.MonitoredModel` (its store, ``metrics`` and
        ``alert_thresholds``); see there for ``label_delay``, ``business_metrics`` and the
        options."""
        from driftscope.health.runner import DEFAULT_CHECKS, run_checks

        summary = run_checks(
            self,
            window,
            since=since,
            until=until,
            checks=DEFAULT_CHECKS if checks is None else checks,
            business_metrics=business_metrics,
            label_delay=label_delay,
            **options,
        )
        for listener in list(self._check_listeners):
            try:
                listener(summary)
            except Exception:  # a listener's failure never fails the checks
                log.exception("check listener %r failed for model %r", listener, self.model_name)
        return summary

    def add_check_listener(self, fn: Callable[[HealthSummary], None]) -> None:
        """Call ``fn(summary)`` at the end of every :meth:`run_checks`, after the points
        are stored (an alert manager's ``watch`` uses it to evaluate its rules). A
        listener that raises is logged; the checks' caller never sees its error."""
        if not callable(fn):
            raise TypeError("a check listener must be callable")
        self._check_listeners.append(fn)

    def remove_check_listener(self, fn: Callable[[HealthSummary], None]) -> None:
        """Stop calling ``fn`` (no error when it was not listening)."""
        with contextlib.suppress(ValueError):
            self._check_listeners.remove(fn)

    def set_notification_cost_source(self, fn: Callable[[str], float] | None) -> None:
        """Where :meth:`cost_report` reads the monthly cost (USD) of alert notifications
        about this model: ``fn(model_name)``, set by an alert manager's ``watch`` (None:
        no such line in the report)."""
        self._notification_cost = fn

    def concept_drift(
        self,
        detector: StreamDetector | None = None,
        *,
        days: float | None = None,
        hours: float | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        model_version: str | None = None,
        prediction_column: str = "prediction",
        task: str = "auto",
        threshold: float = 0.5,
    ) -> ErrorDriftReport:
        """Concept drift from this model's labelled predictions: ``detector`` (HDDM_A by
        default for classes, ADWIN for numbers; a calibrated one keeps false alarms in
        check) runs over the errors of the labelled predictions of the window, in time
        order, after undoing the sampling weights. See :mod:`driftscope.stream.labelled`.
        ``prediction_column`` picks the output to judge when the prediction is a mapping
        (e.g. ``"prediction.label"``)."""
        from driftscope.stream.labelled import detect_error_drift

        frame = self.get_recent_predictions(
            days, hours, since=since, until=until, model_version=model_version
        )
        frame = judged_output(frame, prediction_column)
        return detect_error_drift(frame, detector, task=task, threshold=threshold)

    # ------------------------------------------------------------------ its own reports
    def cost_report(self) -> CostReport:
        """Logging volume and its estimated cost (see :mod:`driftscope.monitor.costs`)."""
        usage = self._buffer.usage()
        logged = usage.logged
        rules = {r[len("rule:") :]: n for r, n in usage.kept.items() if r.startswith("rule:")}
        return CostReport.compute(
            model=self.model_name,
            total_predictions=logged + usage.skipped,
            logged_predictions=logged,
            written_predictions=usage.written_predictions,
            prediction_bytes=usage.prediction_bytes,
            label_bytes=usage.label_bytes,
            always_logged=rules,
            monitoring_seconds=usage.hot_seconds + usage.busy_seconds,
            dropped_records=usage.dropped_records,
            quality_events=sum(usage.quality.values()),
            prices=self.config.prices,
            notification_cost=self._notification_cost_now(),
        )

    def _notification_cost_now(self) -> float | None:
        source = self._notification_cost
        if source is None:
            return None
        try:
            return float(source(self.model_name))
        except Exception:  # the report still shows the logging cost
            log.exception("could not compute the alert notification cost of %r", self.model_name)
            return None

    def quality_counts(self) -> dict[str, int]:
        """Data-quality issues seen so far, by ``code:name`` (e.g. ``nan:income``)."""
        return dict(sorted(self._buffer.usage().quality.items()))

    def operational_stats(self) -> dict[str, Any]:
        """Calls, errors and latency percentiles of the tracked functions, with the
        monitor's own health: rule errors, pending and dropped records, write failures."""
        out = self._ops.snapshot()
        stats = self._buffer.stats()
        out["rule_errors"] = self._sampler.rule_errors
        for key in ("pending", "dropped_records", "write_failures", "last_error"):
            out[key] = stats[key]
        return out

    # ------------------------------------------------------------------ flushing
    def flush(self, timeout: float | None = None) -> None:
        """Return once every record logged before the call is durable in the store.

        Raises :class:`~driftscope.errors.StoreUnavailableError` (saying how many records
        are pending) when the store cannot take them: at once with ``timeout=None``, else
        after retrying for ``timeout`` seconds; the records stay buffered. Raises
        :class:`~driftscope.errors.StoreError` when records were dropped since the last
        flush.
        """
        self._buffer.flush(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Flush (waiting up to ``timeout``, default ``max_retry_seconds``), stop the writer
        thread and close the store if the monitor opened it. Idempotent; never raises for
        records it could not write (they are counted as dropped and warned about)."""
        if self._closed:
            return
        self._closed = True
        self._buffer.close(timeout)
        _lifecycle.unregister(self)
        if self._owns_store and self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()

    def _close_at_exit(self, timeout: float) -> None:
        self.close(min(timeout, self.config.max_retry_seconds))

    def _after_fork_in_child(self) -> None:
        self._new_ids()
        self._buffer.after_fork_in_child()
        self._ops = LatencyStats()
        self._sampler = Sampler(self.config.sampling, stream=os.getpid())
        self._decide = self._sampler.decide
        self._store_lock = threading.Lock()
        if self._owns_store and self._store is not None:
            # the parent's connections are not ours to use or close: open our own
            self._inherited.append(self._store)
            self._store = None

    def __enter__(self) -> ModelMonitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_id(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return safe_repr(value, limit=200)
