"""AutoRetrainer: cooldown and daily limit counted from the stored jobs (with a clock the
test moves), one winner among concurrent requests, approvals, dry runs, no trigger,
failures, following a run, and the audit log of every decision."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from driftscope.errors import ConfigError
from driftscope.response import AutoRetrainer, CallableTrigger
from driftscope.response.job_store import decide
from driftscope.response.jobs import RetrainJob
from driftscope.response.triggers import AirflowTrigger
from driftscope.store import EmbeddedStore
from tests.response.fakes import AIRFLOW_JWT, FakeAirflow


class Recorder:
    """A trigger function that records the jobs it was asked to start."""

    def __init__(self, fail: bool = False):
        self.started: list[RetrainJob] = []
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, job: RetrainJob) -> dict:
        if self.fail:
            raise ConnectionError("training cluster unreachable")
        with self.lock:
            self.started.append(job)
        return {"run_id": f"run-{len(self.started)}"}


def actions(store, model="churn"):
    return [e.action for e in store.read_audit(model=model, action="retrain.")]


def test_cooldown_refuses_until_it_has_passed(store, clock):
    recorder = Recorder()
    retrainer = AutoRetrainer(
        "churn", CallableTrigger(recorder), store=store, cooldown=timedelta(hours=6), clock=clock
    )
    first = retrainer.trigger_retraining("severe_drift_detected", 0.34, ["age"], "high")
    assert first.status == "started" and first.receipt["run_id"] == "run-1"
    assert first.started_at == clock.now

    clock.advance(hours=5, minutes=59)
    refused = retrainer.trigger_retraining("severe_drift_detected", 0.36, ["age"], "high")
    assert refused.status == "refused"
    assert refused.refusal.startswith("cooldown: the last run started 5.98 h ago")
    assert "next allowed at 2026-11-02 15:00 UTC" in refused.refusal
    assert len(recorder.started) == 1

    clock.advance(minutes=1)
    assert retrainer.trigger_retraining("severe_drift_detected", 0.4).status == "started"
    assert actions(store) == ["retrain.triggered", "retrain.refused", "retrain.triggered"]
    entry = store.read_audit(action="retrain.refused")[0]
    assert entry.subject == refused.id
    assert entry.details["rule"] == "cooldown"
    assert entry.details["retry_at"] == "2026-11-02T15:00:00+00:00"
    assert entry.details["drift_score"] == 0.36
    assert entry.at == clock.now - timedelta(minutes=1)


def test_daily_limit_counts_the_last_24_hours(store, clock):
    retrainer = AutoRetrainer(
        "churn",
        CallableTrigger(Recorder()),
        store=store,
        cooldown=timedelta(hours=1),
        max_runs_per_day=2,
        clock=clock,
    )
    statuses = []
    # at 9:00, 11:00, 13:00, then the next day at 9:05 and 10:35
    for minutes in (0, 120, 120, 20 * 60 + 5, 90):
        clock.advance(minutes=minutes)
        statuses.append(retrainer.trigger_retraining("scheduled").status)
    assert statuses == ["started", "started", "refused", "started", "refused"]
    limited = retrainer.jobs("refused")
    assert limited[0].refusal.startswith("daily limit: 2 runs started in the last 24 h")
    assert "next allowed at 2026-11-03 09:00 UTC" in limited[0].refusal
    assert "next allowed at 2026-11-03 11:00 UTC" in limited[1].refusal
    clock.advance(minutes=26)  # 11:01: the 11:00 run of the day before is out of the window
    assert retrainer.trigger_retraining("scheduled").status == "started"


def test_two_processes_agree_on_the_limits(tmp_path, clock):
    """Two retrainers on two store objects of one folder (as two processes would be)."""
    with EmbeddedStore(tmp_path / "s") as one, EmbeddedStore(tmp_path / "s") as two:
        a = AutoRetrainer("churn", CallableTrigger(Recorder()), store=one, clock=clock)
        b = AutoRetrainer("churn", CallableTrigger(Recorder()), store=two, clock=clock)
        assert a.trigger_retraining("severe_drift_detected").status == "started"
        clock.advance(hours=3)
        refused = b.trigger_retraining("severe_drift_detected")
        assert refused.status == "refused" and refused.refusal.startswith("cooldown")


def test_concurrent_requests_start_one_run(opener, clock):
    """Eight threads, each with its own store object and retrainer, ask at once: exactly one
    run starts, the others are refused by the cooldown and audited (embedded and
    PostgreSQL)."""
    opener().close()  # create the store once
    recorder = Recorder()
    barrier = threading.Barrier(8)
    results: list[RetrainJob] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            with opener() as own:
                trigger = CallableTrigger(recorder)
                retrainer = AutoRetrainer("churn", trigger, store=own, clock=clock)
                barrier.wait()
                results.append(retrainer.trigger_retraining("severe_drift_detected", 0.4))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(r.status for r in results) == ["refused"] * 7 + ["started"]
    assert len(recorder.started) == 1
    with opener() as check:
        assert actions(check).count("retrain.triggered") == 1
        assert actions(check).count("retrain.refused") == 7
        assert len(check.find_state("retrain_job", model="churn")) == 8


def test_a_failed_trigger_is_recorded_and_does_not_use_up_the_limits(store, clock):
    failing = AutoRetrainer("churn", CallableTrigger(Recorder(fail=True)), store=store, clock=clock)
    failed = failing.trigger_retraining("severe_drift_detected")
    assert failed.status == "failed"
    assert failed.error == "ConnectionError: training cluster unreachable"
    assert failed.receipt is None
    working = AutoRetrainer("churn", CallableTrigger(Recorder()), store=store, clock=clock)
    assert working.trigger_retraining("severe_drift_detected").status == "started"
    assert actions(store) == ["retrain.failed", "retrain.triggered"]


def test_dry_run_starts_nothing_and_says_what_would_happen(store, clock):
    recorder = Recorder()
    live = AutoRetrainer("churn", CallableTrigger(recorder), store=store, clock=clock)
    dry = AutoRetrainer("churn", CallableTrigger(recorder), store=store, clock=clock, dry_run=True)
    would = dry.trigger_retraining("severe_drift_detected", 0.31)
    assert would.status == "dry_run"
    assert would.note == "dry run: would start a run through the callable trigger"
    live.trigger_retraining("severe_drift_detected")
    clock.advance(hours=1)
    refused = dry.trigger_retraining("severe_drift_detected")
    assert refused.status == "dry_run" and refused.note.startswith("dry run: would be refused")
    assert len(recorder.started) == 1  # only the live one
    clock.advance(hours=1)
    # dry runs never count: the live retrainer is refused by the first live run only
    assert live.trigger_retraining("x").refusal.startswith("cooldown: the last run started 2 h")
    assert actions(store) == [
        "retrain.dry_run",
        "retrain.triggered",
        "retrain.dry_run",
        "retrain.refused",
    ]


def test_without_a_trigger_the_job_is_recorded_and_nothing_starts(store, clock):
    retrainer = AutoRetrainer("churn", store=store, clock=clock)
    job = retrainer.trigger_retraining("severe_drift_detected", 0.33, ["age"], "high")
    assert job.status == "not_started"
    assert job.note.startswith("no retraining trigger configured: job recorded, nothing started")
    assert job.receipt is None and job.started_at is None
    assert retrainer.job(job.id) == job
    assert actions(store) == ["retrain.not_started"]
    again = retrainer.trigger_retraining("severe_drift_detected")
    assert again.status == "not_started"  # nothing started, so no cooldown either


def test_approval_flow(store, clock):
    recorder = Recorder()
    retrainer = AutoRetrainer(
        "churn", CallableTrigger(recorder), store=store, clock=clock, require_approval=True
    )
    pending = retrainer.trigger_retraining("severe_drift_detected", 0.35, ["age"], "high")
    assert pending.status == "pending_approval" and not recorder.started
    second = retrainer.trigger_retraining("severe_drift_detected", 0.37)
    assert second.status == "refused"
    assert second.refusal.startswith(f"job {pending.id} of this model awaits approval")

    clock.advance(minutes=20)
    started = retrainer.approve(pending.id, by="ana")
    assert started.status == "started" and started.decided_by == "ana"
    assert started.started_at == clock.now
    assert [j.id for j in recorder.started] == [pending.id]
    with pytest.raises(ConfigError, match="is started, not pending approval"):
        retrainer.approve(pending.id, by="ana")

    clock.advance(days=2)
    other = retrainer.trigger_retraining("performance_degraded")
    rejected = retrainer.reject(other.id, by="bo", reason="labels were late, not the model")
    assert rejected.status == "rejected" and rejected.refusal == "labels were late, not the model"
    assert len(recorder.started) == 1
    assert actions(store) == [
        "retrain.awaiting_approval",
        "retrain.refused",
        "retrain.approved",
        "retrain.triggered",
        "retrain.awaiting_approval",
        "retrain.rejected",
    ]
    decisions = store.read_audit(action="retrain.approved") + store.read_audit(
        action="retrain.rejected"
    )
    assert [(e.actor, e.subject) for e in decisions] == [("ana", pending.id), ("bo", other.id)]
    with pytest.raises(ConfigError, match="has no retraining job 'rt-nope'"):
        retrainer.approve("rt-nope", by="ana")


def test_approved_elsewhere_then_launched_by_the_process_with_the_trigger(store, clock):
    recorder = Recorder()
    retrainer = AutoRetrainer(
        "churn", CallableTrigger(recorder), store=store, clock=clock, require_approval=True
    )
    pending = retrainer.trigger_retraining("scheduled")
    decide(store, "churn", pending.id, approve=True, by="cli-user")  # the command line
    assert retrainer.job(pending.id).status == "approved"
    launched = retrainer.launch_approved()
    assert [j.status for j in launched] == ["started"]
    assert retrainer.launch_approved() == []  # started once only
    assert len(recorder.started) == 1


def test_refresh_follows_the_airflow_run_and_audits_its_end(store, clock, receiver):
    airflow = FakeAirflow()
    server = receiver(airflow)
    trigger = AirflowTrigger(server.url, "retrain_churn", token=AIRFLOW_JWT)
    retrainer = AutoRetrainer("churn", trigger, store=store, clock=clock)
    job = retrainer.trigger_retraining("severe_drift_detected", 0.34, ["age"], "high")
    assert job.status == "started"
    assert retrainer.refresh(job).status == "started"  # still queued
    airflow.set_state(job.receipt["run_id"], "running")
    assert retrainer.refresh(job.id).status == "running"
    airflow.set_state(job.receipt["run_id"], "success")
    clock.advance(hours=1)
    done = retrainer.refresh_active()
    assert [(j.id, j.status, j.finished_at) for j in done] == [(job.id, "succeeded", clock.now)]
    assert retrainer.refresh(job).status == "succeeded"  # ended: not asked again
    gets = [r for r in server.requests if r.method == "GET"]
    assert len(gets) == 3
    assert actions(store) == ["retrain.triggered", "retrain.succeeded"]
    stored = [r.body for r in store.find_state("retrain_job")] + [
        e.to_dict() for e in store.read_audit()
    ]
    assert AIRFLOW_JWT not in json.dumps(stored)  # the token never reaches the store


def test_bad_requests_are_config_errors(store):
    retrainer = AutoRetrainer("churn", store=store)
    with pytest.raises(ConfigError, match="priority must be one of low, normal, high, critical"):
        retrainer.trigger_retraining("x", priority="urgent")
    with pytest.raises(ConfigError, match="reason must be non-empty text"):
        retrainer.trigger_retraining("")
    with pytest.raises(ConfigError, match="drifted_features must be a list of names"):
        retrainer.trigger_retraining("x", drifted_features="age")
    with pytest.raises(ConfigError, match="trigger must be a RetrainTrigger"):
        AutoRetrainer("churn", lambda job: None, store=store)
    with pytest.raises(ConfigError, match="max_runs_per_day must be an int >= 1"):
        AutoRetrainer("churn", store=store, max_runs_per_day=0)
    assert store.find_state("retrain_job") == []


def test_await_gives_the_same_job(store):
    import asyncio

    retrainer = AutoRetrainer("churn", store=store)

    async def job_id() -> str:
        job = await retrainer.trigger_retraining("severe_drift_detected", 0.4, ["age"], "high")
        return job.id

    found = asyncio.run(job_id())
    assert retrainer.job(found).reason == "severe_drift_detected"
