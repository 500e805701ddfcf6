"""Calibrated detectors keep their false-alarm promise on fresh stationary streams."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from driftscope.errors import ConfigError, DataError

DETECTORS = {
    "ADWIN": "adwin",
    "KSWIN": "kswin",
    "PageHinkley": "page_hinkley",
    "DDM": "ddm",
    "EDDM": "eddm",
    "HDDM_A": "hddm_a",
    "HDDM_W": "hddm_w",
}


def _cls(name):
    return getattr(importlib.import_module(f"driftscope.stream.{DETECTORS[name]}"), name)


def _stream(cls, rng, n, shift=0.0):
    if cls.binary:
        return (rng.random(n) < 0.1 + shift).astype(float)
    return rng.normal(shift, 1.0, n)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DETECTORS))
def test_calibrated_ert_holds_on_fresh_streams(name):
    cls = _cls(name)
    ert, fresh, length = 1000, 12, 10_000
    for seed in range(3):
        rng = np.random.default_rng(seed)
        detector = cls.calibrated(_stream(cls, rng, 5000), ert=ert, seed=seed)
        assert detector.calibration_.parameter in detector._params()
        alarms = sum(
            len(detector.clone().update_many(_stream(cls, rng, length))) for _ in range(fresh)
        )
        promised = fresh * length / ert  # at most this many alarms on average
        assert alarms <= promised + 3 * np.sqrt(promised), (seed, alarms, detector)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DETECTORS))
def test_calibrated_rate_per_window_holds_on_fresh_streams(name):
    cls = _cls(name)
    rate, window, fresh = 0.05, 300, 600
    rng = np.random.default_rng(11)
    detector = cls.calibrated(_stream(cls, rng, 5000), false_alarm_rate=rate, window=window)
    hits = sum(
        bool(len(detector.clone().update_many(_stream(cls, rng, window)))) for _ in range(fresh)
    )
    assert hits / fresh <= rate + 3 * np.sqrt(rate * (1 - rate) / fresh), (hits, detector)


@pytest.mark.parametrize("name", ["PageHinkley", "KSWIN", "HDDM_A"])
def test_calibrated_detectors_still_find_real_changes(name):
    cls = _cls(name)
    rng = np.random.default_rng(5)
    detector = cls.calibrated(_stream(cls, rng, 5000), ert=10_000)
    shift = 0.2 if cls.binary else 1.0  # error rate 10 % -> 30 %, or a 1 sigma mean shift
    stream = np.concatenate([_stream(cls, rng, 2000), _stream(cls, rng, 3000, shift)])
    hits = detector.update_many(stream)
    assert len(hits) and 2000 <= hits[hits >= 2000][0] < 3500, hits


def test_calibration_errors_name_the_problem():
    ddm = _cls("DDM")
    with pytest.raises(ConfigError, match="exactly one"):
        ddm.calibrated(np.zeros(100))
    with pytest.raises(ConfigError, match="window"):
        ddm.calibrated(np.zeros(100), false_alarm_rate=0.1)
    with pytest.raises(DataError, match="0/1"):
        ddm.calibrated(np.linspace(0, 1, 100), ert=1000)
    with pytest.raises(DataError, match="at least 30"):
        ddm.calibrated([0.0, 1.0], ert=1000)
