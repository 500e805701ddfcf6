"""One read: a snapshot of segments -> a DataFrame sorted by time, labels joined.

Three things run at once: one thread prepares the label join (hashes the ids of label
segments not seen before, :mod:`~driftscope.store.embedded._label_join`; or, past its
limit, has DuckDB join the labels, :mod:`~driftscope.store.embedded._labels`), one thread
decodes segments (:class:`~driftscope.store.embedded._scan.PlannedRead`, ``PREFETCH``
ahead), and the calling thread copies each decoded segment into the output columns
(:class:`~driftscope.store.embedded._assemble.FrameBuilder`) as soon as it is ready. The hashed
join itself runs once the window's ids are all decoded, while the last segments are
copied.

Rows come out in ``(timestamp, prediction_id)`` order. Segments are written sorted and
listed by start time, so runs of segments whose time ranges do not overlap arrive in
order. Segments that overlap (concurrent writers: at most a day's partition) are decoded
together, their order worked out from times (ids only where times tie), and put in that
order in one pass per column. The result is checked, and sorted after the fact if a
segment was not sorted.

>>> output_order(["prediction_id", "timestamp", "metadata.a", "prediction", "feature.x"])
['prediction_id', 'timestamp', 'feature.x', 'prediction', 'metadata.a']
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.core import records as r
from driftscope.store._span import ReadSpan
from driftscope.store._unique_ids import has_repeats, hash_ids, plain_text, repeated_ids
from driftscope.store.embedded._assemble import FrameBuilder
from driftscope.store.embedded._catalog import Segment
from driftscope.store.embedded._frames import to_pandas
from driftscope.store.embedded._label_join import LabelHashes, label_matches_by_hash, window_table
from driftscope.store.embedded._labels import (
    label_columns,
    label_matches,
    label_rows,
    latest_labels,
)
from driftscope.store.embedded._scan import PlannedRead
from driftscope.store.embedded._segments import timestamps_us

PREFETCH = 2  # segments decoded ahead of the one being copied into the output


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


FEW_TIES = 4096  # up to this many rows sharing times are ordered by id one run at a time


def _ids_at(ids: pa.ChunkedArray, rows: np.ndarray) -> list[str | None]:
    """``ids[rows]`` for a few rows, without concatenating the chunks."""
    ends = np.cumsum([len(c) for c in ids.chunks])
    which = np.searchsorted(ends, rows, side="right")
    starts = ends - [len(c) for c in ids.chunks]
    return [ids.chunks[c][int(i - starts[c])].as_py() for c, i in zip(which, rows, strict=True)]


def _tie_order(ts: np.ndarray, ids: pa.ChunkedArray, order: np.ndarray | None) -> np.ndarray | None:
    """``order`` (by time alone, stable; None: as they are) fixed so that equal times go
    by id: run by run when few rows tie, else by one sort on (time, id)."""
    in_order = ts if order is None else ts[order]
    tied = in_order[1:] == in_order[:-1]
    if not tied.any():
        return order
    edges = np.flatnonzero(np.diff(np.concatenate([[False], tied, [False]]).astype(np.int8)))
    runs = edges.reshape(-1, 2)  # [first, last] positions of each run of equal times
    if (runs[:, 1] - runs[:, 0] + 1).sum() > FEW_TIES:
        keys = pa.table({"t": pa.array(ts), "i": ids})
        return pc.sort_indices(keys, [("t", "ascending"), ("i", "ascending")]).to_numpy()
    fixed = np.arange(len(ts)) if order is None else order.copy()
    for first, last in runs:
        rows = fixed[first : last + 1]
        names = _ids_at(ids, rows)
        by_id = sorted(range(len(rows)), key=lambda k: (names[k] is None, names[k] or ""))
        fixed[first : last + 1] = rows[by_id]
    return fixed


def _identity(order: np.ndarray | None) -> bool:
    if order is None or len(order) < 2:
        return True
    return bool((order[1:] > order[:-1]).all())


def _permutation(ts: np.ndarray, ids: pa.ChunkedArray) -> np.ndarray | None:
    """The permutation to ``(timestamp, prediction_id)`` order, None when already in it.

    Segments are sorted, so the rows are a few sorted runs: a stable sort on the times
    merges them; ids are compared only where times tie.
    """
    monotonic = bool((ts[1:] >= ts[:-1]).all())
    order = _tie_order(ts, ids, None if monotonic else np.argsort(ts, kind="stable"))
    return None if _identity(order) else order


def groups(preds: list[tuple[Path, Segment]]) -> list[list[int]]:
    """Runs of consecutive segments (listed by start time) whose time ranges overlap or
    touch: rows of different runs never interleave."""
    runs: list[list[int]] = []
    reach: int | None = None
    for i, (_, seg) in enumerate(preds):
        low, high = seg.min_ts, seg.max_ts
        if runs and (low is None or high is None or reach is None or low <= reach):
            runs[-1].append(i)
            reach = None if low is None or high is None or reach is None else max(reach, high)
        else:
            runs.append([i])
            reach = None if low is None or high is None else high
    return runs


def _group_order(tables: list[pa.Table]) -> np.ndarray | None:
    """The order of the rows of interleaving tables (each sorted), None: as they come."""
    ts = np.concatenate([timestamps_us(t.column(r.TIMESTAMP)) for t in tables])
    ids = pa.chunked_array(
        [c for t in tables for c in t.column(r.PREDICTION_ID).chunks], pa.string()
    )
    return _permutation(ts, ids)


class _WindowIds:
    """The window's prediction ids in arrival order, hashed once: for the label join and
    to find ids that repeat (the hash table the join builds says whether any does)."""

    def __init__(self, chunks: list[pa.Array]):
        self.plain = plain_text(chunks)
        self._chunks = chunks
        self._ids: pa.ChunkedArray | None = None
        self._hashes: np.ndarray | None = None
        self.repeats: bool | None = None  # known once the join's table or a check says

    @property
    def ids(self) -> pa.ChunkedArray:
        if self._ids is None:
            self._ids = pa.chunked_array([c.cast(pa.string()) for c in self._chunks], pa.string())
        return self._ids

    @property
    def hashes(self) -> np.ndarray | None:
        """The ids' hashes (made by whichever thread asks first; None: ids not plain text)."""
        if self._hashes is None and self.plain:
            self._hashes = hash_ids(self.ids)
        return self._hashes

    def any_repeat(self) -> bool:
        if self.repeats is None:
            self.repeats = self.hashes is not None and has_repeats(self.hashes)
        return self.repeats


