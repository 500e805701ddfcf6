"""HTTP for the triggers and the webhook rollback: one request with explicit timeouts,
and errors that say what the target answered without any secret. The caller names the
error class to raise (a trigger's :class:`~driftscope.response.triggers.base.TriggerError`,
a rollback's error).

>>> where("https://hooks.example.com/T0/B1/secret-token?key=abc")
'https://hooks.example.com'
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from driftscope.alerts.channels._http import redacted_urls
from driftscope.errors import DriftscopeError

#: Seconds to wait for a target by default (connect and each read).
TIMEOUT = 10.0
#: How much of a target's error answer a message quotes.
EXCERPT = 200


def where(url: str) -> str:
    """The scheme and host of ``url``: what a message may show of a URL that may embed a
    token in its path or query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def request(
    method: str,
    url: str,
    *,
    what: str,
    json_body: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    params: dict[str, Any] | None = None,
    timeout: float = TIMEOUT,
    verify: bool | str = True,
    shown: str | None = None,
    error: type[DriftscopeError] = DriftscopeError,
) -> httpx.Response:
    """Send one request; a connection failure or timeout is an ``error`` naming ``what``
    and ``shown`` (default: the url's scheme and host)."""
    place = shown or where(url)
    try:
        with (
            redacted_urls(),
            httpx.Client(timeout=timeout, verify=verify, follow_redirects=False) as client,
        ):
            return client.request(
                method,
                url,
                json=json_body,
                content=content,
                headers=headers,
                auth=auth,
                params=params,
            )
    except httpx.TimeoutException:
        raise error(f"{what}: {place} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise error(f"{what}: cannot reach {place} ({type(exc).__name__})") from None


def expect(
    response: httpx.Response,
    ok: tuple[int, ...],
    what: str,
    shown: str,
    error: type[DriftscopeError] = DriftscopeError,
) -> None:
    """An ``error`` unless the response's status is in ``ok``; the message
    quotes the start of the answer (a target's error text, not our request)."""
    if response.status_code in ok:
        return
    text = " ".join(response.text.split())[:EXCERPT]
    raise error(
        f"{what}: {shown} answered {response.status_code} {response.reason_phrase}"
        + (f": {text}" if text else "")
    )


def json_of(
    response: httpx.Response, what: str, error: type[DriftscopeError] = DriftscopeError
) -> dict[str, Any]:
    """The JSON object of a response ({} when it has no body); an ``error`` when the body
    is not a JSON object."""
    if not response.content:
        return {}
    try:
        data = response.json()
    except json.JSONDecodeError:
        raise error(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise error(f"{what}: the answer is not a JSON object")
    return data
