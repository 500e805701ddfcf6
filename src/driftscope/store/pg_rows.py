"""Prediction and label rows in PostgreSQL: the column registry, batch writes, joined reads.

Every function takes an open connection and runs inside the caller's transaction; the
store (:mod:`driftscope.store.postgres`) owns connections, retries and caching.

* Writes send the batch as CSV into a temporary staging table (``COPY ... FROM STDIN``)
  and move it with one ``INSERT ... SELECT``: the server builds the typed value arrays, and
  ``ON CONFLICT (model, prediction_id) DO NOTHING`` makes re-sending a batch harmless.
* Reads are one ``COPY (SELECT ...) TO STDOUT (FORMAT binary)`` with the latest label of
  each prediction joined by a ``LATERAL`` index probe, parsed by :mod:`~driftscope.store.pg_binary`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from driftscope.errors import DataError
from driftscope.store import records as r
from driftscope.store.pg_binary import parse
from driftscope.store.pg_columns import (
    ARRAYS,
    ARROW_TYPES,
    LABEL_COLUMNS,
    NULL,
    PG_TYPES,
    Registry,
    kind_of,
    normalize,
    to_csv,
)
from driftscope.store.pg_migrations import lock_key

if TYPE_CHECKING:
    import psycopg

STAGE = "pg_temp.driftscope_stage"
BASE_SQL = (
    ("p.prediction_id", pa.string()),
    ("p.ts", r.TIMESTAMP_TYPE),
    ("p.model_version", pa.string()),
    ("p.sampling_weight", pa.float64()),
    ("p.sample_reason", pa.string()),
    ("p.quality_issues", pa.string()),
)
LATEST_LABEL = """LEFT JOIN LATERAL (
        SELECT * FROM {labels} l
        WHERE l.model = p.model AND l.prediction_id = p.prediction_id
        ORDER BY l.labeled_at DESC, l.seq DESC LIMIT 1) l ON true"""


@dataclass(frozen=True)
class Schema:
    """The store's schema name and its quoted tables."""

    name: str

    def table(self, table: str) -> str:
        return f'"{self.name}".{table}'


@dataclass(frozen=True)
class Window:
    """``since <= ts < until`` and an optional model version, as SQL on alias ``p``."""

    since: datetime | None = None
    until: datetime | None = None
    model_version: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.since is not None:
            clauses.append("p.ts >= %s")
            params.append(self.since)
        if self.until is not None:
            clauses.append("p.ts < %s")
            params.append(self.until)
        if self.model_version is not None:
            clauses.append("p.model_version = %s")
            params.append(self.model_version)
        return "".join(f" AND {c}" for c in clauses), params


# ---------------------------------------------------------------------- batches
@dataclass(frozen=True)
class PreparedBatch:
    """A checked batch: its value columns' kinds and the CSV to stage."""

    rows: int
    kinds: dict[str, str]  # value column -> kind, in batch order
    payload: bytes
    staged: tuple[str, ...]  # value columns sent (null-kind ones carry nothing)


def prepare_predictions(batch: pa.Table) -> PreparedBatch:
    """Check ``batch`` against the storage layout and render it for staging."""
    try:
        r.check_prediction_batch(batch)
    except ValueError as exc:
        raise DataError(str(exc)) from exc
    names = batch.column_names
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"prediction batch: column {dupes[0]!r} appears more than once")
    for name in (r.PREDICTION_ID, r.TIMESTAMP, r.SAMPLING_WEIGHT):
        if batch.column(name).null_count:
            raise DataError("prediction batch: must not be null", column=name)
    base = len(r.BASE_FIELDS)
    kinds = {n: kind_of(batch.schema.field(n).type, n) for n in names[base:]}
    staged = tuple(n for n, k in kinds.items() if k != NULL)
    columns = [batch.column(i) for i in range(base)]
    columns += [normalize(batch.column(n), kinds[n], n) for n in staged]
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    return PreparedBatch(batch.num_rows, kinds, to_csv(table), staged)


