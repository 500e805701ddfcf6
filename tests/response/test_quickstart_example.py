"""The quick start's automated drift response example runs as written, with only its
imports changed to driftscope: the class text verbatim (quickstart_response_example.txt,
copied from the quick start), a `feature_list`, and a store (the default one,
$DRIFTSCOPE_HOME) holding a baseline and a week of drifted predictions.

The example's class calls `self.get_production_data(days=7)`, which it never defines; the
one help it gets is driftscope's definition of it: mixed in after the class is defined
(the text unchanged), or by deriving the class from `driftscope.AutomatedDriftResponse`
(the one-line change docs/response.md tells users to make)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

import driftscope
from driftscope.store import EmbeddedStore
from tests.response.data import FEATURES, logged_model

EXAMPLE = (Path(__file__).parent / "quickstart_response_example.txt").read_text()
IMPORTS = (
    "from alert_manager import AlertManager, AlertSeverity\n"
    "from model_retrainer import AutoRetrainer\n"
    "from drift_detector import DriftAnalyzer\n"
)
DRIFTSCOPE_IMPORTS = (
    "from driftscope import AlertManager, AlertSeverity, AutoRetrainer, DriftAnalyzer\n"
)
MODEL = "churn_predictor_v2"


def split_example() -> tuple[str, str]:
    """The example with its imports changed: the class part, and the usage part."""
    assert EXAMPLE.startswith(IMPORTS)
    text = DRIFTSCOPE_IMPORTS + EXAMPLE[len(IMPORTS) :]
    cut = text.index("# Usage (scheduled job)")
    return text[:cut], text[cut:]


async def run_usage(namespace: dict, usage: str) -> dict:
    """The usage part as written (it starts an AsyncIOScheduler, which needs a running
    loop), then the daily check it schedules, run now rather than at 2 AM."""
    exec(compile(usage, "example-usage", "exec"), namespace)
    try:
        await namespace["daily_drift_check"]()
        jobs = namespace["scheduler"].get_jobs()
        assert [str(job.trigger) for job in jobs] == ["cron[hour='2']"]
    finally:
        namespace["scheduler"].shutdown(wait=False)
    return namespace


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTSCOPE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.mark.parametrize(("shift", "tier"), [(0.4, "severe"), (0.25, "moderate"), (0.15, "minor")])
def test_the_example_runs_with_get_production_data_mixed_in(home, capsys, shift, tier):
    logged_model(home, MODEL, shift=shift)
    classes, usage = split_example()
    namespace: dict = {"__name__": "__example__", "feature_list": FEATURES}
    exec(compile(classes, "example-classes", "exec"), namespace)
    theirs = namespace["AutomatedDriftResponse"]
    assert "get_production_data" not in vars(theirs)
    namespace["AutomatedDriftResponse"] = type(
        "AutomatedDriftResponse", (theirs, driftscope.AutomatedDriftResponse), {}
    )
    asyncio.run(run_usage(namespace, usage))

    printed = capsys.readouterr().out
    score = re.search(r"Drift check completed\. Score: (\d\.\d{3})", printed)
    assert score is not None, printed
    with EmbeddedStore(home) as store:
        jobs = store.find_state("retrain_job", model=MODEL)
        audit = [e.action for e in store.read_audit(model=MODEL)]
        events = store.read_check_results(MODEL, check="drift_event")
        manager = driftscope.AlertManager(store=store)
        alerts = [(a.alert.severity.value, a.alert.title) for a in manager.alerts(state=None)]
        tickets = manager.tickets()
        manager.close()
    if tier == "severe":
        assert float(score.group(1)) >= 0.3
        (job,) = jobs
        assert f"Retraining job initiated: {job.key}" in printed
        assert job.state == "not_started"  # no trigger configured: recorded, nothing started
        assert job.body["priority"] == "high" and job.body["reason"] == "severe_drift_detected"
        assert job.body["drift_score"] == pytest.approx(float(score.group(1)), abs=5e-4)
        assert "retrain.not_started" in audit
        assert alerts == [("critical", "Severe Drift Detected - Auto-Retraining Initiated")]
    elif tier == "moderate":
        assert 0.2 <= float(score.group(1)) < 0.3
        assert not jobs
        assert alerts == [("warning", "Moderate Drift Detected - Investigation Required")]
        (ticket,) = tickets
        assert ticket.title == f"Model Drift Investigation - {MODEL}"
        assert ticket.assignee == "ml-ops-team"
        assert ticket.description["drift_score"] == pytest.approx(float(score.group(1)), abs=5e-4)
    else:
        assert 0.1 <= float(score.group(1)) < 0.2
        assert not jobs and not tickets
        assert alerts == [("info", "Minor Drift Detected")]
        assert len(events) == 1 and "drift.event" in audit


def test_the_example_runs_derived_from_driftscopes_class(home, capsys):
    logged_model(home, MODEL, shift=0.4)
    classes, usage = split_example()
    line = "class AutomatedDriftResponse:\n"
    assert classes.count(line) == 1
    classes = "import driftscope\n" + classes.replace(
        line, "class AutomatedDriftResponse(driftscope.AutomatedDriftResponse):\n"
    )
    namespace: dict = {"__name__": "__example__", "feature_list": FEATURES}
    exec(compile(classes, "example-classes", "exec"), namespace)
    asyncio.run(run_usage(namespace, usage))
    printed = capsys.readouterr().out
    assert "Retraining job initiated: rt-" in printed
    assert "Drift check completed. Score: 0.3" in printed
