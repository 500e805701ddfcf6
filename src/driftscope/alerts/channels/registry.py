"""Channels by kind, so a configuration can build them by name.

``build_channel(kind, **options)`` checks the options against the channel's constructor
first, so a misspelt or missing option is a ConfigError naming the channel kind and the
option (and listing the ones it takes) rather than a TypeError.

>>> sorted(channel_kinds())  # doctest: +NORMALIZE_WHITESPACE
['alertmanager', 'console', 'email', 'github', 'jira', 'pagerduty', 'slack', 'teams',
 'webhook']
>>> build_channel("pagerduty", routing_key="R0UT1NG", name="oncall")
PagerDutyChannel(name='oncall')
>>> build_channel("slack", url="https://hooks.slack.com/services/x")
Traceback (most recent call last):
...
driftscope.errors.ConfigError: slack channel: unknown option 'url' (it takes webhook_url, ...)
"""

from __future__ import annotations

import inspect
from typing import Any

from driftscope.alerts.channels.alertmanager import AlertmanagerChannel
from driftscope.alerts.channels.base import Channel
from driftscope.alerts.channels.console import ConsoleChannel
from driftscope.alerts.channels.email import EmailChannel
from driftscope.alerts.channels.github import GitHubIssueChannel
from driftscope.alerts.channels.jira import JiraChannel
from driftscope.alerts.channels.pagerduty import PagerDutyChannel
from driftscope.alerts.channels.slack import SlackChannel
from driftscope.alerts.channels.teams import TeamsChannel
from driftscope.alerts.channels.webhook import WebhookChannel
from driftscope.errors import ConfigError

_CLASSES: tuple[type[Channel], ...] = (
    SlackChannel,
    EmailChannel,
    PagerDutyChannel,
    TeamsChannel,
    WebhookChannel,
    AlertmanagerChannel,
    ConsoleChannel,
    GitHubIssueChannel,
    JiraChannel,
)


def channel_kinds() -> dict[str, type[Channel]]:
    """Every channel class by its kind (``"slack"`` -> :class:`SlackChannel`, ...)."""
    return {cls.kind: cls for cls in _CLASSES}


def build_channel(kind: str, **options: Any) -> Channel:
    """A channel of ``kind`` built from ``options`` (its constructor's arguments by name;
    secrets as a :class:`~driftscope.alerts.channels.base.Secret` or a string)."""
    kinds = channel_kinds()
    cls = kinds.get(kind) if isinstance(kind, str) else None
    if cls is None:
        names = ", ".join(sorted(kinds))
        raise ConfigError(f"unknown channel kind {kind!r}; the kinds are {names}")
    parameters = inspect.signature(cls).parameters
    takes = ", ".join(parameters)
    for option in options:
        if option not in parameters:
            raise ConfigError(f"{kind} channel: unknown option {option!r} (it takes {takes})")
    for option, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty and option not in options:
            raise ConfigError(f"{kind} channel: the option {option!r} is required")
    return cls(**options)
