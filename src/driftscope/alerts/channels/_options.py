"""Checks of the options every channel shares, each raising a ConfigError that names the
channel and the option (and never quotes a secret).

>>> secret_option("k-1", "routing_key", "pagerduty")
Secret('***')
>>> timeout_option(0, "slack")
Traceback (most recent call last):
...
driftscope.errors.ConfigError: slack channel: timeout must be a number of seconds > 0, got 0
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from urllib.parse import urlsplit

from driftscope.alerts.channels.base import Secret
from driftscope.errors import ConfigError

#: Seconds a channel waits for its receiver unless told otherwise.
DEFAULT_TIMEOUT = 10.0

#: What ``verify`` accepts: True (the system's CAs), False (no check: tests only), a path
#: to a CA bundle, or an :class:`ssl.SSLContext`.
Verify = bool | str | ssl.SSLContext


def secret_option(value: object, option: str, kind: str) -> Secret:
    """``value`` (a :class:`Secret` or a non-empty string) as a Secret."""
    if isinstance(value, Secret):
        return value
    if isinstance(value, str) and value:
        return Secret(value)
    shown = "None" if value is None else type(value).__name__
    raise ConfigError(
        f"{kind} channel: {option} must be a non-empty string or a Secret, got {shown}"
    )


def optional_secret(value: object, option: str, kind: str) -> Secret | None:
    return None if value is None else secret_option(value, option, kind)


def text_option(value: object, option: str, kind: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{kind} channel: {option} must be non-empty text, got {value!r}")
    return value.strip()


def texts_option(value: object, option: str, kind: str) -> tuple[str, ...]:
    """A string or a sequence of strings, as a tuple (may be empty)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, bytes):
        raise ConfigError(f"{kind} channel: {option} must be a list of strings, got {value!r}")
    items = list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{kind} channel: {option} must hold non-empty strings, got {item!r}")
    return tuple(item.strip() for item in items)


def http_url(value: str, option: str, kind: str, *, secret: bool = False) -> str:
    """``value`` when it is an absolute http(s) URL; the error quotes it unless ``secret``."""
    shown = "" if secret else f", got {value!r}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        raise ConfigError(f"{kind} channel: {option} is not a valid URL{shown}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{kind} channel: {option} must be an http(s) URL{shown}")
    return value


def timeout_option(value: object, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{kind} channel: timeout must be a number of seconds > 0, got {value!r}")
    return float(value)


def count_option(value: object, option: str, kind: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"{kind} channel: {option} must be a whole number from {low} to {high}, got {value!r}"
        )
    return value


def tls_context(verify: object, kind: str) -> ssl.SSLContext | bool:
    """What ``verify`` means: an SSL context (a CA bundle's path becomes one), or a bool."""
    if isinstance(verify, ssl.SSLContext | bool):
        return verify
    if isinstance(verify, str) and verify:
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"{kind} channel: verify names a CA bundle that cannot be read: {verify} ({exc})"
            ) from None
    raise ConfigError(
        f"{kind} channel: verify must be True, False, a CA bundle path or an ssl.SSLContext, "
        f"got {verify!r}"
    )
