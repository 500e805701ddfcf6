"""Prediction and label rows in PostgreSQL: the column registry, batch writes, joined reads.

Every function takes an open connection and runs inside the caller's transaction; the
store (:mod:`driftscope.store.postgres`) owns connections, retries and caching.

* Writes send the batch as CSV into a temporary staging table (``COPY ... FROM STDIN``)
  and move it with one ``INSERT ... SELECT``: the server builds the typed value arrays
  (for a batch wider than :data:`PACK_ABOVE` columns, the client packs each row's values
  of a kind into one array literal). A prediction id names one prediction: the first stored record
  with an id is kept and later ones are ignored, within a batch (the batch keeps the first
  row of each id before it is sent) as across batches (``ON CONFLICT (model,
  prediction_id) DO NOTHING``), which also makes re-sending a batch harmless.
* What PostgreSQL cannot hold is made storable before sending: a NUL character in a value
  or a column name becomes U+FFFD; a prediction id or column name longer than
  :data:`~driftscope.store.postgres._columns.MAX_KEY_BYTES` keeps its start and a digest
  (:func:`~driftscope.store.postgres._columns.short_key`). The record gets a data-quality issue in
  its ``quality_issues`` (``nul_byte:<column>``, ``nul_in_name:<column>``,
  ``too_long:prediction_id``, ``name_too_long:<column>``), as values the monitor had to
  change do. Labels have no such column: theirs are changed the same way, silently, so
  they still join.
* Reads are one ``COPY (SELECT ...) TO STDOUT (FORMAT binary)`` with the latest label of
  each prediction joined by a ``LATERAL`` index probe, parsed by
  :mod:`~driftscope.store.postgres._binary`: a field per column, or for a model wider than
  :data:`PACK_ABOVE` columns the values of a kind packed into one array per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from driftscope.core import records as r
from driftscope.errors import DataError
from driftscope.store._span import ReadSpan
from driftscope.store._unique_ids import first_rows
from driftscope.store.postgres._binary import Packed, parse
from driftscope.store.postgres._columns import (
    ARRAYS,
    ARROW_TYPES,
    KINDS,
    LABEL_COLUMNS,
    NUL,
    NUL_REPLACEMENT,
    NULL,
    PG_TYPES,
    Registry,
    array_literals,
    kind_of,
    normalize,
    storable_keys,
    storable_name,
    storable_text,
    to_csv,
)
from driftscope.store.postgres._migrations import lock_key

if TYPE_CHECKING:
    import psycopg

STAGE = "pg_temp.driftscope_stage"
#: Run first in a transaction that streams a window of rows: a big window may take minutes
#: to send, so the transaction lifts the statement limit; a server that stops sending is
#: still cut off by the connection watchdog (:mod:`~driftscope.store.postgres._connection`).
STREAMING = "SET LOCAL statement_timeout TO 0"
#: Batches and reads with more value columns than this pack them into one array per kind
#: (PostgreSQL allows 1,600 columns in a table and 1,664 fields in a row); up to it, a
#: column each is faster.
PACK_ABOVE = 1500
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
    """The store's schema name and its quoted tables.

    >>> Schema("driftscope").table("labels")
    '"driftscope".labels'
    """

    name: str

    def table(self, table: str) -> str:
        return f'"{self.name}".{table}'


def span_sql(span: ReadSpan) -> tuple[str, list[Any]]:
    """``span`` as SQL conditions on the predictions alias ``p``, and their parameters.

    >>> span_sql(ReadSpan(model_version="v2"))
    (' AND p.model_version = %s', ['v2'])
    """
    clauses: list[str] = []
    params: list[Any] = []
    if span.since is not None:
        clauses.append("p.ts >= %s")
        params.append(span.since)
    if span.until is not None:
        clauses.append("p.ts < %s")
        params.append(span.until)
    if span.model_version is not None:
        clauses.append("p.model_version = %s")
        params.append(span.model_version)
    return "".join(f" AND {c}" for c in clauses), params


# ---------------------------------------------------------------------- batches
@dataclass(frozen=True)
class PreparedBatch:
    """A checked batch, made storable: its value columns' kinds and values, by name.

    >>> import pyarrow as pa
    >>> batch = prepare_labels(pa.table({"prediction_id": ["a"], "label": [1],
    ...     "labeled_at": pa.array([0], pa.timestamp("us", tz="UTC"))}))
    >>> batch.rows, batch.kinds
    (1, {'label': 'int64'})
    """

    rows: int
    kinds: dict[str, str]  # value column -> kind, in batch order
    base: tuple[pa.ChunkedArray, ...]  # the base columns (labels: id, time)
    values: dict[str, pa.ChunkedArray]  # value columns sent (null-kind ones carry nothing)

    @property
    def staged(self) -> tuple[str, ...]:
        return tuple(self.values)


def prepare_predictions(batch: pa.Table) -> PreparedBatch:
    """Check ``batch`` against the storage layout and make it storable (module docstring)."""
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
    issues = _Issues(batch.num_rows)
    columns = [batch.column(i) for i in range(base)]
    ids, nul, long = storable_keys(columns[0])
    issues.add(nul, "nul_byte", r.PREDICTION_ID)
    issues.add(long, "too_long", r.PREDICTION_ID)
    columns[0] = ids
    for i in (2, 4):  # model_version, sample_reason
        columns[i] = issues.storable(columns[i], names[i])
    columns[5] = storable_text(columns[5])[0]  # quality_issues: text the monitor wrote
    kinds: dict[str, str] = {}
    values: dict[str, pa.ChunkedArray] = {}
    taken = set(names)
    for name in names[base:]:
        column = batch.column(name)
        kind = kind_of(column.type, name)
        stored = storable_name(name)
        if stored != name:  # a NUL in the name, or a name too long to be a key
            while stored in taken:
                stored = storable_name(stored + NUL_REPLACEMENT)
            taken.add(stored)
            code = "nul_in_name" if NUL in name else "name_too_long"
            issues.add(pc.is_valid(column), code, stored)
        kinds[stored] = kind
        if kind != NULL:
            column = normalize(column, kind, name)
            values[stored] = issues.storable(column, stored) if kind == "string" else column
    columns[5] = issues.merged_into(columns[5])
    prepared = PreparedBatch(batch.num_rows, kinds, tuple(columns), values)
    return _first_of_each_id(prepared)


def _first_of_each_id(batch: PreparedBatch) -> PreparedBatch:
    """``batch`` with only the first row of each prediction id (a batch without repeated
    ids, the usual case, is returned as it is after one hashing pass), by the rule the
    embedded store applies (:func:`~driftscope.store._unique_ids.first_rows`)."""
    keep = first_rows(batch.base[0])
    if keep is None:
        return batch
    take = pa.array(keep)
    return PreparedBatch(
        len(keep),
        batch.kinds,
        tuple(c.take(take) for c in batch.base),
        {n: c.take(take) for n, c in batch.values.items()},
    )


class _Issues:
    """Data-quality issues a store adds to a batch's rows when it has to change a value."""

    def __init__(self, rows: int):
        self.rows = rows
        self.found: list[pa.ChunkedArray] = []  # per issue: its text where it applies, else null

    def add(self, where: pa.ChunkedArray | pa.Array | None, code: str, column: str) -> None:
        if where is None:
            return
        label = r.feature_name(column) if r.is_feature(column) else column
        text = pa.scalar(f"{code}:{label}")
        self.found.append(
            pc.if_else(pc.fill_null(where, False), text, pa.scalar(None, pa.string()))
        )

    def storable(self, column: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
        """``column`` (text) with NUL replaced, its changed rows getting ``nul_byte``."""
        text, changed = storable_text(column)
        if changed is not None:
            self.add(changed, "nul_byte", name)
        return text

    def merged_into(self, quality: pa.ChunkedArray) -> pa.ChunkedArray:
        """The ``quality_issues`` column with the issues found appended (``"; "``-joined)."""
        for issue in self.found:
            both = pc.binary_join_element_wise(quality, issue, "; ")
            quality = pc.coalesce(both, quality, issue)
        return quality


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
    ids = storable_keys(batch.column(r.PREDICTION_ID))[0]
    values = {}
    if kind != NULL:
        label = normalize(batch.column(r.LABEL), kind, r.LABEL)
        values[r.LABEL] = storable_text(label)[0] if kind == "string" else label
    base = (ids, batch.column(r.LABELED_AT))
    return PreparedBatch(batch.num_rows, {r.LABEL: kind}, base, values)


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
    conn.execute(f"CREATE TEMPORARY TABLE driftscope_stage ({columns}) ON COMMIT DROP")
    with conn.cursor() as cur, cur.copy(f"COPY {STAGE} FROM STDIN (FORMAT csv)") as copy:
        copy.write(payload)


def insert_predictions(
    conn: psycopg.Connection, s: Schema, model: str, batch: PreparedBatch, reg: Registry
) -> tuple[int, int]:
    """Stage and insert ``batch``; (rows added, their size in bytes).

    Up to :data:`PACK_ABOVE` value columns, each is a staging column and the server builds
    the arrays (the fastest way); a wider batch (a table has at most 1,600 columns) is
    staged with its values of each kind packed into one array literal per row.
    """
    base_types = ("text", "timestamptz", "text", "double precision", "text", "text")
    columns = list(batch.base)
    arrays = []
    if len(batch.values) <= PACK_ABOVE:
        types = [*base_types, *(PG_TYPES[batch.kinds[n]] for n in batch.values)]
        columns += batch.values.values()
        for kind in ARRAYS:  # in the order of the array columns below
            by_slot = {
                reg.slot(n, kind): f"c{len(base_types) + i}"
                for i, n in enumerate(batch.values)
                if batch.kinds[n] == kind
            }
            if not by_slot:
                arrays.append("NULL")
                continue
            items = [by_slot.get(slot, "NULL") for slot in range(1, max(by_slot) + 1)]
            arrays.append(f"ARRAY[{', '.join(items)}]::{PG_TYPES[kind]}[]")
    else:
        types = [*base_types, *(f"{PG_TYPES[k]}[]" for k in ARRAYS)]
        for i, kind in enumerate(ARRAYS):
            by_slot = {
                reg.slot(n, kind): values
                for n, values in batch.values.items()
                if batch.kinds[n] == kind
            }
            columns.append(array_literals(by_slot, kind, batch.rows))
            arrays.append(f"c{len(base_types) + i}")
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    _stage(conn, types, to_csv(table))
    row = conn.execute(
        f"""WITH added AS (
            INSERT INTO {s.table("predictions")} AS p (model, prediction_id, ts, model_version,
                sampling_weight, sample_reason, quality_issues, float_values, int_values,
                bool_values, text_values)
            SELECT %s, c0, c1, c2, c3, c4, c5, {", ".join(arrays)} FROM {STAGE}
            ON CONFLICT (model, prediction_id) DO NOTHING
            RETURNING pg_column_size(p.*) AS size)
        SELECT count(*), coalesce(sum(size), 0) FROM added""",
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
    columns = [*batch.base, *batch.values.values()]
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    _stage(conn, types, to_csv(table))
    target = f", {LABEL_COLUMNS[kind]}" if batch.staged else ""
    source = ", c2" if batch.staged else ""
    row = conn.execute(
        f"""WITH added AS (
            INSERT INTO {s.table("labels")} AS l (model, prediction_id, labeled_at{target})
            SELECT %s, c0, c1{source} FROM {STAGE}
            RETURNING pg_column_size(l.*) AS size)
        SELECT count(*), coalesce(sum(size), 0) FROM added""",
        (model,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# ---------------------------------------------------------------------- reads
def copy_out(conn: psycopg.Connection, query: str, params: Sequence[Any]) -> bytearray:
    """The binary COPY output of ``query`` (parameters bound client-side, as COPY needs)."""
    out = bytearray()
    statement = f"COPY ({query}) TO STDOUT (FORMAT binary)"
    with conn.cursor() as cur, cur.copy(statement, params) as cp:
        for chunk in cp:
            out += chunk
    return out


def read_predictions(
    conn: psycopg.Connection,
    s: Schema,
    model: str,
    reg: Registry,
    window: ReadSpan,
    *,
    labels: bool = True,
    extra_where: str = "",
    extra_params: Sequence[Any] = (),
) -> pa.Table:
    """Hot predictions in the window as a table in the storage layout, sorted by
    ``timestamp, prediction_id``; with ``labels``, plus ``label`` and ``labeled_at``."""
    names = list(r.BASE_COLUMNS)
    exprs = [e for e, _ in BASE_SQL]
    types: list[pa.DataType | Packed] = [t for _, t in BASE_SQL]
    values = reg.names()
    if len(values) <= PACK_ABOVE:  # a field per column: the fastest way
        names += values
        exprs += [reg.value_expr(n, "p") for n in values]
        types += [ARROW_TYPES[reg.kind(n)] for n in values]
    else:  # one array per kind, so that any width fits in a row
        for kind in KINDS:
            group = [n for n in values if reg.kind(n) == kind]
            if group:
                names += group
                exprs.append(f"ARRAY[{', '.join(reg.value_expr(n, 'p') for n in group)}]")
                types.append(Packed(ARROW_TYPES[kind], len(group)))
    join = ""
    if labels:
        names += [r.LABEL, r.LABELED_AT]
        exprs += [reg.label_expr("l"), "l.labeled_at"]
        types += [ARROW_TYPES[reg.kind(r.LABEL)], r.TIMESTAMP_TYPE]
        join = LATEST_LABEL.format(labels=s.table("labels"))
    where, params = span_sql(window)
    query = (
        f"SELECT {', '.join(exprs)} FROM {s.table('predictions')} p {join} "
        f"WHERE p.model = %s{where}{extra_where} ORDER BY p.ts, p.prediction_id"
    )
    table = parse(copy_out(conn, query, [model, *params, *extra_params]), types)
    table = table.rename_columns(names)
    columns = {n: table[n] for n in names}
    for name in values:  # columns that never held a value read as nulls
        columns.setdefault(name, pa.chunked_array([pa.nulls(table.num_rows)]))
    order = [*r.BASE_COLUMNS, *values, *names[len(names) - (2 if labels else 0) :]]
    return pa.table([columns[n] for n in order], names=order)


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
