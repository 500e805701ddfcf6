"""Streaming drift detectors with River's interface and calibrated false-alarm rates."""

from __future__ import annotations

from driftscope.stream.base import StreamDetector

__all__ = ["StreamDetector"]
