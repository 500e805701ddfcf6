"""Streaming drift detectors with River's interface and calibrated false-alarm rates.

Each detector watches one stream value by value: ``detector.update(x)``, then
``detector.drift_detected`` (and ``warning_detected`` for DDM, EDDM, HDDM_A and HDDM_W).
Parameter names and defaults are River's; ``update_many(values)`` feeds a whole array
through a compiled loop; ``Detector.calibrated(reference, ert=...)`` sets the threshold for
a false-alarm promise (:mod:`driftscope.stream.calibration`).

>>> import numpy as np
>>> from driftscope.stream import ADWIN
>>> rng = np.random.default_rng(42)
>>> stream = np.concatenate([rng.normal(0, 1, 1000), rng.normal(2, 1, 1000)])
>>> hits = ADWIN().update_many(stream)
>>> bool(1000 <= hits[0] < 1100)
True
"""

from __future__ import annotations

from driftscope.stream.adwin import ADWIN
from driftscope.stream.base import StreamDetector
from driftscope.stream.calibration import Calibration, calibrate
from driftscope.stream.ddm import DDM
from driftscope.stream.eddm import EDDM
from driftscope.stream.hddm_a import HDDM_A
from driftscope.stream.hddm_w import HDDM_W
from driftscope.stream.kswin import KSWIN
from driftscope.stream.page_hinkley import PageHinkley

__all__ = [
    "ADWIN",
    "DDM",
    "EDDM",
    "HDDM_A",
    "HDDM_W",
    "KSWIN",
    "Calibration",
    "PageHinkley",
    "StreamDetector",
    "calibrate",
]
