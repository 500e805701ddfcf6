"""The alerting sections of the configuration file: ``channels``, ``routes``,
``inhibit_rules``, ``silences``, ``grouping`` and ``delivery``.

Channels are named (``channels: {team-slack: {kind: slack, ...}}``) and each kind has its
own options, checked here: a misspelt option is an error at its line, not a failure at
the first alert. The options that hold secrets (``webhook_url`` of Slack and Teams,
``routing_key``, ``password``, ``token``, ``api_token``, a webhook's signing ``secret``)
must come from environment variables (``${NAME}``).

>>> from pydantic import TypeAdapter
>>> from driftscope.ops._env import EnvText
>>> channel = TypeAdapter(ChannelConfig).validate_python(
...     {"kind": "slack", "webhook_url": EnvText("https://hooks.example/T0", ("SLACK_URL",))})
>>> channel.kind, channel.webhook_url
('slack', Secret('***'))
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, field_validator

from driftscope.ops._fields import (
    Duration,
    Matchers,
    Name,
    RateLimitText,
    SecretText,
    Strict,
    Wait,
)

Price = Annotated[float, Field(ge=0, description="USD per message sent")]


class _Channel(Strict):
    price_per_message: Price = 0.0


class _HttpChannel(_Channel):
    timeout: Duration | None = None
    verify: bool | str = True  # False for a self-signed test receiver, or a CA bundle path


class SlackConfig(_HttpChannel):
    """A Slack incoming webhook."""

    kind: Literal["slack"]
    webhook_url: SecretText
    max_alerts: int | None = Field(default=None, ge=1, le=15)


class EmailConfig(_HttpChannel):
    """E-mail over SMTP."""

    kind: Literal["email"]
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    sender: str
    recipients: Annotated[list[str], Field(min_length=1)]
    username: str | None = None
    password: SecretText | None = None
    starttls: bool | Literal["auto"] = "auto"
    ssl: bool = False


class PagerDutyConfig(_HttpChannel):
    """PagerDuty Events API v2."""

    kind: Literal["pagerduty"]
    routing_key: SecretText
    url: str | None = None
    source: str | None = None


class TeamsConfig(_HttpChannel):
    """A Microsoft Teams Workflows webhook."""

    kind: Literal["teams"]
    webhook_url: SecretText
    max_alerts: int | None = Field(default=None, ge=1)


#: Header names whose values are secrets (they must come from the environment).
SECRET_HEADERS = ("authorization", "token", "secret", "key", "password", "cookie")


def check_headers(value: object) -> object:
    """HTTP headers whose names look secret must take their values from the environment."""
    from driftscope.ops._env import EnvText

    if isinstance(value, dict):
        for name, text in value.items():
            lowered = str(name).lower()
            if any(word in lowered for word in SECRET_HEADERS) and not isinstance(text, EnvText):
                raise ValueError(
                    f"header {name!r} holds a secret written inline: put it in an "
                    "environment variable and write ${NAME} here"
                )
    return value


class WebhookConfig(_HttpChannel):
    """A generic JSON webhook, HMAC-signed when ``secret`` is set."""

    kind: Literal["webhook"]
    url: str
    secret: SecretText | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("headers", mode="before")
    @classmethod
    def _secret_headers(cls, value: object) -> object:
        return check_headers(value)


class AlertmanagerConfig(_HttpChannel):
    """Prometheus Alertmanager's API v2."""

    kind: Literal["alertmanager"]
    url: str
    generator_url: str | None = None
    horizon: Duration | None = None
    resend_interval: Duration | None = None
    username: str | None = None
    password: SecretText | None = None
    bearer_token: SecretText | None = None


class ConsoleConfig(_Channel):
    """One line per alert on stderr."""

    kind: Literal["console"]
    logger: str | None = None  # a logger's name: write through logging, not to stderr


class GitHubConfig(_HttpChannel):
    """Investigation tickets as GitHub issues."""

    kind: Literal["github"]
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    token: SecretText
    api_url: str | None = None
    labels: list[str] = Field(default_factory=list)


class JiraConfig(_HttpChannel):
    """Investigation tickets as Jira issues."""

    kind: Literal["jira"]
    base_url: str
    project_key: str
    email: str
    api_token: SecretText
    issue_type: str = "Task"
    labels: list[str] = Field(default_factory=list)
    assignee_by: Literal["auto", "accountId", "name"] = "auto"


ChannelConfig = Annotated[
    SlackConfig
    | EmailConfig
    | PagerDutyConfig
    | TeamsConfig
    | WebhookConfig
    | AlertmanagerConfig
    | ConsoleConfig
    | GitHubConfig
    | JiraConfig,
    Field(discriminator="kind"),
]


class GroupingConfig(Strict):
    """How alerts are grouped into notifications (the root route's defaults)."""

    group_by: list[str] = Field(default_factory=lambda: ["alertname", "model"])
    group_wait: Wait = timedelta(seconds=30)
    group_interval: Duration = timedelta(minutes=5)
    repeat_interval: Duration = timedelta(hours=4)
    escalate_after: Duration | None = None


class RouteConfig(Strict):
    """A node of the routing tree: alerts matching ``matchers`` go to ``channels``; the
    first matching child route wins unless it says ``continue: true``. Unset timings and
    ``group_by`` are inherited from the parent (the root's from ``grouping``)."""

    channels: list[Name] = Field(default_factory=list)
    matchers: Matchers = Field(default_factory=list)
    group_by: list[str] | None = None
    group_wait: Wait | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    escalate_after: Duration | None = None
    escalate_to: list[Name] = Field(default_factory=list)
    send_resolved: bool = True
    continue_: bool = Field(default=False, alias="continue")
    routes: list[RouteConfig] = Field(default_factory=list)

    def channel_names(self) -> set[str]:
        """Every channel named in this route and below."""
        names = set(self.channels) | set(self.escalate_to)
        for child in self.routes:
            names |= child.channel_names()
        return names


class InhibitRuleConfig(Strict):
    """While an alert matching ``source_matchers`` fires, alerts matching
    ``target_matchers`` with the same values of the ``equal`` labels are muted."""

    source_matchers: Matchers
    target_matchers: Matchers
    equal: list[str] = Field(default_factory=list)


class SilenceConfig(Strict):
    """Alerts matching every matcher are muted from ``starts_at`` (default: when loaded)
    until ``ends_at``."""

    matchers: Annotated[Matchers, Field(min_length=1)]
    starts_at: datetime | None = None
    ends_at: datetime
    created_by: str = "monitor.yaml"
    comment: str = ""

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone, e.g. 2026-11-01T08:00:00Z")
        return value


class DeliveryConfig(Strict):
    """Sending what the outbox holds: how long ``driftscope run`` waits at its end for new
    alert groups to be notified (after their ``group_wait``) and the outbox to be
    delivered (``flush_timeout``; give it more than ``group_wait``), and how often the
    scheduler delivers and flushes groups (``tick``)."""

    flush_timeout: Duration = timedelta(seconds=60)
    tick: Duration = timedelta(seconds=30)
    first_delay: Duration | None = None
    max_delay: Duration | None = None
    dead_after: Duration | None = None
    rate_limits: dict[Name, RateLimitText] = Field(default_factory=dict)
