"""The HTTP triggers against real local servers that answer like Airflow, GitHub and a
webhook receiver: what is sent, what is kept, how status is followed, and that no secret
leaks into a receipt, a repr or an error."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime

import pytest

from driftscope.alerts.channels.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from driftscope.errors import ConfigError
from driftscope.response.triggers import (
    AirflowTrigger,
    GitHubWorkflowTrigger,
    TriggerError,
    WebhookTrigger,
)
from tests.response.fakes import (
    AIRFLOW_JWT,
    AIRFLOW_PASSWORD,
    AIRFLOW_USER,
    GITHUB_TOKEN,
    FakeAirflow,
    FakeGitHub,
)
from tests.response.trigger_support import a_job


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------- Airflow
def test_airflow_2_starts_a_dag_run_with_the_job_in_its_conf(receiver):
    airflow = FakeAirflow()
    server = receiver(airflow)
    trigger = AirflowTrigger(
        server.url,
        "retrain_churn",
        username=AIRFLOW_USER,
        password=AIRFLOW_PASSWORD,
        conf={"dataset": "s3://bucket/churn", "priority": "overridden"},
    )
    receipt = trigger.start(a_job())

    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/api/v1/dags/retrain_churn/dagRuns")
    user, password = base64.b64decode(request.headers.get("authorization")[6:]).decode().split(":")
    assert (user, password) == (AIRFLOW_USER, AIRFLOW_PASSWORD)
    body = request.json()
    assert body["dag_run_id"] == "driftscope__rt-20261102-090000-abc123"
    conf = body["conf"]
    assert conf["job_id"] == "rt-20261102-090000-abc123"
    assert conf["reason"] == "severe_drift_detected"
    assert conf["drift_score"] == 0.34
    assert conf["drifted_features"] == ["age", "plan"]
    assert conf["priority"] == "high"  # the job's fields win over the extra conf
    assert conf["dataset"] == "s3://bucket/churn"
    assert receipt["run_id"] == body["dag_run_id"]
    assert receipt["status"] == "queued"
    assert receipt["url"].endswith("/dags/retrain_churn/grid?dag_run_id=" + body["dag_run_id"])
    assert AIRFLOW_PASSWORD not in json.dumps(receipt) + repr(trigger)


def test_airflow_status_follows_the_run_state(receiver):
    airflow = FakeAirflow()
    server = receiver(airflow)
    trigger = AirflowTrigger(server.url, "retrain_churn", token=AIRFLOW_JWT)
    receipt = trigger.start(a_job())
    seen = [trigger.status(receipt)]
    for state in ("running", "success"):
        airflow.set_state(receipt["run_id"], state)
        seen.append(trigger.status(receipt))
    airflow.set_state(receipt["run_id"], "failed")
    seen.append(trigger.status(receipt))
    assert seen == ["queued", "running", "succeeded", "failed"]
    assert server.requests[-1].headers.get("authorization") == f"Bearer {AIRFLOW_JWT}"
    assert server.requests[-1].path.endswith("/dagRuns/driftscope__rt-20261102-090000-abc123")


def test_airflow_start_repeated_after_a_crash_finds_the_run_instead_of_a_second(receiver):
    airflow = FakeAirflow()
    server = receiver(airflow)
    trigger = AirflowTrigger(server.url, "retrain_churn", token=AIRFLOW_JWT)
    first = trigger.start(a_job())
    again = trigger.start(a_job())  # 409 from Airflow
    assert len(airflow.runs) == 1
    assert again["run_id"] == first["run_id"]
    assert [r.method for r in server.requests] == ["POST", "POST"]


def test_airflow_3_logs_in_for_a_token_and_uses_api_v2(receiver):
    airflow = FakeAirflow()
    server = receiver(airflow)
    trigger = AirflowTrigger(
        server.url, "retrain_churn", username=AIRFLOW_USER, password=AIRFLOW_PASSWORD, api_version=2
    )
    receipt = trigger.start(a_job())
    assert [r.path for r in server.requests] == [
        "/auth/token",
        "/api/v2/dags/retrain_churn/dagRuns",
    ]
    assert server.requests[1].json()["logical_date"] is None
    assert server.requests[1].headers.get("authorization") == f"Bearer {AIRFLOW_JWT}"
    assert receipt["url"].endswith("/dags/retrain_churn/runs/" + receipt["run_id"])
    trigger.status(receipt)  # the token is reused, not fetched again
    assert [r.path for r in server.requests].count("/auth/token") == 1


def test_airflow_refusals_say_what_airflow_answered_without_the_password(receiver):
    server = receiver(FakeAirflow())
    wrong = AirflowTrigger(server.url, "retrain_churn", username=AIRFLOW_USER, password="nope-9")
    with pytest.raises(TriggerError, match="401 Unauthorized") as caught:
        wrong.start(a_job())
    assert "nope-9" not in str(caught.value)
    missing = AirflowTrigger(
        server.url, "no_such_dag", username=AIRFLOW_USER, password=AIRFLOW_PASSWORD
    )
    with pytest.raises(TriggerError, match=r"404 Not Found: .*no_such_dag"):
        missing.start(a_job())


def test_airflow_down_is_a_trigger_error_naming_the_host():
    url = f"http://127.0.0.1:{free_port()}"
    trigger = AirflowTrigger(url, "retrain_churn", token="tok-123", timeout=2)
    with pytest.raises(TriggerError, match=r"cannot reach http://127\.0\.0\.1:\d+") as caught:
        trigger.start(a_job())
    assert "tok-123" not in str(caught.value)


def test_airflow_configuration_mistakes_are_config_errors():
    with pytest.raises(ConfigError, match="base_url must be an http"):
        AirflowTrigger("airflow:8080", "d", token="t")
    with pytest.raises(ConfigError, match="not both"):
        AirflowTrigger("http://a", "d", token="t", username="u", password="p")
    with pytest.raises(ConfigError, match="both username and password"):
        AirflowTrigger("http://a", "d", username="u")
    with pytest.raises(ConfigError, match="api_version"):
        AirflowTrigger("http://a", "d", token="t", api_version=3)


# ---------------------------------------------------------------------- GitHub
def test_github_dispatch_with_run_details_follows_that_run(receiver):
    github = FakeGitHub()
    server = receiver(github)
    trigger = GitHubWorkflowTrigger(
        "acme/models",
        "retrain.yml",
        ref="release",
        token=GITHUB_TOKEN,
        inputs={"job_id": "{job_id}", "reason": "{reason} ({drift_score}, {drifted_features})"},
        api_url=server.url,
    )
    receipt = trigger.start(a_job())
    dispatch = server.requests[0]
    assert dispatch.path == "/repos/acme/models/actions/workflows/retrain.yml/dispatches"
    assert dispatch.headers.get("accept") == "application/vnd.github+json"
    assert dispatch.headers.get("x-github-api-version") == "2022-11-28"
    assert dispatch.json() == {
        "ref": "release",
        "inputs": {
            "job_id": "rt-20261102-090000-abc123",
            "reason": "severe_drift_detected (0.34, age,plan)",
        },
        "return_run_details": True,
    }
    assert receipt["run_id"] == 9001
    assert receipt["url"] == "https://github.com/acme/models/actions/runs/9001"
    assert trigger.status(receipt) == "queued"
    github.runs[9001]["status"] = "in_progress"
    assert trigger.status(receipt) == "running"
    github.runs[9001].update(status="completed", conclusion="failure")
    assert trigger.status(receipt) == "failed"
    assert server.requests[-1].path == "/repos/acme/models/actions/runs/9001"
    assert GITHUB_TOKEN not in json.dumps(receipt) + repr(trigger)


def test_github_dispatch_without_run_details_finds_the_run_by_its_title(receiver):
    github = FakeGitHub(run_details=False)  # GitHub Enterprise Server: 204, no body
    server = receiver(github)
    trigger = GitHubWorkflowTrigger(
        "acme/models",
        "retrain.yml",
        token=GITHUB_TOKEN,
        inputs={"job_id": "{job_id}"},
        api_url=server.url,
    )
    receipt = trigger.start(a_job())
    assert "run_id" not in receipt
    # another dispatch's run, created earlier, must not be taken for ours
    github.runs[1] = {
        **github.runs[9001],
        "id": 1,
        "display_title": "someone else",
        "status": "completed",
        "conclusion": "success",
    }
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for run in github.runs.values():
        run["created_at"] = now
    github.runs[9001]["status"] = "in_progress"
    progress = trigger.progress(receipt)
    assert progress == {
        "status": "running",
        "run_id": 9001,
        "url": "https://github.com/acme/models/actions/runs/9001",
    }
    listing = server.requests[-1]
    assert listing.path == "/repos/acme/models/actions/workflows/retrain.yml/runs"
    assert listing.query["event"] == ["workflow_dispatch"]
    assert listing.query["branch"] == ["main"]
    assert listing.query["created"][0].startswith(">=")


def test_github_refuses_undeclared_inputs_and_says_so(receiver):
    server = receiver(FakeGitHub(declared_inputs=()))
    trigger = GitHubWorkflowTrigger(
        "acme/models",
        "retrain.yml",
        token=GITHUB_TOKEN,
        inputs={"job_id": "{job_id}"},
        api_url=server.url,
    )
    with pytest.raises(TriggerError, match=r"422.*Unexpected inputs") as caught:
        trigger.start(a_job())
    assert GITHUB_TOKEN not in str(caught.value)
    bad = GitHubWorkflowTrigger("acme/models", "retrain.yml", token="wrong", api_url=server.url)
    with pytest.raises(TriggerError, match=r"401 Unauthorized: .*Bad credentials"):
        bad.start(a_job())


def test_github_configuration_mistakes_are_config_errors():
    with pytest.raises(ConfigError, match="owner/name"):
        GitHubWorkflowTrigger("models", "retrain.yml", token="t")
    with pytest.raises(ConfigError, match=r"names \{score\}; the job's fields are"):
        GitHubWorkflowTrigger("a/b", "retrain.yml", token="t", inputs={"s": "{score}"})


# ---------------------------------------------------------------------- webhook
def test_webhook_posts_the_job_signed_and_follows_its_status_url(receiver):
    secret = "whsec-5521"
    states = {"state": "running"}

    def handler(request):
        if request.method == "POST":
            return 202, {"run_id": "train-77", "status_url": f"{server.url}/runs/train-77"}
        return 200, {"status": states["state"]}

    server = receiver(handler)
    trigger = WebhookTrigger(f"{server.url}/hooks/retrain?token=abc", secret=secret)
    receipt = trigger.start(a_job())
    post = server.requests[0]
    assert post.headers.get("content-type") == "application/json"
    assert post.headers.get("idempotency-key") == "rt-20261102-090000-abc123"
    assert post.json()["event"] == "retrain"
    assert post.json()["job"]["drifted_features"] == ["age", "plan"]
    stamp, signature = (
        post.headers.get(TIMESTAMP_HEADER.lower()),
        post.headers.get(SIGNATURE_HEADER.lower()),
    )
    assert verify_signature(secret, stamp, post.body, signature)
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + post.body, hashlib.sha256)
    assert signature == "sha256=" + expected.hexdigest()  # recomputed independently
    assert not verify_signature(secret, stamp, post.body + b" ", signature)

    assert receipt == {
        "system": "webhook",
        "run_id": "train-77",
        "status_url": f"{server.url}/runs/train-77",
        "status": "queued",
    }
    assert trigger.status(receipt) == "running"
    states["state"] = "success"
    assert trigger.status(receipt) == "succeeded"
    assert "abc" not in repr(trigger) and secret not in repr(trigger)


def test_webhook_failures_name_the_host_only(receiver):
    server = receiver(lambda request: (500, b"upstream exploded"))
    trigger = WebhookTrigger(f"{server.url}/hooks/T0/secret-path-991")
    with pytest.raises(TriggerError, match="500 Internal Server Error: upstream exploded") as e:
        trigger.start(a_job())
    assert "secret-path-991" not in str(e.value)
    assert trigger.status({"status": "queued"}) == "unknown"  # nothing to ask


def test_httpx_request_log_shows_the_host_only(receiver, caplog):
    server = receiver(lambda request: (202, {"run_id": "train-1"}))
    trigger = WebhookTrigger(f"{server.url}/hooks/T0/secret-path-4417?token=tok-9931")
    with caplog.at_level("DEBUG", logger="httpx"):
        trigger.start(a_job())
    assert any(r.name == "httpx" for r in caplog.records)  # httpx did log the request
    assert "secret-path-4417" not in caplog.text and "tok-9931" not in caplog.text
