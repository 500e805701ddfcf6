"""Responses beyond the drift tiers: performance degradation, concept drift, a schedule.

:class:`ResponsePolicy` turns other findings into retraining requests (and, optionally, a
rollback) through one :class:`~driftscope.response.retrainer.AutoRetrainer`, so the same
cooldown, daily limit, approval and audit apply whatever asked:

* :meth:`~ResponsePolicy.after_checks` (a :class:`~driftscope.health.HealthSummary` from
  ``run_checks``): the performance points at ``performance_status`` (default
  ``critical``: the whole confidence interval on the bad side of the metric's
  ``alert_thresholds`` value) ask for retraining, reason ``performance_degraded``, once per
  summary, with the metrics in the job's details; with a ``rollback``, the serving version
  is rolled back first (at most once per ``rollback_cooldown``: a rollback that did not
  help is not repeated down the version history);
* :meth:`~ResponsePolicy.after_concept_drift` (``monitor.concept_drift()``'s report): a
  detected change of the error process asks for retraining, reason
  ``concept_drift_detected``;
* :meth:`~ResponsePolicy.scheduled`: a periodic retraining, reason ``scheduled``, priority
  ``low`` (the scheduler calls it on the model's retraining schedule).

>>> import tempfile
>>> from datetime import UTC, datetime
>>> from driftscope.core.checks import CheckRecord
>>> from driftscope.health import HealthSummary
>>> from driftscope.response.retrainer import AutoRetrainer
>>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
>>> summary = HealthSummary("churn", None, (
...     CheckRecord("churn", "performance", t0, t1, "accuracy", 0.78, 0.85, "critical"),))
>>> policy = ResponsePolicy(AutoRetrainer("churn", store=tempfile.mkdtemp()))
>>> job = policy.after_checks(summary)
>>> job.reason, job.details["metrics"][0]["metric"], job.status
('performance_degraded', 'accuracy', 'not_started')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from driftscope.core.checks import CheckRecord
from driftscope.errors import ConfigError
from driftscope.health import HealthSummary
from driftscope.response.jobs import RetrainJob
from driftscope.response.retrainer import AutoRetrainer
from driftscope.response.rollback import Rollback, RollbackError
from driftscope.store.state import AuditEntry
from driftscope.stream.labelled import ErrorDriftReport

#: Statuses of a performance point that count as degraded, by the least one asked for.
_DEGRADED = {"critical": ("critical",), "warning": ("warning", "critical")}


class ResponsePolicy:
    """When to retrain (and roll back) beyond the drift tiers (see the module's text).

    ``performance_metrics``: the metrics that count (default: every realized metric of
    the performance check, not the estimates); ``performance_status``: ``"critical"``
    (default) or ``"warning"``; ``concept_drift``: whether concept drift asks for
    retraining; ``rollback``: roll back on performance degradation first;
    ``rollback_cooldown``: the least time between two automatic rollbacks of the model.

    >>> import tempfile
    >>> with AutoRetrainer("churn", store=tempfile.mkdtemp()) as retrainer:
    ...     job = ResponsePolicy(retrainer, performance_status="warning").scheduled()
    >>> job.reason, job.priority, job.status
    ('scheduled', 'low', 'not_started')
    """

    def __init__(
        self,
        retrainer: AutoRetrainer,
        *,
        performance_metrics: Sequence[str] | None = None,
        performance_status: str = "critical",
        concept_drift: bool = True,
        rollback: Rollback | None = None,
        rollback_cooldown: timedelta = timedelta(days=1),
    ):
        if not isinstance(retrainer, AutoRetrainer):
            raise ConfigError(f"ResponsePolicy needs an AutoRetrainer, got {retrainer!r}")
        if performance_status not in _DEGRADED:
            raise ConfigError(
                f"performance_status must be 'critical' or 'warning', got {performance_status!r}"
            )
        if rollback is not None and not isinstance(rollback, Rollback):
            raise ConfigError(
                f"rollback must be a Rollback (MLflowRollback, ...), got {rollback!r}"
            )
        if not isinstance(rollback_cooldown, timedelta) or rollback_cooldown < timedelta(0):
            raise ConfigError(
                f"rollback_cooldown must be a timedelta >= 0, got {rollback_cooldown!r}"
            )
        self.retrainer = retrainer
        self.performance_metrics = (
            None if performance_metrics is None else list(performance_metrics)
        )
        self.performance_status = performance_status
        self.concept_drift = bool(concept_drift)
        self.rollback = rollback
        self.rollback_cooldown = rollback_cooldown

    @property
    def model_name(self) -> str:
        """The name of the model whose retrainer this policy drives."""
        return self.retrainer.model_name

    def degraded(self, summary: HealthSummary) -> list[CheckRecord]:
        """The summary's performance points that count as degraded."""
        bad = _DEGRADED[self.performance_status]
        return [
            r
            for r in summary.records
            if r.model == self.model_name
            and r.check == "performance"
            and r.status in bad
            and r.value is not None
            and self._counts(r.metric)
        ]

    def _counts(self, metric: str) -> bool:
        if self.performance_metrics is not None:
            return metric in self.performance_metrics
        return not (metric.startswith("estimated_") or metric.endswith("_vs_baseline"))

    def after_checks(self, summary: HealthSummary) -> RetrainJob | None:
        """Respond to degraded performance in ``summary`` (see the module's text); the job,
        or ``None`` when nothing degraded."""
        points = self.degraded(summary)
        if not points:
            return None
        metrics = [
            {
                "metric": p.metric,
                "value": p.value,
                "threshold": p.threshold,
                "status": p.status,
                "window_start": p.window_start.isoformat(),
            }
            for p in points
        ]
        worst = points[-1]
        why = (
            f"performance degraded: {worst.metric} {worst.value:.3g}"
            + (f" against {worst.threshold:.3g}" if worst.threshold is not None else "")
            + (f" (and {len(points) - 1} more points)" if len(points) > 1 else "")
        )
        if self.rollback is not None:
            self._roll_back(why)
        return self.retrainer.trigger_retraining(
            "performance_degraded",
            priority="high",
            details={"metrics": metrics, "summary": why},
        )

    def after_concept_drift(self, report: ErrorDriftReport) -> RetrainJob | None:
        """Ask for retraining when ``report`` (from ``monitor.concept_drift()``) found a
        change of the error process; ``None`` otherwise or when switched off."""
        if not self.concept_drift or not report.has_drift:
            return None
        last = report.events[-1]
        return self.retrainer.trigger_retraining(
            "concept_drift_detected",
            priority="high",
            details={
                "detector": report.detector,
                "error_rate": report.error_rate,
                "events": len(report.events),
                "last_event_at": last.timestamp.isoformat(),
                "error_before": last.error_before,
                "error_recent": last.error_recent,
            },
        )

    def scheduled(self) -> RetrainJob:
        """A periodic retraining request (priority ``low``)."""
        return self.retrainer.trigger_retraining("scheduled", priority="low")

    def _roll_back(self, why: str) -> dict[str, Any] | None:
        assert self.rollback is not None
        store = self.rollback.store  # where its rollbacks are audited
        now = self.retrainer.clock()
        recent = store.read_audit(
            model=self.model_name, action="rollback.done", since=now - self.rollback_cooldown
        )
        if recent:
            store.append_audit(
                [
                    AuditEntry(
                        "rollback.skipped",
                        model=self.model_name,
                        reason=f"{why}; rolled back already at {recent[-1].at:%Y-%m-%d %H:%M} "
                        f"UTC (rollback_cooldown {self.rollback_cooldown})",
                        at=now,
                    )
                ]
            )
            return None
        try:
            return self.rollback.rollback(self.model_name, why)
        except RollbackError:  # audited as rollback.failed; retraining is still asked for
            return None
