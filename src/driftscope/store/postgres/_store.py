"""The PostgreSQL store: a shared server keeps every model's monitoring records.

``PostgresStore("postgresql://user@host:5432/db", schema="driftscope")`` opens (and on
first use creates, through versioned migrations) the tables in ``schema``. Several threads
and processes may use one schema at once. Needs psycopg 3 (``pip install
'driftscope[postgres]'``).

How records are kept (see the modules named for details):

* predictions: one row each, base fields as columns, every feature, prediction and
  metadata value in typed arrays indexed through a per-model column registry
  (:mod:`~driftscope.store.postgres._columns`); labels in their own table, the latest
  joined on reads (:mod:`~driftscope.store.postgres._rows`);
* references: each version once, as the bytes of its ``to_bytes()`` (given back undecoded,
  as a :class:`~driftscope.core.reference_blob.ReferenceBlob`), plus a pointer to the
  current one; check results: upserted on their identity
  (:mod:`~driftscope.store.postgres._checks`);
* retention: zstd Parquet files under ``archive_dir`` registered in the database
  (:mod:`~driftscope.store.postgres._archive`);
* the alerting and response layers' state records and audit log: one row each
  (:mod:`~driftscope.store.postgres._state`).

A write is durable when it returns: it is committed, so it lasts as long as the server
keeps commits (its ``fsync`` and ``synchronous_commit`` settings). The bytes a write
returns are the on-disk size of the rows it added (``pg_column_size``, before indexes).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import pyarrow as pa

from driftscope.core import records as r
from driftscope.core.reference_blob import ReferenceBlob, ReferenceHeader, StorableReference
from driftscope.errors import ConfigError, StoreError
from driftscope.store._span import ReadSpan
from driftscope.store.base import (
    ArchiveReport,
    CheckRecord,
    ReferenceRecord,
    Store,
    UnmatchedLabels,
    utc,
)
from driftscope.store.postgres import _archive as pg_archive
from driftscope.store.postgres import _checks as pg_checks
from driftscope.store.postgres import _rows as pg_rows
from driftscope.store.postgres._columns import MAX_KEY_BYTES, Registry, storable_name
from driftscope.store.postgres._connection import Connections, one_row
from driftscope.store.postgres._migrations import migrate
from driftscope.store.postgres._state import PostgresState

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class PostgresStore(PostgresState, Store):
    """Monitoring records in a PostgreSQL schema (see the module docstring).

    ``dsn`` is a libpq URL or connection string; ``schema`` a plain SQL name;
    ``archive_dir`` where :meth:`archive` puts Parquet files (default
    ``<$DRIFTSCOPE_HOME or ./.driftscope>/archive``); ``connect_timeout`` and
    ``statement_timeout`` in seconds bound every wait (see
    :mod:`~driftscope.store.postgres._connection`). An unreachable or hung server raises
    :class:`~driftscope.errors.StoreUnavailableError` naming ``host:port``, at construction
    as on any later call; once the server is back, the next call reconnects by itself. What
    the server refuses for good (not for now) raises :class:`~driftscope.errors.StoreError`.

    An example against the server the tests use (a throw-away schema, dropped at the end):

    >>> import os, tempfile, uuid
    >>> from driftscope.monitor import ModelMonitor
    >>> url = os.environ.get("DRIFTSCOPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    >>> store = PostgresStore(url, schema=f"doc_{uuid.uuid4().hex[:8]}",
    ...                       archive_dir=tempfile.mkdtemp())
    >>> with ModelMonitor("churn", store=store) as monitor:
    ...     pid = monitor.log_prediction({"plan": "pro", "age": 41}, 0.8)
    ...     monitor.log_ground_truth(pid, 1)
    ...     recent = monitor.get_recent_predictions(days=1)
    >>> recent[["plan", "age", "prediction", "label"]].values.tolist()
    [['pro', 41, 0.8, 1]]
    >>> store.close()
    >>> import psycopg
    >>> with psycopg.connect(url, autocommit=True) as conn:
    ...     _ = conn.execute(f'DROP SCHEMA "{store.schema}" CASCADE')
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "driftscope",
        archive_dir: str | os.PathLike[str] | None = None,
        connect_timeout: float = 5.0,
        statement_timeout: float = 60.0,
    ):
        if not isinstance(schema, str) or not SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(
                f"schema must be a plain SQL name (letters, digits, _; at most 63), got {schema!r}"
            )
        if archive_dir is None:
            from driftscope.store import default_home

            archive_dir = Path(default_home()) / "archive"
        self.schema = schema
        self.archive_dir = Path(archive_dir).absolute()
        self._s = pg_rows.Schema(schema)
        self._db = Connections(
            dsn, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        )
        self._lock = threading.Lock()
        self._models: set[str] = set()
        self._registries: dict[str, Registry] = {}
        self._db.run(f"opening schema {schema!r}", lambda conn: migrate(conn, schema))

    def __repr__(self) -> str:
        return f"PostgresStore({self._db.where!r}, schema={self.schema!r})"

    # ------------------------------------------------------------------ plumbing
    def _run(self, what: str, work: Callable[[psycopg.Connection], T]) -> T:
        return self._db.run(what, work)

    def _ensure_model(self, conn: psycopg.Connection, model: str) -> None:
        if model not in self._models:
            conn.execute(
                f"INSERT INTO {self._s.table('models')} (model) VALUES (%s) "
                "ON CONFLICT (model) DO NOTHING",
                (model,),
            )

    def _remember(self, model: str, registry: Registry | None = None) -> None:
        """Cache what a committed transaction made sure of (the registry only grows)."""
        with self._lock:
            self._models.add(model)
            if registry is not None:
                self._registries[model] = registry

    def _known(self, model: str) -> Registry | None:
        with self._lock:
            return self._registries.get(model)

    # ------------------------------------------------------------------ predictions
    def write_predictions(self, model: str, batch: pa.Table) -> int:
        _check_model(model)
        prepared = pg_rows.prepare_predictions(batch)
        if prepared.rows == 0:
            return 0
        known = self._known(model)

        def work(conn: psycopg.Connection) -> tuple[int, Registry]:
            with conn.transaction():
                self._ensure_model(conn, model)
                reg = pg_rows.register(conn, self._s, model, prepared.kinds, known)
                _, size = pg_rows.insert_predictions(conn, self._s, model, prepared, reg)
            return size, reg

        size, reg = self._run(f"writing predictions of model {model!r}", work)
        self._remember(model, reg)
        return size

    def write_labels(self, model: str, batch: pa.Table) -> int:
        _check_model(model)
        prepared = pg_rows.prepare_labels(batch)
        if prepared.rows == 0:
            return 0
        kinds = {n: k for n, k in prepared.kinds.items() if n in prepared.staged}
        known = self._known(model)

        def work(conn: psycopg.Connection) -> tuple[int, Registry | None]:
            with conn.transaction():
                self._ensure_model(conn, model)
                reg = pg_rows.register(conn, self._s, model, kinds, known) if kinds else None
                _, size = pg_rows.insert_labels(conn, self._s, model, prepared)
            return size, reg

        size, reg = self._run(f"writing labels of model {model!r}", work)
        self._remember(model, reg)
        return size

    def read_predictions(
        self,
        model: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        model_version: str | None = None,
        include_archive: bool = False,
    ) -> pd.DataFrame:
        window = ReadSpan.of(since, until, model_version)

        def work(conn: psycopg.Connection) -> pa.Table:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                conn.execute(pg_rows.STREAMING)
                reg = pg_rows.load_registry(conn, self._s, model)
                hot = pg_rows.read_predictions(conn, self._s, model, reg, window)
                if not include_archive:
                    return hot
                cold = pg_archive.read_archived(conn, self._s, model, reg, window, self.archive_dir)
            if cold.num_rows == 0:
                return hot
            both = pa.concat_tables([cold, hot])
            return both.sort_by([(r.TIMESTAMP, "ascending"), (r.PREDICTION_ID, "ascending")])

        return to_frame(self._run(f"reading predictions of model {model!r}", work))

    def count_predictions(
        self, model: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> int:
        where, params = pg_rows.span_sql(ReadSpan.of(since, until))
        query = f"SELECT count(*) FROM {self._s.table('predictions')} p WHERE p.model = %s{where}"

        def work(conn: psycopg.Connection) -> int:
            return int(one_row(conn.execute(query, [model, *params]), "a count")[0])

        return self._run(f"counting predictions of model {model!r}", work)

    def unmatched_labels(self, model: str, *, limit: int = 10) -> UnmatchedLabels:
        labels, preds = self._s.table("labels"), self._s.table("predictions")
        missing = (
            f"SELECT DISTINCT l.prediction_id FROM {labels} l WHERE l.model = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {preds} p WHERE p.model = l.model "
            "AND p.prediction_id = l.prediction_id)"
        )
        query = (
            f"SELECT (SELECT count(DISTINCT prediction_id) FROM {labels} WHERE model = %s), "
            f"(SELECT count(*) FROM ({missing}) m), "
            f"(SELECT array_agg(prediction_id) FROM "
            f"(SELECT prediction_id FROM ({missing}) m ORDER BY prediction_id LIMIT %s) e)"
        )

        def work(conn: psycopg.Connection) -> UnmatchedLabels:
            row = one_row(conn.execute(query, [model, model, model, int(limit)]), "the counts")
            labelled, unmatched, examples = row
            return UnmatchedLabels(int(labelled), int(unmatched), tuple(examples or ()))

        return self._run(f"counting unmatched labels of model {model!r}", work)

    def models(self) -> list[str]:
        query = f"SELECT model FROM {self._s.table('models')} ORDER BY model"
        return self._run("listing models", lambda c: [m for (m,) in c.execute(query)])

    # ------------------------------------------------------------------ references
    def save_reference(
        self, model: str, reference: StorableReference, *, note: str = ""
    ) -> ReferenceRecord:
        _check_model(model)
        header = ReferenceHeader.of(reference)
        data = reference.to_bytes()
        columns = [storable_name(c) for c in header.columns]
        note = storable_name(note) if isinstance(note, str) else note
        versions, current = self._s.table("reference_versions"), self._s.table("current_reference")

        def work(conn: psycopg.Connection) -> ReferenceRecord:
            with conn.transaction():
                self._ensure_model(conn, model)
                row = conn.execute(
                    f"""INSERT INTO {versions} AS v (model, version, stored_at, rows, columns,
                        note, data) VALUES (%s, %s, now(), %s, %s, %s, %s)
                    ON CONFLICT (model, version) DO UPDATE SET
                        note = CASE WHEN EXCLUDED.note <> '' THEN EXCLUDED.note ELSE v.note END
                    RETURNING stored_at, rows, columns, note""",
                    (model, header.version, header.rows, columns, note, data),
                ).fetchone()
                conn.execute(
                    f"""INSERT INTO {current} (model, version, set_at) VALUES (%s, %s, now())
                    ON CONFLICT (model) DO UPDATE SET version = EXCLUDED.version,
                        set_at = EXCLUDED.set_at""",
                    (model, header.version),
                )
            assert row is not None
            return _reference_record(model, header.version, *row)

        record = self._run(f"saving a reference of model {model!r}", work)
        self._remember(model)
        return record

    def load_reference(self, model: str, version: str | None = None) -> ReferenceBlob:
        versions, current = self._s.table("reference_versions"), self._s.table("current_reference")
        fields = "v.version, v.stored_at, v.rows, v.columns, v.note, v.data"
        if version is None:
            query = (
                f"SELECT {fields} FROM {current} c JOIN {versions} v "
                "USING (model, version) WHERE c.model = %s"
            )
            params: tuple[str, ...] = (model,)
        else:
            query = f"SELECT {fields} FROM {versions} v WHERE model = %s AND version = %s"
            params = (model, version)
        row = self._run(
            f"loading a reference of model {model!r}",
            lambda c: c.execute(query, params).fetchone(),
        )
        if row is None:
            if version is None:
                raise StoreError(f"model {model!r} has no reference stored")
            raise StoreError(f"model {model!r} has no reference version {version!r}")
        record = _reference_record(model, *row[:5])
        return ReferenceBlob(
            model,
            record.version,
            record.rows,
            record.columns,
            bytes(row[5]),
            f"the blob in {self.schema}.reference_versions",
            record.stored_at,
            record.note,
        )

    def reference_history(self, model: str) -> list[ReferenceRecord]:
        query = (
            f"SELECT version, stored_at, rows, columns, note FROM "
            f"{self._s.table('reference_versions')} WHERE model = %s ORDER BY seq"
        )
        rows = self._run(
            f"listing references of model {model!r}",
            lambda c: c.execute(query, (model,)).fetchall(),
        )
        return [_reference_record(model, *row) for row in rows]

    # ------------------------------------------------------------------ check results
    def write_check_results(self, records: Sequence[CheckRecord]) -> None:
        records = list(records)
        for rec in records:
            if not isinstance(rec, CheckRecord):
                raise ConfigError(f"check results must be CheckRecord, got {type(rec).__name__}")
            _check_model(rec.model)
        if not records:
            return
        models = sorted({rec.model for rec in records})

        def work(conn: psycopg.Connection) -> None:
            with conn.transaction():
                for model in models:
                    self._ensure_model(conn, model)
                pg_checks.upsert(conn, self._s, records)

        self._run(f"writing check results of {', '.join(map(repr, models))}", work)
        for model in models:
            self._remember(model)

    def read_check_results(
        self,
        model: str,
        *,
        check: str | None = None,
        metric: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
        since, until = utc(since, "since"), utc(until, "until")
        return self._run(
            f"reading check results of model {model!r}",
            lambda c: pg_checks.read(
                c, self._s, model, check=check, metric=metric, since=since, until=until
            ),
        )

    # ------------------------------------------------------------------ retention
    def archive(self, older_than: timedelta, *, model: str | None = None) -> ArchiveReport:
        if not isinstance(older_than, timedelta) or older_than < timedelta(0):
            raise ConfigError(f"older_than must be a non-negative timedelta, got {older_than!r}")
        cutoff = datetime.now(UTC) - older_than
        targets = [model] if model is not None else self.models()
        predictions = labels = size = 0
        files: list[str] = []
        for name in targets:

            def one_chunk(conn: psycopg.Connection, m: str = name) -> pg_archive.Chunk | None:
                return pg_archive.archive_chunk(conn, self._s, m, cutoff, self.archive_dir)

            while True:
                chunk = self._run(f"archiving model {name!r}", one_chunk)
                if chunk is None:
                    break
                predictions += chunk.predictions
                labels += chunk.labels
                size += chunk.bytes_written
                files += [str(p) for p in chunk.files]
                if chunk.predictions < pg_archive.CHUNK_ROWS:
                    break
        return ArchiveReport(cutoff, predictions, labels, tuple(files), size)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self._db.close()


def _check_model(model: object) -> None:
    if not isinstance(model, str) or not model:
        raise ConfigError(f"model must be a non-empty string, got {model!r}")
    if "\x00" in model:
        raise ConfigError(f"model names cannot contain the NUL character, got {model!r}")
    if storable_name(model) != model:
        size = len(model.encode("utf-8", "surrogatepass"))
        raise ConfigError(
            f"model names are at most {MAX_KEY_BYTES} bytes long in UTF-8, got one of {size} "
            f"starting {model[:40]!r}"
        )


def _reference_record(
    model: str, version: str, stored_at: datetime, rows: int, columns: list[str], note: str
) -> ReferenceRecord:
    return ReferenceRecord(model, version, stored_at.astimezone(UTC), rows, tuple(columns), note)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A read's table (storage names, then ``label``, ``labeled_at``) as the output frame:
    output names, strings as Python objects with None for missing."""
    names = table.column_names
    values = names[: len(names) - 2] if names[-2:] == [r.LABEL, r.LABELED_AT] else names
    output = [*r.to_output_names(values), *names[len(values) :]]
    data: dict[str, Any] = {}
    for name, column in zip(output, table.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_null(column.type):
            data[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
        else:
            data[name] = column.to_pandas()
    return pd.DataFrame(data, columns=output)
