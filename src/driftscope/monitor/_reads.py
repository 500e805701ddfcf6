"""The arithmetic behind a monitor's reads: which time span a read asks for, how old a
record must be to archive, reading through a store outage, and which output concept
drift judges. :class:`~driftscope.monitor.ModelMonitor`'s read methods call these.

>>> from datetime import timedelta
>>> retention_age(2, None)
datetime.timedelta(days=2)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from driftscope.errors import ConfigError, StoreError, StoreUnavailableError
from driftscope.monitor.clock import to_datetime

if TYPE_CHECKING:
    import pandas as pd


def read_since(days: Any, hours: Any, since: datetime | None) -> datetime:
    """The start of a read: ``since``, else now minus ``days`` + ``hours`` (default 7 days).

    >>> read_since(None, None, datetime(2026, 11, 1, tzinfo=UTC)).day
    1
    >>> read_since(-1, None, None)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: days must be a number >= 0, got -1
    """
    moment = to_datetime(since, "since")
    if moment is not None:
        return moment
    for name, value in (("days", days), ("hours", hours)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            raise ConfigError(f"{name} must be a number >= 0, got {value!r}")
    if days is None and hours is None:
        days = 7
    return datetime.now(UTC) - timedelta(days=days or 0, hours=hours or 0)


def flush_for_read(flush: Callable[[], None]) -> None:
    """Flush so that what was logged is read too; through an outage or after dropped
    records, warn and read what the store holds."""
    try:
        flush()
    except StoreUnavailableError as exc:  # an outage: the stored records may still be read
        warnings.warn(
            f"{exc}; reading what the store holds without them", RuntimeWarning, stacklevel=3
        )
    except StoreError as exc:  # records were dropped: read what is there
        warnings.warn(str(exc), RuntimeWarning, stacklevel=3)


def retention_age(older_than: Any, default: timedelta | None) -> timedelta:
    """``older_than`` (a timedelta or a number of days; default ``default``) as a timedelta."""
    if older_than is None:
        older_than = default
        if older_than is None:
            raise ConfigError("apply_retention needs older_than=, or ModelMonitor(retention=...)")
    if isinstance(older_than, int | float) and not isinstance(older_than, bool):
        older_than = timedelta(days=older_than)
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise ConfigError(f"older_than must be a timedelta >= 0, got {older_than!r}")
    return older_than


def judged_output(frame: pd.DataFrame, prediction_column: str) -> pd.DataFrame:
    """``frame`` with ``prediction_column`` as its ``prediction`` (the output concept drift
    judges when the prediction is a mapping, e.g. ``"prediction.label"``).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"prediction.label": [1], "prediction.score": [0.8]})
    >>> list(judged_output(frame, "prediction.label").columns)
    ['prediction', 'prediction.score']
    """
    if prediction_column not in frame.columns:
        raise ConfigError(
            f"prediction_column {prediction_column!r} is not among the logged columns "
            f"{[c for c in frame.columns if c.startswith('prediction')]}"
        )
    if prediction_column == "prediction":
        return frame
    frame = frame.drop(columns=["prediction"], errors="ignore")
    return frame.rename(columns={prediction_column: "prediction"})
