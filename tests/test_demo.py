"""The demo data set and the demo run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from driftscope.cli.demo import PREDICTION, REPORT_NAME, churn_model, make_churn_data, run_demo

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_calls", "data_usage_gb"]
CATEGORICAL = ["contract", "payment_method", "internet_service", "region"]
STABLE = ["tenure_months", "data_usage_gb", "payment_method", "internet_service", "region",
          "is_senior", "has_partner"]  # fmt: skip


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_churn_data(8_000, 8_000, seed=5)


def test_columns_and_types(data):
    reference, production = data
    assert list(reference.columns) == list(production.columns)
    assert set(reference.columns) == {
        *NUMERIC,
        *CATEGORICAL,
        "is_senior",
        "has_partner",
        "signup_date",
        PREDICTION,
    }
    assert not [c for c in reference.columns if "id" in c.split("_")]  # no identifiers
    assert reference["support_calls"].dtype == np.int64
    assert reference["is_senior"].dtype == bool and reference["has_partner"].dtype == bool
    assert isinstance(reference["signup_date"].dtype, pd.DatetimeTZDtype)
    assert set(reference["contract"].astype(str)) == {"month-to-month", "one-year", "two-year"}
    assert reference[PREDICTION].between(0, 1).all()


def test_only_usage_has_missing_values(data):
    reference, _ = data
    missing = reference.isna().sum()
    assert 0 < missing["data_usage_gb"] < 0.03 * len(reference)
    assert missing.drop("data_usage_gb").sum() == 0


def test_same_seed_same_data():
    a = make_churn_data(300, 300, seed=9)
    b = make_churn_data(300, 300, seed=9)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_the_drift_story(data):
    reference, production = data

    def share(frame):
        return (frame["contract"] == "month-to-month").mean()

    assert production["monthly_charges"].mean() > reference["monthly_charges"].mean() + 5
    assert share(production) > share(reference) + 0.08
    assert production["support_calls"].mean() > reference["support_calls"].mean() + 0.4
    assert production[PREDICTION].mean() > reference[PREDICTION].mean() + 0.05


def test_other_columns_keep_their_distribution(data):
    from scipy import stats

    reference, production = data
    for column in STABLE:
        ref, prod = reference[column].dropna(), production[column].dropna()
        if column in CATEGORICAL:
            ref, prod = ref.cat.codes, prod.cat.codes
        assert (
            stats.ks_2samp(ref.astype(float), prod.astype(float), method="asymp").pvalue > 0.001
        ), column


def test_no_drift_variant():
    reference, production = make_churn_data(5_000, 5_000, seed=2, drift=False)
    for column in ("monthly_charges", "support_calls", PREDICTION):
        assert (
            abs(reference[column].mean() - production[column].mean())
            < 0.05 * reference[column].mean()
        )


def test_model_is_a_fixed_function(data):
    reference, _ = data
    np.testing.assert_array_equal(churn_model(reference), reference[PREDICTION].to_numpy())


def test_run_demo_writes_report_and_finds_the_story(tmp_path):
    console = Console(file=None, width=120, color_system=None, record=True, quiet=False)
    with console.capture() as captured:
        report = run_demo(tmp_path / "out", console=console, rows=3_000)
    page = (tmp_path / "out" / REPORT_NAME).read_text(encoding="utf-8")
    assert "monthly_charges" in page and "churn_probability" in page
    assert report.feature_drift is not None and report.prediction_drift is not None
    drifted = set(report.feature_drift.drifted_features)
    assert {"monthly_charges", "contract", "support_calls"} <= drifted
    assert not drifted & {"region", "is_senior", "has_partner", "payment_method"}
    assert report.prediction_drift.has_drift
    assert PREDICTION not in report.feature_drift.features
    assert "Feature drift" in captured.get() and "Prediction drift" in captured.get()
