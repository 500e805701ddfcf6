"""Reading back what a monitor logged, its baselines, retention, and its own reports.

The half of :class:`~driftscope.monitor.ModelMonitor` that asks the store and the
monitor's counters rather than logging; every read flushes first, so that what was logged
before the call is included.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from driftscope.errors import ConfigError, StoreError, StoreUnavailableError
from driftscope.monitor.clock import to_datetime
from driftscope.monitor.costs import CostReport
from driftscope.store import ArchiveReport, ReferenceRecord, UnmatchedLabels

if TYPE_CHECKING:
    import pandas as pd

    from driftscope.drift.reference import Reference
    from driftscope.health.summary import HealthSummary
    from driftscope.monitor.buffer import Buffer
    from driftscope.monitor.config import MonitorConfig
    from driftscope.monitor.opstats import LatencyStats
    from driftscope.monitor.sampling import Sampler
    from driftscope.store import Store
    from driftscope.stream.base import StreamDetector
    from driftscope.stream.labelled import ErrorDriftReport


class MonitorReads:
    """Reads and reports of a monitor (mixed into ``ModelMonitor``)."""

    model_name: str
    config: MonitorConfig
    _buffer: Buffer
    _ops: LatencyStats
    _sampler: Sampler
    # provided by ModelMonitor:
    store: Store
    flush: Callable[..., None]

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
        self._flush_for_read()
        if since is None:
            for name, value in (("days", days), ("hours", hours)):
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float) or value < 0
                ):
                    raise ConfigError(f"{name} must be a number >= 0, got {value!r}")
            if days is None and hours is None:
                days = 7
            since = datetime.now(UTC) - timedelta(days=days or 0, hours=hours or 0)
        frame = self.store.read_predictions(
            self.model_name,
            since=to_datetime(since, "since"),
            until=to_datetime(until, "until"),
            model_version=model_version,
            include_archive=include_archive,
        )
        pending = self._buffer.pending()
        if pending:
            frame.attrs["pending_records"] = pending
        return frame

    def _flush_for_read(self) -> None:
        try:
            self.flush()
        except StoreUnavailableError as exc:  # an outage: the stored records may still be read
            warnings.warn(
                f"{exc}; reading what the store holds without them", RuntimeWarning, stacklevel=3
            )
        except StoreError as exc:  # records were dropped: read what is there
            warnings.warn(str(exc), RuntimeWarning, stacklevel=3)

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

        return run_checks(
            self,
            window,
            since=since,
            until=until,
            checks=DEFAULT_CHECKS if checks is None else checks,
            business_metrics=business_metrics,
            label_delay=label_delay,
            **options,
        )

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
        if prediction_column not in frame.columns:
            raise ConfigError(
                f"prediction_column {prediction_column!r} is not among the logged columns "
                f"{[c for c in frame.columns if c.startswith('prediction')]}"
            )
        if prediction_column != "prediction":
            frame = frame.drop(columns=["prediction"], errors="ignore")
            frame = frame.rename(columns={prediction_column: "prediction"})
        return detect_error_drift(frame, detector, task=task, threshold=threshold)

    def unmatched_labels(self, limit: int = 10) -> UnmatchedLabels:
        """Labels logged for prediction ids the store holds no prediction for (sampled
        out, archived, not logged yet, or a wrong id): they join nothing, so performance
        does not see them. Counts distinct ids, with up to ``limit`` examples.

        >>> import tempfile
        >>> from driftscope.monitor import ModelMonitor
        >>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
        ...     pid = monitor.log_prediction({"age": 41}, 0.83)
        ...     monitor.log_ground_truths([pid, "no-such-id"], [1, 0])
        ...     found = monitor.unmatched_labels()
        >>> found.labelled, found.unmatched, found.examples
        (2, 1, ('no-such-id',))
        """
        self._flush_for_read()
        return self.store.unmatched_labels(self.model_name, limit=limit)

    # ------------------------------------------------------------------ references
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

    def apply_retention(self, older_than: timedelta | float | None = None) -> ArchiveReport:
        """Archive this model's predictions older than ``older_than`` (a timedelta, or a
        number of days; default: the monitor's ``retention``) to cold storage. Run it from a
        scheduled job; it is idempotent."""
        if older_than is None:
            older_than = self.config.retention
            if older_than is None:
                raise ConfigError(
                    "apply_retention needs older_than=, or ModelMonitor(retention=...)"
                )
        if isinstance(older_than, int | float) and not isinstance(older_than, bool):
            older_than = timedelta(days=older_than)
        if not isinstance(older_than, timedelta) or older_than < timedelta(0):
            raise ConfigError(f"older_than must be a timedelta >= 0, got {older_than!r}")
        self._flush_for_read()
        return self.store.archive(older_than, model=self.model_name)

    # ------------------------------------------------------------------ reports
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
        )

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
