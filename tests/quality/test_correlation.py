from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.quality import QualityThresholds, check_quality
from tests.quality.helpers import logged


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 400
    a = rng.normal(size=n)
    ref = pd.DataFrame({"a": a, "b": a + 0.1 * rng.normal(size=n), "c": rng.normal(size=n)})
    return ref, Reference.fit(ref), rng


def _window(rng, n, broken):
    a = rng.normal(size=n)
    b = rng.normal(size=n) if broken else a + 0.1 * rng.normal(size=n)
    return logged({"a": a, "b": b, "c": rng.normal(size=n)}, freq="min")


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_broken_pair_moves_most(data, method):
    ref_df, ref, rng = data
    t = QualityThresholds(correlation_method=method)
    report = check_quality(
        _window(rng, 300, True), ref, window=None, reference_data=ref_df, thresholds=t
    )
    corr = [r for r in report.results if r.check == "correlation"]
    assert len(corr) == 3
    assert corr[0].feature == "a~b"
    assert corr[0].value > 0.8 and corr[0].status == "critical"
    assert dict(corr[0].details)["reference"] > 0.95
    assert all(r.status == "ok" for r in corr[1:])


def test_stable_pairs_are_ok(data):
    ref_df, ref, rng = data
    report = check_quality(_window(rng, 300, False), ref, window=None, reference_data=ref_df)
    corr = [r for r in report.results if r.check == "correlation"]
    assert all(r.status == "ok" and r.value < 0.2 for r in corr)


def test_top_pairs_limits_the_list(data):
    ref_df, ref, rng = data
    t = QualityThresholds(top_pairs=1)
    report = check_quality(
        _window(rng, 300, True), ref, window=None, reference_data=ref_df, thresholds=t
    )
    assert [r.feature for r in report.results if r.check == "correlation"] == ["a~b"]


def test_too_few_rows_gives_no_data(data):
    ref_df, ref, rng = data
    report = check_quality(_window(rng, 5, True), ref, window=None, reference_data=ref_df)
    corr = [r for r in report.results if r.check == "correlation"]
    assert len(corr) == 1 and corr[0].status == "no_data" and corr[0].feature is None


def test_no_reference_data_no_correlation(data):
    _, ref, rng = data
    report = check_quality(_window(rng, 50, True), ref, window=None)
    assert not [r for r in report.results if r.check == "correlation"]
