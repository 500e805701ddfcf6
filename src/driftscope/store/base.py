"""The one ``Store`` interface that every monitoring store implements.

A store keeps, per model: prediction batches and late labels (joined when read), archived
cold data, the history of fitted references, and check results as a time series; and, for
the alerting and response layers, state records and an audit log
(:class:`~driftscope.store.state.StateStore`).
References go in as any :class:`~driftscope.core.reference_blob.StorableReference` and come
back as a :class:`~driftscope.core.reference_blob.ReferenceBlob` (the bytes of the ``.dsref``
file and what the store recorded): the store never decodes them, so it does not depend on
how they are fitted; ``driftscope.Reference.from_blob`` decodes and checks one. The
embedded store (:class:`~driftscope.store.EmbeddedStore`) and PostgreSQL
(:class:`~driftscope.store.PostgresStore`) pass the same contract tests
(``tests/store/test_store_contract.py``).

Writes are durable when they return: a process killed right after loses nothing that a
write call already returned for. Errors are :class:`~driftscope.errors.StoreError`;
:class:`~driftscope.errors.StoreUnavailableError` says "try again later".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyarrow as pa

from driftscope.core.checks import CheckRecord
from driftscope.core.reference_blob import ReferenceBlob, StorableReference
from driftscope.errors import ConfigError
from driftscope.store.state import StateStore

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class UnmatchedLabels:
    """Labels whose prediction the store does not hold: the prediction was sampled out,
    not logged yet, archived or never made (a wrong id). ``labelled`` counts the distinct
    prediction ids with a label in the hot store, ``unmatched`` those without a prediction,
    ``examples`` up to ``limit`` of them (sorted).

    >>> UnmatchedLabels(labelled=10, unmatched=2, examples=("a", "b")).share
    0.2
    """

    labelled: int
    unmatched: int
    examples: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """Unmatched share of the labelled ids (0 when there is no label)."""
        return self.unmatched / self.labelled if self.labelled else 0.0


@dataclass(frozen=True)
class ReferenceRecord:
    """One stored baseline of a model: its content-hash version and when it was stored.

    >>> import tempfile, numpy as np, driftscope as ds
    >>> from driftscope.store import EmbeddedStore
    >>> with EmbeddedStore(tempfile.mkdtemp()) as store:
    ...     record = store.save_reference("churn", ds.Reference.fit({"age": np.arange(9.0)}))
    >>> record.model, record.rows, record.columns
    ('churn', 9, ('age',))
    """

    model: str
    version: str
    stored_at: datetime
    rows: int
    columns: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ArchiveReport:
    """What one retention pass moved to cold storage.

    >>> import tempfile
    >>> from datetime import timedelta
    >>> from driftscope.store import EmbeddedStore
    >>> with EmbeddedStore(tempfile.mkdtemp()) as store:
    ...     report = store.archive(timedelta(days=90), model="churn")
    >>> report.predictions_archived, report.files
    (0, ())
    """

    cutoff: datetime
    predictions_archived: int
    labels_archived: int
    files: tuple[str, ...]
    bytes_written: int


class Store(StateStore, ABC):
    """Where a monitor's records live. Thread-safe; usable from several processes at once.

    Every method that takes ``model`` keeps models apart. Times are timezone-aware UTC;
    a naive datetime is an error. :func:`driftscope.store.open_store` gives one.

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     isinstance(store, Store), len(store.read_predictions("churn"))
    (True, 0)
    """

    # ------------------------------------------------------------------ predictions
    @abstractmethod
    def write_predictions(self, model: str, batch: pa.Table) -> int:
        """Append a prediction batch (see :mod:`driftscope.core.records`) durably.

        Returns the bytes it added to the store, as measured (file sizes, table growth).
        """

    @abstractmethod
    def write_labels(self, model: str, batch: pa.Table) -> int:
        """Append a label batch (``prediction_id, label, labeled_at``) durably; bytes added.

        Labels for prediction ids the store has not seen are kept: they join when (if) the
        prediction arrives.
        """

    @abstractmethod
    def read_predictions(
        self,
        model: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        model_version: str | None = None,
        include_archive: bool = False,
    ) -> pd.DataFrame:
        """Predictions with ``since <= timestamp < until``, joined with their latest label.

        Columns in the output layout of :mod:`driftscope.core.records`, sorted by
        ``timestamp`` then ``prediction_id``; ``label`` and ``labeled_at`` are null where
        no label arrived. An empty result still has the base columns.
        """

    @abstractmethod
    def count_predictions(
        self, model: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> int:
        """How many prediction records (not weighted) the hot store holds in the window."""

    @abstractmethod
    def unmatched_labels(self, model: str, *, limit: int = 10) -> UnmatchedLabels:
        """How many labelled prediction ids of the hot store have no prediction there,
        with up to ``limit`` examples (:class:`UnmatchedLabels`)."""

    @abstractmethod
    def models(self) -> list[str]:
        """Names of the models with anything stored, sorted."""

    # ------------------------------------------------------------------ references
    @abstractmethod
    def save_reference(
        self, model: str, reference: StorableReference, *, note: str = ""
    ) -> ReferenceRecord:
        """Keep ``reference`` (its ``to_bytes()``, under its ``version``) as the model's
        current baseline; saving the same version twice keeps one copy and makes it current
        again. The history is kept. An object that is not a
        :class:`~driftscope.core.reference_blob.StorableReference` is a
        :class:`~driftscope.errors.ConfigError`."""

    @abstractmethod
    def load_reference(self, model: str, version: str | None = None) -> ReferenceBlob:
        """The current baseline (``version=None``) or the given version, as the stored bytes
        with what was recorded when it was saved (a
        :class:`~driftscope.core.reference_blob.ReferenceBlob`, its ``label`` saying where it
        was read from); a missing one, or one whose bytes cannot be read, is a
        :class:`~driftscope.errors.StoreError` naming the model and version. The bytes are
        not decoded here: ``driftscope.Reference.from_blob`` does that, checking them
        whole."""

    @abstractmethod
    def reference_history(self, model: str) -> list[ReferenceRecord]:
        """Every baseline stored for the model, once each, in the order first stored.

        :meth:`load_reference` without a version gives the current one: the last saved.
        """

    # ------------------------------------------------------------------ check results
    @abstractmethod
    def write_check_results(self, records: Sequence[CheckRecord]) -> None:
        """Upsert check results (same identity -> replaced)."""

    @abstractmethod
    def read_check_results(
        self,
        model: str,
        *,
        check: str | None = None,
        metric: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
        """Check results whose ``window_start`` is in ``[since, until)``, sorted by
        ``window_start``, ``check``, ``metric``. Columns: the fields of
        :class:`CheckRecord` (``details`` as a dict)."""

    # ------------------------------------------------------------------ retention
    @abstractmethod
    def archive(self, older_than: timedelta, *, model: str | None = None) -> ArchiveReport:
        """Move predictions (and their labels) with ``timestamp < now - older_than`` to
        compressed Parquet files in cold storage and delete them from the hot store.

        Archived rows come back from :meth:`read_predictions` with ``include_archive=True``.
        """

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Release connections and file handles. Idempotent."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def utc(value: datetime | None, name: str) -> datetime | None:
    """Check that ``value`` is timezone-aware and return it in UTC (None passes)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ConfigError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise ConfigError(f"{name} must be timezone-aware (use datetime.now(UTC))")
    return value.astimezone(UTC)
