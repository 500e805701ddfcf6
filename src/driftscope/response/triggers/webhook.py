"""Start a retraining run by posting the job to any HTTP endpoint, signed.

``POST url`` with ``{"event": "retrain", "job": {...}}`` (the job's request:
``job_id``, ``model``, ``reason``, ``drift_score``, ``drifted_features``, ``priority``,
``created_at``, ``details``) and an ``Idempotency-Key: <job id>`` header; with a
``secret``, signed like the alert webhook channel (``X-Driftscope-Timestamp`` and
``X-Driftscope-Signature``; :mod:`driftscope.response.signing`), so a receiver checks both
with :func:`driftscope.alerts.channels.webhook.verify_signature`. Any 2xx is success.
When the answer is a JSON object, its ``run_id`` (or ``id``), ``url`` and ``status_url``
go into the receipt; with a ``status_url``, ``status`` asks it (a GET, signed the same
way) and reads its ``status`` field
(``queued``, ``running``, ``succeeded``, ``failed``; ``success``/``completed`` and
``error``/``failure`` are understood too).

The url is treated as a secret (webhook urls often hold a token): messages show only its
scheme and host.

>>> WebhookTrigger("https://ml.example.com/hooks/retrain?key=abc", secret="s")
WebhookTrigger(url='https://ml.example.com/...')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from driftscope.alerts.channels import Secret
from driftscope.response import _http
from driftscope.response._webhook import SignedWebhook
from driftscope.response.signing import signed_headers
from driftscope.response.triggers.base import (
    FAILED,
    QUEUED,
    RUN_STATUSES,
    RUNNING,
    SUCCEEDED,
    UNKNOWN,
    RetrainTrigger,
    TriggerError,
)

if TYPE_CHECKING:
    from driftscope.response.jobs import RetrainJob

#: Words a receiver may answer for a run status, beyond :data:`RUN_STATUSES` themselves.
SYNONYMS = {
    "success": SUCCEEDED,
    "completed": SUCCEEDED,
    "done": SUCCEEDED,
    "error": FAILED,
    "failure": FAILED,
    "cancelled": FAILED,
    "pending": QUEUED,
    "in_progress": RUNNING,
}


def as_run_status(value: Any) -> str:
    """A receiver's status word as a run status (``unknown`` when it is not one).

    >>> as_run_status("Success"), as_run_status("running"), as_run_status(3)
    ('succeeded', 'running', 'unknown')
    """
    word = str(value).strip().lower() if isinstance(value, str) else ""
    if word in RUN_STATUSES:
        return word
    return SYNONYMS.get(word, UNKNOWN)


class WebhookTrigger(RetrainTrigger):
    """Posts the job to ``url`` (see the module's text). ``headers``: extra headers (e.g.
    an ``Authorization`` value, taken as a secret).

    >>> WebhookTrigger("ml.example.com/hooks/retrain")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: WebhookTrigger url must be an http(s) URL
    >>> WebhookTrigger("https://ml.example.com/hooks/retrain", headers={"Authorization": "t0k"})
    WebhookTrigger(url='https://ml.example.com/...')
    """

    kind: ClassVar[str] = "webhook"

    def __init__(
        self,
        url: Secret | str,
        *,
        secret: Secret | str | None = None,
        headers: Mapping[str, Secret | str] | None = None,
        timeout: float = _http.TIMEOUT,
    ):
        self._hook = SignedWebhook(
            "WebhookTrigger", url, secret=secret, headers=headers, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"WebhookTrigger(url='{self._hook.shown}/...')"

    def start(self, job: RetrainJob) -> dict[str, Any]:
        what = f"retraining webhook for model {job.model!r}"
        answer = self._hook.post(
            {"event": "retrain", "job": job.payload()},
            what=what,
            idempotency_key=job.id,
            error=TriggerError,
        )
        receipt: dict[str, Any] = {"system": "webhook"}
        run_id = answer.get("run_id", answer.get("id"))
        if isinstance(run_id, str | int) and not isinstance(run_id, bool):
            receipt["run_id"] = run_id
        for key in ("url", "status_url"):
            if isinstance(answer.get(key), str) and answer[key].startswith(("http://", "https://")):
                receipt[key] = answer[key]
        status = as_run_status(answer.get("status"))
        receipt["status"] = status if status != UNKNOWN else QUEUED
        return receipt

    def status(self, receipt: dict[str, Any]) -> str:
        url = receipt.get("status_url")
        if not url:
            return UNKNOWN
        what = "retraining webhook status"
        headers = self._hook.plain_headers()
        if self._hook.secret is not None:
            headers.update(signed_headers(self._hook.secret, b""))
        response = _http.request(
            "GET", url, what=what, headers=headers, timeout=self._hook.timeout, error=TriggerError
        )
        _http.expect(response, (200,), what, _http.where(url), TriggerError)
        return as_run_status(_http.json_of(response, what, TriggerError).get("status"))
