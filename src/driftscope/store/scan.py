"""Reading predictions back: a snapshot of segment files -> one sorted table with labels.

Two things run at once, both outside the GIL:

* pyarrow reads the prediction segments (only the row groups whose timestamp statistics
  meet the window; a mask only for segments straddling it), with low-cardinality text kept
  dictionary-encoded, and concatenates them (missing columns null-filled, int/float
  widened, other clashes as text);
* DuckDB joins the ids of those segments with every label of the model, returning, for
  each labelled prediction, the file and row it came from and the label.

The latest ``labeled_at`` wins (on a tie the label recorded later); labels land on their
rows by position, then rows are put in ``(timestamp, prediction_id)`` order, which they
usually already are (segments are written sorted and listed by time).

>>> empty_predictions().column_names[:3]
['prediction_id', 'timestamp', 'model_version']
"""

from __future__ import annotations

import errno
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from driftscope.errors import StoreError
from driftscope.store import records as r
from driftscope.store.assemble import FrameBuilder
from driftscope.store.catalog import Segment
from driftscope.store.frames import to_pandas
from driftscope.store.segments import (
    from_us,
    is_sorted,
    is_text,
    timestamps_us,
    to_us,
    unavailable,
)


class SegmentMissing(StoreError):
    """A segment in the snapshot is gone from disk (usually: compacted meanwhile)."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        super().__init__(f"segment {path} is listed in the catalog but missing from disk")


class SegmentUnreadable(StoreError):
    """A segment file that is corrupt or truncated."""

    def __init__(self, path: Path | str, reason: object):
        self.path = str(path)
        super().__init__(f"segment {path} is unreadable ({reason})")


@dataclass(frozen=True)
class Window:
    """``since <= timestamp < until`` (microseconds) and an optional model version."""

    since: int | None = None
    until: int | None = None
    model_version: str | None = None

    def covers(self, seg: Segment) -> bool:
        """Every row of ``seg`` is in the time window (the version is not looked at)."""
        if seg.min_ts is None or seg.max_ts is None:
            return False
        return (self.since is None or seg.min_ts >= self.since) and (
            self.until is None or seg.max_ts < self.until
        )

    def meets(self, low: int, high: int) -> bool:
        return (self.since is None or high >= self.since) and (
            self.until is None or low < self.until
        )


# ---------------------------------------------------------------------- prediction files
def _open(path: Path) -> tuple[pq.ParquetFile, pa.Schema]:
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
        text = [f.name for f in schema if f.name != r.PREDICTION_ID and is_text(f.type)]
        return pq.ParquetFile(path, metadata=meta, read_dictionary=text or None), schema
    except FileNotFoundError as exc:
        raise SegmentMissing(path) from exc
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EIO):
            raise unavailable(path, exc, "read") from exc
        raise SegmentUnreadable(path, exc) from exc
    except (pa.ArrowException, ValueError) as exc:
        raise SegmentUnreadable(path, exc) from exc


def _row_groups(file: pq.ParquetFile, schema: pa.Schema, window: Window) -> list[int]:
    """Row groups whose timestamp statistics meet the window (all when unknown)."""
    column = schema.get_field_index(r.TIMESTAMP)
    keep = []
    for i in range(file.metadata.num_row_groups):
        stats = file.metadata.row_group(i).column(column).statistics
        known = stats is not None and stats.has_min_max
        if not known or window.meets(to_us(stats.min), to_us(stats.max)):
            keep.append(i)
    return keep


class PlannedRead:
    """One prediction segment, opened: which row groups meet the window, how many rows at
    most, and :meth:`read` for its rows in the window."""

    def __init__(self, path: Path, seg: Segment, window: Window):
        self.path = path
        self.window = window
        self.file, self.schema = _open(path)
        meta = self.file.metadata
        self.whole = window.covers(seg) and window.model_version is None
        self.groups = list(range(meta.num_row_groups))
        if not self.whole:
            self.groups = _row_groups(self.file, self.schema, window)
        self.upper = sum(meta.row_group(i).num_rows for i in self.groups)

    def read(self) -> tuple[pa.Table, np.ndarray | None]:
        """The rows in the window, and which rows of the file they are (None: all, in
        order)."""
        file, window = self.file, self.window
        try:
            if self.whole:
                return file.read(use_threads=True), None
            if not self.groups:
                return file.schema_arrow.empty_table(), np.empty(0, np.int64)
            table = file.read_row_groups(self.groups, use_threads=True)
        except FileNotFoundError as exc:
            raise SegmentMissing(self.path) from exc
        except (OSError, pa.ArrowException, ValueError) as exc:
            raise SegmentUnreadable(self.path, exc) from exc
        sizes = [file.metadata.row_group(i).num_rows for i in range(file.metadata.num_row_groups)]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        rows = np.concatenate(
            [np.arange(sizes[i], dtype=np.int64) + starts[i] for i in self.groups]
        )
        mask = np.ones(table.num_rows, dtype=bool)
        ts = timestamps_us(table.column(r.TIMESTAMP))
        if window.since is not None:
            mask &= ts >= window.since
        if window.until is not None:
            mask &= ts < window.until
        if window.model_version is not None:
            same = pc.equal(table.column(r.MODEL_VERSION), window.model_version)
            mask &= pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        if mask.all():
            return table, rows
        return table.filter(pa.array(mask)), rows[mask]


# ---------------------------------------------------------------------- labels
def _label_matches(
    duck: duckdb.DuckDBPyConnection, preds: list[str], labels: list[str], window: Window
) -> pa.Table:
    """(pf, pr, lf, lr, label, labeled_at) for every (prediction row, label) with the same
    id: pf/lf index the file lists, pr/lr are row numbers in those files."""
    where = []
    params: dict[str, object] = {"preds": preds, "labels": labels}
    if window.since is not None:
        where.append("p.timestamp >= $since")
        params["since"] = from_us(window.since)
    if window.until is not None:
        where.append("p.timestamp < $until")
        params["until"] = from_us(window.until)
    sql = (
        "SELECT p.file_index AS pf, p.file_row_number AS pr, l.file_index AS lf, "
        "l.file_row_number AS lr, l.label AS label, l.labeled_at AS labeled_at "
        "FROM read_parquet($preds, union_by_name = true) AS p "
        "JOIN read_parquet($labels, union_by_name = true) AS l "
        "ON p.prediction_id = l.prediction_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    try:
        return duck.sql(sql, params=params).to_arrow_table()
    except duckdb.Error as exc:
        raise _explain(exc, [*preds, *labels]) from exc


def _explain(exc: duckdb.Error, paths: list[str]) -> StoreError:
    """Name the file behind a DuckDB failure: missing, unreadable, or neither."""
    for path in paths:
        if not os.path.exists(path):
            return SegmentMissing(path)
    for path in paths:
        try:
            pq.read_table(path)
        except FileNotFoundError:
            return SegmentMissing(path)
        except (OSError, pa.ArrowException, ValueError) as bad:
            return SegmentUnreadable(path, bad)
    return StoreError(f"query over {len(paths)} segment files failed: {exc}")


def _positions(
    pf: np.ndarray, pr: np.ndarray, bases: np.ndarray, kept: list[np.ndarray | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the concatenated table for file rows (pf, pr), and which were kept."""
    pos = bases[pf] + pr
    valid = np.ones(len(pf), dtype=bool)
    if all(k is None for k in kept):
        return pos, valid
    order = np.argsort(pf, kind="stable")
    bounds = np.searchsorted(pf[order], np.arange(len(kept) + 1))
    for i, rows in enumerate(kept):
        if rows is None:
            continue
        sel = order[bounds[i] : bounds[i + 1]]
        if not sel.size:
            continue
        j = np.searchsorted(rows, pr[sel])
        ok = j < len(rows)
        ok[ok] = rows[j[ok]] == pr[sel][ok]
        valid[sel] = ok
        pos[sel] = bases[i] + np.where(ok, j, 0)
    return pos, valid


