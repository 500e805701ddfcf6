"""``driftscope run --config``: checks of the due windows, claims, exit codes, output."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from driftscope.cli.demo import PREDICTION, make_churn_data
from driftscope.monitor import ModelMonitor
from driftscope.store import open_store

START = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 3


@pytest.fixture(scope="module")
def churn_files(tmp_path_factory):
    """A training file and three days of drifted production predictions of 'churn'."""
    root = tmp_path_factory.mktemp("churn")
    reference, production = make_churn_data(1500, 1800, seed=3, drift=True)
    features = [c for c in reference.columns if c != PREDICTION]
    reference[features].assign(prediction=reference[PREDICTION]).to_parquet(root / "train.parquet")
    seconds = np.linspace(0, DAYS * 86400 - 1, len(production)).astype(int)
    stamps = [START + timedelta(seconds=int(s)) for s in seconds]
    return root, production[features], production[PREDICTION].to_numpy(), stamps


@pytest.fixture
def folder(tmp_path, churn_files):
    root, frame, predictions, stamps = churn_files
    (tmp_path / "train.parquet").write_bytes((root / "train.parquet").read_bytes())
    with ModelMonitor("churn", store=tmp_path / "store") as monitor:
        monitor.log_predictions(frame, predictions, timestamps=stamps)
    return tmp_path


def write_config(folder: Path, body: str) -> Path:
    path = folder / "monitor.yaml"
    path.write_text(textwrap.dedent(body).lstrip())
    return path


CONFIG = """
store: ./store
models:
  - name: churn
    baseline: train.parquet
    features: [monthly_charges, tenure_months, contract, support_calls]
    window: day
    checks: [drift, quality]
"""


def test_a_run_checks_the_due_windows_once(folder, run):
    config = write_config(folder, CONFIG)
    first = run("run", "--config", config, "--until", "2026-11-05", "--format", "json")
    assert first.exit_code == 0, first.output + first.stderr
    report = json.loads(first.stdout)
    (churn,) = report["models"]
    assert churn["windows"] == DAYS and churn["error"] is None
    assert churn["until"] == "2026-11-05T00:00:00+00:00"
    assert any("saved from" in note for note in churn["notes"])
    with open_store(folder / "store") as store:
        points = store.read_check_results("churn", check="drift", metric="data_drift_score")
        assert len(store.reference_history("churn")) == 1
    assert len(points) == DAYS
    # the features of the configuration are the ones compared
    compared = set(points["details"].iloc[0]["features"])
    assert compared == {"monthly_charges", "tenure_months", "contract", "support_calls"}
    again = run("run", "--config", config, "--until", "2026-11-05")
    assert again.exit_code == 0
    assert "churn  skipped: no window ended since the last run" in again.stdout


def test_drift_options_reach_the_check(folder, run):
    config = write_config(
        folder,
        CONFIG + "    methods: [{name: psi, threshold: 0.3}]\n",
    )
    done = run("run", "--config", config, "--until", "2026-11-03", "--format", "json")
    assert done.exit_code == 0, done.stderr
    with open_store(folder / "store") as store:
        points = store.read_check_results("churn", check="drift", metric="data_drift_score")
    column = points["details"].iloc[0]["features"]["monthly_charges"]
    assert column["method"] == "psi" and column["threshold"] == 0.3


def test_until_is_the_end_of_the_windows_and_a_later_run_goes_on(folder, run):
    config = write_config(folder, CONFIG)
    done = run("run", "--config", config, "--until", "2026-11-02T12:00:00+00:00")
    assert done.exit_code == 0, done.stderr
    assert "churn  1 window(s) to 2026-11-02 00:00:00 UTC" in done.stdout
    later = run("run", "--config", config, "--until", "2026-11-04", "--format", "json")
    (churn,) = json.loads(later.stdout)["models"]
    assert (churn["since"], churn["windows"]) == ("2026-11-02T00:00:00+00:00", 2)


def test_dry_run_changes_nothing(folder, run):
    config = write_config(folder, CONFIG)
    done = run("run", "--config", config, "--until", "2026-11-05", "--dry-run")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("churn: the due windows up to 2026-11-05T00:00:00+00:00")
    assert "baseline would be saved from" in done.stdout
    with open_store(folder / "store") as store:
        assert store.reference_history("churn") == []
        assert store.read_check_results("churn").empty
        assert store.read_audit() == []


def test_a_bad_configuration_is_one_line_and_exit_2(folder, run, one_line_error):
    config = write_config(folder, CONFIG.replace("window: day", "window: fortnight"))
    done = run("run", "--config", config)
    one_line_error(done, f"{config}:6: models[0].window: must be hour, day, week")
    missing = run("run", "--config", folder / "nope.yaml")
    one_line_error(missing, "nope.yaml' does not exist")
    config = write_config(folder, CONFIG)
    one_line_error(run("run", "--config", config, "--model", "fraud"), "no model named 'fraud'")
    typo = write_config(folder, CONFIG.replace("./store", "./stor"))
    one_line_error(run("run", "--config", typo), "store folder", "does not exist")


def test_a_failing_model_is_reported_and_the_others_run(folder, run):
    (folder / "corrupt.parquet").write_bytes(b"PAR1 not parquet")
    with ModelMonitor("fraud", store=folder / "store") as monitor:
        monitor.log_predictions(
            pd.DataFrame({"amount": [1.0, 2.0]}), [0.1, 0.2], timestamps=[START, START]
        )
    config = write_config(
        folder,
        CONFIG + "  - name: fraud\n    baseline: corrupt.parquet\n    checks: [drift]\n",
    )
    done = run("run", "--config", config, "--until", "2026-11-05")
    assert done.exit_code == 2
    assert "churn  3 window(s)" in done.stdout
    assert "fraud  FAILED: baseline file" in done.stdout
    assert done.stderr.startswith("driftscope: error: model 'fraud': baseline file")
    assert done.stderr.count("\n") == 1
    # its windows were given back: the next run tries them again
    again = run("run", "--config", config, "--until", "2026-11-05", "--model", "fraud")
    assert "fraud  FAILED" in again.stdout


ALERTING = """
store: ./store
models:
  - name: churn
    baseline: train.parquet
    features: [monthly_charges, tenure_months, contract, support_calls]
    checks: [drift]
    rules:
      - name: churn-drift
        metric: data_drift_score
        threshold: {threshold}
        severity: critical
        labels: {{team: growth}}
