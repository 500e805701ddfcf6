"""What the commands that read stored results share: ``--store`` and ``--since``/``--until``
read as UTC times (the store itself is opened by :mod:`driftscope.cli._store`).

>>> parse_moment("2025-06-12", "--since").isoformat()
'2025-06-12T00:00:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from driftscope.errors import ConfigError

store_option = click.option(
    "--store",
    "location",
    default=None,
    help="Store folder, or PostgreSQL URL or 'host=… dbname=…' connection string "
    "(default: $DRIFTSCOPE_HOME or ./.driftscope).",
)
since_option = click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="Start: a date (2025-06-01, UTC) or an ISO 8601 time with its zone; windows that "
    "start then or later.",
)
until_option = click.option(
    "--until",
    default=None,
    metavar="DATE",
    help="End (excluded): a date or an ISO 8601 time with its zone; windows that start before it.",
)


def parse_moment(text: str | None, option: str) -> datetime | None:
    """``text`` as a UTC time: a date is its midnight UTC; a time must carry its zone.

    >>> parse_moment("2025-06-12T08:00:00+02:00", "--until").isoformat()
    '2025-06-12T06:00:00+00:00'
    >>> parse_moment("2025-06-12T08:00", "--until")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: --until must carry a time zone (e.g. 2025-06-12T08:00+00:00) ...
    """
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{option} must be a date (2025-06-01) or an ISO 8601 time, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        if len(text.strip()) > 10:
            raise ConfigError(f"{option} must carry a time zone (e.g. {text}+00:00) or be a date")
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``--since`` and ``--until`` as UTC times; ``until`` must come after ``since``.

    >>> parse_period("2025-06-02", "2025-06-01")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: --until (2025-06-01) must be after --since (2025-06-02)
    """
    start, end = parse_moment(since, "--since"), parse_moment(until, "--until")
    if start is not None and end is not None and end <= start:
        raise ConfigError(f"--until ({until}) must be after --since ({since})")
    return start, end
