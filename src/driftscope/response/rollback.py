"""Rollback: put the previous model version back into service, on the record.

A :class:`Rollback` moves whatever serves the model back one version:
:class:`~driftscope.response.mlflow_rollback.MLflowRollback` (an alias in MLflow's model
registry), :class:`CallableRollback` (your function) or :class:`WebhookRollback` (a signed
POST to your deployment service). ``rollback(model_name, reason)`` returns what was done
(e.g. ``{"from_version": "3", "to_version": "2"}``) and writes ``rollback.done`` to the
audit log with those facts, or ``rollback.failed`` with the error (and raises it as a
:class:`RollbackError`).

>>> import tempfile
>>> from driftscope.store import open_store
>>> store = open_store(tempfile.mkdtemp())
>>> undo = CallableRollback(lambda model, reason: {"from_version": "3", "to_version": "2"},
...                         store=store)
>>> undo.rollback("churn", "accuracy fell below 0.85")["to_version"]
'2'
>>> [(e.action, e.details["to_version"]) for e in store.read_audit(action="rollback.")]
[('rollback.done', '2')]
>>> store.close()
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from driftscope.alerts.channels import Secret
from driftscope.errors import ConfigError, DriftscopeError
from driftscope.response import _http
from driftscope.response._sync import call, name_of
from driftscope.response._webhook import SignedWebhook
from driftscope.response.jobs import utc_now
from driftscope.store import Store, open_store
from driftscope.store.state import AuditEntry, body_json


class RollbackError(DriftscopeError):
    """A rollback could not be done; the message says why, never a secret.

    >>> import tempfile
    >>> def redeploy(model, reason):
    ...     raise RuntimeError("deploy service down")
    >>> CallableRollback(redeploy, store=tempfile.mkdtemp()).rollback("churn", "accuracy fell")
    Traceback (most recent call last):
    ...
    driftscope.response.rollback.RollbackError: rollback of model 'churn' failed: RuntimeError: ...
    """


class Rollback(ABC):
    """Moves a model's serving version back (see the module's text). ``store``: where the
    audit entries go (a Store or its location; default ``$DRIFTSCOPE_HOME``), opened on
    first use. A subclass names its ``kind`` and does the work in ``_rollback``.

    >>> import tempfile
    >>> class Redeploy(Rollback):
    ...     kind = "redeploy"
    ...     def _rollback(self, model_name, reason):
    ...         return {"from_version": "7", "to_version": "6"}
    >>> Redeploy(store=tempfile.mkdtemp()).rollback("churn", "latency doubled")
    {'from_version': '7', 'to_version': '6', 'rollback': 'redeploy'}
    """

    kind: str = ""

    def __init__(
        self,
        *,
        store: Store | str | os.PathLike[str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        self.clock = clock or utc_now
        self._store_location = store
        self._store: Store | None = store if isinstance(store, Store) else None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self._store_location)
        return self._store

    @abstractmethod
    def _rollback(self, model_name: str, reason: str) -> dict[str, Any]:
        """Do it; return the facts (plain JSON, no secret)."""

    def rollback(self, model_name: str, reason: str) -> dict[str, Any]:
        """Roll ``model_name`` back because of ``reason``; audited either way."""
        if not isinstance(model_name, str) or not model_name:
            raise ConfigError(f"model_name must be non-empty text, got {model_name!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"say why: reason must be non-empty text, got {reason!r}")
        try:
            facts = dict(self._rollback(model_name, reason))
            body_json(facts, f"the result of the {self.kind} rollback")
        except Exception as exc:
            error = str(exc) if isinstance(exc, DriftscopeError) else f"{type(exc).__name__}: {exc}"
            self._audit(
                "rollback.failed", model_name, error, {"why": reason, "rollback": self.kind}
            )
            if isinstance(exc, RollbackError | ImportError):  # ImportError: names the extra
                raise
            raise RollbackError(f"rollback of model {model_name!r} failed: {error}") from exc
        facts.setdefault("rollback", self.kind)
        self._audit("rollback.done", model_name, reason, facts)
        return facts

    def _audit(self, action: str, model: str, reason: str, details: dict[str, Any]) -> None:
        subject = str(details.get("to_version", "") or "")
        self.store.append_audit(
            [
                AuditEntry(
                    action,
                    model=model,
                    subject=subject,
                    reason=reason,
                    details=details,
                    at=self.clock(),
                )
            ]
        )


class CallableRollback(Rollback):
    """Rolls back with ``fn(model_name, reason)`` (sync or async), which returns the facts
    to record (a dict, or None).

    >>> import tempfile
    >>> async def undeploy(model, reason):
    ...     return None
    >>> CallableRollback(undeploy, store=tempfile.mkdtemp()).rollback("churn", "bad release")
    {'callable': '...undeploy', 'rollback': 'callable'}
    """

    kind = "callable"

    def __init__(
        self,
        fn: Callable[[str, str], Any],
        *,
        store: Store | str | os.PathLike[str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        if not callable(fn):
            raise ConfigError(f"CallableRollback needs a function, got {fn!r}")
        super().__init__(store=store, clock=clock)
        self.fn = fn

    def __repr__(self) -> str:
        return f"CallableRollback({name_of(self.fn)})"

    def _rollback(self, model_name: str, reason: str) -> dict[str, Any]:
        result = call(self.fn, model_name, reason)
        if result is None:
            return {"callable": name_of(self.fn)}
        if not isinstance(result, Mapping):
            raise RollbackError(
                f"{name_of(self.fn)} returned a {type(result).__name__}; a rollback function "
                "returns a dict of facts or None"
            )
        return {"callable": name_of(self.fn), **result}


class WebhookRollback(Rollback):
    """Asks your deployment service to roll back: ``POST url`` with ``{"event":
    "rollback", "model", "reason", "requested_at"}``, signed with ``secret`` like the
    webhook trigger (:mod:`driftscope.response.signing`). Any 2xx is success; the JSON
    object answered (e.g. ``{"from_version", "to_version"}``) is what gets recorded. The
    url is treated as a secret: only its scheme and host are shown.

    >>> WebhookRollback("https://deploy.example.com/rollback?token=abc", secret="s3cret")
    WebhookRollback(url='https://deploy.example.com/...')
    """

    kind = "webhook"

    def __init__(
        self,
        url: Secret | str,
        secret: Secret | str | None = None,
        *,
        headers: Mapping[str, Secret | str] | None = None,
        timeout: float = _http.TIMEOUT,
        store: Store | str | os.PathLike[str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(store=store, clock=clock)
        self._hook = SignedWebhook(
            "WebhookRollback", url, secret=secret, headers=headers, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"WebhookRollback(url='{self._hook.shown}/...')"

    def _rollback(self, model_name: str, reason: str) -> dict[str, Any]:
        now = self.clock()
        answer = self._hook.post(
            {
                "event": "rollback",
                "model": model_name,
                "reason": reason,
                "requested_at": now.isoformat(),
            },
            what=f"rollback webhook for model {model_name!r}",
            idempotency_key=f"rollback-{model_name}-{now:%Y%m%dT%H%M%S%f}",
            error=RollbackError,
        )
        return {"webhook": self._hook.shown, **answer}
