"""A generic JSON webhook, signed with HMAC-SHA256 so the receiver can tell it came from
you and was not replayed.

The body is the notification's :meth:`~driftscope.alerts.model.Notification.to_dict` plus
``status`` (firing or resolved), ``severity``, ``title`` and ``dedup_key``, as compact
UTF-8 JSON. Every request carries ``Idempotency-Key: <notification id>`` (the same on a
retry, so a receiver can drop a second copy). With a ``secret`` it also carries::

    X-Driftscope-Timestamp: <unix seconds>
    X-Driftscope-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>

where ``<body>`` is the exact bytes sent. A receiver checks it with
:func:`verify_signature` (constant-time, and rejecting a timestamp more than five minutes
away, which stops replays), or in any language by recomputing the HMAC over the
timestamp header, a dot and the raw body.

``headers`` adds headers to each request (an ``Authorization`` token, say); their values
are kept as secrets.

>>> body = b'{"status":"firing"}'
>>> signature = sign("s3cret", 1765000000, body)
>>> signature[:7], verify_signature("s3cret", "1765000000", body, signature, now=1765000100)
('sha256=', True)
>>> verify_signature("s3cret", "1765000000", body + b" ", signature, now=1765000100)
False
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

from driftscope.alerts.channels import _http
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    http_url,
    optional_secret,
    secret_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels.base import Channel, Secret
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError

TIMESTAMP_HEADER = "X-Driftscope-Timestamp"
SIGNATURE_HEADER = "X-Driftscope-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Seconds a signed request stays valid either side of the receiver's clock.
DEFAULT_TOLERANCE = 300.0

_RESERVED = {h.lower() for h in (TIMESTAMP_HEADER, SIGNATURE_HEADER, IDEMPOTENCY_HEADER)} | {
    "content-type",
    "content-length",
}


def _secret_bytes(secret: Secret | str | bytes) -> bytes:
    if isinstance(secret, Secret):
        return secret.reveal().encode()
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def sign(secret: Secret | str | bytes, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``f"{timestamp}.".encode() + body``."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: Secret | str | bytes,
    timestamp: str | int,
    body: bytes,
    signature: str,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True when ``signature`` (the ``X-Driftscope-Signature`` header) signs ``body`` (the
    raw request body) at ``timestamp`` (the ``X-Driftscope-Timestamp`` header) with
    ``secret``, and the timestamp is within ``tolerance`` seconds of ``now`` (default: the
    clock). The comparison takes the same time whatever the signature, so it leaks
    nothing; a malformed timestamp or signature is simply False.
    """
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    expected = sign(secret, sent_at, body)
    return hmac.compare_digest(expected.encode(), str(signature).strip().encode())


class WebhookChannel(Channel):
    """POSTs the notification as JSON to ``url`` (see the module's text), signed when
    ``secret`` is set. ``clock`` (seconds since the epoch) is for tests.

    >>> from driftscope.alerts.model import Alert, Notification
    >>> channel = WebhookChannel("https://hooks.example.com/drift", secret="s3cret")
    >>> n = Notification("n-7", "webhook", "g", {}, (Alert.of("info", "Drift"),))
    >>> body, headers = channel.request(n, timestamp=1765000000)
    >>> headers["Idempotency-Key"], verify_signature(
    ...     "s3cret", headers["X-Driftscope-Timestamp"], body,
    ...     headers["X-Driftscope-Signature"], now=1765000000)
    ('n-7', True)
    """

    kind = "webhook"

    def __init__(
        self,
        url: str,
        *,
        secret: Secret | str | None = None,
        headers: Mapping[str, Secret | str] | None = None,
        name: str | None = None,
        price_per_message: float = 0.0,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
        clock: Callable[[], float] | None = None,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.url = http_url(url, "url", self.kind)
        self.secret = optional_secret(secret, "secret", self.kind)
        self.headers: dict[str, Secret] = {}
        for key, value in (headers or {}).items():
            if not isinstance(key, str) or not key.strip() or key.lower() in _RESERVED:
                raise ConfigError(
                    f"{self.kind} channel: headers cannot set {key!r} (it is set by the channel)"
                )
            self.headers[key.strip()] = secret_option(value, f"headers[{key!r}]", self.kind)
        self.timeout = timeout_option(timeout, self.kind)
        self.verify = tls_context(verify, self.kind)
        self.clock = clock or time.time

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The JSON document sent for ``notification``."""
        return {
            **notification.to_dict(),
            "status": notification.status,
            "severity": notification.severity.value,
            "title": notification.title,
            "dedup_key": notification.dedup_key,
        }

    def request(
        self, notification: Notification, *, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The exact body and the headers sent for ``notification``."""
        body = _http.json_bytes(self.payload(notification))
        headers = {k: v.reveal() for k, v in self.headers.items()}
        headers.update({"Content-Type": "application/json", IDEMPOTENCY_HEADER: notification.id})
        if self.secret is not None:
            stamp = int(self.clock()) if timestamp is None else int(timestamp)
            headers[TIMESTAMP_HEADER] = str(stamp)
            headers[SIGNATURE_HEADER] = sign(self.secret, stamp, body)
        return body, headers

    def send(self, notification: Notification) -> None:
        body, headers = self.request(notification)
        _http.request(
            self,
            "POST",
            self.url,
            body=body,
            headers=headers,
            timeout=self.timeout,
            verify=self.verify,
        )
        return None
