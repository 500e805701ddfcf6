from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.errors import DataError
from driftscope.quality import QualityThresholds, Status, check_quality
from tests.quality.helpers import logged, pick


def run(frame, reference, **kw):
    return check_quality(frame, reference, window=None, **kw).to_frame()


def test_clean_window_is_all_ok(reference):
    frame = logged({"age": [25.0, 35.0], "plan": ["a", "b"], "vip": [True, False]})
    out = run(frame, reference)
    assert set(out["status"]) == {"ok"}
    assert pick(out, "completeness")["value"] == 1.0
    assert pick(out, "invalid_inputs")["value"] == 0.0


def test_hand_computed_rates(reference):
    # 4 rows: age NaN in row 1 (issue nan:age), 70 (outside [20, 60]) in row 2;
    # plan "c" unseen in row 3; vip ok
    frame = logged(
        {
            "age": [25.0, np.nan, 70.0, 30.0],
            "plan": ["a", "b", "a", "c"],
            "vip": [True, False, True, True],
        },
        issues=[None, "nan:age", None, None],
    )
    out = run(frame, reference)
    assert pick(out, "completeness", "age")["value"] == 0.75
    assert pick(out, "completeness")["value"] == pytest.approx((0.75 + 1 + 1) / 3)
    assert pick(out, "out_of_range", "age")["value"] == pytest.approx(1 / 3)
    assert pick(out, "unseen_categories", "plan")["value"] == 0.25
    assert pick(out, "invalid_inputs")["value"] == 0.25
    assert pick(out, "completeness", "age")["status"] == "critical"
    assert pick(out, "out_of_range", "age")["status"] == "critical"


def test_range_tolerance(reference):
    frame = logged({"age": [60.2, 19.9, 61.0], "plan": ["a"] * 3, "vip": [True] * 3})
    strict = run(frame, reference)
    assert pick(strict, "out_of_range", "age")["value"] == 1.0
    # span 40, tolerance 1 % -> [19.6, 60.4]
    loose = run(frame, reference, thresholds=QualityThresholds(range_tolerance=0.01))
    assert pick(loose, "out_of_range", "age")["value"] == pytest.approx(1 / 3)


def test_infinity_is_out_of_range_nan_is_missing(reference):
    frame = logged({"age": [np.inf, np.nan, 30.0, 40.0], "plan": ["a"] * 4, "vip": [True] * 4})
    out = run(frame, reference)
    assert pick(out, "out_of_range", "age")["value"] == pytest.approx(1 / 3)
    assert pick(out, "completeness", "age")["value"] == 0.75


def test_weights_estimate_rates(reference):
    # the unseen value stands for 3 of 4 units of traffic
    frame = logged(
        {"age": [30.0, 30.0], "plan": ["a", "zz"], "vip": [True, True]}, weights=[1.0, 3.0]
    )
    report = check_quality(frame, reference, window=None)
    out = report.to_frame()
    assert pick(out, "unseen_categories", "plan")["value"] == 0.75
    unseen = next(r for r in report.results if r.check == "unseen_categories")
    assert unseen.details == (("zz", 0.75),)


def test_bad_weights_name_the_column(reference):
    frame = logged({"age": [30.0], "plan": ["a"], "vip": [True]}, weights=[-1.0])
    with pytest.raises(DataError, match="sampling_weight"):
        run(frame, reference)


def test_top_unseen_values_ranked(reference):
    plans = ["x", "x", "y", "a", "z", "x", "y", "w"]
    frame = logged({"age": [30.0] * 8, "plan": plans, "vip": [True] * 8})
    report = check_quality(
        frame, reference, window=None, thresholds=QualityThresholds(top_unseen=2)
    )
    unseen = next(r for r in report.results if r.check == "unseen_categories")
    assert unseen.value == 7 / 8
    assert unseen.details == (("x", 3 / 8), ("y", 2 / 8))


def test_a_baseline_feature_a_record_lacks_is_a_missing_value(reference):
    # the monitor's missing_feature code follows the first record it saw; against a
    # baseline, a baseline feature a record lacks is a missing value (completeness), not a
    # missing feature nor an invalid input (it was both, critical, before the "one shape
    # for a check" change)
    frame = logged(
        {"age": [30.0, np.nan, 30.0, 30.0], "plan": [None] * 4, "vip": [True] * 4},
        issues=[None, "missing_feature:age", None, None],
    )
    out = run(frame, reference)
    assert pick(out, "completeness", "age")["value"] == 0.75
    assert pick(out, "missing_features", "age")["value"] == 0.0
    assert pick(out, "invalid_inputs")["value"] == 0.0
    assert pick(out, "missing_features", "plan")["value"] == 1.0  # all null
    assert pick(out, "missing_features")["value"] == 1.0
    # all-null plan: no valid values, so its unseen rate has no data
    assert pick(out, "unseen_categories", "plan")["status"] == "unknown"


