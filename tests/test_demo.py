"""The demo data set and the demo run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from driftscope.cli.demo import (
    DEMO_STORE,
    HEALTH_NAME,
    MODEL,
    PREDICTION,
    REPORT_NAME,
    churn_model,
    make_churn_data,
    run_demo,
)

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


def _without_times(document: dict) -> dict:
    """A report's dict without the times at which it was made."""
    times = ("created_at", "computed_at")
    return {
        key: _without_times(value) if isinstance(value, dict) else value
        for key, value in document.items()
        if key not in times
    }


def _figures(out: Path) -> tuple[pd.DataFrame, dict]:
    """What a demo run stored and reported, without the times at which it was computed."""
    from driftscope.store import open_store

    with open_store(out / DEMO_STORE) as store:
        points = store.read_check_results(MODEL).drop(columns=["computed_at"])
        count = store.count_predictions(MODEL)
    points["details"] = points["details"].map(json.dumps)
    return points, {"rows": count}


def test_demo_runs_in_a_fresh_store_and_repeats_its_figures(tmp_path):
    quiet = Console(quiet=True)
    first = run_demo(tmp_path, console=quiet, rows=800, seed=3).to_dict()
    first_points, first_counts = _figures(tmp_path)
    second = run_demo(tmp_path, console=quiet, rows=800, seed=3).to_dict()
    second_points, second_counts = _figures(tmp_path)
    assert first_counts == second_counts == {"rows": 800}  # a fresh store: nothing piles up
    pd.testing.assert_frame_equal(first_points, second_points)
    assert _without_times(first) == _without_times(second)
    assert first_points["window_start"].min() == pd.Timestamp("2025-06-01", tz="UTC")
    assert first_points["window_start"].nunique() == 30  # one window per day of June
    other = run_demo(tmp_path, console=quiet, rows=800, seed=4)
    assert other.to_dict()["feature_drift"] != first["feature_drift"]


def test_demo_never_wipes_a_folder_it_did_not_make(tmp_path):
    from driftscope.errors import ConfigError

    (tmp_path / DEMO_STORE).mkdir()
    (tmp_path / DEMO_STORE / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not made by the demo"):
        run_demo(tmp_path, console=Console(quiet=True), rows=300)
    assert (tmp_path / DEMO_STORE / "notes.txt").read_text() == "mine"


def test_demo_hints_work_right_after_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from driftscope.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--rows", "600"])
    assert result.exit_code == 0, result.output
    assert f"A fresh demo store at {DEMO_STORE}" in result.stdout
    hints = [line.strip() for line in result.stdout.splitlines() if "driftscope " in line
             and line.strip().startswith("driftscope ")]  # fmt: skip
    assert [h.split()[1] for h in hints] == ["history", "report"]
    for hint in hints:
        done = runner.invoke(cli, hint.split()[1:])
        assert done.exit_code == 0, done.output
    assert "prediction_drift_score" in runner.invoke(cli, hints[0].split()[1:]).stdout
    page = (tmp_path / "health.html").read_text(encoding="utf-8")
    assert 'class="heatmap"' in page and page.count('<svg class="chart"') >= 10
    health = (tmp_path / HEALTH_NAME).read_text(encoding="utf-8")
    assert health.count("<svg") >= 10 and f'href="{REPORT_NAME}"' in health


def test_demo_reuses_a_given_store_and_says_so(tmp_path):
    console = Console(width=200, record=True)
    with console.capture() as captured:
        run_demo(tmp_path / "out", console=console, rows=300, store=tmp_path / "mine")
        run_demo(tmp_path / "out", console=console, rows=300, store=tmp_path / "mine")
    text = captured.get()
    assert "Reusing the store at" in text and "earlier records stay" in text
    assert not (tmp_path / "out" / DEMO_STORE).exists()
