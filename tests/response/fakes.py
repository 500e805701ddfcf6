"""Receivers that answer like the services the triggers talk to, as their API docs say:
Airflow's stable REST API (v1: Airflow 2; v2: Airflow 3) and GitHub's Actions API.
They check authentication and the request's shape, keep state, and answer with the
documented status codes and JSON fields."""

from __future__ import annotations

import base64
import re
from typing import Any

from tests.alerts.receiver import Request

AIRFLOW_USER, AIRFLOW_PASSWORD = "ops", "airflow-pw-7731"
AIRFLOW_JWT = "eyJhbGciOi.fake-jwt.sig-4412"
GITHUB_TOKEN = "ghp_FAKE0token0for0tests0000000000"


class FakeAirflow:
    """``POST /api/v{1,2}/dags/{dag}/dagRuns``, ``GET .../dagRuns/{id}``, ``POST /auth/token``."""

    def __init__(self, dags: tuple[str, ...] = ("retrain_churn",)):
        self.dags = set(dags)
        self.runs: dict[tuple[str, str], dict[str, Any]] = {}

    def _authorized(self, request: Request, version: str) -> bool:
        auth = request.headers.get("authorization") or ""
        if version == "1":
            expected = base64.b64encode(f"{AIRFLOW_USER}:{AIRFLOW_PASSWORD}".encode()).decode()
            return auth == f"Basic {expected}" or auth == f"Bearer {AIRFLOW_JWT}"
        return auth == f"Bearer {AIRFLOW_JWT}"

    def __call__(self, request: Request) -> tuple:
        if request.method == "POST" and request.path == "/auth/token":
            body = request.json()
            if body == {"username": AIRFLOW_USER, "password": AIRFLOW_PASSWORD}:
                return 201, {"access_token": AIRFLOW_JWT, "token_type": "bearer"}
            return 401, {"detail": "Invalid credentials"}
        found = re.fullmatch(r"/api/v([12])/dags/([^/]+)/dagRuns(?:/([^/]+))?", request.path)
        if not found:
            return 404, {"title": "Not Found", "status": 404}
        version, dag, run_id = found.groups()
        if not self._authorized(request, version):
            return 401, {"title": "Unauthorized", "status": 401, "type": "about:blank"}
        if dag not in self.dags:
            return 404, {"title": "DAG not found", "detail": f"DAG with dag_id: '{dag}' not found"}
        if request.method == "POST" and run_id is None:
            body = request.json()
            if version == "2" and "logical_date" not in body:
                return 422, {"detail": [{"loc": ["body", "logical_date"], "msg": "Field required"}]}
            key = (dag, body["dag_run_id"])
            if key in self.runs:
                return 409, {
                    "title": "Conflict",
                    "detail": f"DAGRun with DAG ID: '{dag}' and DAGRun ID: "
                    f"'{body['dag_run_id']}' already exists",
                }
            run = {
                "dag_run_id": body["dag_run_id"],
                "dag_id": dag,
                "state": "queued",
                "conf": body.get("conf", {}),
                "logical_date": body.get("logical_date"),
                "run_type": "manual",
            }
            self.runs[key] = run
            return 200, run
        if request.method == "GET" and run_id is not None:
            run = self.runs.get((dag, run_id))
            if run is None:
                return 404, {"title": "DAGRun not found"}
            return 200, run
        return 405, {"title": "Method Not Allowed"}

    def set_state(self, run_id: str, state: str, dag: str = "retrain_churn") -> None:
        self.runs[(dag, run_id)]["state"] = state


class FakeGitHub:
    """``POST .../actions/workflows/{wf}/dispatches`` (204, or 200 with run details),
    ``GET .../actions/runs/{id}`` and ``GET .../actions/workflows/{wf}/runs``."""

    def __init__(
        self,
        repo: str = "acme/models",
        workflow: str = "retrain.yml",
        declared_inputs: tuple[str, ...] = ("job_id", "reason"),
        run_details: bool = True,
    ):
        self.repo, self.workflow = repo, workflow
        self.declared_inputs = set(declared_inputs)
        self.run_details = run_details
        self.runs: dict[int, dict[str, Any]] = {}
        self.next_id = 9001
        self.base = ""  # set by the test: the receiver's url

    def __call__(self, request: Request) -> tuple:
        if request.headers.get("authorization") != f"Bearer {GITHUB_TOKEN}":
            return 401, {"message": "Bad credentials", "status": "401"}
        prefix = f"/repos/{self.repo}/actions"
        if request.method == "POST" and request.path == (
            f"{prefix}/workflows/{self.workflow}/dispatches"
        ):
            body = request.json()
            unexpected = set(body.get("inputs", {})) - self.declared_inputs
            if unexpected:
                return 422, {
                    "message": f"Unexpected inputs provided: {sorted(unexpected)}",
                    "status": "422",
                }
            if not all(isinstance(v, str) for v in body.get("inputs", {}).values()):
                return 422, {"message": "inputs must be strings", "status": "422"}
            run_id = self.next_id
            self.next_id += 1
            title = body.get("inputs", {}).get("job_id") or "Retrain"
            self.runs[run_id] = {
                "id": run_id,
                "name": "Retrain",
                "display_title": title,
                "event": "workflow_dispatch",
                "head_branch": body["ref"],
                "status": "queued",
                "conclusion": None,
                "created_at": "2030-01-01T00:00:00Z",  # set by the test when it matters
                "html_url": f"https://github.com/{self.repo}/actions/runs/{run_id}",
            }
            if body.get("return_run_details") and self.run_details:
                return 200, {
                    "workflow_run_id": run_id,
                    "run_url": f"{self.base}{prefix}/runs/{run_id}",
                    "html_url": self.runs[run_id]["html_url"],
                }
            return 204, None
        found = re.fullmatch(rf"{prefix}/runs/(\d+)", request.path)
        if request.method == "GET" and found:
            run = self.runs.get(int(found.group(1)))
            return (200, run) if run else (404, {"message": "Not Found"})
        if request.method == "GET" and request.path == f"{prefix}/workflows/{self.workflow}/runs":
            branch = request.query.get("branch", [None])[0]
            runs = [r for r in self.runs.values() if branch is None or r["head_branch"] == branch]
            return 200, {"total_count": len(runs), "workflow_runs": runs}
        return 404, {"message": "Not Found"}
