"""The automated drift response of the quick start: analyse, pick a tier, act, record.

:class:`AutomatedDriftResponse` reads the model's recent predictions from the store,
analyses their drift against the stored baseline
(:class:`~driftscope.response.analyzer.DriftAnalyzer`), places the drift score in a tier
(:class:`~driftscope.response.tiers.DriftTiers`) and acts:

* ``minor`` (>= 0.1): an info alert, and the result logged as a drift event;
* ``moderate`` (>= 0.2): a warning alert with actions (Trigger Retraining, Acknowledge,
  View Dashboard) and an investigation ticket assigned to ``assignee``;
* ``severe`` (>= 0.3): retraining requested (:class:`~driftscope.response.retrainer.AutoRetrainer`,
  within its cooldown and limits) and a critical alert that says what became of it.

Every tier but ``none`` also logs a drift event, so the dashboard shows each one.
The choice is audited as ``response.tier`` with the score and the threshold it crossed;
the alerts, the ticket, the job and the event are audited by their own parts. An action
that fails (a channel not configured, a trigger down) does not stop the others: it is
logged, audited as ``response.action_failed`` and listed with its error in the result.

``monitor_and_respond()`` returns the analyser's dict (``drift_score``,
``drifted_features``, ``features``, ...) plus ``tier``, ``tier_reason`` and ``actions``:
one dict per thing done (``{"action": "alert", "severity", "fingerprint", "outcome"}``,
``{"action": "ticket", "id"}``, ``{"action": "retrain", "job_id", "status"}``,
``{"action": "drift_event", "id"}``, or ``"error"`` instead of the outcome).

The quick start's own class calls ``self.get_production_data(days=7)`` without defining it:
derive it from this class (``class AutomatedDriftResponse(driftscope.AutomatedDriftResponse)``)
and it reads the model's predictions of the last ``days`` days from the store of its
``drift_analyzer``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from driftscope.alerts.manager import AlertManager
from driftscope.alerts.model import AlertSeverity
from driftscope.errors import ConfigError
from driftscope.response.analyzer import DriftAnalyzer
from driftscope.response.retrainer import AutoRetrainer
from driftscope.response.tiers import MINOR, MODERATE, NONE, SEVERE, DriftTiers
from driftscope.store import Store, open_store
from driftscope.store.state import AuditEntry

log = logging.getLogger(__name__)

#: The actions offered with a moderate drift alert (the example's).
MODERATE_ACTIONS = (
    {"label": "Trigger Retraining", "action": "retrain"},
    {"label": "Acknowledge", "action": "ack"},
    {"label": "View Dashboard", "action": "dashboard"},
)


class AutomatedDriftResponse:
    """Drift detection and the response by tier, for one model (see the module's text).

    ``store``: a Store or its location (default ``$DRIFTSCOPE_HOME``), shared by the parts
    built here; ``features``: the columns to analyse (default: the baseline's features
    present in the data); ``thresholds``: the tiers' thresholds (``minor_drift``,
    ``moderate_drift``, ``severe_drift``; default 0.1, 0.2, 0.3); ``alert_manager``,
    ``retrainer``, ``drift_analyzer``: the parts to use (default: an ``AlertManager``, an
    :class:`AutoRetrainer` without a trigger (jobs recorded, nothing started) and a
    :class:`DriftAnalyzer` on ``store``); ``days``: how far back the data goes;
    ``channels``: the channel names per tier (``{"severe": ["pagerduty", "slack"]}``;
    default: the alert manager's routes); ``assignee``: who gets investigation tickets.

    A severe drift, with the default parts (the alert goes to standard error, the
    retraining job is recorded but not started, as no trigger is configured):

    >>> import asyncio, tempfile, numpy as np, pandas as pd, driftscope as ds
    >>> rng = np.random.default_rng(1)
    >>> class Recent(AutomatedDriftResponse):  # the data to analyse: made up here
    ...     async def get_production_data(self, days=7):
    ...         return pd.DataFrame({"age": rng.normal(55, 9, 300)})
    >>> response = Recent("churn", store=tempfile.mkdtemp())
    >>> _ = response.store.save_reference("churn", ds.Reference.fit(pd.DataFrame(
    ...     {"age": rng.normal(40, 9, 500)})))
    >>> result = asyncio.run(response.monitor_and_respond())
    >>> result["tier"], [(a["action"], a.get("status")) for a in result["actions"]]
    ('severe', [('retrain', 'not_started'), ('alert', None), ('drift_event', None)])
    >>> response.close()
    """

    def __init__(
        self,
        model_name: str,
        *,
        store: Store | str | os.PathLike[str] | None = None,
        features: Iterable[str] | None = None,
        thresholds: Mapping[str, float] | None = None,
        alert_manager: AlertManager | None = None,
        retrainer: AutoRetrainer | None = None,
        drift_analyzer: DriftAnalyzer | None = None,
        days: float = 7,
        channels: Mapping[str, Sequence[str] | None] | None = None,
        assignee: str = "ml-ops-team",
        clock: Callable[[], datetime] | None = None,
    ):
        if not isinstance(model_name, str) or not model_name:
            raise ConfigError(f"model_name must be non-empty text, got {model_name!r}")
        if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
            raise ConfigError(f"days must be a number > 0, got {days!r}")
        self.model_name = model_name
        self.thresholds = DriftTiers.of(thresholds).as_dict()
        self.features = None if features is None else _names(features)
        self.days = days
        self.channels = _tier_channels(channels)
        self.assignee = assignee
        self._owns_store = not isinstance(store, Store)
        self.store = open_store(store)
        if drift_analyzer is None:
            drift_analyzer = DriftAnalyzer(model_name, store=self.store, clock=clock)
        if retrainer is None:
            retrainer = AutoRetrainer(model_name, store=self.store, clock=clock)
        if alert_manager is None:
            alert_manager = AlertManager(store=self.store)
        self.drift_analyzer = drift_analyzer
        self.retrainer = retrainer
        self.alert_manager = alert_manager

    def __repr__(self) -> str:
        return f"AutomatedDriftResponse({self.model_name!r}, thresholds={self.thresholds})"

    # ------------------------------------------------------------------ the data
    async def get_production_data(self, days: float = 7) -> pd.DataFrame:
        """The model's predictions of the last ``days`` days, read from the store of
        ``self.drift_analyzer`` (what a monitor flushed; a monitor in this process flushes
        on ``monitor.flush()``). Override it to analyse other data."""
        analyzer = self.drift_analyzer
        since = analyzer.now() - timedelta(days=days)
        return analyzer.store.read_predictions(self.model_name, since=since)

    # ------------------------------------------------------------------ the response
    async def monitor_and_respond(self) -> dict[str, Any]:
        """Analyse the last ``days`` days and respond by tier (see the module's text)."""
        production_data = await self.get_production_data(days=self.days)
        result = self.drift_analyzer.analyze_drift(
            production_data=production_data, features=self.features
        )
        tiers = DriftTiers.of(self.thresholds)
        score = float(result["drift_score"])
        tier = tiers.tier(score)
        why = tiers.explain(score)
        result = {**result, "tier": tier, "tier_reason": why}
        self._audit("response.tier", why, tier=tier, drift_score=score, thresholds=tiers.as_dict())
        handlers = {
            SEVERE: self._handle_severe_drift,
            MODERATE: self._handle_moderate_drift,
            MINOR: self._handle_minor_drift,
        }
        actions: list[dict[str, Any]] = []
        if tier != NONE:
            actions = await handlers[tier](result)
            actions.append(await self._act("drift_event", lambda: self._log_event(result)))
        return {**result, "actions": actions}

    async def _handle_severe_drift(self, drift_result: dict[str, Any]) -> list[dict[str, Any]]:
        """Request retraining, then a critical alert saying what became of it."""
        retrain = await self._act("retrain", lambda: self._retrain(drift_result))
        if "error" in retrain:
            outcome = f"retraining could not be requested ({retrain['error']})"
        elif retrain["status"] in ("refused", "rejected", "failed"):
            outcome = f"retraining {retrain['status']}: {retrain.get('why', '')}".rstrip(": ")
        elif retrain["status"] == "not_started":
            outcome = "retraining recorded, not started (no retraining trigger configured)"
        elif retrain["status"] == "pending_approval":
            outcome = f"retraining awaits approval (job {retrain['job_id']})"
        else:
            outcome = f"automatic retraining initiated (job {retrain['job_id']})"
        alert = await self._act(
            "alert",
            lambda: self._alert(
                AlertSeverity.CRITICAL,
                "Severe Drift Detected - Auto-Retraining Initiated",
                drift_result,
                outcome[0].upper() + outcome[1:],
                SEVERE,
            ),
        )
        return [retrain, alert]

    async def _handle_moderate_drift(self, drift_result: dict[str, Any]) -> list[dict[str, Any]]:
        """A warning alert with actions, and an investigation ticket."""
        alert = await self._act(
            "alert",
            lambda: self._alert(
                AlertSeverity.WARNING,
                "Moderate Drift Detected - Investigation Required",
                drift_result,
                "Please investigate and determine if retraining is needed",
                MODERATE,
                actions=MODERATE_ACTIONS,
            ),
        )
        ticket = await self._act("ticket", lambda: self._ticket(drift_result))
        return [alert, ticket]

    async def _handle_minor_drift(self, drift_result: dict[str, Any]) -> list[dict[str, Any]]:
        """An info alert (the drift event is logged for every tier)."""
        alert = await self._act(
            "alert",
            lambda: self._alert(
                AlertSeverity.INFO,
                "Minor Drift Detected",
                drift_result,
                "Continuing to monitor",
                MINOR,
            ),
        )
        return [alert]

    # ------------------------------------------------------------------ the actions
    async def _alert(
        self,
        severity: AlertSeverity,
        title: str,
        drift_result: Mapping[str, Any],
        action: str,
        tier: str,
        *,
        actions: Sequence[Mapping[str, str]] = (),
    ) -> dict[str, Any]:
        message = (
            f"Model: {self.model_name}\n"
            f"Drift score: {drift_result['drift_score']:.3f}\n"
            f"Drifted features: {drift_result['drifted_features']}\n"
            f"Action: {action}"
        )
        sent = await self.alert_manager.send_alert(
            severity=severity,
            title=title,
            message=message,
            actions=list(actions),
            channels=self.channels.get(tier),
            labels={"tier": tier},
            model=self.model_name,
        )
        out = {"severity": severity.value, "title": title, "fingerprint": _fingerprint(sent)}
        outcome = getattr(sent, "outcome", None)  # notified, grouped, deduplicated, silenced...
        if isinstance(outcome, str):
            out["outcome"] = outcome
        return out

    async def _ticket(self, drift_result: dict[str, Any]) -> dict[str, Any]:
        ticket = await self.alert_manager.create_investigation_ticket(
            title=f"Model Drift Investigation - {self.model_name}",
            description=drift_result,
            assignee=self.assignee,
            model=self.model_name,
            channels=self.channels.get(MODERATE),
        )
        return {"id": getattr(ticket, "id", None), "assignee": self.assignee}

    async def _retrain(self, drift_result: Mapping[str, Any]) -> dict[str, Any]:
        job = await self.retrainer.trigger_retraining(
            reason="severe_drift_detected",
            drift_score=drift_result["drift_score"],
            drifted_features=drift_result["drifted_features"],
            priority="high",
        )
        out: dict[str, Any] = {"job_id": job.id, "status": job.status}
        why = job.refusal or job.error or job.note
        if why:
            out["why"] = why
        return out

    async def _log_event(self, drift_result: Mapping[str, Any]) -> dict[str, Any]:
        event = await self.drift_analyzer.log_drift_event(drift_result)
        return {"id": event.id}

    async def _act(self, kind: str, act: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        """Run one action; its failure is logged, audited and returned, never raised."""
        try:
            return {"action": kind, **(await act())}
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("drift response of model %r: the %s action failed", self.model_name, kind)
            self._audit("response.action_failed", error, action=kind)
            return {"action": kind, "error": error}

    def _audit(self, entry: str, reason: str, **details: Any) -> None:
        self.store.append_audit(
            [
                AuditEntry(
                    entry,
                    model=self.model_name,
                    reason=reason,
                    details=details,
                    at=self.drift_analyzer.now(),
                )
            ]
        )

    def close(self) -> None:
        """Close the store if this response opened it."""
        if self._owns_store:
            self.store.close()


def _fingerprint(sent: Any) -> str | None:
    """The fingerprint of what ``send_alert`` returned (its alert's), when it has one."""
    found = getattr(sent, "fingerprint", None)
    return found if isinstance(found, str) else None


def _names(features: Iterable[str]) -> list[str]:
    if isinstance(features, str):
        raise ConfigError(f"features must be a list of column names, got {features!r}")
    return [str(f) for f in features]


def _tier_channels(
    channels: Mapping[str, Sequence[str] | None] | None,
) -> dict[str, list[str] | None]:
    if channels is None:
        return {}
    if not isinstance(channels, Mapping):
        raise ConfigError(f"channels must map a tier to channel names, got {channels!r}")
    out: dict[str, list[str] | None] = {}
    for tier, names in channels.items():
        if tier not in (MINOR, MODERATE, SEVERE):
            raise ConfigError(
                f"channels: unknown tier {tier!r}; the tiers are minor, moderate, severe"
            )
        if names is not None and (isinstance(names, str) or not isinstance(names, Iterable)):
            raise ConfigError(f"channels[{tier!r}] must be a list of channel names, got {names!r}")
        out[tier] = None if names is None else [str(n) for n in names]
    return out