def _join_by_hash(pending: Future, window: _WindowIds, label_paths: list[str]) -> pa.Table | None:
    """:func:`~driftscope.store.embedded._label_join.label_matches_by_hash` of the window's ids,
    once ``pending`` (the label segments' hashes) is done; None when the labels must be
    joined another way."""
    hashed = pending.result()
    if hashed is None or not window.plain:
        return None
    hashes = window.hashes
    assert hashes is not None  # plain text ids always hash
    table = window_table(hashes)
    window.repeats = bool(table[2])  # chains are built only when the window repeats an id
    return label_matches_by_hash(window.ids, hashes, label_paths, hashed, table)


def _later_repeats(
    window: _WindowIds,
    preds: list[tuple[Path, Segment]],
    bases: list[int],
    kept: list[np.ndarray | None],
) -> np.ndarray:
    """Arrival rows holding a prediction id already held by a row stored before them
    (earlier segment in write order, or earlier row of the same segment): the rows that
    the rule "the first stored record of an id is kept" drops."""
    if window.hashes is None or not window.any_repeat():
        return np.empty(0, np.int64)
    n = len(window.hashes)
    rank = np.empty(len(preds), dtype=np.int64)
    rank[sorted(range(len(preds)), key=lambda i: preds[i][1].order)] = np.arange(len(preds))
    starts = np.asarray(bases, dtype=np.int64)
    seg = np.searchsorted(starts, np.arange(n), side="right") - 1
    local = np.arange(n) - starts[seg]
    file_row = local.copy()
    for i, rows in enumerate(kept):
        if rows is not None:
            mine = seg == i
            file_row[mine] = rows[local[mine]]
    return repeated_ids(window.ids, window.hashes, rank[seg] * (1 << 40) + file_row)