def prepare_labels(batch: pa.Table) -> PreparedBatch:
    """Check a label batch and render it for staging."""
    try:
        r.check_label_batch(batch)
    except ValueError as exc:
        raise DataError(str(exc)) from exc
    for name in (r.PREDICTION_ID, r.LABELED_AT):
        if batch.column(name).null_count:
            raise DataError("label batch: must not be null", column=name)
    if not pa.types.is_string(batch.schema.field(r.PREDICTION_ID).type):
        raise DataError("label batch: must be string", column=r.PREDICTION_ID)
    kind = kind_of(batch.schema.field(r.LABEL).type, r.LABEL)
    columns = [batch.column(r.PREDICTION_ID), batch.column(r.LABELED_AT)]
    staged: tuple[str, ...] = ()
    if kind != NULL:
        columns.append(normalize(batch.column(r.LABEL), kind, r.LABEL))
        staged = (r.LABEL,)
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    return PreparedBatch(batch.num_rows, {r.LABEL: kind}, to_csv(table), staged)


# ---------------------------------------------------------------------- registry
def load_registry(conn: psycopg.Connection, s: Schema, model: str) -> Registry:
    registry = Registry()
    rows = conn.execute(
        f"SELECT name, kind, slot FROM {s.table('columns')} WHERE model = %s ORDER BY seq",
        (model,),
    ).fetchall()
    for name, kind, slot in rows:
        registry.add(name, kind, slot)
    return registry


def register(
    conn: psycopg.Connection,
    s: Schema,
    model: str,
    kinds: dict[str, str],
    known: Registry | None,
) -> Registry:
    """The model's registry with every (column, kind) of ``kinds`` in it.

    Known pairs cost nothing; new ones take the model's registry lock (held to the end of
    the caller's transaction) so concurrent writers never hand out the same slot.
    """
    if known is not None and all(known.has(n, k) for n, k in kinds.items()):
        return known
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("columns", s.name, model),))
    registry = load_registry(conn, s, model)
    new = []
    for name, kind in kinds.items():
        if not registry.has(name, kind):
            takes_slot = kind != NULL and name != r.LABEL
            slot = registry.next_slot(kind) if takes_slot else None
            registry.add(name, kind, slot)
            new.append((model, name, kind, slot))
    if new:
        with conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {s.table('columns')} (model, name, kind, slot) "
                "VALUES (%s, %s, %s, %s)",
                new,
            )
    return registry


# ---------------------------------------------------------------------- writes
def _stage(conn: psycopg.Connection, types: Sequence[str], payload: bytes) -> None:
    columns = ", ".join(f"c{i} {t}" for i, t in enumerate(types))
    conn.execute(f"CREATE TEMPORARY TABLE driftscope_stage ({columns}) ON COMMIT DROP")  # type: ignore[arg-type]
    with conn.cursor() as cur, cur.copy(f"COPY {STAGE} FROM STDIN (FORMAT csv)") as copy:  # type: ignore[arg-type]
        copy.write(payload)