def label_rows(
    matches: pa.Table, bases: np.ndarray, kept: list[np.ndarray | None], rows: int
) -> np.ndarray:
    """For each of ``rows`` output rows, the row of ``matches`` holding its latest label
    (-1: none). Latest ``labeled_at`` wins; on a tie, the label recorded later."""
    pf = matches.column("pf").to_numpy().astype(np.int64)
    pr = matches.column("pr").to_numpy().astype(np.int64)
    pos, valid = _positions(pf, pr, bases, kept)
    found = np.flatnonzero(valid)
    pos = pos[found]
    if pos.size and np.bincount(pos).max() > 1:  # several labels for one row
        at = timestamps_us(matches.column("labeled_at"))[found]
        lf = matches.column("lf").to_numpy()[found]
        lr = matches.column("lr").to_numpy()[found]
        order = np.lexsort((lr, lf, at, pos))
        last = np.append(pos[order][1:] != pos[order][:-1], True)
        found, pos = found[order[last]], pos[order[last]]
    index = np.full(rows, -1, dtype=np.int64)
    index[pos] = found
    return index


def label_columns(matches: pa.Table | None, index: np.ndarray | None, rows: int) -> dict:
    """The ``label`` and ``labeled_at`` Series for ``index`` (rows of ``matches``)."""
    if matches is None or index is None:
        table = pa.table({r.LABEL: pa.nulls(rows), r.LABELED_AT: pa.nulls(rows, r.TIMESTAMP_TYPE)})
    else:
        take = pa.array(index, mask=index < 0)
        table = pa.table(
            {
                r.LABEL: matches.column("label").take(take),
                r.LABELED_AT: matches.column("labeled_at").take(take).cast(r.TIMESTAMP_TYPE),
            }
        )
    frame = to_pandas(table)
    return {r.LABEL: frame[r.LABEL], r.LABELED_AT: frame[r.LABELED_AT]}