channels:
  hook:
    kind: webhook
    url: {url}/hook
    secret: ${{HOOK_SECRET}}
grouping:
  group_wait: 0s
delivery:
  flush_timeout: 10s
"""


@pytest.fixture
def receiver():
    from tests.alerts.receiver import Receiver

    with Receiver() as recording:
        yield recording


def test_an_alert_reaches_a_real_receiver_and_fails_the_run(folder, run, receiver, monkeypatch):
    from driftscope.alerts.channels.webhook import verify_signature

    monkeypatch.setenv("HOOK_SECRET", "s3cr3t")
    config = write_config(folder, ALERTING.format(threshold=0.05, url=receiver.url))
    done = run("run", "--config", config, "--until", "2026-11-05")
    assert done.exit_code == 1, done.stdout + done.stderr
    assert "firing: 1 alert(s): churn-drift [critical] on churn" in done.stdout
    assert "notifications: 1 delivered, 0 pending, 0 dead" in done.stdout
    (request,) = receiver.requests
    assert request.path == "/hook"
    body = request.json()
    assert body["status"] == "firing" and body["severity"] == "critical"
    (alert,) = body["alerts"]
    assert alert["labels"]["alertname"] == "churn-drift"
    assert alert["labels"]["model"] == "churn" and alert["labels"]["team"] == "growth"
    signature = request.headers["x-driftscope-signature"]
    stamp = request.headers["x-driftscope-timestamp"]
    assert verify_signature("s3cr3t", stamp, request.body, signature)
    assert "s3cr3t" not in done.stdout + done.stderr
    # a second run: nothing new to check, the alert still fires, nothing sent again
    again = run("run", "--config", config, "--until", "2026-11-05", "--format", "json")
    assert again.exit_code == 1
    report = json.loads(again.stdout)
    assert [a["alertname"] for a in report["firing"]] == ["churn-drift"]
    assert len(receiver.requests) == 1


def test_no_alert_exits_0_and_sends_nothing(folder, run, receiver, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "s3cr3t")
    config = write_config(folder, ALERTING.format(threshold=0.99, url=receiver.url))
    done = run("run", "--config", config, "--until", "2026-11-05")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "firing: none" in done.stdout
    assert receiver.requests == []


def test_a_receiver_that_is_down_keeps_the_notification(folder, run, receiver, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "s3cr3t")
    receiver.reply(503)
    config = write_config(
        folder,
        ALERTING.format(threshold=0.05, url=receiver.url).replace("10s", "2s"),
    )
    done = run("run", "--config", config, "--until", "2026-11-05", "--format", "json")
    assert done.exit_code == 1
    assert json.loads(done.stdout)["notifications"] == {"delivered": 0, "pending": 1, "dead": 0}
