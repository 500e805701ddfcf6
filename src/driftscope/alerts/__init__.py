"""Alerting: alerts, rules, de-duplication, grouping, silences, routing, escalation, the
outbox and the channels that deliver notifications (see docs/alerting.md)."""

from driftscope.alerts.alertbook import AlertRecord
from driftscope.alerts.inhibition import DEFAULT_INHIBIT_RULES, InhibitRule
from driftscope.alerts.manager import AlertManager
from driftscope.alerts.matchers import Matcher, parse_matchers
from driftscope.alerts.measures import FalseAlertRate, NotificationCost, ResponseTimes
from driftscope.alerts.model import Action, Alert, AlertSeverity, Notification
from driftscope.alerts.results import EvaluationReport, SendResult, TickReport
from driftscope.alerts.routing import Route
from driftscope.alerts.rules import AlertRule
from driftscope.alerts.silences import Silence
from driftscope.alerts.tickets import Ticket

__all__ = [
    "DEFAULT_INHIBIT_RULES",
    "Action",
    "Alert",
    "AlertManager",
    "AlertRecord",
    "AlertRule",
    "AlertSeverity",
    "EvaluationReport",
    "FalseAlertRate",
    "InhibitRule",
    "Matcher",
    "Notification",
    "NotificationCost",
    "ResponseTimes",
    "Route",
    "SendResult",
    "Silence",
    "TickReport",
    "Ticket",
    "parse_matchers",
]