def test_missing_column_is_a_schema_issue(reference):
    frame = logged({"age": [30.0, 40.0], "plan": ["a", "b"]})  # no vip column
    out = run(frame, reference)
    row = pick(out, "schema", "vip")
    assert (row["metric"], row["value"], row["status"]) == ("missing_column", 1.0, "critical")
    assert pick(out, "completeness", "vip")["value"] == 0.0
    assert pick(out, "missing_features", "vip")["value"] == 1.0
    assert out[(out["feature"] == "vip") & (out["check"] == "type_mismatch")].empty


def test_extra_columns_and_extra_feature_issues(reference):
    frame = logged(
        {"age": [30.0, 40.0], "plan": ["a", "b"], "vip": [True, True], "new": [1.0, np.nan]},
        issues=["extra_feature:ghost", None],
    )
    frame["metadata.region"] = ["eu", "us"]
    out = run(frame, reference)
    assert pick(out, "schema", "new")["value"] == 0.5
    assert pick(out, "schema", "new")["status"] == "warning"
    assert pick(out, "schema", "ghost")["value"] == 0.5
    assert out[out["feature"] == "metadata.region"].empty


def test_type_mismatches(reference):
    frame = logged(
        {
            "age": [30.0, "old", 40.0, 50.0],
            "plan": ["a", 3, "b", "a"],
            "vip": [True, "yes", True, False],
        },
        issues=[None, None, "wrong_type:age (got str 'x', expected float)", None],
    )
    out = run(frame, reference)
    assert pick(out, "type_mismatch", "age")["value"] == 0.5  # "old" + the logged issue
    assert pick(out, "type_mismatch", "plan")["value"] == 0.25
    assert pick(out, "type_mismatch", "vip")["value"] == 0.25
    assert pick(out, "invalid_inputs")["value"] == 0.5
    # a mismatched value is not also counted as unseen
    assert pick(out, "unseen_categories", "plan")["value"] == 0.0


def test_empty_window_gives_unknown(reference):
    frame = logged({"age": [30.0], "plan": ["a"], "vip": [True]}).iloc[:0]
    start, end = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-01-02", tz="UTC")
    report = check_quality(frame, reference, window="day", start=start, end=end)
    out = report.to_frame()
    assert len(out) > 0
    assert set(out["status"]) == {"unknown"}
    assert all(math.isnan(v) for v in out["value"])
    assert report.worst is Status.UNKNOWN
    assert check_quality(frame, reference, window="day").results == ()


def test_missing_timestamp_column(reference):
    frame = logged({"age": [30.0], "plan": ["a"], "vip": [True]}).drop(columns="timestamp")
    with pytest.raises(DataError, match="timestamp"):
        run(frame, reference)


def test_report_helpers(reference):
    frame = logged({"age": [99.0], "plan": ["a"], "vip": [True]})
    report = check_quality(frame, reference, window=None)
    assert report.worst is Status.CRITICAL
    assert [r.check for r in report.issues()] == ["out_of_range"]
    d = report.to_dict()
    assert d["worst"] == "critical" and len(d["results"]) == len(report.results)
    assert list(report.to_frame().columns) == [
        "window_start",
        "window_end",
        "check",
        "feature",
        "metric",
        "value",
        "threshold",
        "status",
    ]


def test_issue_details_holding_separators(reference):
    frame = logged(
        {"age": [np.nan, 30.0], "plan": ["a", "a"], "vip": [True, True]},
        issues=["wrong_type:age (got str 'x; nan:plan', expected float)", None],
    )
    out = run(frame, reference)
    assert pick(out, "type_mismatch", "age")["value"] == 0.5
    assert pick(out, "type_mismatch", "plan")["value"] == 0.0


def test_empty_report_frame_has_the_columns():
    from driftscope.quality import QualityReport

    frame = QualityReport(()).to_frame()
    assert frame.empty and list(frame.columns)[:3] == ["window_start", "window_end", "check"]
    assert QualityReport(()).worst is Status.UNKNOWN


def test_out_of_range_by_chance_on_a_small_reference_is_not_flagged():
    small = Reference.fit(pd.DataFrame({"age": np.linspace(20.0, 60.0, 99)}))  # chance 2 %

    def out_of_range(frame):
        report = check_quality(frame, small, window=None)
        (point,) = [r for r in report.results if r.check == "out_of_range"]
        return point

    point = out_of_range(logged({"age": [61.0] + [30.0] * 49}))  # 2 %: what chance gives
    assert point.value == 0.02 and point.status == "ok"
    details = dict(point.details)
    assert details["chance_rate"] == pytest.approx(0.02) and details["p_value"] > 0.001
    shifted = out_of_range(logged({"age": [61.0] * 10 + [30.0] * 40}))  # 20 %: beyond chance
    assert shifted.status == "critical" and dict(shifted.details)["p_value"] < 1e-6
