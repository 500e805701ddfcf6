"""The shell trigger running real commands (detached, with the job in its environment and
on stdin, its exit code read back by any process), and the callable trigger."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from driftscope.errors import ConfigError
from driftscope.response.triggers import CallableTrigger, ShellTrigger
from tests.response.trigger_support import a_job

#: A training script stand-in: reads the job from stdin, writes what it got, exits.
SCRIPT = """
import json, os, sys, time
job = json.load(sys.stdin)
time.sleep(float(os.environ.get("SLEEP", "0")))
env = {k: v for k, v in os.environ.items() if k.startswith(("DRIFTSCOPE_", "TRAIN_"))}
seen = {"stdin": job, "env": env}
open(os.environ["OUT"], "w").write(json.dumps(seen))
print("trained", job["job_id"])
sys.exit(int(os.environ.get("EXIT", "0")))
"""


def wait_for(trigger, receipt, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = trigger.progress(receipt)
        if progress["status"] in ("succeeded", "failed"):
            return progress
        time.sleep(0.05)
    raise AssertionError(f"the command did not finish: {progress}")


def test_shell_trigger_runs_the_command_detached_with_the_job(tmp_path):
    out = tmp_path / "seen.json"
    trigger = ShellTrigger(
        [sys.executable, "-c", SCRIPT],
        env={"OUT": str(out), "SLEEP": "0.4", "TRAIN_TOKEN": "tk-1"},
        log_dir=tmp_path / "runs",
    )
    started = time.monotonic()
    receipt = trigger.start(a_job())
    assert time.monotonic() - started < 0.4  # it did not wait for the command
    assert trigger.status(receipt) == "running"
    assert isinstance(receipt["pid"], int)
    progress = wait_for(trigger, receipt)
    assert progress == {"status": "succeeded", "exit_code": 0, "timed_out": False}

    seen = json.loads(out.read_text())
    assert seen["stdin"]["job_id"] == "rt-20261102-090000-abc123"
    assert seen["stdin"]["drifted_features"] == ["age", "plan"]
    env = seen["env"]
    assert env["DRIFTSCOPE_JOB_ID"] == "rt-20261102-090000-abc123"
    assert env["DRIFTSCOPE_MODEL"] == "churn"
    assert env["DRIFTSCOPE_REASON"] == "severe_drift_detected"
    assert env["DRIFTSCOPE_DRIFT_SCORE"] == "0.34"
    assert env["DRIFTSCOPE_DRIFTED_FEATURES"] == "age,plan"
    assert env["DRIFTSCOPE_PRIORITY"] == "high"
    assert env["TRAIN_TOKEN"] == "tk-1"
    assert Path(receipt["log"]).read_text().strip() == "trained rt-20261102-090000-abc123"
    assert "tk-1" not in json.dumps(receipt) + repr(trigger)


def test_shell_trigger_exit_code_and_timeout_are_kept(tmp_path):
    failing = ShellTrigger(
        [sys.executable, "-c", SCRIPT],
        env={"OUT": str(tmp_path / "x.json"), "EXIT": "3"},
        log_dir=tmp_path,
    )
    assert wait_for(failing, failing.start(a_job("rt-a")))["exit_code"] == 3

    slow = ShellTrigger("sleep 30", timeout=0.3, log_dir=tmp_path)
    receipt = slow.start(a_job("rt-b"))
    progress = wait_for(slow, receipt)
    assert progress == {"status": "failed", "exit_code": 124, "timed_out": True}
    assert "killed after" in Path(receipt["log"]).read_text()


def test_another_process_reads_how_a_run_ended(tmp_path):
    """The status comes from the run's folder, not from the process that started it: a
    new trigger (as in another process, e.g. the command line) reads it."""
    trigger = ShellTrigger("echo done; exit 0", log_dir=tmp_path)
    receipt = trigger.start(a_job())
    wait_for(trigger, receipt)
    assert ShellTrigger("unused", log_dir=tmp_path).status(receipt) == "succeeded"


def test_a_command_that_cannot_run_fails_with_127(tmp_path):
    trigger = ShellTrigger(["/no/such/program"], log_dir=tmp_path)
    receipt = trigger.start(a_job())
    assert wait_for(trigger, receipt)["exit_code"] == 127
    assert "cannot run" in Path(receipt["log"]).read_text()


def test_shell_configuration_mistakes():
    with pytest.raises(ConfigError, match="must not be empty"):
        ShellTrigger("  ")
    with pytest.raises(ConfigError, match="non-empty list of text"):
        ShellTrigger([])
    with pytest.raises(ConfigError, match="timeout must be seconds"):
        ShellTrigger("true", timeout=0)


def test_callable_trigger_sync_async_and_status_fn():
    calls = []

    def start(job):
        calls.append(job.id)
        return {"run_id": "r-1"}

    trigger = CallableTrigger(start, status_fn=lambda receipt: "running")
    receipt = trigger.start(a_job())
    assert calls == ["rt-20261102-090000-abc123"]
    assert receipt["run_id"] == "r-1" and receipt["status"] == "queued"
    assert receipt["callable"].endswith("start")
    assert trigger.status(receipt) == "running"

    async def trains_itself(job):
        return "succeeded"

    assert CallableTrigger(trains_itself).start(a_job())["status"] == "succeeded"
    with pytest.raises(ConfigError, match="a run status is one of"):
        CallableTrigger(lambda job: "done").start(a_job())
    with pytest.raises(ConfigError, match="returns None, a receipt dict or a run status"):
        CallableTrigger(lambda job: 42).start(a_job())
    with pytest.raises(ConfigError, match="is not plain JSON"):
        CallableTrigger(lambda job: {"at": datetime.now(UTC)}).start(a_job())
