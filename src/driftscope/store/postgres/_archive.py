"""Retention for the PostgreSQL store: old rows to zstd Parquet files, and back on reads.

One *chunk* (at most :data:`CHUNK_ROWS` predictions, oldest first) moves per transaction:

1. a ``REPEATABLE READ`` transaction takes the model's archive lock and reads the chunk's
   predictions (storage layout) and all their labels;
2. it writes them as ``<stamp>-<id>.predictions.parquet`` (and ``.labels.parquet``) under
   ``<archive_dir>/<schema>/<model>/``: temporary name, fsync, atomic rename, fsync folder;
3. it registers the files in ``archive_files`` and deletes exactly the rows it read (its
   snapshot hides rows written meanwhile), then commits.

A failure before the commit removes the files and leaves the rows hot; rows are never in
both places for a reader, because readers only see files registered by a committed chunk.
Labels that arrive for an already archived prediction stay hot and still join on reads.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from driftscope.core import records as r
from driftscope.errors import StoreError
from driftscope.store._span import ReadSpan
from driftscope.store.postgres._columns import ARROW_TYPES, Registry
from driftscope.store.postgres._migrations import lock_key
from driftscope.store.postgres._rows import (
    STREAMING,
    Schema,
    load_registry,
    read_labels,
    read_predictions,
)

if TYPE_CHECKING:
    import psycopg

CHUNK_ROWS = 1_000_000
COMPRESSION = "zstd"


@dataclass(frozen=True)
class Chunk:
    """What one archive transaction moved.

    >>> Chunk(predictions=3, labels=1, files=(), bytes_written=0).predictions
    3
    """

    predictions: int
    labels: int
    files: tuple[Path, ...]
    bytes_written: int


def model_folder(model: str) -> str:
    """A safe folder name for ``model`` (percent-encoded; never ``.`` or ``..``).

    >>> model_folder("churn"), model_folder("a/b"), model_folder("..")
    ('churn', 'a%2Fb', '%2E%2E')
    """
    name = quote(model, safe="-_").replace(".", "%2E")
    return (
        name if len(name) <= 120 else name[:100] + "-" + uuid.uuid5(uuid.NAMESPACE_URL, model).hex
    )


def _write_parquet(table: pa.Table, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression=COMPRESSION)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return path.stat().st_size


def archive_chunk(
    conn: psycopg.Connection, s: Schema, model: str, cutoff: datetime, root: Path
) -> Chunk | None:
    """Move the oldest chunk of ``model``'s rows before ``cutoff``; None when none is left."""
    key = lock_key("archive", s.name, model)
    # a session lock taken before the transaction: its snapshot then sees what the
    # previous archiver of this model committed
    conn.execute("SELECT pg_advisory_lock(%s)", (key,))
    try:
        return _archive_chunk(conn, s, model, cutoff, root)
    finally:
        if not (conn.closed or conn.broken):
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def _archive_chunk(
    conn: psycopg.Connection, s: Schema, model: str, cutoff: datetime, root: Path
) -> Chunk | None:
    files: list[Path] = []
    committing = False
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            conn.execute(STREAMING)
            reg = load_registry(conn, s, model)
            where, params = _chunk_predicate(conn, s, model, cutoff)
            predictions = read_predictions(
                conn,
                s,
                model,
                reg,
                ReadSpan(),
                labels=False,
                extra_where=where,
                extra_params=params,
            )
            if predictions.num_rows == 0:
                return None
            in_chunk = (
                f"EXISTS (SELECT 1 FROM {s.table('predictions')} p WHERE p.model = l.model "
                f"AND p.prediction_id = l.prediction_id{where})"
            )
            labels = read_labels(conn, s, model, reg, in_chunk, params)
            ts = predictions[r.TIMESTAMP]
            first, last = pc.min(ts).as_py(), pc.max(ts).as_py()
            stem = f"{first:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
            folder = Path(s.name) / model_folder(model)
            pred_rel = folder / f"{stem}.predictions.parquet"
            files.append(root / pred_rel)
            size = _write_parquet(predictions, root / pred_rel)
            label_rel = None
            if labels.num_rows:
                label_rel = folder / f"{stem}.labels.parquet"
                files.append(root / label_rel)
                size += _write_parquet(labels, root / label_rel)
            conn.execute(
                f"INSERT INTO {s.table('archive_files')} (model, path, rows, labels_path, "
                "label_rows, bytes, min_ts, max_ts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    model,
                    pred_rel.as_posix(),
                    predictions.num_rows,
                    label_rel.as_posix() if label_rel else None,
                    labels.num_rows,
                    size,
                    first,
                    last,
                ),
            )
            gone_labels = conn.execute(
                f"DELETE FROM {s.table('labels')} l WHERE l.model = %s AND {in_chunk}",
                (model, *params),
            ).rowcount
            gone = conn.execute(
                f"DELETE FROM {s.table('predictions')} p WHERE p.model = %s{where}",
                (model, *params),
            ).rowcount
            if (gone, gone_labels) != (predictions.num_rows, labels.num_rows):
                raise StoreError(
                    f"archive of model {model!r}: read {predictions.num_rows} predictions and "
                    f"{labels.num_rows} labels but deleted {gone} and {gone_labels}; rolled back"
                )
            committing = True
    except BaseException:
        if not committing:  # the rows stay hot: the files must not linger
            for path in files:
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".tmp").unlink(missing_ok=True)
        raise
    return Chunk(predictions.num_rows, labels.num_rows, tuple(files), size)


