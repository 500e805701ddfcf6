"""Joining the labels of a window by hashed ids, with the label side kept between reads.

Every read of a window must look at every label of the model (a label may come any time
after its prediction), so joining with DuckDB decodes all the label ids of the model once
per window: over a month of labels that dominates a day's read. Instead the store keeps,
per label segment (an immutable file), the 64-bit hashes of its ids (:class:`LabelHashes`,
8 bytes a label, up to a row limit). A read then hashes the window's ids into a small hash
table behind a Bloom filter, runs every kept label hash through it (Numba, outside the GIL,
on a few threads), and reads only the row groups of label segments that hold a candidate,
where each candidate is checked by comparing the ids themselves: the result is exact, hash
collisions only cost a comparison. On 15.5 million labels and a window of a million
predictions the probe takes about 0.1 s.

>>> ids = pa.chunked_array([["a", "b", "c", "b"]])
>>> label_ids = pa.array(["b", "zz", "a"])
>>> win, lab = candidates(hash_ids(ids), [hash_ids(label_ids)])
>>> sorted(zip(win.tolist(), lab[0].tolist()))
[(0, 2), (1, 0), (3, 0)]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from driftscope.core import records as r
from driftscope.core._jit import njit
from driftscope.store._unique_ids import hash_ids
from driftscope.store.embedded._scan import DECODE_ERRORS, read_error

DEFAULT_LIMIT_ROWS = 40_000_000  # labels whose hashes are kept (8 bytes each: 320 MB)


# ---------------------------------------------------------------------- matching
@njit
def _bloom_bits(h):
    """Two bits of one 64-bit word of the filter, from bits of ``h`` the table does not use
    for its slots."""
    return (np.uint64(1) << (h >> np.uint64(58))) | (
        np.uint64(1) << ((h >> np.uint64(52)) & np.uint64(63))
    )


@njit
def _build(hashes):
    """An open-addressing table of ``hashes``: ``slots[2s]`` a hash, ``slots[2s + 1]`` its
    first row (-1: empty), side by side so a lookup touches one cache line; equal hashes
    chain through ``after`` (-1 everywhere when there are none). And a Bloom filter (32
    bits an entry, two in one word) that turns almost every miss away before the table."""
    size = 1
    while size < 2 * hashes.size + 2:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(2 * size, -1, dtype=np.int64)
    after = np.full(hashes.size, -1, dtype=np.int64)
    chained = False
    words = 1
    while words < hashes.size // 2 + 1:
        words *= 2
    seen = np.zeros(words, dtype=np.uint64)
    wmask = np.uint64(words - 1)
    for i in range(hashes.size - 1, -1, -1):  # chains run in row order
        h = hashes[i]
        seen[(h >> np.uint64(32)) & wmask] |= _bloom_bits(h)
        key = np.int64(h)
        s = h & mask
        while slots[2 * s + 1] != -1 and slots[2 * s] != key:
            s = (s + np.uint64(1)) & mask
        if slots[2 * s + 1] != -1:
            after[i] = slots[2 * s + 1]
            chained = True
        slots[2 * s] = key
        slots[2 * s + 1] = i
    return slots, after, chained, seen


@njit
def _probe(slots, after, chained, seen, hashes):
    """(row of the table, position in ``hashes``) for every equal hash."""
    mask = np.uint64(slots.size // 2 - 1)
    wmask = np.uint64(seen.size - 1)
    rows = np.empty(1024, dtype=np.int64)
    where = np.empty(1024, dtype=np.int64)
    n = 0
    for j in range(hashes.size):
        h = hashes[j]
        bits = _bloom_bits(h)
        if seen[(h >> np.uint64(32)) & wmask] & bits != bits:
            continue
        key = np.int64(h)
        s = h & mask
        while slots[2 * s + 1] != -1:
            if slots[2 * s] == key:
                i = slots[2 * s + 1]
                while i != -1:
                    if n == rows.size:
                        rows = np.concatenate((rows, np.empty(rows.size, dtype=np.int64)))
                        where = np.concatenate((where, np.empty(where.size, dtype=np.int64)))
                    rows[n] = i
                    where[n] = j
                    n += 1
                    i = after[i] if chained else -1
                break
            s = (s + np.uint64(1)) & mask
    return rows[:n].copy(), where[:n].copy()


#: What :func:`window_table` builds: (slots, after, chained, Bloom filter words).
WindowTable = tuple[np.ndarray, np.ndarray, bool, np.ndarray]


def window_table(hashes: np.ndarray) -> WindowTable:
    """The hash table of a window's id hashes that :func:`candidates` probes; its third
    item says whether the window repeats a hash (:func:`repeated_ids` then finds which)."""
    return _build(hashes)


PROBE_PIECE = 1 << 21  # label hashes per task of the probe (tasks run on PROBE_THREADS)
PROBE_THREADS = min(4, os.cpu_count() or 1)


def candidates(
    window: np.ndarray, labels: Sequence[np.ndarray], table: WindowTable | None = None
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Pairs of equal hashes: the window rows, and per label segment holding any (by index
    into ``labels``, ascending) its label rows; the window rows run segment by segment in
    that order, aligned with the label rows. ``table``: :func:`window_table` of ``window``
    when already built."""
    built: WindowTable = _build(window) if table is None else table
    pieces = [
        (i, start, hashes[start : start + PROBE_PIECE])
        for i, hashes in enumerate(labels)
        for start in range(0, len(hashes), PROBE_PIECE)
    ]

    def probe(piece: tuple[int, int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return _probe(*built, piece[2])

    if len(pieces) > 1 and PROBE_THREADS > 1:
        with ThreadPoolExecutor(PROBE_THREADS) as pool:  # the probe releases the GIL
            results = list(pool.map(probe, pieces))
    else:
        results = [probe(piece) for piece in pieces]
    rows_by: dict[int, list[np.ndarray]] = {}
    where_by: dict[int, list[np.ndarray]] = {}
    for (i, start, _), (rows, where) in zip(pieces, results, strict=True):
        if rows.size:
            rows_by.setdefault(i, []).append(rows)
            where_by.setdefault(i, []).append(where + start)
    if not rows_by:
        return np.empty(0, np.int64), {}
    found = {i: np.concatenate(where_by[i]) for i in sorted(rows_by)}
    return np.concatenate([np.concatenate(rows_by[i]) for i in found]), found


@dataclass(frozen=True)
class HashedSegment:
    """A label segment's id hashes, its label type and where its row groups start.

    >>> seg = HashedSegment(hash_ids(pa.array(["p1", "p2"])), pa.int64(), np.array([0, 2]))
    >>> len(seg.hashes), seg.starts.tolist()
    (2, [0, 2])
    """

    hashes: np.ndarray
    label_type: pa.DataType
    starts: np.ndarray  # first row of each row group, then the row count


class LabelHashes:
    """:class:`HashedSegment` of label segments, by scope (a model) and path, kept while
    the segments are listed.

    :meth:`get` returns them for the given paths (reading the segments not seen before),
    or None when they would hold more than ``limit_rows`` labels (after dropping the least
    recently read other scopes) or labels of differing or not plain types (numbers, bools,
    text): the caller then joins another way. Safe to use from several threads.

    >>> LabelHashes(limit_rows=1_000).limit_rows
    1000
    """

    def __init__(self, limit_rows: int = DEFAULT_LIMIT_ROWS):
        self.limit_rows = limit_rows
        self._lock = threading.Lock()
        self._scopes: dict[str, dict[str, HashedSegment]] = {}  # least recently read first

    def get(self, paths: Sequence[str], scope: str = "") -> list[HashedSegment] | None:
        with self._lock:
            entries = self._scopes.pop(scope, {})
            self._scopes[scope] = entries
            wanted = set(paths)
            for gone in [p for p in entries if p not in wanted]:
                del entries[gone]  # compacted or archived away: files never come back
            known = dict(entries)
        out = []
        for path in paths:
            seg = known.get(path) or self._add(scope, path)
            if seg is None:
                return None
            out.append(seg)
        if len({seg.label_type for seg in out}) > 1:
            return None
        return out

    def _add(self, scope: str, path: str) -> HashedSegment | None:
        footer = _footer(path)
        if footer is None:
            return None
        with self._lock:
            if not self._room(scope, footer[0].num_rows):  # decided before reading the ids
                return None
        seg = _hash_segment(path, *footer)
        with self._lock:
            if seg is None or not self._room(scope, len(seg.hashes)):
                return None
            self._scopes.setdefault(scope, {})[path] = seg
        return seg

    def _room(self, scope: str, rows: int) -> bool:
        """Whether ``rows`` more fit, once other scopes are dropped, oldest first (locked)."""
        total = sum(len(seg.hashes) for e in self._scopes.values() for seg in e.values())
        for other in list(self._scopes):
            if total + rows <= self.limit_rows:
                break
            if other != scope:
                total -= sum(len(seg.hashes) for seg in self._scopes.pop(other).values())
        return total + rows <= self.limit_rows

    def clear(self) -> None:
        with self._lock:
            self._scopes.clear()


def _footer(path: str) -> tuple[pq.FileMetaData, pa.DataType] | None:
    """The segment's footer and label type; None when its ids or labels are not plain."""
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except DECODE_ERRORS as exc:
        raise read_error(path, exc) from exc
    if r.LABEL not in schema.names or r.PREDICTION_ID not in schema.names:
        return None
    label_type = schema.field(r.LABEL).type
    if not (_plain(label_type) and pa.types.is_string(schema.field(r.PREDICTION_ID).type)):
        return None
    return meta, label_type


def _hash_segment(
    path: str, meta: pq.FileMetaData, label_type: pa.DataType
) -> HashedSegment | None:
    try:
        ids = pq.ParquetFile(path, metadata=meta).read(columns=[r.PREDICTION_ID]).column(0)
    except DECODE_ERRORS as exc:
        raise read_error(path, exc) from exc
    if ids.null_count:
        return None
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
    return HashedSegment(hash_ids(ids), label_type, starts)


def _plain(t: pa.DataType) -> bool:
    """Label types that DuckDB hands back as they are (others go through DuckDB)."""
    return (
        pa.types.is_integer(t)
        or pa.types.is_float32(t)
        or pa.types.is_float64(t)
        or pa.types.is_boolean(t)
        or pa.types.is_string(t)
    )


def _read_rows(path: str, seg: HashedSegment, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """The row groups of the segment holding ``rows``, and where ``rows`` are in them."""
    groups = np.searchsorted(seg.starts, rows, side="right") - 1
    needed = np.unique(groups)
    sizes = np.diff(seg.starts)[needed]
    at = np.zeros(len(seg.starts) - 1, dtype=np.int64)
    at[needed] = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    try:
        table = pq.ParquetFile(path).read_row_groups(
            needed.tolist(), columns=[r.PREDICTION_ID, r.LABEL, r.LABELED_AT]
        )
    except DECODE_ERRORS as exc:
        raise read_error(path, exc) from exc
    return table, at[groups] + rows - seg.starts[groups]


def label_matches_by_hash(
    ids: pa.ChunkedArray,
    window_hashes: np.ndarray,
    labels: Sequence[str],
    hashed: list[HashedSegment],
    table: WindowTable | None = None,
) -> pa.Table | None:
    """(pos, lf, lr, label, labeled_at) for every (row of ``ids``, label) with the same id:
    ``pos`` a row of ``ids``, ``lf`` an index into ``labels``, ``lr`` a row of that file;
    ``hashed`` is what :meth:`LabelHashes.get` gave for ``labels``. None when a segment
    read does not hold what its footer said (the caller then joins with DuckDB). ``table``:
    :func:`window_table` of ``window_hashes`` when already built."""
    label_type = hashed[0].label_type
    pos, found = candidates(window_hashes, [seg.hashes for seg in hashed], table)
    parts = []
    at = 0
    for lf, rows in found.items():
        wanted = pos[at : at + len(rows)]
        at += len(rows)
        read, local = _read_rows(labels[lf], hashed[lf], rows)
        take = pa.array(local)
        same = pc.equal(read.column(r.PREDICTION_ID).take(take), ids.take(pa.array(wanted)))
        keep = same.to_numpy(zero_copy_only=False)
        picked = read.select([r.LABEL, r.LABELED_AT]).take(pa.array(local[keep]))
        parts.append(
            pa.table(
                {
                    "pos": pa.array(wanted[keep]),
                    "lf": pa.array(np.full(int(keep.sum()), lf, dtype=np.int64)),
                    "lr": pa.array(rows[keep]),
                    "label": picked.column(r.LABEL),
                    "labeled_at": picked.column(r.LABELED_AT).cast(r.TIMESTAMP_TYPE),
                }
            )
        )
    if not parts:
        return pa.table(
            {
                "pos": pa.array([], pa.int64()),
                "lf": pa.array([], pa.int64()),
                "lr": pa.array([], pa.int64()),
                "label": pa.array([], label_type),
                "labeled_at": pa.array([], r.TIMESTAMP_TYPE),
            }
        )
    if any(p.schema.field("label").type != label_type for p in parts):
        return None
    return pa.concat_tables(parts, promote_options="permissive")
