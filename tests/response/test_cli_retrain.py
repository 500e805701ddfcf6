"""``driftscope retrain jobs|approve|reject``: approval from the command line, as a user
would run it (exit codes, one error line), then the run started by the process holding
the trigger."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from click.testing import CliRunner

from driftscope.cli import cli
from driftscope.cli.retrain import STATUS_CHOICES
from driftscope.response import AutoRetrainer, CallableTrigger
from driftscope.response.jobs import STATUSES
from driftscope.store import EmbeddedStore


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def folder(tmp_path, clock):
    """A store with three jobs of 'churn': one started, one refused, one awaiting approval."""
    path = tmp_path / "store"
    started = []
    with EmbeddedStore(path) as store:
        retrainer = AutoRetrainer(
            "churn", CallableTrigger(lambda job: started.append(job.id)), store=store, clock=clock
        )
        retrainer.trigger_retraining("scheduled")
        retrainer.trigger_retraining("severe_drift_detected", 0.34, ["age"], "high")
        retrainer.require_approval = True
        clock.advance(days=2)
        retrainer.trigger_retraining("performance_degraded", priority="high")
    return path


def test_jobs_lists_them_as_a_table_and_as_json(folder):
    table = invoke("retrain", "jobs", "churn", "--store", folder)
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert any("scheduled" in ln and "started" in ln for ln in lines)
    assert any("refused" in ln and "cooldown: the last run started" in ln for ln in lines)
    assert any("pending_approval" in ln and "performance_degraded" in ln for ln in lines)

    done = invoke(
        "retrain",
        "jobs",
        "churn",
        "--status",
        "pending_approval",
        "--format",
        "json",
        "--store",
        folder,
    )
    (job,) = json.loads(done.output)
    assert job["reason"] == "performance_degraded" and job["priority"] == "high"
    assert invoke("retrain", "jobs", "other", "--store", folder).output.strip() == (
        "model 'other' has no retraining jobs"
    )


def test_approve_from_the_command_line_then_the_trigger_process_starts_it(folder, clock):
    pending = json.loads(
        invoke(
            "retrain",
            "jobs",
            "churn",
            "--status",
            "pending_approval",
            "--format",
            "json",
            "--store",
            folder,
        ).output
    )[0]["id"]
    done = invoke("retrain", "approve", "churn", pending, "--by", "ana", "--store", folder)
    assert done.exit_code == 0
    assert done.output.startswith(f"approved {pending} of churn (by ana)")

    started = []
    with EmbeddedStore(folder) as store:
        retrainer = AutoRetrainer(
            "churn",
            CallableTrigger(lambda job: started.append(job.id)),
            store=store,
            clock=clock,
            cooldown=timedelta(hours=1),
        )
        assert [j.status for j in retrainer.launch_approved()] == ["started"]
        entries = store.read_audit(action="retrain.approved")
    assert started == [pending]
    assert [(e.actor, e.subject) for e in entries] == [("ana", pending)]


def test_reject_and_the_errors_of_a_wrong_job(folder):
    pending = json.loads(
        invoke(
            "retrain",
            "jobs",
            "churn",
            "--status",
            "pending_approval",
            "--format",
            "json",
            "--store",
            folder,
        ).output
    )[0]["id"]
    done = invoke(
        "retrain",
        "reject",
        "churn",
        pending,
        "--reason",
        "known outage",
        "--by",
        "bo",
        "--store",
        folder,
    )
    assert done.exit_code == 0
    assert done.output.strip() == f"rejected {pending} of churn (by bo): known outage"

    # the same command again, as a user would run it: exit 2, one line on stderr
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftscope",
            "retrain",
            "approve",
            "churn",
            pending,
            "--store",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 2
    assert again.stderr == (
        f"driftscope: error: retraining job {pending!r} is rejected, not pending approval; "
        "nothing to decide\n"
    )
    unknown = invoke("retrain", "approve", "churn", "rt-nope", "--store", folder)
    assert unknown.exit_code == 2
    assert "model 'churn' has no retraining job 'rt-nope' (latest: " in unknown.output
    missing_reason = invoke("retrain", "reject", "churn", pending, "--store", folder)
    assert missing_reason.exit_code == 2 and "--reason" in missing_reason.output


def test_the_status_choices_are_the_job_statuses():
    assert STATUS_CHOICES == STATUSES
