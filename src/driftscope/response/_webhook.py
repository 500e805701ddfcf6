"""A webhook the response posts to (the retraining webhook, the rollback webhook): its url,
treated as a secret since webhook urls often hold a token (only the scheme and host are
ever shown), the secret that signs each request (:mod:`driftscope.response.signing`),
extra headers (their values kept as secrets too) and a timeout.

>>> hook = SignedWebhook("WebhookTrigger", "https://ml.example.com/hooks?key=abc", secret="s")
>>> hook.shown, hook.url
('https://ml.example.com', Secret('***'))
>>> SignedWebhook("WebhookRollback", "deploy.example.com")
Traceback (most recent call last):
...
driftscope.errors.ConfigError: WebhookRollback url must be an http(s) URL
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftscope.alerts.channels import Secret
from driftscope.errors import ConfigError, DriftscopeError
from driftscope.response import _http
from driftscope.response.signing import signed_headers


class SignedWebhook:
    """``url`` (a :class:`Secret` or text), ``secret`` (None: requests are not signed),
    ``headers`` and ``timeout`` (seconds) of a webhook; ``owner`` names the class whose
    option is at fault in a ConfigError."""

    def __init__(
        self,
        owner: str,
        url: Secret | str,
        *,
        secret: Secret | str | None = None,
        headers: Mapping[str, Secret | str] | None = None,
        timeout: float = _http.TIMEOUT,
    ):
        self.url = Secret.of(url)
        if not self.url.reveal().startswith(("http://", "https://")):
            raise ConfigError(f"{owner} url must be an http(s) URL")
        self.secret = None if secret is None else Secret.of(secret)
        self.headers = {str(k): Secret.of(v) for k, v in (headers or {}).items()}
        self.timeout = timeout

    @property
    def shown(self) -> str:
        """What a message or a repr shows of the url: its scheme and host."""
        return _http.where(self.url.reveal())

    def plain_headers(self) -> dict[str, str]:
        """The extra headers as they are sent."""
        return {k: v.reveal() for k, v in self.headers.items()}

    def post(
        self,
        payload: Mapping[str, Any],
        *,
        what: str,
        idempotency_key: str,
        error: type[DriftscopeError],
    ) -> dict[str, Any]:
        """POST ``payload`` as JSON (signed when there is a secret); the JSON object
        answered ({} for none). Anything but a 2xx is an ``error`` naming ``what``."""
        body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
        sent = {
            **self.plain_headers(),
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
            **(signed_headers(self.secret, body) if self.secret is not None else {}),
        }
        response = _http.request(
            "POST",
            self.url.reveal(),
            what=what,
            content=body,
            headers=sent,
            timeout=self.timeout,
            shown=self.shown,
            error=error,
        )
        if not 200 <= response.status_code < 300:
            _http.expect(response, (), what, self.shown, error)
        try:
            return _http.json_of(response, what, error)
        except error:
            return {}  # a 2xx with a body that is not a JSON object: accepted, nothing to keep
