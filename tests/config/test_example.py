"""The complete example of docs/scheduling.md, loaded as written and run: a real store with
a baseline file and drifted predictions, the channels and the retraining webhook pointed
(through their environment variables) at a real recording receiver on 127.0.0.1."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from driftscope.cli.demo import PREDICTION, make_churn_data
from driftscope.monitor import ModelMonitor
from driftscope.ops import load_config
from driftscope.ops.runner import Runner
from tests.alerts.receiver import Receiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheduling.md"
START = datetime(2026, 11, 1, tzinfo=UTC)


def example_text() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    (found,) = [b for b in blocks if b.startswith("# monitor.yaml\n")]
    return found


class SteppingClock:
    """Real time at first, then two seconds more at every reading: the run's group_wait
    (30 s) passes in a few readings instead of half a minute."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            self.now += timedelta(seconds=2)
            return self.now


@pytest.fixture
def example(tmp_path, monkeypatch):
    (tmp_path / "monitor.yaml").write_text(example_text())
    (tmp_path / "data").mkdir()
    reference, production = make_churn_data(1500, 1800, seed=3, drift=True)
    features = [c for c in reference.columns if c != PREDICTION]
    rng = np.random.default_rng(4)
    reference[features].assign(
        prediction=reference[PREDICTION],
        label=(rng.random(len(reference)) < reference[PREDICTION]).astype(int),
    ).to_parquet(tmp_path / "data" / "churn_training.parquet")
    # the price rise of the example, stronger: a severe drift
    production["monthly_charges"] = production["monthly_charges"] * 1.3 + 10
    production["contract"] = "month-to-month"
    stamps = [START + timedelta(seconds=int(s)) for s in np.linspace(0, 3 * 86400 - 1, 1800)]
    with ModelMonitor("churn", store=tmp_path / "monitoring") as monitor:
        monitor.log_predictions(
            production[features], production[PREDICTION].to_numpy(), timestamps=stamps
        )
    with ModelMonitor("fraud", store=tmp_path / "monitoring") as monitor:
        monitor.log_predictions(
            {"amount": rng.lognormal(3, 1, 200)},
            rng.random(200),
            timestamps=[START + timedelta(minutes=i) for i in range(200)],
        )
    with Receiver() as receiver:
        for name, path in (
            ("SLACK_WEBHOOK_URL", "/slack"),
            ("OPS_WEBHOOK_URL", "/ops"),
            ("RETRAIN_WEBHOOK_URL", "/retrain"),
        ):
            monkeypatch.setenv(name, receiver.url + path)
        monkeypatch.setenv("OPS_WEBHOOK_SECRET", "ops-signing-key")
        monkeypatch.setenv("RETRAIN_WEBHOOK_SECRET", "retrain-signing-key")
        monkeypatch.setenv("PAGERDUTY_ROUTING_KEY", "R0UT1NGKEY")
        yield tmp_path, receiver


def test_the_example_loads_and_runs(example):
    folder, receiver = example
    config = load_config(folder / "monitor.yaml")
    assert [m.name for m in config.models] == ["churn", "fraud"]
    with Runner(config, clock=SteppingClock()) as runner:
        report = runner.run(until=datetime(2026, 11, 4, tzinfo=UTC))
    churn, fraud = report.models
    assert churn.error == "" and churn.windows == 3, churn
    assert fraud.error == "", fraud
    assert report.exit_code == 1  # the churn model's drift alert is firing
    firing = {(a["alertname"], a["severity"]) for a in report.firing}
    assert ("churn-drift", "critical") in firing
    paths = [r.path for r in receiver.requests]
    assert "/slack" in paths and "/ops" in paths, paths
    assert "/retrain" in paths, paths  # severe drift: the retraining webhook was called
    slack = next(r for r in receiver.requests if r.path == "/slack").json()
    assert "blocks" in slack and "text" in slack
    ops = next(r for r in receiver.requests if r.path == "/ops")
    assert ops.headers["x-driftscope-signature"].startswith("sha256=")
    assert report.notifications["pending"] == 0 and report.notifications["dead"] == 0


def test_the_example_responds_to_severe_drift_once(example):
    folder, receiver = example
    config = load_config(folder / "monitor.yaml")
    with Runner(config, clock=SteppingClock()) as runner:
        first = runner.run(until=datetime(2026, 11, 3, tzinfo=UTC))
        second = runner.run(until=datetime(2026, 11, 4, tzinfo=UTC))
        store = runner.store
        audit = [e.action for e in store.read_audit(model="churn")]
        tier = store.get_state("response_tier", "churn")
    assert first.models[0].windows == 2
    # the second run goes on where the first stopped (and rechecks performance of the
    # windows whose labels may still arrive: label_delay 2d)
    assert second.models[0].since == first.models[0].until
    assert tier.state == "severe"
    retrains = [r for r in receiver.requests if r.path == "/retrain"]
    assert len(retrains) == 1  # the tier held: no second run, no second job
    posted = retrains[0].json()
    assert posted["event"] == "retrain"
    job = posted["job"]
    assert job["reason"] == "severe_drift" and job["model"] == "churn"
    assert set(job["drifted_features"]) >= {"monthly_charges", "contract"}
    assert "retrain.triggered" in audit and audit.count("retrain.triggered") == 1
    assert "response.tier" in audit and "schedule.claimed" in audit
