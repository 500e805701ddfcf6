"""Roll back in MLflow's model registry: move the serving alias to the previous version.

Serving code that loads ``models:/<registered model>@champion`` serves whatever version
the alias points at; :class:`MLflowRollback` moves the alias from its version to the
newest version below it (by version number; versions that are not ``READY`` are skipped),
or to ``to_version`` when given. The audit entry ``rollback.done`` records both versions,
so a rollback can be undone by hand (``client.set_registered_model_alias``).

Needs MLflow (``pip install 'driftscope[mlflow]'``), imported on first use; the tracking
server (or a local ``sqlite:///mlflow.db`` registry) is ``tracking_uri``, default MLflow's
own (``MLFLOW_TRACKING_URI``).

>>> MLflowRollback("churn-classifier", alias="champion")
MLflowRollback(registered_model='churn-classifier', alias='champion')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from driftscope.errors import ConfigError
from driftscope.response.rollback import Rollback, RollbackError
from driftscope.store import Store


class MLflowRollback(Rollback):
    """Moves ``alias`` of ``registered_model`` back one version, or to ``to_version`` (see
    the module's text). MLflow is imported on the first rollback, not here.

    >>> undo = MLflowRollback("churn-classifier", alias="production", to_version=2)
    >>> undo.kind, undo.alias, undo.to_version
    ('mlflow', 'production', '2')
    >>> MLflowRollback("churn-classifier", to_version="latest")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: MLflowRollback to_version must be a version number, got 'latest'
    """

    kind = "mlflow"

    def __init__(
        self,
        registered_model: str,
        *,
        alias: str = "champion",
        tracking_uri: str | None = None,
        registry_uri: str | None = None,
        to_version: int | str | None = None,
        store: Store | str | os.PathLike[str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        if not isinstance(registered_model, str) or not registered_model:
            raise ConfigError(
                f"MLflowRollback registered_model must be non-empty text, got {registered_model!r}"
            )
        if not isinstance(alias, str) or not alias:
            raise ConfigError(f"MLflowRollback alias must be non-empty text, got {alias!r}")
        if to_version is not None and not str(to_version).isdigit():
            raise ConfigError(
                f"MLflowRollback to_version must be a version number, got {to_version!r}"
            )
        super().__init__(store=store, clock=clock)
        self.registered_model = registered_model
        self.alias = alias
        self.tracking_uri = tracking_uri
        self.registry_uri = registry_uri
        self.to_version = None if to_version is None else str(to_version)

    def __repr__(self) -> str:
        return f"MLflowRollback(registered_model={self.registered_model!r}, alias={self.alias!r})"

    def _client(self) -> Any:
        try:
            from mlflow import MlflowClient
        except ImportError as exc:
            raise ImportError(
                "MLflowRollback needs MLflow: pip install 'driftscope[mlflow]'", name="mlflow"
            ) from exc
        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.registry_uri)

    def _rollback(self, model_name: str, reason: str) -> dict[str, Any]:
        from mlflow.exceptions import MlflowException

        client = self._client()
        name = self.registered_model
        try:
            current = client.get_model_version_by_alias(name, self.alias)
        except MlflowException as exc:
            raise RollbackError(
                f"registered model {name!r} has no version with alias {self.alias!r} "
                f"({_first_line(exc)})"
            ) from None
        target = self.to_version or self._previous(client, name, int(current.version))
        if target == str(current.version):
            raise RollbackError(
                f"alias {self.alias!r} of {name!r} already points at version {target}"
            )
        try:
            client.get_model_version(name, target)
            client.set_registered_model_alias(name, self.alias, target)
        except MlflowException as exc:
            raise RollbackError(
                f"cannot move alias {self.alias!r} of {name!r} to version {target}: "
                f"{_first_line(exc)}"
            ) from None
        return {
            "registered_model": name,
            "alias": self.alias,
            "from_version": str(current.version),
            "to_version": target,
        }

    def _previous(self, client: Any, name: str, current: int) -> str:
        versions = client.search_model_versions(f"name = '{_quoted(name)}'")
        earlier = [
            int(v.version)
            for v in versions
            if int(v.version) < current and str(getattr(v, "status", "READY")) == "READY"
        ]
        if not earlier:
            raise RollbackError(
                f"registered model {name!r} has no ready version before version {current} "
                f"(alias {self.alias!r}): nothing to roll back to"
            )
        return str(max(earlier))


def _quoted(name: str) -> str:
    return name.replace("'", "\\'")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
