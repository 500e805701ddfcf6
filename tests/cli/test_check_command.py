"""``driftscope check MODEL``: health checks of a logged model from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from driftscope.monitor import ModelMonitor
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
    result = run("check", "churn", "--store", home)
    _assert_one_line_error(result, "save_reference")
    _assert_one_line_error(
        run("check", "churn", "--store", home, "--since", "yesterday"), "--since"
    )
