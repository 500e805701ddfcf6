"""Alerting: alerts, rules, de-duplication, grouping, silences, routing, escalation, the
outbox and the channels that deliver notifications."""

from driftscope.alerts.model import Action, Alert, AlertSeverity, Notification

__all__ = ["Action", "Alert", "AlertSeverity", "Notification"]
