"""``driftscope check MODEL``: health checks of a logged model from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from driftscope.monitor import ModelMonitor
from driftscope.store import open_store
from tests.cli.conftest import _assert_one_line_error


def _logged_model(home, rng, shift):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with ModelMonitor("churn", store=str(home)) as monitor:
        monitor.save_reference(pd.DataFrame({"income": rng.normal(50, 15, 20_000)}))
        frame = pd.DataFrame({"income": rng.normal(50 + 15 * shift, 15, 2000)})
        stamps = pd.Timestamp(today - timedelta(days=1)) + pd.to_timedelta(
            np.sort(rng.uniform(0, 80_000, 2000)), unit="s"
        )
        monitor.log_predictions(frame, rng.random(2000), timestamps=stamps)
    return (today - timedelta(days=1)).isoformat()


def test_check_prints_stores_and_gates(run, tmp_path, rng):
    home = tmp_path / "home"
    since = _logged_model(home, rng, shift=1.0)
    result = run("check", "churn", "--store", home, "--since", since, "--format", "json")
    assert result.exit_code == 1, result.output  # critical drift reaches --fail-on critical
    out = json.loads(result.stdout)
    assert out["status"] == "critical" and out["records"][0]["status"] == "critical"
    assert "data_drift_score" in {r["metric"] for r in out["records"]}
    again = run("check", "churn", "--store", home, "--since", since, "--fail-on", "never")
    assert again.exit_code == 0 and "churn: critical" in again.stdout
    nothing = run("check", "churn", "--store", home)
    assert nothing.exit_code == 0 and "no window is due" in nothing.stdout


def test_check_errors_are_one_line(run, tmp_path, rng):
    home = tmp_path / "empty"
    _assert_one_line_error(run("check", "churn", "--store", home), "does not exist")
    open_store(str(home)).close()  # a store, with nothing for "churn"
    _assert_one_line_error(run("check", "churn", "--store", home), "save_reference")
    _assert_one_line_error(
        run("check", "churn", "--store", home, "--since", "yesterday"), "--since"
    )


def test_check_takes_metrics_thresholds_and_checks(run, tmp_path, rng):
    home = tmp_path / "home"
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with ModelMonitor("churn", store=str(home)) as monitor:
        score = rng.random(20_000)
        label = (rng.random(20_000) < score).astype(int)
        monitor.save_reference(pd.DataFrame({"x": score, "prediction": score, "label": label}))
        score = rng.random(3000)
        stamps = pd.Timestamp(today - timedelta(days=1)) + pd.to_timedelta(
            np.sort(rng.uniform(0, 80_000, 3000)), unit="s"
        )
        ids = monitor.log_predictions({"x": score}, score, timestamps=stamps)
        monitor.log_ground_truths(list(ids), (rng.random(3000) < score).astype(int).tolist())
    since = (today - timedelta(days=1)).isoformat()
    args = ["check", "churn", "--store", home, "--since", since, "--format", "json"]
    result = run(*args, "--metrics", "accuracy,auc", "--threshold", "auc=0.99", "--checks",
                 "performance")  # fmt: skip
    assert result.exit_code == 1, result.output  # an AUC near 0.83 is far below 0.99
    records = json.loads(result.stdout)["records"]
    assert {r["check"] for r in records} == {"performance"}
    auc = next(r for r in records if r["metric"] == "roc_auc")
    assert auc["status"] == "critical" and auc["threshold"] == 0.99
    table = run("check", "churn", "--store", home, "--since", since, "--checks", "performance")
    assert "not listed" in table.stdout and "labelled_rows" not in table.stdout
    _assert_one_line_error(run(*args, "--threshold", "auc"), "NAME=VALUE")
    _assert_one_line_error(run(*args, "--metrics", "acuracy"), "acuracy")


def test_check_without_a_baseline_prints_missing_values_and_the_note(run, tmp_path, rng):
    """A model logged without a saved baseline: the run degrades, and the table shows the
    points that could not be computed as missing, with the run's note, instead of crashing."""
    home = tmp_path / "home"
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with ModelMonitor("churn", store=str(home)) as monitor:
        stamps = pd.Timestamp(today - timedelta(days=1)) + pd.to_timedelta(
            np.sort(rng.uniform(0, 80_000, 500)), unit="s"
        )
        frame = pd.DataFrame({"income": rng.normal(50, 15, 500)})
        monitor.log_predictions(frame, rng.random(500), timestamps=stamps)
    since = (today - timedelta(days=1)).isoformat()
    table = run("check", "churn", "--store", home, "--since", since, "--all", "--fail-on", "never")
    assert table.exit_code == 0, table.output
    assert "note: no baseline saved" in table.stdout and "—" in table.stdout
    out = json.loads(run("check", "churn", "--store", home, "--since", since, "--format",
                         "json", "--fail-on", "never").stdout)  # fmt: skip
    assert out["baseline_version"] is None and any("baseline" in n for n in out["notes"])
    assert any(r["value"] is None for r in out["records"])


def test_check_until_stops_at_the_given_end(run, tmp_path, rng):
    """--until: only the windows that ended by then are checked (a backfill of a period)."""
    home = tmp_path / "home"
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with ModelMonitor("churn", store=str(home)) as monitor:
        monitor.save_reference(pd.DataFrame({"income": rng.normal(50, 15, 5000)}))
        for days_ago in (5, 4, 3):
            start = pd.Timestamp(today - timedelta(days=days_ago))
            stamps = start + pd.to_timedelta(np.sort(rng.uniform(0, 80_000, 300)), unit="s")
            frame = pd.DataFrame({"income": rng.normal(50, 15, 300)})
            monitor.log_predictions(frame, rng.random(300), timestamps=stamps)
    since = (today - timedelta(days=6)).isoformat()
    until = (today - timedelta(days=4)).isoformat()
    args = ("check", "churn", "--store", home, "--since", since, "--until", until)
    result = run(*args, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    windows = json.loads(result.stdout)["windows"]
    assert windows == [[(today - timedelta(days=5)).isoformat(), until]]
    backwards = run("check", "churn", "--store", home, "--since", until, "--until", since)
    _assert_one_line_error(backwards, "--until")
