"""The alert manager's channels by name; with none given, the console (standard error),
so a first ``send_alert`` shows something."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftscope.alerts.channels.base import Channel
from driftscope.alerts.channels.console import ConsoleChannel
from driftscope.errors import ConfigError


def channel_table(given: Any) -> tuple[dict[str, Channel], bool]:
    """Channels by name from a list or mapping of channels (names must be unique), and
    whether it is the fallback (nothing given: one console channel).

    >>> table, fallback = channel_table(None)
    >>> list(table), fallback
    (['console'], True)
    """
    if given is None:
        return {"console": ConsoleChannel()}, True
    if isinstance(given, Mapping):
        for name, channel in given.items():
            if isinstance(channel, Channel) and channel.name != name:
                raise ConfigError(
                    f"channels[{name!r}] is named {channel.name!r}: use the same name"
                )
        items = list(given.values())
    elif isinstance(given, str) or not hasattr(given, "__iter__"):
        raise ConfigError(f"channels must be a list of channels, got {type(given).__name__}")
    else:
        items = list(given)
    found: dict[str, Channel] = {}
    for channel in items:
        if not isinstance(channel, Channel):
            raise ConfigError(f"channels must be Channel objects, got {channel!r}")
        if channel.name in found:
            raise ConfigError(f"two channels are named {channel.name!r}: give one of them name=...")
        found[channel.name] = channel
    if not found:
        return {"console": ConsoleChannel()}, True
    return found, False
