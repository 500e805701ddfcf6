"""DriftDetector end to end: the design page's API, verdicts, corrections and outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import driftscope as ds
from tests.conftest import make_frame


def test_design_page_api(frames):
    train, prod = frames
    detector = ds.DriftDetector(
        baseline_data=train,
        detection_methods=[ds.KSTest(significance_level=0.05), ds.PSICalculator(threshold=0.2)],
    )
    feature_drift = detector.detect_feature_drift(production_data=prod, features=["age", "plan"])
    assert list(feature_drift.features) == ["age", "plan"]
    assert feature_drift.has_drift is (len(feature_drift.drifted_features) > 0)
    assert 0.0 <= feature_drift.score <= 1.0
    age = feature_drift.features["age"]
    assert age.method == "ks" and age.kind == "numerical"
    assert {m.method for m in age.methods} == {"ks", "psi"}
    # KS numbers are SciPy's
    ref = st.ks_2samp(train["age"], prod["age"])
    ks = age.methods[0]
    assert ks.statistic == pytest.approx(ref.statistic, rel=1e-9)
    assert ks.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    # plan: KS does not apply, PSI does
    assert [m.method for m in feature_drift.features["plan"].methods] == ["psi"]
    d = feature_drift.to_dict()
    assert {"has_drift", "drifted_features", "score", "features"} <= d.keys()
    assert {"method", "statistic", "p_value", "threshold", "drifted"} <= d["features"]["age"].keys()
    frame = feature_drift.to_frame()
    assert list(frame["column"]) == ["age", "plan"]


def test_auto_choice_finds_the_shifted_columns(frames):
    train, prod = frames
    result = ds.DriftDetector(train).detect_feature_drift(prod)
    assert result.drifted_features == ["income", "plan"]
    methods = {name: [m.method for m in col.methods] for name, col in result.features.items()}
    assert methods["age"] == ["ks", "share_moved"]  # both sides above 2,000 rows
    assert methods["plan"] == ["chi_square", "share_moved"]
    assert methods["is_member"] == ["z_test", "share_moved"]
    assert result.correction == "benjamini-hochberg"
    for col in result.features.values():
        test = col.methods[0]
        assert test.adjusted_p_value is not None and test.adjusted_p_value >= test.p_value


def test_same_data_has_no_drift(rng):
    frame = make_frame(rng, 3000)
    result = ds.DriftDetector(frame).detect_feature_drift(frame)
    assert not result.has_drift
    assert result.score == pytest.approx(0.0, abs=1e-12)
    assert all(col.statistic == 0.0 or col.method != "ks" for col in result.features.values())


def test_large_sample_ignores_trivial_shift_but_bare_ks_does_not(rng):
    n = 1_000_000
    ref = pd.DataFrame({"x": rng.normal(0, 1, n)})
    cur = pd.DataFrame({"x": rng.normal(0.02, 1, n)})
    auto = ds.DriftDetector(ref).detect_feature_drift(cur)
    bare = ds.DriftDetector(ref, [ds.KSTest()]).detect_feature_drift(cur)
    assert bare.has_drift  # a 0.02-sigma shift is "significant" on 10^6 rows ...
    assert not auto.has_drift  # ... but not a relevant change
    assert auto.features["x"].methods[1].statistic < 0.1


def test_false_alarm_rate_of_the_automatic_choice_is_controlled():
    """Global null over many seeds: P(any column flagged) stays near alpha=0.05."""
    seeds, alarms = 200, 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        ref = make_frame(rng, 300)
        cur = make_frame(rng, 300)
        alarms += ds.DriftDetector(ref, workers=1).detect_feature_drift(cur).has_drift
    # binomial(200, 0.05): mean 10, sd 3.1 -> 20 is > 3 sd above
    assert alarms <= 20


def test_bonferroni_and_no_correction(frames):
    train, prod = frames
    none = ds.DriftDetector(train, [ds.KSTest()], correction=None).detect_feature_drift(prod)
    bonf = ds.DriftDetector(train, [ds.KSTest()], correction="bonferroni").detect_feature_drift(
        prod
    )
    k = len(bonf.features)
    for name in bonf.features:
        raw = none.features[name].methods[0]
        adj = bonf.features[name].methods[0].adjusted_p_value
        assert adj == pytest.approx(min(1.0, raw.p_value * k), rel=1e-12)


def test_combine_all_requires_every_method(frames):
    train, prod = frames
    methods = [ds.KSTest(), ds.PSICalculator(threshold=0.9)]
    res = ds.DriftDetector(train, methods, combine="all").detect_feature_drift(prod)
    assert not res.has_drift


def test_prediction_drift_with_baseline_predictions(rng):
    base = pd.Series(rng.beta(2, 5, 5000), name="predictions")
    now = pd.Series(rng.beta(3, 4, 5000), name="predictions")
    det = ds.DriftDetector(pd.DataFrame({"x": rng.normal(size=100)}))
    res = det.detect_prediction_drift(production_predictions=now, baseline_predictions=base)
    assert res.kind == "prediction" and res.has_drift
    assert 0 < res.score <= 1


def test_prediction_column_of_the_baseline(rng):
    train = make_frame(rng, 2000).assign(p=rng.random(2000))
    det = ds.DriftDetector(train, prediction_column="p")
    assert "p" not in det.feature_names
    res = det.detect_prediction_drift(rng.random(2000))
    assert list(res.features) == ["p"] and not res.has_drift


def test_report_json_and_html(frames, tmp_path):
    train, prod = frames
    det = ds.DriftDetector(train)
    report = det.generate_report(feature_drift=det.detect_feature_drift(prod))
    doc = json.loads(report.to_json())
    assert doc["feature_drift"]["drifted_features"] == ["income", "plan"]
    path = report.save_html(tmp_path / "r.html")
    html = Path(path).read_text(encoding="utf-8")
    assert "income" in html and "https://" not in html


def test_save_and_load_round_trip(frames, tmp_path):
    train, prod = frames
    det = ds.DriftDetector(train, [ds.KSTest(0.01), ds.PSICalculator(threshold=0.25, bins=8)])
    path = det.save(tmp_path / "ref.dsref")
    loaded = ds.DriftDetector.load(path)
    assert loaded.reference_version == det.reference_version
    assert loaded.detection_methods == det.detection_methods
    a = det.detect_feature_drift(prod).to_dict()
    b = loaded.detect_feature_drift(prod).to_dict()
    a.pop("computed_at"), b.pop("computed_at")
    assert a == b


def test_version_is_a_content_hash(rng):
    frame = make_frame(rng, 500)
    v1 = ds.Reference.fit(frame).version
    assert ds.Reference.fit(frame.copy()).version == v1
    frame.loc[0, "age"] += 1
    assert ds.Reference.fit(frame).version != v1


def test_inputs_in_every_format_agree(frames, tmp_path):
    import polars as pl
    import pyarrow as pa

    train, prod = frames
    det = ds.DriftDetector(train)
    expected = det.detect_feature_drift(prod).to_frame()
    prod.to_parquet(tmp_path / "p.parquet")
    prod.to_csv(tmp_path / "p.csv", index=False)
    for source in (
        pl.from_pandas(prod),
        pa.Table.from_pandas(prod),
        tmp_path / "p.parquet",
        str(tmp_path / "p.csv"),
    ):
        got = det.detect_feature_drift(source).to_frame()
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)


def test_missing_and_infinite_values_are_counted(rng):
    ref = pd.DataFrame({"x": rng.normal(size=1000)})
    cur = pd.DataFrame({"x": rng.normal(size=1000)})
    cur.loc[:9, "x"] = np.nan
    cur.loc[10:12, "x"] = np.inf
    cur.loc[13, "x"] = -np.inf
    col = ds.DriftDetector(ref).detect_feature_drift(cur).features["x"]
    assert (col.current.missing, col.current.positive_infinite, col.current.negative_infinite) == (
        10,
        3,
        1,
    )
    assert col.current.valid == 986
    assert any("infinite" in note for note in col.notes)
    ks = st.ks_2samp(ref["x"], cur["x"][np.isfinite(cur["x"])])
    assert col.score == pytest.approx(ks.statistic, rel=1e-9)


def test_unseen_categories_are_noted(rng):
    ref = pd.DataFrame({"c": rng.choice(["a", "b"], 1000)})
    cur = pd.DataFrame({"c": rng.choice(["a", "b", "zzz"], 1000)})
    col = ds.DriftDetector(ref).detect_feature_drift(cur).features["c"]
    assert col.drifted
    assert any("zzz" in note for note in col.notes)


def test_datetime_is_compared_as_numbers(rng):
    start = pd.Timestamp("2024-01-01", tz="UTC")
    ref = pd.DataFrame({"t": start + pd.to_timedelta(rng.uniform(0, 365, 2000), unit="D")})
    cur = pd.DataFrame({"t": start + pd.to_timedelta(rng.uniform(200, 565, 2000), unit="D")})
    res = ds.DriftDetector(ref).detect_feature_drift(cur)
    assert res.features["t"].kind == "datetime" and res.has_drift
    assert res.features["t"].distribution.labels[0].startswith("< 2024-")


def test_text_columns_are_skipped_with_a_note(rng):
    words = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
    text = [" ".join(rng.choice(words, 8)) + f" {i}" for i in range(500)]
    frame = pd.DataFrame({"x": rng.normal(size=500), "comment": text})
    det = ds.DriftDetector(frame)
    res = det.detect_feature_drift(frame)
    assert "comment" not in res.features
    assert "text" in res.skipped["comment"]


@pytest.mark.parametrize("n", [2_000, 50_000])
def test_chart_distribution_counts_equal_brute_force(rng, n):
    """The report's histogram: shape-preserving bins, counted exactly on both paths."""
    ref = pd.DataFrame({"x": rng.lognormal(0, 1, n), "k": rng.poisson(3, n)})
    cur = pd.DataFrame({"x": rng.lognormal(0.2, 1, n), "k": rng.poisson(4, n)})
    res = ds.DriftDetector(ref).detect_feature_drift(cur)
    for name in ("x", "k"):
        dist = res.features[name].distribution
        values = np.sort(ref[name].unique()).astype(float)
        if values.size <= 20:
            edges = (values[:-1] + values[1:]) / 2
        else:
            lo, hi = np.quantile(ref[name], [0.01, 0.99])
            edges = np.linspace(lo, hi, 19)
        for side, frame in (("reference", ref), ("current", cur)):
            counts = np.bincount(
                np.searchsorted(edges, frame[name], "right"), minlength=edges.size + 1
            )
            expected = counts / counts.sum()
            np.testing.assert_allclose(getattr(dist, side), expected, atol=1e-6)
        assert len(dist.labels) == edges.size + 1
