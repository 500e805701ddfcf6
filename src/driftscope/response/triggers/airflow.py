"""Start an Airflow DAG run through Airflow's stable REST API.

Airflow 2 (``api_version=1``, the default): ``POST {base_url}/api/v1/dags/{dag_id}/dagRuns``
with ``{"dag_run_id", "conf"}``, authenticated with basic auth (``username`` and
``password``, the ``basic_auth`` API backend) or a bearer ``token``. Airflow 3
(``api_version=2``): ``POST {base_url}/api/v2/dags/{dag_id}/dagRuns`` with ``logical_date:
null``; with ``username`` and ``password``, a token is first fetched from
``{base_url}/auth/token`` (kept in memory only).

The run id is ``driftscope__<job id>``, so a request repeated after a crash finds the run
already there (409) and counts it as started rather than starting a second one. The DAG
receives in ``dag_run.conf``: ``job_id``, ``model``, ``reason``, ``drift_score``,
``drifted_features``, ``priority`` (and ``details``), over any ``conf`` given here.
``status`` reads the run's ``state`` (``queued``, ``running``, ``success``, ``failed``).

>>> trigger = AirflowTrigger("http://airflow:8080", "retrain_churn", username="ops",
...                          password="hunter2")
>>> trigger
AirflowTrigger(base_url='http://airflow:8080', dag_id='retrain_churn', api_version=1)
>>> trigger.run_url("driftscope__rt-1")
'http://airflow:8080/dags/retrain_churn/grid?dag_run_id=driftscope__rt-1'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import httpx

from driftscope.alerts.channels import Secret
from driftscope.errors import ConfigError
from driftscope.response import _http
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

#: Airflow's DAG run states, as run statuses.
STATES = {"queued": QUEUED, "running": RUNNING, "success": SUCCEEDED, "failed": FAILED}
RUN_ID_PREFIX = "driftscope__"


class AirflowTrigger(RetrainTrigger):
    """Triggers a DAG run (see the module's text). ``conf``: extra keys for the DAG's conf;
    ``verify``: TLS verification (a CA bundle path for a private CA).

    >>> airflow3 = AirflowTrigger("http://airflow:8080", "retrain_churn", token="t", api_version=2)
    >>> airflow3.run_url("driftscope__rt-1")
    'http://airflow:8080/dags/retrain_churn/runs/driftscope__rt-1'
    >>> AirflowTrigger("http://airflow:8080", "retrain_churn", username="ops")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: AirflowTrigger needs both username and password (or a token)
    """

    kind: ClassVar[str] = "airflow"

    def __init__(
        self,
        base_url: str,
        dag_id: str,
        *,
        username: str | None = None,
        password: Secret | str | None = None,
        token: Secret | str | None = None,
        conf: Mapping[str, Any] | None = None,
        api_version: int = 1,
        timeout: float = _http.TIMEOUT,
        verify: bool | str = True,
    ):
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"AirflowTrigger base_url must be an http(s) URL, got {base_url!r}")
        if not isinstance(dag_id, str) or not dag_id:
            raise ConfigError(f"AirflowTrigger dag_id must be non-empty text, got {dag_id!r}")
        if api_version not in (1, 2):
            raise ConfigError(
                f"AirflowTrigger api_version must be 1 (Airflow 2) or 2 (Airflow 3), "
                f"got {api_version!r}"
            )
        if token is not None and (username is not None or password is not None):
            raise ConfigError("AirflowTrigger takes a token or a username and password, not both")
        if (username is None) != (password is None):
            raise ConfigError("AirflowTrigger needs both username and password (or a token)")
        self.base_url = base_url.rstrip("/")
        self.dag_id = dag_id
        self.username = username
        self._password = None if password is None else Secret.of(password)
        self._token = None if token is None else Secret.of(token)
        self.conf = dict(conf or {})
        self.api_version = api_version
        self.timeout = timeout
        self.verify = verify
        self._fetched_token: Secret | None = None

    def __repr__(self) -> str:
        return (
            f"AirflowTrigger(base_url={self.base_url!r}, dag_id={self.dag_id!r}, "
            f"api_version={self.api_version})"
        )

    # ------------------------------------------------------------------ the API
    def _runs_url(self) -> str:
        return f"{self.base_url}/api/v{self.api_version}/dags/{quote(self.dag_id, safe='')}/dagRuns"

    def run_url(self, run_id: str) -> str:
        """Where a person sees the run in Airflow's web UI."""
        dag = quote(self.dag_id, safe="")
        if self.api_version == 1:
            return f"{self.base_url}/dags/{dag}/grid?dag_run_id={quote(run_id, safe='')}"
        return f"{self.base_url}/dags/{dag}/runs/{quote(run_id, safe='')}"

    def _auth(self) -> tuple[dict[str, str], tuple[str, str] | None]:
        if self._token is not None:
            return {"Authorization": f"Bearer {self._token.reveal()}"}, None
        if self.username is None or self._password is None:
            return {}, None
        if self.api_version == 1:
            return {}, (self.username, self._password.reveal())
        if self._fetched_token is None:
            self._fetched_token = self._login()
        return {"Authorization": f"Bearer {self._fetched_token.reveal()}"}, None

    def _login(self) -> Secret:
        """Airflow 3: a JWT from ``/auth/token`` for the username and password."""
        what = f"Airflow login for DAG {self.dag_id!r}"
        assert self._password is not None and self.username is not None
        response = _http.request(
            "POST",
            f"{self.base_url}/auth/token",
            what=what,
            json_body={"username": self.username, "password": self._password.reveal()},
            timeout=self.timeout,
            verify=self.verify,
            shown=self.base_url,
            error=TriggerError,
        )
        _http.expect(response, (200, 201), what, self.base_url, TriggerError)
        token = _http.json_of(response, what, TriggerError).get("access_token")
        if not isinstance(token, str) or not token:
            raise TriggerError(f"{what}: the answer holds no access_token")
        return Secret(token)

    def _call(self, method: str, url: str, what: str, json_body: Any = None) -> httpx.Response:
        """One authenticated request to Airflow's API."""
        headers, auth = self._auth()
        return _http.request(
            method,
            url,
            what=what,
            json_body=json_body,
            headers=headers,
            auth=auth,
            timeout=self.timeout,
            verify=self.verify,
            shown=self.base_url,
            error=TriggerError,
        )

    def start(self, job: RetrainJob) -> dict[str, Any]:
        run_id = RUN_ID_PREFIX + job.id
        payload = job.payload()
        body: dict[str, Any] = {
            "dag_run_id": run_id,
            "conf": {**self.conf, **payload},
        }
        if self.api_version == 2:
            body["logical_date"] = None
        what = f"Airflow DAG {self.dag_id!r}"
        response = self._call("POST", self._runs_url(), what, json_body=body)
        state = QUEUED
        if response.status_code == 409:  # the run exists: this job was started before
            state = UNKNOWN
        else:
            _http.expect(response, (200, 201), what, self.base_url, TriggerError)
            answer = _http.json_of(response, what, TriggerError)
            run_id = str(answer.get("dag_run_id") or run_id)
            state = STATES.get(str(answer.get("state", "")).lower(), QUEUED)
        return {
            "system": "airflow",
            "dag_id": self.dag_id,
            "run_id": run_id,
            "url": self.run_url(run_id),
            "status": state,
        }

    def status(self, receipt: dict[str, Any]) -> str:
        run_id = receipt.get("run_id")
        if not run_id:
            return UNKNOWN
        what = f"Airflow DAG {self.dag_id!r} run {run_id!r}"
        response = self._call("GET", f"{self._runs_url()}/{quote(str(run_id), safe='')}", what)
        _http.expect(response, (200,), what, self.base_url, TriggerError)
        state = str(_http.json_of(response, what, TriggerError).get("state", "")).lower()
        return STATES.get(state, UNKNOWN)
