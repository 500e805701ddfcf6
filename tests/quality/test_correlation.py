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


def test_too_few_rows_gives_unknown(data):
    ref_df, ref, rng = data
    report = check_quality(_window(rng, 5, True), ref, window=None, reference_data=ref_df)
    corr = [r for r in report.results if r.check == "correlation"]
    assert len(corr) == 1 and corr[0].status == "unknown" and corr[0].feature is None


def test_no_reference_data_no_correlation(data):
    _, ref, rng = data
    report = check_quality(_window(rng, 50, True), ref, window=None)
    assert not [r for r in report.results if r.check == "correlation"]


def _awkward(rng, n, k):
    x = rng.normal(size=(n, k)) * rng.choice([1e-3, 1.0, 1e6], k) + rng.choice([0.0, 1e3], k)
    if rng.random() < 0.3:
        x[:, 0] = rng.choice([0.1, 3.0])  # constant
    if rng.random() < 0.3:
        x[:, -1] = np.round(x[:, -1])  # ties
    if rng.random() < 0.5:
        x[rng.random((n, k)) < rng.random() * 0.6] = np.nan
    if rng.random() < 0.2 and k > 1:
        x[: n // 2, 1] = 7.0  # constant on some rows only
    if rng.random() < 0.2:
        x[0, -1] = np.inf
    return x


def test_pairwise_pearson_matches_pandas_on_awkward_inputs():
    from driftscope.quality.correlation import pairwise_pearson

    rng = np.random.default_rng(11)
    for _ in range(150):
        n, k, min_rows = (
            int(rng.integers(1, 300)),
            int(rng.integers(1, 6)),
            int(rng.integers(1, 12)),
        )
        x = _awkward(rng, n, k)
        r, pairs = pairwise_pearson([x[:, j].copy() for j in range(k)], min_rows)
        clean = pd.DataFrame(np.where(np.isfinite(x), x, np.nan))
        expected = clean.corr(min_periods=min_rows).to_numpy()
        np.testing.assert_array_equal(np.isnan(r), np.isnan(expected))
        np.testing.assert_allclose(r, expected, rtol=0, atol=1e-9, equal_nan=True)
        present = clean.notna().to_numpy(dtype=np.int64)
        np.testing.assert_array_equal(pairs, present.T @ present)


def test_pairwise_pearson_over_many_blocks_and_an_offset():
    from driftscope.quality import correlation

    rng = np.random.default_rng(5)
    n = 3 * correlation.CHUNK + 17
    a = rng.normal(size=n)
    x = np.column_stack([a + 1e4, 0.5 * a + rng.normal(size=n), rng.normal(size=n)])
    x[rng.random(x.shape) < 0.05] = np.nan
    r, _ = correlation.pairwise_pearson([x[:, j].copy() for j in range(3)], 10)
    expected = pd.DataFrame(x).corr(min_periods=10).to_numpy()
    np.testing.assert_allclose(r, expected, rtol=0, atol=1e-12)


def test_small_windows_raise_no_correlation_alarm_from_noise():
    rng = np.random.default_rng(11)
    cov = np.full((8, 8), 0.3) + 0.7 * np.eye(8)
    names = [f"x{i}" for i in range(8)]
    ref_df = pd.DataFrame(rng.multivariate_normal(np.zeros(8), cov, 60), columns=names)
    ref = Reference.fit(ref_df)
    alarms = 0
    for _ in range(20):  # same distribution, 40 rows a window: changes of 0.3 are common
        rows = rng.multivariate_normal(np.zeros(8), cov, 40)
        window = logged(dict(zip(names, rows.T, strict=True)))
        report = check_quality(window, ref, window=None, reference_data=ref_df)
        corr = [r for r in report.results if r.check == "correlation"]
        assert all("p_value" in dict(r.details) for r in corr)
        alarms += any(r.status != "ok" for r in corr)
    assert alarms <= 1  # family-wise 5 % per window


def test_change_p_value_matches_the_fisher_z_formula():
    from scipy.stats import norm

    from driftscope.quality.correlation import change_p_value

    z = (np.arctanh(0.6) - np.arctanh(0.3)) / np.sqrt(1 / 97 + 1 / 197)
    assert change_p_value(0.3, 100, 0.6, 200) == pytest.approx(2 * norm.sf(z), rel=1e-12)
    assert np.isnan(change_p_value(0.3, 3, 0.6, 200))


def test_correlations_fitted_once_give_the_same_results(data):
    from driftscope.errors import ConfigError
    from driftscope.quality.correlation import ReferenceCorrelations

    ref_df, ref, rng = data
    window = _window(rng, 300, True)
    fitted = ReferenceCorrelations.fit(ref_df, ["a", "b", "c"])
    raw = check_quality(window, ref, window=None, reference_data=ref_df)
    once = check_quality(window, ref, window=None, reference_data=fitted)
    assert once.results == raw.results
    with pytest.raises(ConfigError, match="spearman"):
        check_quality(
            window,
            ref,
            window=None,
            reference_data=fitted,
            thresholds=QualityThresholds(correlation_method="spearman"),
        )