def _chunk_predicate(
    conn: psycopg.Connection, s: Schema, model: str, cutoff: datetime
) -> tuple[str, list[object]]:
    """SQL on ``p`` selecting the oldest :data:`CHUNK_ROWS` rows before ``cutoff``."""
    boundary = conn.execute(
        f"SELECT ts, prediction_id FROM {s.table('predictions')} WHERE model = %s AND ts < %s "
        "ORDER BY ts, prediction_id OFFSET %s LIMIT 1",
        (model, cutoff, CHUNK_ROWS - 1),
    ).fetchone()
    if boundary is None:
        return " AND p.ts < %s", [cutoff]
    return " AND p.ts < %s AND (p.ts, p.prediction_id) <= (%s, %s)", [cutoff, *boundary]


# ---------------------------------------------------------------------- reading back
def read_archived(
    conn: psycopg.Connection, s: Schema, model: str, reg: Registry, window: ReadSpan, root: Path
) -> pa.Table:
    """Archived predictions in ``window`` joined with their latest label (archived or hot),
    in the same layout as the hot read (storage names, ``label``, ``labeled_at``)."""
    rows = conn.execute(
        f"SELECT path, labels_path FROM {s.table('archive_files')} WHERE model = %s "
        "AND (%s::timestamptz IS NULL OR max_ts >= %s) "
        "AND (%s::timestamptz IS NULL OR min_ts < %s) ORDER BY id",
        (model, window.since, window.since, window.until, window.until),
    ).fetchall()
    value_fields = [pa.field(n, ARROW_TYPES[reg.kind(n)]) for n in reg.names()]
    base_fields = [pa.field(f.name, f.type) for f in r.BASE_FIELDS]  # nullable, as hot reads
    schema = pa.schema([*base_fields, *value_fields])
    label_schema = pa.schema(
        [
            pa.field(r.PREDICTION_ID, pa.string()),
            pa.field(r.LABEL, ARROW_TYPES[reg.kind(r.LABEL)]),
            pa.field(r.LABELED_AT, r.TIMESTAMP_TYPE),
        ]
    )
    parts, label_parts = [], []
    for path, labels_path in rows:
        parts.append(_filter(align(_read(root, path, model), schema), window))
        if labels_path:
            label_parts.append(align(_read(root, labels_path, model), label_schema))
    predictions = pa.concat_tables(parts) if parts else schema.empty_table()
    hot = read_labels(
        conn,
        s,
        model,
        reg,
        f"NOT EXISTS (SELECT 1 FROM {s.table('predictions')} p "
        "WHERE p.model = l.model AND p.prediction_id = l.prediction_id)",
        [],
    )
    label_parts.append(align(hot, label_schema))  # last: a tie goes to the later write
    latest = _latest(pa.concat_tables(label_parts))
    index = pc.index_in(predictions[r.PREDICTION_ID], value_set=latest[r.PREDICTION_ID])
    predictions = predictions.append_column(r.LABEL, latest[r.LABEL].take(index))
    return predictions.append_column(r.LABELED_AT, latest[r.LABELED_AT].take(index))


def _read(root: Path, relative: str, model: str) -> pa.Table:
    path = root / relative
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise StoreError(
            f"archive file {str(path)!r} of model {model!r} is unreadable: {exc}"
        ) from exc


def align(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly ``schema``'s columns: cast to its types, missing ones null."""
    columns = []
    for f in schema:
        if f.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, f.type))
        elif table.schema.field(f.name).type.equals(f.type):
            columns.append(table[f.name])
        else:
            columns.append(table[f.name].cast(f.type))
    return pa.table(columns, schema=schema)


def _filter(table: pa.Table, window: ReadSpan) -> pa.Table:
    mask = None
    ts = table[r.TIMESTAMP]
    tests = []
    if window.since is not None:
        tests.append(pc.greater_equal(ts, pa.scalar(window.since, r.TIMESTAMP_TYPE)))
    if window.until is not None:
        tests.append(pc.less(ts, pa.scalar(window.until, r.TIMESTAMP_TYPE)))
    if window.model_version is not None:
        tests.append(pc.equal(table[r.MODEL_VERSION], window.model_version))
    for test in tests:
        mask = test if mask is None else pc.and_(mask, test)
    return table if mask is None else table.filter(pc.fill_null(mask, False))


def _latest(labels: pa.Table) -> pa.Table:
    """One row per ``prediction_id``: the latest ``labeled_at``, later rows winning ties."""
    order = pa.array(np.arange(labels.num_rows))
    ranked = labels.append_column("_order", order).sort_by(
        [(r.PREDICTION_ID, "ascending"), (r.LABELED_AT, "descending"), ("_order", "descending")]
    )
    ids = ranked[r.PREDICTION_ID].combine_chunks()
    if len(ids) == 0:
        return labels
    keep = pa.concat_arrays([pa.array([True]), pc.not_equal(ids[1:], ids[:-1])])
    return ranked.filter(keep).drop_columns(["_order"])
