"""Channels: one module per receiver, each a
:class:`~driftscope.alerts.channels.base.Channel`; :func:`build_channel` builds one by
kind."""

from driftscope.alerts.channels.alertmanager import AlertmanagerChannel
from driftscope.alerts.channels.base import Channel, DeliveryError, Secret
from driftscope.alerts.channels.console import ConsoleChannel
from driftscope.alerts.channels.email import EmailChannel
from driftscope.alerts.channels.github import GitHubIssueChannel
from driftscope.alerts.channels.jira import JiraChannel
from driftscope.alerts.channels.pagerduty import PagerDutyChannel
from driftscope.alerts.channels.registry import build_channel, channel_kinds
from driftscope.alerts.channels.slack import SlackChannel
from driftscope.alerts.channels.teams import TeamsChannel
from driftscope.alerts.channels.webhook import WebhookChannel, sign, verify_signature

__all__ = [
    "AlertmanagerChannel",
    "Channel",
    "ConsoleChannel",
    "DeliveryError",
    "EmailChannel",
    "GitHubIssueChannel",
    "JiraChannel",
    "PagerDutyChannel",
    "Secret",
    "SlackChannel",
    "TeamsChannel",
    "WebhookChannel",
    "build_channel",
    "channel_kinds",
    "sign",
    "verify_signature",
]
