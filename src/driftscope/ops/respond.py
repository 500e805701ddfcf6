"""A model's configured response, run after each of its check runs.

From the run's last window: the drift tier of its ``data_drift_score`` (minor, moderate,
severe, by ``response.tiers``) and whether performance went critical. Then, as the drift
response of the quick start does: minor, an info alert; moderate, a warning alert and an
investigation ticket; severe, a critical alert and (when ``retrain.when`` holds
``severe_drift``) a retraining run; performance critical, retraining and rollback when
their ``when`` say so. Alerts repeat while the tier holds (the alert manager folds the
repeats); a ticket, a retraining run and a rollback start only when the tier rises (kept
in the store as a ``"response_tier"`` record, so a restart does not start them again) and
retraining keeps its cooldown and daily limit. Every decision is in the audit log
(``response.tier``).
"""

from __future__ import annotations

import logging
from typing import Any

from driftscope.ops.schema_models import ResponseConfig
from driftscope.store import Store
from driftscope.store.state import AuditEntry, StateRecord

log = logging.getLogger(__name__)

TIERS = ("none", "minor", "moderate", "severe")
SEVERITY = {"minor": "info", "moderate": "warning", "severe": "critical"}
KIND = "response_tier"


def tier_of(score: float | None, section: ResponseConfig) -> str:
    """The drift tier of ``score``.

    >>> tier_of(0.25, ResponseConfig()), tier_of(None, ResponseConfig())
    ('moderate', 'none')
    """
    if score is None:
        return "none"
    tiers = section.tiers
    for name, limit in (
        ("severe", tiers.severe),
        ("moderate", tiers.moderate),
        ("minor", tiers.minor),
    ):
        if score >= limit:
            return name
    return "none"


class ConfiguredResponse:
    """The response of one model (see the module's text)."""

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

    def respond(self, summary: Any) -> list[str]:
        """Act on ``summary``'s last window; what was done, in words."""
        last = _last_window(summary)
        if last is None:
            return []
        score, drifted, performance_bad = last
        tier = tier_of(score, self.section)
        previous = self.store.get_state(KIND, self.model)
        before = previous.state if previous is not None else "none"
        rising = TIERS.index(tier) > TIERS.index(before)
        done: list[str] = []
        if tier != "none":
            title = f"{tier.capitalize()} drift on {self.model}"
            message = (
                f"data drift score {score:.3f} (tier {tier}); drifted: "
                f"{', '.join(drifted) or 'none'}"
            )
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
                self.section.assignee,
                model=self.model,
                channels=list(self.section.ticket_channels) or None,
            )
            done.append(f"investigation ticket {getattr(ticket, 'id', '')}".strip())
        retrain = self.section.retrain
        reasons = []
        if rising and tier != "none" and f"{tier}_drift" in (retrain.when if retrain else ()):
            reasons.append(f"{tier} drift (score {score:.3f})")
        if performance_bad and retrain is not None and "performance" in retrain.when:
            reasons.append("performance critical")
        if reasons and self.retrainer is not None:
            job = self.retrainer.trigger_retraining(
                reason="; ".join(reasons),
                drift_score=score,
                drifted_features=drifted,
                priority="high" if tier == "severe" else "normal",
            )
            done.append(f"retraining {getattr(job, 'id', '')}: {getattr(job, 'status', '')}")
        back = self.section.rollback
        if self.rollback is not None and back is not None:
            wants = (performance_bad and "performance" in back.when) or (
                rising and tier == "severe" and "severe_drift" in back.when
            )
            if wants:
                result = self.rollback.rollback(self.model, "; ".join(reasons) or tier)
                done.append(f"rollback: {result}")
        self._remember(tier, previous, score, done)
        return done

    def _remember(self, tier: str, previous: Any, score: float | None, done: list[str]) -> None:
        body = {"score": score, "done": done}
        record = StateRecord(KIND, self.model, tier, body, model=self.model)
        self.store.put_state(record)
        before = previous.state if previous is not None else "none"
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


_ACTIONS = {
    "minor": ["Review drift report"],
    "moderate": ["Review model", {"label": "Investigate", "action": "investigate"}],
    "severe": [{"label": "Trigger Retraining", "action": "retrain"}, "Review model"],
}


def _last_window(summary: Any) -> tuple[float | None, list[str], bool] | None:
    records = list(getattr(summary, "records", ()))
    if not records:
        return None
    end = max(r.window_end for r in records)
    score, drifted, bad = None, [], False
    for r in records:
        if r.window_end != end:
            continue
        if r.check == "drift" and r.metric == "data_drift_score" and r.value is not None:
            score = float(r.value)
            drifted = list(r.details.get("drifted_features", []))
        if r.check == "performance" and r.status == "critical":
            bad = True
    return score, drifted, bad