# ---------------------------------------------------------------------- the whole read
def empty_predictions() -> pa.Table:
    fields = [
        *r.BASE_FIELDS,
        pa.field(r.LABEL, pa.null()),
        pa.field(r.LABELED_AT, r.TIMESTAMP_TYPE),
    ]
    return pa.schema(fields).empty_table()


def output_order(names: list[str]) -> list[str]:
    """Base columns, features, prediction(s), then metadata (labels come after)."""
    present = set(names)
    base = [c for c in r.BASE_COLUMNS if c in present]
    features = [c for c in names if r.is_feature(c)]
    outputs = [c for c in names if c == r.PREDICTION or c.startswith(r.PREDICTION_PREFIX)]
    metadata = [c for c in names if c.startswith(r.METADATA_PREFIX)]
    return [*base, *features, *outputs, *metadata]


def _sort_order(ts: np.ndarray, ids: pa.ChunkedArray) -> np.ndarray | None:
    """The permutation to ``(timestamp, prediction_id)`` order, None when already in it."""
    if is_sorted(ts, ids):
        return None
    keys = pa.table({"t": pa.array(ts), "i": ids})
    return pc.sort_indices(keys, [("t", "ascending"), ("i", "ascending")]).to_numpy()


def read_window(
    duck: duckdb.DuckDBPyConnection,  # a cursor of the caller's own: used by one thread
    preds: list[tuple[Path, Segment]],
    labels: list[Path],
    window: Window,
    shape: Path | None = None,
) -> pd.DataFrame:
    """Predictions of the segments ``preds`` in ``window`` with their latest label from
    ``labels``, sorted by ``(timestamp, prediction_id)``, in the output layout.

    With no segment to read, the columns of ``shape`` (a segment of the model; None: the
    base columns) describe the empty result.
    """
    if not preds:
        if shape is None:
            return to_pandas(empty_predictions())
        plan = PlannedRead(shape, Segment("", "", "", "", "", 0, 0, None, None), window)
        builder = FrameBuilder([plan.schema], 0)
        names = output_order(builder.names)
        columns = list(zip(names, r.to_output_names(names), strict=True))
        return builder.frame(None, columns, label_columns(None, None, 0))
    planned = [PlannedRead(path, seg, window) for path, seg in preds]
    builder = FrameBuilder([p.schema for p in planned], sum(p.upper for p in planned))
    bases, kept, ids = [], [], []
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        if labels:
            paths = [str(p) for p, _ in preds]
            pending = pool.submit(_label_matches, duck, paths, [str(p) for p in labels], window)
        try:
            for plan in planned:
                table, rows = plan.read()
                bases.append(builder.rows)
                kept.append(rows)
                ids.extend(table.column(r.PREDICTION_ID).chunks)
                builder.put(table)
                del table
        finally:
            matches = pending.result() if pending is not None else None
    n = builder.rows
    ts = builder.columns[r.TIMESTAMP].values[:n]
    order = _sort_order(ts, pa.chunked_array(ids, pa.string()))
    index = None
    if matches is not None:
        index = label_rows(matches, np.array(bases, dtype=np.int64), kept, n)
        if order is not None:
            index = index[order]
    names = output_order(builder.names)
    columns = list(zip(names, r.to_output_names(names), strict=True))
    return builder.frame(order, columns, label_columns(matches, index, n))


def count_window(
    duck: duckdb.DuckDBPyConnection, segs: list[tuple[Path, Segment]], window: Window
) -> int:
    """Rows of prediction segments in the time window: from the catalog for segments
    wholly inside it, by a DuckDB count over the others."""
    total = sum(seg.rows for _, seg in segs if window.covers(seg))
    partial = [str(path) for path, seg in segs if not window.covers(seg)]
    if not partial:
        return total
    where, params = [], {"files": partial}
    if window.since is not None:
        where.append("timestamp >= $since")
        params["since"] = from_us(window.since)
    if window.until is not None:
        where.append("timestamp < $until")
        params["until"] = from_us(window.until)
    sql = "SELECT count(*) FROM read_parquet($files, union_by_name = true)"
    if where:
        sql += " WHERE " + " AND ".join(where)
    try:
        return total + int(duck.sql(sql, params=params).fetchall()[0][0])
    except duckdb.Error as exc:
        raise _explain(exc, partial) from exc
