"""How many messages a channel may send per period, shared by every process on a store.

A :class:`RateLimit` is a sliding window: at most ``messages`` sends in any ``per``. The
sends of each channel are counted in one state record (kind ``"channel_rate"``, keyed by
the channel's name) that holds the times of the sends still inside the window; a worker
takes a slot with a compare-and-set on it before it sends, so several workers and
processes delivering from one store share one limit. When the window is full,
:meth:`RateLimit.reserve` says when the next slot frees, and the delivery worker
postpones the notification to then: a notification over the limit waits, it is neither
dropped nor counted as a failed attempt.

>>> import tempfile
>>> from datetime import UTC, datetime
>>> from driftscope.store import open_store
>>> limit = RateLimit.parse("2/min")
>>> t0 = datetime(2026, 12, 1, tzinfo=UTC)
>>> with open_store(tempfile.mkdtemp()) as store:
...     [limit.reserve(store, "slack", t0 + timedelta(seconds=s)) for s in (0, 10, 20)]
[None, None, datetime.datetime(2026, 12, 1, 0, 1, tzinfo=datetime.timezone.utc)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from driftscope.alerts.retry import duration
from driftscope.errors import ConfigError
from driftscope.store.state import StateRecord, StateStore

KIND = "channel_rate"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_TEXT = re.compile(r"^\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([a-z]+)\s*$")
#: Compare-and-set attempts on the window record before a worker backs off.
_TRIES = 50


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


@dataclass(frozen=True)
class RateLimit:
    """At most ``messages`` sends in any ``per`` (a timedelta or seconds) on one channel.

    >>> RateLimit.parse("1/s") == RateLimit(1, timedelta(seconds=1))
    True
    >>> RateLimit(0, 60)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: RateLimit.messages must be an int >= 1, got 0
    """

    messages: int
    per: timedelta = timedelta(seconds=1)

    def __post_init__(self) -> None:
        m = self.messages
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 100_000:
            raise ConfigError(f"RateLimit.messages must be an int >= 1, got {m!r}")
        object.__setattr__(self, "per", duration(self.per, "RateLimit.per"))

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """A limit written ``"<messages>/<period>"``: ``"1/s"``, ``"30/min"``,
        ``"100/hour"``, ``"5/10s"``, ``"1000/day"``."""
        match = _TEXT.match(text.lower()) if isinstance(text, str) else None
        word = match.group(3) if match else ""
        unit = _UNITS.get(word) or (len(word) > 3 and _UNITS.get(word.removesuffix("s")))
        if not match or not unit:
            raise ConfigError(
                f"a rate limit is written like '1/s', '30/min' or '100/hour', got {text!r}"
            )
        count = float(match.group(2)) if match.group(2) else 1.0
        return cls(int(match.group(1)), timedelta(seconds=count * unit))

    def reserve(self, store: StateStore, channel: str, now: datetime) -> datetime | None:
        """Take a slot for one send on ``channel`` at ``now``: None when taken, else the
        time the window next has room (nothing is taken then)."""
        start = _us(now - self.per)
        for _ in range(_TRIES):
            record = store.get_state(KIND, channel)
            sent = [] if record is None else list(record.body.get("sent", []))
            inside = sorted(t for t in sent if isinstance(t, int) and t > start)
            if len(inside) >= self.messages:
                oldest = inside[len(inside) - self.messages]
                return _EPOCH + oldest * _US + self.per
            updated = StateRecord(KIND, channel, "window", {"sent": [*inside, _us(now)]})
            version = 0 if record is None else record.version
            if store.put_state(updated, if_version=version) is not None:
                return None
        # many workers on the same channel at once: come back after one slot's share
        return now + self.per / self.messages
