"""What every channel is: a named way to deliver a :class:`~driftscope.alerts.model.Notification`.

A channel formats a notification for its receiver and sends it once, synchronously; it
does not retry (the outbox does) and keeps no state between sends. A failed send raises
:class:`DeliveryError`, saying whether trying again can help (a 5xx, a timeout, a refused
connection: yes; a 4xx that means the payload or the credentials are wrong: no). Secrets
(webhook URLs, routing keys, passwords) are held as :class:`Secret` and never appear in a
repr, an error or a log line.

>>> Secret("https://hooks.slack.com/services/T0/B0/xyz")
Secret('***')
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError, DriftscopeError


class DeliveryError(DriftscopeError):
    """A channel could not deliver a notification; ``retryable`` says whether trying again
    later can help, and ``retry_after`` (seconds, or None) how long the receiver asked to
    wait (an HTTP ``Retry-After``). The message says what the receiver answered and never
    holds a secret.

    >>> err = DeliveryError("slack channel 'ops': the receiver answered 429", retry_after=30)
    >>> err.retryable, err.retry_after
    (True, 30.0)
    """

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = None if retry_after is None else float(retry_after)


class Secret:
    """A secret value that prints as ``***``. ``Secret.from_env("SLACK_URL")`` reads an
    environment variable (a ConfigError naming the variable when it is unset or empty).

    >>> import os; os.environ["DS_DOC_KEY"] = "k-123"
    >>> key = Secret.from_env("DS_DOC_KEY"); key.reveal(), str(key)
    ('k-123', '***')
    """

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str = ""):
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"a secret{' from ' + source if source else ''} must be non-empty text"
            )
        self._value = value
        self.source = source

    @classmethod
    def from_env(cls, name: str) -> Secret:
        """The secret held by environment variable ``name`` (a ConfigError when it is unset)."""
        value = os.environ.get(name, "")
        if not value:
            raise ConfigError(f"environment variable {name} is not set (it holds a secret)")
        return cls(value, f"${name}")

    @classmethod
    def of(cls, value: Secret | str) -> Secret:
        """``value`` as a Secret (a Secret passes as it is)."""
        return value if isinstance(value, Secret) else cls(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:  # never pickled into a stored record
        raise TypeError("a Secret cannot be pickled")


class Channel(ABC):
    """A named channel. ``name`` is what ``send_alert(channels=[...])`` and routes use
    (default: the channel's ``kind``, e.g. ``"slack"``). ``price_per_message`` (USD) feeds
    the notification cost in ``cost_report()``. ``dedups`` says whether the receiver
    de-duplicates by the notification's ``dedup_key`` (then a message sent twice after a
    crash shows once). ``tickets`` says whether the channel takes investigation tickets.

    A channel of your own needs a ``kind`` and :meth:`send`:

    >>> from driftscope.alerts.model import Alert, Notification
    >>> class Printer(Channel):
    ...     kind = "printer"
    ...     def send(self, notification):
    ...         print(notification.title)
    >>> Printer().send(Notification("n-1", "printer", "g", {}, (Alert.of("critical", "Disk"),)))
    [CRITICAL] Disk
    >>> Printer(name="desk", price_per_message=0.01)
    Printer(name='desk')
    """

    kind: ClassVar[str] = ""
    dedups: ClassVar[bool] = False
    tickets: ClassVar[bool] = False

    def __init__(self, *, name: str | None = None, price_per_message: float = 0.0):
        self.name = name or self.kind
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"a channel name must be non-empty text, got {self.name!r}")
        if not isinstance(price_per_message, int | float) or price_per_message < 0:
            raise ConfigError(f"price_per_message must be a number >= 0, got {price_per_message!r}")
        self.price_per_message = float(price_per_message)

    @abstractmethod
    def send(self, notification: Notification) -> dict[str, Any] | None:
        """Deliver once; raise :class:`DeliveryError` when it did not arrive.

        A channel whose receiver creates something (an issue, a ticket) returns what it
        created, e.g. ``{"id": "OPS-12", "url": "https://..."}``; the others return None.
        """

    def secrets(self) -> tuple[Secret, ...]:
        """The secrets this channel holds (attributes that are :class:`Secret`, also inside
        a mapping or a tuple), so that a caller storing an error text can scrub them."""
        found: list[Secret] = []
        for value in vars(self).values():
            if isinstance(value, Mapping):
                items = list(value.values())
            else:
                items = list(value) if isinstance(value, tuple | list) else [value]
            found.extend(v for v in items if isinstance(v, Secret))
        return tuple(found)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
