"""The rows a read asks for, in one shape for both stores: ``since <= timestamp < until``
(UTC) and optionally one model version.

The embedded store compares microseconds since the epoch (segment statistics and Arrow
columns); PostgreSQL binds the datetimes. Both read the same object.

>>> from datetime import datetime, UTC
>>> span = ReadSpan.of(datetime(2026, 11, 1, tzinfo=UTC), None, "v2")
>>> span.since_us, span.until_us, span.model_version
(1793491200000000, None, 'v2')
>>> span.meets(0, 1793491199999999)
False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from driftscope.errors import ConfigError
from driftscope.store.base import utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of a timezone-aware datetime.

    >>> to_us(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
    1000000
    """
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """The UTC datetime ``us`` microseconds after the epoch (the inverse of :func:`to_us`).

    >>> from_us(1_500_000).isoformat()
    '1970-01-01T00:00:01.500000+00:00'
    """
    return datetime.fromtimestamp(us // 1_000_000, UTC).replace(microsecond=us % 1_000_000)


@dataclass(frozen=True)
class ReadSpan:
    """``since <= timestamp < until`` (either open) and an optional model version.

    >>> ReadSpan.of(None, None).meets(0, 10), ReadSpan.of(None, None, None).model_version
    (True, None)
    """

    since: datetime | None = None
    until: datetime | None = None
    model_version: str | None = None

    @classmethod
    def of(
        cls, since: datetime | None, until: datetime | None, model_version: str | None = None
    ) -> ReadSpan:
        """A span from a caller's arguments: times checked and made UTC, the version checked."""
        if model_version is not None and not isinstance(model_version, str):
            raise ConfigError(f"model_version must be a string or None, got {model_version!r}")
        return cls(utc(since, "since"), utc(until, "until"), model_version)

    @property
    def since_us(self) -> int | None:
        return None if self.since is None else to_us(self.since)

    @property
    def until_us(self) -> int | None:
        return None if self.until is None else to_us(self.until)

    def meets(self, low: int, high: int) -> bool:
        """Whether timestamps ``low..high`` (microseconds, inclusive) reach into the span."""
        since, until = self.since_us, self.until_us
        return (since is None or high >= since) and (until is None or low < until)
