"""What :func:`~driftscope.health.run_checks` needs of a monitored model, and nothing more.

Health sits below the monitor (see docs/architecture.md), so it never imports ``ModelMonitor``: it
takes any object with the model's name, its store, the metrics and fixed thresholds it is
judged by, and a ``flush()`` that makes what was logged so far readable from the store.
A :class:`~driftscope.monitor.ModelMonitor` is one (``monitor.run_checks`` passes itself);
:class:`StoredModel` is one for a model whose records are already in a store (a scheduled
job, the command line), with nothing to flush.

>>> import tempfile
>>> from driftscope.store import EmbeddedStore
>>> source = StoredModel(EmbeddedStore(tempfile.mkdtemp()), "churn", metrics=("accuracy",))
>>> isinstance(source, MonitoredModel), source.alert_thresholds
(True, {})
>>> source.store.close()
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from driftscope.errors import StoreError
from driftscope.store import Store


@runtime_checkable
class MonitoredModel(Protocol):
    """A model whose logged predictions ``run_checks`` reads: ``ModelMonitor`` satisfies it.

    ``flush()`` returns once every record logged before the call is in ``store`` (it may
    raise :class:`~driftscope.errors.StoreError` when the store cannot take them; the run
    then checks what the store holds, with a warning).

    >>> class Replay:  # any object with these members will do
    ...     model_name, store, metrics, alert_thresholds = "churn", None, ("auc",), {}
    ...     def flush(self) -> None: ...
    >>> isinstance(Replay(), MonitoredModel)
    True
    """

    @property
    def model_name(self) -> str: ...

    @property
    def store(self) -> Store: ...

    @property
    def metrics(self) -> Sequence[str]: ...

    @property
    def alert_thresholds(self) -> Mapping[str, float]: ...

    def flush(self) -> None: ...


@dataclass(frozen=True)
class StoredModel:
    """A model known only by its records in ``store``: a :class:`MonitoredModel` with
    nothing buffered, for checking a model from a process that does not log it.

    >>> import tempfile
    >>> from driftscope.store import EmbeddedStore
    >>> model = StoredModel(EmbeddedStore(tempfile.mkdtemp()), "churn",
    ...                     alert_thresholds={"accuracy": 0.85})
    >>> model.metrics, model.flush()
    (('accuracy',), None)
    >>> model.store.close()
    """

    store: Store
    model_name: str
    metrics: Sequence[str] = ("accuracy",)
    alert_thresholds: Mapping[str, float] = field(default_factory=dict)

    def flush(self) -> None:
        """Nothing to do: every record is in the store already."""


def flush_once(source: MonitoredModel) -> None:
    """Make what ``source`` logged so far readable, once per run. A store that cannot take
    the records (an outage, records dropped) does not stop the run: the checks read what
    the store holds, and a ``RuntimeWarning`` says why some records may be missing."""
    try:
        source.flush()
    except StoreError as exc:
        warnings.warn(
            f"{exc}; checking what the store holds without them", RuntimeWarning, stacklevel=3
        )
