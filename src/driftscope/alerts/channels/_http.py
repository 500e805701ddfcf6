"""One HTTP request for a channel: explicit timeouts, the answer sorted into success or a
:class:`~driftscope.alerts.channels.base.DeliveryError` that says whether to retry, and
nothing secret in what is raised or logged.

Retryable: a 5xx, 408, 429, a timeout, a refused or broken connection. Not retryable: any
other 4xx or 3xx (the payload, the URL or the credentials are wrong: trying again cannot
help), a URL that cannot be used, a TLS certificate that does not verify. The error quotes
the start of the receiver's answer with every secret the channel holds replaced by
``***``, and ``retry_after`` carries the receiver's ``Retry-After``.

httpx logs every request at INFO with its full URL, and a webhook's URL is its secret: while
a channel sends, that log line shows only the URL's scheme and host.

>>> scrub("bad key k-123 in /services/k-123", ["k-123"])
'bad key *** in /services/***'
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from driftscope._version import __version__
from driftscope.alerts.channels.base import Channel, DeliveryError, Secret
from driftscope.errors import printable

USER_AGENT = f"driftscope/{__version__}"

#: How much of a receiver's answer an error quotes.
EXCERPT_CHARS = 300
#: A secret URL's path, query, path segment or query value this long or longer is scrubbed
#: on its own too (the token in a webhook URL is one of them).
MIN_SECRET_PART = 16

_REDACTING: ContextVar[bool] = ContextVar("driftscope_redacting_urls", default=False)


class _RedactUrls(logging.Filter):
    """Shows only scheme and host of the URL in httpx's request log line while a channel
    sends (other code's httpx requests are logged as before)."""

    driftscope_redacts_urls = True

    def filter(self, record: logging.LogRecord) -> bool:
        if _REDACTING.get() and isinstance(record.args, tuple):
            record.args = tuple(_origin(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


def _origin(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}/…"


def _install_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(getattr(f, "driftscope_redacts_urls", False) for f in logger.filters):
        logger.addFilter(_RedactUrls())


@contextmanager
def redacted_urls() -> Iterator[None]:
    """While inside, httpx's request log lines show a URL's scheme and host only (a
    webhook URL or a query may carry a token)."""
    _install_redaction()
    token = _REDACTING.set(True)
    try:
        yield
    finally:
        _REDACTING.reset(token)


def _forms(value: str) -> set[str]:
    """The ways a secret can show up: as it is, URL-quoted, and, for a URL, its path, its
    query, and their long parts (a receiver or a proxy may quote what it was asked for)."""
    forms = {value, quote(value, safe=""), quote(value)}
    if "://" in value:
        parts = urlsplit(value)
        pieces = [parts.path, parts.query, *parts.path.split("/")]
        pieces += [v for _, v in parse_qsl(parts.query)]
        forms.update(p for p in pieces if len(p) >= MIN_SECRET_PART)
    return {f for f in forms if f}


def scrub(text: str, secrets: Iterable[Secret | str]) -> str:
    """``text`` with each secret (also URL-quoted, and a secret URL's path and query)
    replaced by ``***``."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= _forms(secret.reveal() if isinstance(secret, Secret) else secret)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def where(channel: Channel) -> str:
    """How errors name a channel: ``slack channel 'ops'``."""
    return f"{channel.kind} channel {channel.name!r}"


def request(
    channel: Channel,
    method: str,
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    verify: ssl.SSLContext | bool = True,
    auth: tuple[str, str] | None = None,
    retryable: Callable[[httpx.Response], bool] | None = None,
) -> httpx.Response:
    """Send one request and return the 2xx response; raise DeliveryError otherwise.

    ``retryable(response)`` may mark a 4xx answer as retryable (GitHub's rate limit is a
    403). The channel's :meth:`~Channel.secrets` and ``auth`` are scrubbed from errors.
    """
    secrets: list[Secret | str] = list(channel.secrets())
    if auth is not None:
        secrets.append(auth[1])
        secrets.append(base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    all_headers = {"User-Agent": USER_AGENT, **headers}
    try:
        with (
            redacted_urls(),
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                verify=verify,
                follow_redirects=False,
                trust_env=True,
            ) as client,
        ):
            response = client.request(method, url, content=body, headers=all_headers, auth=auth)
    except httpx.TimeoutException as exc:
        raise DeliveryError(
            f"{where(channel)}: no answer within {timeout:g} s ({type(exc).__name__})",
            retryable=True,
        ) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise DeliveryError(
            f"{where(channel)}: the URL cannot be used ({type(exc).__name__})", retryable=False
        ) from None
    except httpx.TransportError as exc:
        raise _transport_error(channel, exc, secrets) from None
    if 200 <= response.status_code < 300:
        return response
    raise answer_error(channel, response, secrets, retryable=retryable)


def _transport_error(
    channel: Channel, exc: Exception, secrets: list[Secret | str]
) -> DeliveryError:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = printable(scrub(str(cause.verify_message or cause), secrets))
            return DeliveryError(
                f"{where(channel)}: the receiver's TLS certificate does not verify ({detail}); "
                "give verify= a CA bundle or an ssl.SSLContext that trusts it",
                retryable=False,
            )
        cause = cause.__cause__ or cause.__context__
    detail = printable(scrub(str(exc), secrets))[:EXCERPT_CHARS]
    return DeliveryError(
        f"{where(channel)}: could not reach the receiver ({type(exc).__name__}: {detail})",
        retryable=True,
    )


def answer_error(
    channel: Channel,
    response: httpx.Response,
    secrets: Iterable[Secret | str],
    *,
    retryable: Callable[[httpx.Response], bool] | None = None,
) -> DeliveryError:
    """The DeliveryError for a receiver's non-2xx ``response``."""
    status = response.status_code
    again = status >= 500 or status in (408, 429) or bool(retryable and retryable(response))
    excerpt = printable(scrub(response.text.strip(), secrets))
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = excerpt[:EXCERPT_CHARS] + "…"
    reason = response.reason_phrase or ""
    said = f": {excerpt}" if excerpt else ""
    return DeliveryError(
        f"{where(channel)}: the receiver answered {status} {reason}".rstrip() + said,
        retryable=again,
        retry_after=retry_after(response.headers.get("retry-after")) if again else None,
    )


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), None when absent.

    >>> retry_after("120"), retry_after(None), retry_after("soon")
    (120.0, None, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def post_json(
    channel: Channel,
    url: str,
    payload: Any,
    *,
    timeout: float,
    verify: ssl.SSLContext | bool = True,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    retryable: Callable[[httpx.Response], bool] | None = None,
) -> httpx.Response:
    """POST ``payload`` as compact UTF-8 JSON."""
    return request(
        channel,
        "POST",
        url,
        body=json_bytes(payload),
        headers={"Content-Type": "application/json", **(headers or {})},
        timeout=timeout,
        verify=verify,
        auth=auth,
        retryable=retryable,
    )


def json_bytes(payload: Any) -> bytes:
    """The exact bytes sent for ``payload``: compact JSON, keys in order, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object a receiver answered, {} when the body is not one (a 2xx answer is a
    delivery even when its body is not the JSON expected)."""
    try:
        answered = response.json()
    except ValueError:
        return {}
    return answered if isinstance(answered, dict) else {}
