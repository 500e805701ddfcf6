"""When the outbox tries a failed notification again, and when it gives up.

A :class:`RetryPolicy` is exponential backoff with jitter: the n-th retry waits about
``first_delay * factor ** (n - 1)``, capped at ``max_delay``, so a receiver that is down
is asked less and less often, and several workers that failed at the same moment do not
come back together. A notification still undelivered ``dead_after`` after it was
enqueued is dead-lettered (its last attempt is made at that age, whatever the backoff).
``lease`` is how long a worker keeps a notification it took for itself: another worker
takes it only once the lease has run out (the first worker died), so it must be well
above the time one send can take (channels time out after seconds).

Jitter: ``"equal"`` (the default) waits half the backoff plus a random share of the
other half, so a retry never comes much sooner than planned (a receiver that is down is
not hammered); ``"full"`` waits a random share of all of it (spreads best, may retry at
once); ``"none"`` waits exactly the backoff.

>>> import random
>>> policy = RetryPolicy(first_delay=5, factor=2, max_delay=600, jitter="none")
>>> [policy.delay(n).total_seconds() for n in (1, 2, 3, 10)]
[5.0, 10.0, 20.0, 600.0]
>>> d = RetryPolicy().delay(3, random.Random(1)).total_seconds()
>>> 10.0 <= d <= 20.0
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from driftscope.errors import ConfigError

Jitter = Literal["equal", "full", "none"]
_JITTERS = ("equal", "full", "none")


def duration(value: Any, name: str) -> timedelta:
    """``value`` (a timedelta or a number of seconds) as a positive timedelta; a
    ConfigError naming ``name`` otherwise.

    >>> duration(1.5, "lease"), duration(timedelta(minutes=1), "lease")
    (datetime.timedelta(seconds=1, microseconds=500000), datetime.timedelta(seconds=60))
    """
    if isinstance(value, timedelta):
        out = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        if abs(value) > 10**9:
            raise ConfigError(f"{name} must be a duration below 10**9 seconds, got {value!r}")
        out = timedelta(seconds=value)
    else:
        raise ConfigError(f"{name} must be a timedelta or a number of seconds, got {value!r}")
    if out <= timedelta(0):
        raise ConfigError(f"{name} must be positive, got {value!r}")
    return out


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff, jitter, dead-lettering age and lease of the outbox (see the module).

    Durations are timedeltas or numbers of seconds.

    >>> RetryPolicy(dead_after=3600).to_dict()["dead_after"]
    3600.0
    >>> RetryPolicy(factor=0.5)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: RetryPolicy.factor must be a number between 1 and 100, got 0.5
    """

    first_delay: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    max_delay: timedelta = timedelta(minutes=10)
    jitter: Jitter = "equal"
    dead_after: timedelta = timedelta(hours=24)
    lease: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        for name in ("first_delay", "max_delay", "dead_after", "lease"):
            object.__setattr__(self, name, duration(getattr(self, name), f"RetryPolicy.{name}"))
        factor = self.factor
        if (
            isinstance(factor, bool)
            or not isinstance(factor, int | float)
            or not 1 <= factor <= 100
        ):
            raise ConfigError(
                f"RetryPolicy.factor must be a number between 1 and 100, got {factor!r}"
            )
        object.__setattr__(self, "factor", float(factor))
        if self.max_delay < self.first_delay:
            raise ConfigError(
                f"RetryPolicy.max_delay ({self.max_delay}) must not be below "
                f"first_delay ({self.first_delay})"
            )
        if self.jitter not in _JITTERS:
            raise ConfigError(
                f"RetryPolicy.jitter must be one of {', '.join(_JITTERS)}, got {self.jitter!r}"
            )

    def backoff(self, failures: int) -> timedelta:
        """The wait after ``failures`` failed attempts (1 for the first), before jitter."""
        if failures < 1:
            raise ConfigError(f"failures must be at least 1, got {failures!r}")
        seconds = self.first_delay.total_seconds()
        cap = self.max_delay.total_seconds()
        for _ in range(failures - 1 if self.factor > 1 else 0):
            seconds *= self.factor
            if seconds >= cap:
                break
        return timedelta(seconds=min(seconds, cap))

    def delay(self, failures: int, rng: random.Random | None = None) -> timedelta:
        """The wait after ``failures`` failed attempts, jittered with ``rng`` (a fresh
        generator when None; give a seeded one for a repeatable sequence)."""
        base = self.backoff(failures)
        if self.jitter == "none":
            return base
        share = (rng or random.Random()).random()
        if self.jitter == "full":
            return base * share
        return base / 2 + (base / 2) * share

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, durations in seconds (:meth:`from_dict` reads it back)."""
        return {
            "first_delay": self.first_delay.total_seconds(),
            "factor": self.factor,
            "max_delay": self.max_delay.total_seconds(),
            "jitter": self.jitter,
            "dead_after": self.dead_after.total_seconds(),
            "lease": self.lease.total_seconds(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetryPolicy:
        """The policy :meth:`to_dict` wrote (unknown keys are a ConfigError)."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"RetryPolicy has no field {sorted(unknown)[0]!r}")
        return cls(**data)
