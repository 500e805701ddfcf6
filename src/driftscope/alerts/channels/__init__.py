"""Channels: one module per receiver, each a
:class:`~driftscope.alerts.channels.base.Channel`."""

from driftscope.alerts.channels.base import Channel, DeliveryError, Secret

__all__ = ["Channel", "DeliveryError", "Secret"]
