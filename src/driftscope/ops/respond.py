"""A model's configured response, run after each of its check runs.

From the run's last window: the drift tier of its ``data_drift_score`` (minor, moderate,
severe, by ``response.tiers``; :class:`~driftscope.response.tiers.DriftTiers`), as the
drift response of the quick start does: minor, an info alert; moderate, a warning alert and
an investigation ticket; severe, a critical alert; and a retraining run when the tier is
in ``retrain.when``. Performance gone critical (``when: performance``) and concept drift
(``when: concept_drift``) go through :class:`~driftscope.response.policy.ResponsePolicy`,
which rolls back first when the rollback's ``when`` holds ``performance``.

Alerts repeat while the tier holds (the alert manager folds the repeats); a ticket and a
retraining run start only when the tier rises (the tier is kept in the store as a
``"response_tier"`` record, so a restart does not start them again), and retraining keeps
its cooldown and daily limit. Every decision is in the audit log (``response.tier``,
``retrain.*``, ``rollback.*``).
"""

from __future__ import annotations

import logging
from typing import Any

from driftscope.ops._schema_models import ResponseConfig
from driftscope.response.policy import ResponsePolicy
from driftscope.response.tiers import TIERS, DriftTiers
from driftscope.store import Store
from driftscope.store.state import AuditEntry, StateRecord

log = logging.getLogger(__name__)

SEVERITY = {"minor": "info", "moderate": "warning", "severe": "critical"}
KIND = "response_tier"
_ACTIONS: dict[str, list[Any]] = {
    "minor": ["Review drift report"],
    "moderate": ["Review model", {"label": "Investigate", "action": "investigate"}],
    "severe": [{"label": "Trigger Retraining", "action": "retrain"}, "Review model"],
}


def tiers_of(section: ResponseConfig) -> DriftTiers:
    """The response layer's tiers for the configured thresholds.

    >>> tiers_of(ResponseConfig()).tier(0.25)
    'moderate'
    """
    t = section.tiers
    return DriftTiers(minor_drift=t.minor, moderate_drift=t.moderate, severe_drift=t.severe)


