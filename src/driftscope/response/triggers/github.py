"""Start a GitHub Actions workflow with a ``workflow_dispatch`` event.

``POST {api_url}/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches`` with
``{"ref", "inputs", "return_run_details": true}``. GitHub answers 200 with the run's
``workflow_run_id`` and urls where it supports ``return_run_details`` (github.com since
February 2026), else 204 with no body (GitHub Enterprise Server, older versions; set
``return_run_details=False`` for one that refuses the field).

Following the run: with a run id, ``GET /repos/{owner}/{repo}/actions/runs/{id}``;
without one (a 204), best effort: the runs of the workflow for ``ref`` created since the
dispatch (``event=workflow_dispatch``), preferring one whose title holds the job id (give
the workflow ``run-name: ${{ inputs.job_id }}`` and a ``job_id`` input to make the match
certain), else the earliest. ``status`` and ``conclusion`` become a run status.

``inputs`` are the workflow's ``workflow_dispatch`` inputs, as text (GitHub takes strings);
a value may name the job's fields in braces: ``{job_id}``, ``{model}``, ``{reason}``,
``{drift_score}``, ``{drifted_features}`` (comma-separated), ``{priority}``. GitHub refuses
(422) inputs the workflow does not declare, so none are sent unless given.

>>> trigger = GitHubWorkflowTrigger("acme/models", "retrain.yml", token="ghp_x",
...                                 inputs={"job_id": "{job_id}", "why": "{reason}"})
>>> trigger
GitHubWorkflowTrigger(repo='acme/models', workflow='retrain.yml', ref='main')
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from driftscope.alerts.channels import Secret
from driftscope.errors import ConfigError
from driftscope.response import _http
from driftscope.response.jobs import utc_now
from driftscope.response.triggers.base import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    UNKNOWN,
    RetrainTrigger,
    TriggerError,
)

if TYPE_CHECKING:
    from driftscope.response.jobs import RetrainJob

#: The job's fields an input value may name in braces.
FIELDS = ("job_id", "model", "reason", "drift_score", "drifted_features", "priority")
#: A run created this long before the dispatch's own clock still matches (clock skew).
SKEW = timedelta(seconds=30)
_WAITING = {"queued", "waiting", "requested", "pending"}


def run_status(run: Mapping[str, Any]) -> str:
    """A GitHub workflow run's ``status`` and ``conclusion`` as a run status.

    >>> run_status({"status": "completed", "conclusion": "success"})
    'succeeded'
    >>> run_status({"status": "completed", "conclusion": "cancelled"})
    'failed'
    >>> run_status({"status": "in_progress"}), run_status({"status": "queued"})
    ('running', 'queued')
    """
    status = str(run.get("status") or "")
    if status == "completed":
        return SUCCEEDED if run.get("conclusion") == "success" else FAILED
    if status == "in_progress":
        return RUNNING
    return QUEUED if status in _WAITING else UNKNOWN


class GitHubWorkflowTrigger(RetrainTrigger):
    """Dispatches a workflow (see the module's text). ``token``: a token allowed to run
    workflows (fine-grained: Actions read and write).

    >>> from datetime import UTC
    >>> from driftscope.response.jobs import RetrainJob
    >>> job = RetrainJob("rt-1", "churn", "severe_drift_detected", "approved",
    ...                  datetime(2026, 11, 1, tzinfo=UTC), drift_score=0.34,
    ...                  drifted_features=["age", "plan"])
    >>> trigger = GitHubWorkflowTrigger("acme/models", "retrain.yml", token="ghp_x",
    ...     inputs={"job_id": "{job_id}", "why": "{reason} {drift_score} ({drifted_features})"})
    >>> trigger.fill(job)
    {'job_id': 'rt-1', 'why': 'severe_drift_detected 0.34 (age,plan)'}
    """

    kind: ClassVar[str] = "github"

    def __init__(
        self,
        repo: str,
        workflow: str,
        *,
        ref: str = "main",
        token: Secret | str,
        inputs: Mapping[str, str] | None = None,
        api_url: str = "https://api.github.com",
        return_run_details: bool = True,
        timeout: float = _http.TIMEOUT,
    ):
        if not isinstance(repo, str) or repo.count("/") != 1 or not all(repo.split("/")):
            raise ConfigError(f"GitHubWorkflowTrigger repo must be 'owner/name', got {repo!r}")
        if not isinstance(workflow, str) or not workflow:
            raise ConfigError(
                "GitHubWorkflowTrigger workflow must be a workflow file name (retrain.yml) or "
                f"id, got {workflow!r}"
            )
        if not isinstance(ref, str) or not ref:
            raise ConfigError(f"GitHubWorkflowTrigger ref must be a branch or tag, got {ref!r}")
        self.repo = repo
        self.workflow = str(workflow)
        self.ref = ref
        self._token = Secret.of(token)
        self.inputs = _checked_inputs(inputs or {})
        self.api_url = api_url.rstrip("/")
        self.return_run_details = return_run_details
        self.timeout = timeout

    def __repr__(self) -> str:
        return (
            f"GitHubWorkflowTrigger(repo={self.repo!r}, workflow={self.workflow!r}, "
            f"ref={self.ref!r})"
        )

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token.reveal()}",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _workflow_url(self) -> str:
        return f"{self.api_url}/repos/{self.repo}/actions/workflows/{quote(self.workflow, safe='')}"

    def _get(self, url: str, what: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        response = _http.request(
            "GET",
            url,
            what=what,
            headers=self._headers(),
            params=params,
            timeout=self.timeout,
            shown=self.api_url,
            error=TriggerError,
        )
        _http.expect(response, (200,), what, self.api_url, TriggerError)
        return _http.json_of(response, what, TriggerError)

    def start(self, job: RetrainJob) -> dict[str, Any]:
        what = f"GitHub workflow {self.workflow!r} of {self.repo}"
        body: dict[str, Any] = {"ref": self.ref, "inputs": self.fill(job)}
        if self.return_run_details:
            body["return_run_details"] = True
        dispatched_at = utc_now()
        response = _http.request(
            "POST",
            f"{self._workflow_url()}/dispatches",
            what=what,
            json_body=body,
            headers=self._headers(),
            timeout=self.timeout,
            shown=self.api_url,
            error=TriggerError,
        )
        _http.expect(response, (200, 204), what, self.api_url, TriggerError)
        receipt: dict[str, Any] = {
            "system": "github",
            "repo": self.repo,
            "workflow": self.workflow,
            "ref": self.ref,
            "job_id": job.id,
            "dispatched_at": dispatched_at.isoformat(),
            "status": QUEUED,
        }
        if response.status_code == 200:
            answer = _http.json_of(response, what, TriggerError)
            if answer.get("workflow_run_id") is not None:
                receipt["run_id"] = answer["workflow_run_id"]
            if answer.get("html_url"):
                receipt["url"] = answer["html_url"]
        return receipt

    def fill(self, job: RetrainJob) -> dict[str, str]:
        """The workflow inputs for ``job``: each value with the job's fields filled in."""
        values = {
            "job_id": job.id,
            "model": job.model,
            "reason": job.reason,
            "drift_score": "" if job.drift_score is None else f"{job.drift_score:.6g}",
            "drifted_features": ",".join(job.drifted_features),
            "priority": job.priority,
        }
        return {name: text.format_map(values) for name, text in self.inputs.items()}

    def status(self, receipt: dict[str, Any]) -> str:
        return str(self.progress(receipt)["status"])

    def progress(self, receipt: dict[str, Any]) -> dict[str, Any]:
        """The run's status; for a dispatch GitHub gave no run id, the run found for it
        (``run_id`` and ``url`` added to the receipt once found)."""
        what = f"GitHub workflow {self.workflow!r} of {self.repo}"
        run_id = receipt.get("run_id")
        if run_id is not None:
            run = self._get(f"{self.api_url}/repos/{self.repo}/actions/runs/{run_id}", what)
            return {"status": run_status(run), "url": run.get("html_url") or receipt.get("url")}
        found = self._find_run(receipt, what)
        if found is None:
            return {"status": UNKNOWN}
        return {
            "status": run_status(found),
            "run_id": found.get("id"),
            "url": found.get("html_url"),
        }

    def _find_run(self, receipt: dict[str, Any], what: str) -> dict[str, Any] | None:
        since = datetime.fromisoformat(receipt["dispatched_at"]) - SKEW
        params = {
            "event": "workflow_dispatch",
            "branch": receipt.get("ref", self.ref),
            "created": f">={since:%Y-%m-%dT%H:%M:%SZ}",
            "per_page": 50,
        }
        runs = self._get(f"{self._workflow_url()}/runs", what, params).get("workflow_runs") or []
        runs = [r for r in runs if isinstance(r, dict) and _created(r) >= since]
        if not runs:
            return None
        job_id = receipt.get("job_id")
        titled = [r for r in runs if job_id and job_id in str(r.get("display_title", ""))]
        return min(titled or runs, key=_created)


def _created(run: Mapping[str, Any]) -> datetime:
    text = str(run.get("created_at") or "1970-01-01T00:00:00Z").replace("Z", "+00:00")
    return datetime.fromisoformat(text)


def _checked_inputs(inputs: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, text in inputs.items():
        if not isinstance(name, str) or not name or not isinstance(text, str):
            raise ConfigError(
                f"GitHubWorkflowTrigger inputs must map names to text, got {name!r}: {text!r}"
            )
        for _, field_name, _, _ in string.Formatter().parse(text):
            if field_name is not None and field_name not in FIELDS:
                raise ConfigError(
                    f"GitHubWorkflowTrigger input {name!r} names {{{field_name}}}; the job's "
                    f"fields are {', '.join(FIELDS)}"
                )
        out[name] = text
    return out