def insert_predictions(
    conn: psycopg.Connection, s: Schema, model: str, batch: PreparedBatch, reg: Registry
) -> tuple[int, int]:
    """Stage and insert ``batch``; (rows added, their size in bytes)."""
    base_types = ("text", "timestamptz", "text", "double precision", "text", "text")
    value_types = [PG_TYPES[batch.kinds[n]] for n in batch.staged]
    _stage(conn, (*base_types, *value_types), batch.payload)
    arrays = []
    for kind in ARRAYS:  # in the order of the array columns below
        by_slot = {
            reg.slots[n][kind]: f"c{len(base_types) + i}"
            for i, n in enumerate(batch.staged)
            if batch.kinds[n] == kind
        }
        if not by_slot:
            arrays.append("NULL")
            continue
        items = [by_slot.get(slot, "NULL") for slot in range(1, max(by_slot) + 1)]  # type: ignore[type-var]
        arrays.append(f"ARRAY[{', '.join(items)}]::{PG_TYPES[kind]}[]")
    row = conn.execute(
        f"""WITH added AS (
            INSERT INTO {s.table("predictions")} AS p (model, prediction_id, ts, model_version,
                sampling_weight, sample_reason, quality_issues, float_values, int_values,
                bool_values, text_values)
            SELECT %s, c0, c1, c2, c3, c4, c5, {", ".join(arrays)} FROM {STAGE}
            ON CONFLICT (model, prediction_id) DO NOTHING
            RETURNING pg_column_size(p.*) AS size)
        SELECT count(*), coalesce(sum(size), 0) FROM added""",  # type: ignore[arg-type]
        (model,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def insert_labels(
    conn: psycopg.Connection, s: Schema, model: str, batch: PreparedBatch
) -> tuple[int, int]:
    """Stage and insert a label batch; (rows added, their size in bytes)."""
    kind = batch.kinds[r.LABEL]
    types = ["text", "timestamptz"] + ([PG_TYPES[kind]] if batch.staged else [])
    _stage(conn, types, batch.payload)
    target = f", {LABEL_COLUMNS[kind]}" if batch.staged else ""
    source = ", c2" if batch.staged else ""
    row = conn.execute(
        f"""WITH added AS (
            INSERT INTO {s.table("labels")} AS l (model, prediction_id, labeled_at{target})
            SELECT %s, c0, c1{source} FROM {STAGE}
            RETURNING pg_column_size(l.*) AS size)
        SELECT count(*), coalesce(sum(size), 0) FROM added""",  # type: ignore[arg-type]
        (model,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# ---------------------------------------------------------------------- reads
def copy_out(conn: psycopg.Connection, query: str, params: Sequence[Any]) -> bytearray:
    """The binary COPY output of ``query`` (parameters bound client-side, as COPY needs)."""
    out = bytearray()
    statement = f"COPY ({query}) TO STDOUT (FORMAT binary)"
    with conn.cursor() as cur, cur.copy(statement, params) as cp:  # type: ignore[arg-type]
        for chunk in cp:
            out += chunk
    return out


def read_predictions(
    conn: psycopg.Connection,
    s: Schema,
    model: str,
    reg: Registry,
    window: Window,
    *,
    labels: bool = True,
    extra_where: str = "",
    extra_params: Sequence[Any] = (),
) -> pa.Table:
    """Hot predictions in the window as a table in the storage layout, sorted by
    ``timestamp, prediction_id``; with ``labels``, plus ``label`` and ``labeled_at``."""
    names = list(r.BASE_COLUMNS)
    exprs = [e for e, _ in BASE_SQL]
    types = [t for _, t in BASE_SQL]
    for name in reg.names():
        names.append(name)
        exprs.append(reg.value_expr(name, "p"))
        types.append(ARROW_TYPES[reg.kind(name)])
    join = ""
    if labels:
        names += [r.LABEL, r.LABELED_AT]
        exprs += [reg.label_expr("l"), "l.labeled_at"]
        types += [ARROW_TYPES[reg.kind(r.LABEL)], r.TIMESTAMP_TYPE]
        join = LATEST_LABEL.format(labels=s.table("labels"))
    where, params = window.sql()
    query = (
        f"SELECT {', '.join(exprs)} FROM {s.table('predictions')} p {join} "
        f"WHERE p.model = %s{where}{extra_where} ORDER BY p.ts, p.prediction_id"
    )
    table = parse(copy_out(conn, query, [model, *params, *extra_params]), types)
    return table.rename_columns(names)


def read_labels(
    conn: psycopg.Connection,
    s: Schema,
    model: str,
    reg: Registry,
    where: str,
    params: Sequence[Any],
) -> pa.Table:
    """Label rows ``l`` of the model matching ``where`` (SQL on ``l``), every one of them:
    ``prediction_id, label, labeled_at``, oldest first."""
    query = (
        f"SELECT l.prediction_id, {reg.label_expr('l')}, l.labeled_at "
        f"FROM {s.table('labels')} l WHERE l.model = %s AND {where} "
        "ORDER BY l.prediction_id, l.labeled_at, l.seq"
    )
    types = [pa.string(), ARROW_TYPES[reg.kind(r.LABEL)], r.TIMESTAMP_TYPE]
    table = parse(copy_out(conn, query, [model, *params]), types)
    return table.rename_columns(list(r.LABEL_FIELDS))
