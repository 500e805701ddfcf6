"""Prometheus Alertmanager through its API v2: ``POST {url}/api/v2/alerts``.

Each alert of a notification is posted as ``{labels, annotations, startsAt, endsAt,
generatorURL}``: the labels as they are (names Alertmanager cannot take, such as
``feature.name``, are written with ``_``), the annotations with ``summary`` (the title)
and ``description`` (the message) added, the conventional names of Alertmanager's
templates. Alertmanager identifies an alert by its labels, so a message sent twice is one
alert: the channel ``dedups``, and grouping, inhibition, silences and routing can be left
to Alertmanager.

A resolved alert is sent with ``endsAt`` = the time it ended. A firing alert is sent
without ``endsAt`` (Alertmanager then resolves it by itself ``resolve_timeout``, default
5 minutes, after the last time it was posted), or with ``endsAt`` = now + ``horizon``
when one is set. So a firing alert must be posted again while it is active, as
Prometheus does: :attr:`AlertmanagerChannel.resend_interval` (default 1 minute, shorter
than both) is how often the alert engine re-sends the firing alerts of this channel.
Acknowledgements have no meaning in Alertmanager (use its silences) and are skipped;
tickets are an error that is not retried.

>>> from datetime import UTC, datetime
>>> from driftscope.alerts.model import Alert, Notification
>>> channel = AlertmanagerChannel("http://127.0.0.1:9093")
>>> start = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
>>> alert = Alert.of("warning", "Drift", "age moved", labels={"model": "churn"}, starts_at=start)
>>> [posted] = channel.payload(Notification("n-1", "alertmanager", "g", {}, (alert,)))
>>> posted["labels"], posted["startsAt"], "endsAt" in posted
({'alertname': 'Drift', 'model': 'churn', 'severity': 'warning'}, '2026-12-08T03:00:00.000Z', False)
>>> [posted] = channel.payload(Notification("n-2", "alertmanager", "g", {},
...                                         (alert.with_end(start),)))
>>> posted["endsAt"]
'2026-12-08T03:00:00.000Z'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from driftscope.alerts.channels import _http
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    http_url,
    optional_secret,
    text_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels._text import rfc3339
from driftscope.alerts.channels.base import Channel, DeliveryError, Secret
from driftscope.alerts.model import Alert, Notification
from driftscope.errors import ConfigError

ALERTS_PATH = "/api/v2/alerts"
#: How often firing alerts are posted again unless told otherwise (Prometheus: 1 minute).
DEFAULT_RESEND_INTERVAL = timedelta(minutes=1)

_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def label_name(name: str) -> str:
    """``name`` as a valid Prometheus label name (other characters become ``_``).

    >>> label_name("feature.name"), label_name("2nd")
    ('feature_name', '_2nd')
    """
    if _LABEL_NAME.fullmatch(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if _LABEL_NAME.fullmatch(cleaned) else f"_{cleaned}"


class AlertmanagerChannel(Channel):
    """Posts alerts to an Alertmanager (see the module's text).

    ``url`` is Alertmanager's base URL (``http://alertmanager:9093``, a path prefix
    allowed); ``generator_url`` a link back to where the alert comes from (a dashboard);
    ``horizon`` (optional) how long a firing alert stays active without being re-sent;
    ``resend_interval`` how often the engine re-sends firing alerts; ``username`` and
    ``password`` (basic auth) or ``bearer_token`` when Alertmanager sits behind a proxy
    that asks for them. ``clock`` is for tests.

    >>> from datetime import UTC, datetime, timedelta
    >>> from driftscope.alerts.model import Alert, Notification
    >>> now = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    >>> channel = AlertmanagerChannel("http://127.0.0.1:9093", horizon=timedelta(minutes=5),
    ...                               clock=lambda: now)
    >>> firing = Notification("n-1", "alertmanager", "g", {}, (Alert.of("info", "Drift"),))
    >>> channel.payload(firing)[0]["endsAt"], channel.resend_interval < channel.horizon
    ('2026-12-08T03:05:00.000Z', True)
    """

    kind = "alertmanager"
    dedups = True

    def __init__(
        self,
        url: str,
        *,
        name: str | None = None,
        price_per_message: float = 0.0,
        generator_url: str | None = None,
        horizon: timedelta | None = None,
        resend_interval: timedelta = DEFAULT_RESEND_INTERVAL,
        username: str | None = None,
        password: Secret | str | None = None,
        bearer_token: Secret | str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.url = http_url(url, "url", self.kind).rstrip("/")
        self.generator_url = (
            None if generator_url is None else http_url(generator_url, "generator_url", self.kind)
        )
        for option, value in (("horizon", horizon), ("resend_interval", resend_interval)):
            if value is not None and (not isinstance(value, timedelta) or value <= timedelta(0)):
                raise ConfigError(f"{self.kind} channel: {option} must be a positive timedelta")
        if horizon is not None and resend_interval >= horizon:
            raise ConfigError(
                f"{self.kind} channel: resend_interval ({resend_interval}) must be shorter "
                f"than horizon ({horizon}), or firing alerts resolve between two sends"
            )
        self.horizon = horizon
        self.resend_interval = resend_interval
        if (username is None) != (password is None):
            raise ConfigError(f"{self.kind} channel: username and password go together")
        if password is not None and bearer_token is not None:
            raise ConfigError(f"{self.kind} channel: give a password or a bearer_token, not both")
        self.username = None if username is None else text_option(username, "username", self.kind)
        self.password = optional_secret(password, "password", self.kind)
        self.bearer_token = optional_secret(bearer_token, "bearer_token", self.kind)
        self.timeout = timeout_option(timeout, self.kind)
        self.verify = tls_context(verify, self.kind)
        self.clock = clock or (lambda: datetime.now(UTC))

    def payload(self, notification: Notification) -> list[dict[str, Any]]:
        """The list of alerts posted for ``notification``."""
        if notification.kind == "ticket":
            raise DeliveryError(
                f"{_http.where(self)}: Alertmanager takes alerts, not tickets; route tickets "
                "to a GitHub or Jira channel",
                retryable=False,
            )
        now = self.clock()
        return [self._alert(alert, now) for alert in notification.alerts]

    def _alert(self, alert: Alert, now: datetime) -> dict[str, Any]:
        annotations = {"summary": alert.title, "description": alert.message}
        annotations.update(alert.annotations)
        posted: dict[str, Any] = {
            "labels": {label_name(k): v for k, v in alert.labels.items()},
            "annotations": {label_name(k): v for k, v in annotations.items() if v},
            "startsAt": rfc3339(alert.starts_at),
        }
        if alert.ends_at is not None:
            posted["endsAt"] = rfc3339(alert.ends_at)
        elif self.horizon is not None:
            posted["endsAt"] = rfc3339(now + self.horizon)
        if self.generator_url:
            posted["generatorURL"] = self.generator_url
        return posted

    def send(self, notification: Notification) -> None:
        if notification.event == "acknowledge":
            return None
        headers = {}
        if self.bearer_token is not None:
            headers["Authorization"] = f"Bearer {self.bearer_token.reveal()}"
        auth = None
        if self.username is not None and self.password is not None:
            auth = (self.username, self.password.reveal())
        _http.post_json(
            self,
            self.url + ALERTS_PATH,
            self.payload(notification),
            timeout=self.timeout,
            verify=self.verify,
            headers=headers,
            auth=auth,
        )
        return None