def read_window(
    duck: duckdb.DuckDBPyConnection,  # a cursor of the caller's own: used by one thread
    preds: list[tuple[Path, Segment]],
    labels: list[Path],
    window: ReadSpan,
    shape: Path | None = None,
    label_hashes: LabelHashes | None = None,
    label_scope: str = "",
) -> pd.DataFrame:
    """Predictions of the segments ``preds`` in ``window`` with their latest label from
    ``labels``, sorted by ``(timestamp, prediction_id)``, in the output layout; of rows
    sharing a prediction id, only the first stored (segment write order, then row order).

    With no segment to read, the columns of ``shape`` (a segment of the model; None: the
    base columns) describe the empty result. With ``label_hashes``, labels are joined by
    hashed ids (:mod:`~driftscope.store.embedded._label_join`, kept under ``label_scope``) when they
    fit its limit, else (and without it) by DuckDB.
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
    builder = FrameBuilder(
        [p.schema for p in planned], sum(p.upper for p in planned), strings=(r.PREDICTION_ID,)
    )
    bases: list[int] = []
    kept: list[np.ndarray | None] = []
    # output row -> arrival row, where groups were reordered: (start, rows, order)
    moved: list[tuple[int, int, np.ndarray]] = []
    # labels join in one thread, segments decode in another (PREFETCH ahead) while this
    # one copies decoded segments into the output columns
    hashing = bool(labels) and label_hashes is not None
    label_paths = [str(p) for p in labels]
    with ThreadPoolExecutor(max_workers=1) as join, ThreadPoolExecutor(max_workers=1) as decode:
        pending: Future[Any] | None = None  # the label hashes, or the DuckDB label join
        by_hash: Future[pa.Table | None] | None = None
        repeats: Future[bool] | None = None
        if labels and label_hashes is not None:  # hashing: the label segments not seen
            # before are hashed meanwhile
            pending = join.submit(label_hashes.get, label_paths, label_scope)
        elif labels:
            paths = [str(p) for p, _ in preds]
            pending = join.submit(label_matches, duck, paths, label_paths, window)
        reads: deque = deque(decode.submit(plan.read) for plan in planned[:PREFETCH])
        matches = None
        arrived = 0
        ids: list[pa.Array] = []  # the prediction ids, in arrival order
        window_ids = None
        runs = groups(preds)
        try:
            for g, group in enumerate(runs):
                tables = []
                for i in group:
                    table, rows = reads.popleft().result()
                    if i + PREFETCH < len(planned):
                        reads.append(decode.submit(planned[i + PREFETCH].read))
                    bases.append(arrived)
                    kept.append(rows)
                    arrived += table.num_rows
                    tables.append(table)
                    ids.extend(table.column(r.PREDICTION_ID).chunks)
                if g == len(runs) - 1:  # every id is in: hash them, join while we copy
                    window_ids = _WindowIds(ids)
                    if hashing:
                        assert pending is not None  # submitted above when hashing
                        by_hash = join.submit(_join_by_hash, pending, window_ids, label_paths)
                    else:  # are ids repeated? found out while we copy
                        repeats = join.submit(window_ids.any_repeat)
                order = _group_order(tables) if len(tables) > 1 else None
                if order is None:
                    for table in tables:
                        builder.put(table)
                else:
                    moved.append((builder.rows, len(order), order))
                    builder.put_group(tables, order)
                del tables
        except BaseException:
            for future in reads:
                future.cancel()
            for future in (pending, by_hash, repeats):
                if future is not None:
                    wait([future])  # its own error, if any, matters less than this one
            raise
        if repeats is not None:
            repeats.result()
        if by_hash is not None:
            matches = by_hash.result()
        elif pending is not None and not hashing:
            matches = pending.result()
    n = builder.rows
    # rows are sorted unless a segment was not: checked, cheaply
    reorder = _permutation(builder.timestamps(r.TIMESTAMP), builder.arrow_column(r.PREDICTION_ID))
    arrival = None  # per builder row, its arrival row (where groups were reordered)
    if moved:
        arrival = np.arange(n, dtype=np.int64)
        for start, rows, order in moved:
            arrival[start : start + rows] = start + order
    final = reorder  # output rows, as builder rows (None: all, as they are)
    later = _later_repeats(window_ids, preds, bases, kept) if window_ids else np.empty(0)
    if later.size:  # a prediction id stored twice: the first stored is the prediction
        drop = np.zeros(n, dtype=bool)
        drop[later] = True
        if arrival is not None:
            drop = drop[arrival]
        final = np.arange(n, dtype=np.int64) if reorder is None else reorder
        final = final[~drop[final]]
    index = None  # per arrival row, its row of `matches`; then put in output order
    if hashing and matches is not None:  # joined by hash: `pos` are arrival rows
        found = np.arange(matches.num_rows)
        index = latest_labels(matches, matches.column("pos").to_numpy(), found, n)
    elif hashing:  # too many labels to keep their hashes, or types to unify: DuckDB
        paths = [str(p) for p, _ in preds]
        matches = label_matches(duck, paths, label_paths, window)
    if matches is not None and index is None:
        index = label_rows(matches, np.array(bases, dtype=np.int64), kept, n)
    if index is not None:
        if arrival is not None:
            index = index[arrival]
        if final is not None:
            index = index[final]
    names = output_order(builder.names)
    columns = list(zip(names, r.to_output_names(names), strict=True))
    rows = n if final is None else len(final)
    return builder.frame(final, columns, label_columns(matches, index, rows))