class ConfiguredResponse:
    """The response of one model (see the module's text).

    A moderate drift score gives a warning at each run, an investigation ticket only when
    the tier rises:

    >>> import tempfile
    >>> from datetime import UTC, datetime
    >>> from driftscope.alerts import AlertManager
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> from driftscope.core.checks import CheckRecord
    >>> from driftscope.health.summary import HealthSummary
    >>> from driftscope.store import open_store
    >>> t0, t1 = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    >>> drift = HealthSummary("churn", "v1", (
    ...     CheckRecord("churn", "drift", t0, t1, "data_drift_score", 0.25, 0.2, "warning"),))
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     with AlertManager([ConsoleChannel()], store=store) as alerts:
    ...         response = ConfiguredResponse("churn", ResponseConfig(), alerts, store=store)
    ...         first, again = response.respond(drift), response.respond(drift)
    >>> first
    ['warning alert: Moderate drift on churn', 'investigation ticket ...']
    >>> again
    ['warning alert: Moderate drift on churn']
    """

    def __init__(
        self,
        model: str,
        section: ResponseConfig,
        manager: Any,
        retrainer: Any = None,
        rollback: Any = None,
        *,
        store: Store,
    ):
        self.model = model
        self.section = section
        self.manager = manager
        self.retrainer = retrainer
        self.rollback = rollback
        self.store = store
        self.tiers = tiers_of(section)
        back = section.rollback
        retrain = section.retrain
        self.policy = None
        if retrainer is not None:
            self.policy = ResponsePolicy(
                retrainer,
                concept_drift=retrain is not None and "concept_drift" in retrain.when,
                rollback=rollback if back is not None and "performance" in back.when else None,
            )

    @property
    def wants_concept_drift(self) -> bool:
        """Whether concept drift asks for retraining (the runner then computes it)."""
        return self.policy is not None and self.policy.concept_drift

    def respond(self, summary: Any, concept: Any = None) -> list[str]:
        """Act on ``summary``'s last window (and ``concept``, a concept-drift report);
        what was done, in words."""
        done: list[str] = []
        last = _last_window(summary)
        if last is not None:
            done.extend(self._tiers(*last))
        retrain = self.section.retrain
        if self.policy is not None and retrain is not None and "performance" in retrain.when:
            job = self.policy.after_checks(summary)
            if job is not None:
                done.append(f"retraining {job.id} ({job.reason}): {job.status}")
        elif self.rollback is not None and self._rollback_on("performance"):
            degraded = [
                r for r in summary.records if r.check == "performance" and r.status == "critical"
            ]
            if degraded:
                done.append(self._roll_back("performance critical"))
        if concept is not None and self.policy is not None:
            job = self.policy.after_concept_drift(concept)
            if job is not None:
                done.append(f"retraining {job.id} ({job.reason}): {job.status}")
        return done

    def scheduled(self) -> str:
        """The periodic retraining of ``retrain.schedule``."""
        if self.policy is None:
            return "no retrainer"
        job = self.policy.scheduled()
        return f"retraining {job.id} (scheduled): {job.status}"

    def _rollback_on(self, what: str) -> bool:
        back = self.section.rollback
        return back is not None and what in back.when

    def _roll_back(self, why: str) -> str:
        from driftscope.response.rollback import RollbackError

        try:
            result = self.rollback.rollback(self.model, why)
        except RollbackError as exc:
            return f"rollback failed: {exc}"
        return f"rolled back: {result}"

    def _tiers(self, score: float | None, drifted: list[str]) -> list[str]:
        tier = "none" if score is None else self.tiers.tier(score)
        previous = self.store.get_state(KIND, self.model)
        before = previous.state if previous is not None else "none"
        rising = TIERS.index(tier) > TIERS.index(before)
        done: list[str] = []
        if tier != "none":
            assert score is not None
            title = f"{tier.capitalize()} drift on {self.model}"
            message = f"{self.tiers.explain(score)}; drifted: {', '.join(drifted) or 'none'}"
            self.manager.send_alert(
                SEVERITY[tier],
                title,
                message,
                actions=_ACTIONS[tier],
                labels={"tier": tier},
                model=self.model,
            )
            done.append(f"{SEVERITY[tier]} alert: {title}")
        if rising and tier == "moderate":
            ticket = self.manager.create_investigation_ticket(
                f"Investigate drift on {self.model}",
                {"drift_score": score, "drifted_features": drifted, "tier": tier},
                self.section.assignee or "",
                model=self.model,
                channels=list(self.section.ticket_channels) or None,
            )
            done.append(f"investigation ticket {ticket.id}")
        retrain = self.section.retrain
        wanted = retrain is not None and f"{tier}_drift" in retrain.when
        if rising and wanted and self.retrainer is not None:
            job = self.retrainer.trigger_retraining(
                f"{tier}_drift",
                drift_score=score,
                drifted_features=drifted,
                priority="high" if tier == "severe" else "normal",
            )
            done.append(f"retraining {job.id} ({job.reason}): {job.status}")
        if rising and tier == "severe" and self.rollback and self._rollback_on("severe_drift"):
            done.append(self._roll_back(f"severe drift (score {score:.3f})"))
        self._remember(tier, before, score, done)
        return done

    def _remember(self, tier: str, before: str, score: float | None, done: list[str]) -> None:
        body = {"score": score, "done": done}
        self.store.put_state(StateRecord(KIND, self.model, tier, body, model=self.model))
        if tier != before or done:
            self.store.append_audit(
                [
                    AuditEntry(
                        "response.tier",
                        model=self.model,
                        subject=tier,
                        reason=f"data drift score {score} (was {before})",
                        details=body,
                    )
                ]
            )


def _last_window(summary: Any) -> tuple[float | None, list[str]] | None:
    records = list(getattr(summary, "records", ()))
    if not records:
        return None
    end = max(r.window_end for r in records)
    for r in records:
        if (
            r.window_end == end
            and r.check == "drift"
            and r.metric == "data_drift_score"
            and r.value is not None
        ):
            return float(r.value), list(r.details.get("drifted_features", []))
    return None, []
