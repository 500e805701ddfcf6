"""Reading prediction segments: the time window, one segment's rows, counts.

A :class:`PlannedRead` opens one segment's footer, keeps the row groups whose timestamp
statistics meet the window and decodes them (through a dataset fragment, so the buffers
come from a pool that recycles them; low-cardinality text stays dictionary-encoded),
masking rows only for segments straddling the window. Errors name the file: a vanished
file is :class:`SegmentMissing` (usually compacted meanwhile: read again), a damaged one
:class:`SegmentUnreadable`.

>>> from driftscope.store._span import from_us
>>> window = ReadSpan(since=from_us(10), until=from_us(20))
>>> window.meets(0, 9), window.meets(15, 30), window.meets(20, 30)
(False, True, False)
"""

from __future__ import annotations

import errno
import os
import threading
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from driftscope.core import records as r
from driftscope.errors import StoreError
from driftscope.store._span import ReadSpan, to_us
from driftscope.store.base import UnmatchedLabels
from driftscope.store.embedded._catalog import Segment
from driftscope.store.embedded._segments import (
    DECODE_ERRORS,
    is_text,
    timestamps_us,
    unavailable,
)


class SegmentMissing(StoreError):
    """A segment in the snapshot is gone from disk (usually: compacted meanwhile).

    >>> SegmentMissing("segments/churn/predictions/2026-11-01/a.parquet").path
    'segments/churn/predictions/2026-11-01/a.parquet'
    """

    def __init__(self, path: Path | str):
        self.path = str(path)
        super().__init__(f"segment {path} is listed in the catalog but missing from disk")


class SegmentUnreadable(StoreError):
    """A segment file that is corrupt or truncated.

    >>> SegmentUnreadable("a.parquet", "truncated footer")
    SegmentUnreadable('segment a.parquet is unreadable (truncated footer)')
    """

    def __init__(self, path: Path | str, reason: object):
        self.path = str(path)
        super().__init__(f"segment {path} is unreadable ({reason})")


class SegmentCorrupt(SegmentUnreadable):
    """A segment whose bytes are not those written: its checksum differs from the one
    recorded when it was written (in its name and in the catalog).

    >>> err = SegmentCorrupt("a.parquet", "0badc0de", "12345678", model="churn")
    >>> isinstance(err, SegmentUnreadable), err.expected, err.model
    (True, '0badc0de', 'churn')
    """

    def __init__(
        self,
        path: Path | str,
        expected: str,
        found: str,
        moved_to: Path | None = None,
        model: str | None = None,
    ):
        self.expected, self.found, self.moved_to, self.model = expected, found, moved_to, model
        super().__init__(path, f"corrupt: its checksum is {found}, {expected} when written")
        if moved_to is not None:
            then = f"it was moved to {moved_to}; the other records stay readable"
        else:
            then = "EmbeddedStore.repair() moves it to quarantine/"
        prefix = f"model {model!r}: " if model is not None else ""
        self.args = (f"{prefix}{self.args[0]}; {then}",)


_VERIFY_CHUNK = 8 * 1024 * 1024


def file_checksum(path: Path | str) -> str:
    """CRC-32 of the file's bytes (8 hex digits,
    :func:`~driftscope.store.embedded._segments.checksum_of`).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.parquet"
    >>> _ = path.write_bytes(b"driftscope")
    >>> file_checksum(path)
    '942f0879'
    """
    crc = 0
    buffer = bytearray(_VERIFY_CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buffer):
            crc = zlib.crc32(view[:n], crc)
    return f"{crc:08x}"


class VerifiedFiles:
    """Segments whose checksum this process has verified, by path, size, change time and
    inode: a segment is read in full and hashed the first time a process reads it (at
    about 1-2 GB/s) and not again while it stays the same file.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = pathlib.Path(d) / "s.parquet"
    ...     _ = path.write_bytes(b"driftscope")
    ...     verified = VerifiedFiles()
    ...     verified.check([(path, "942f0879")])
    ...     try:
    ...         verified.check([(path, "00000000")])
    ...     except SegmentCorrupt as exc:
    ...         print(exc.found)
    942f0879
    """

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._seen: set[tuple] = set()
        self._lock = threading.Lock()

    def check(self, files: Sequence[tuple[Path, str | None]]) -> None:
        """Verify ``(path, checksum)`` pairs (None: a segment written before checksums, not
        verified); SegmentCorrupt for the first that differs, SegmentMissing for a file gone."""
        todo = []
        for path, expected in files:
            if expected is None:
                continue
            try:
                st = os.stat(path)
            except OSError as exc:
                raise read_error(path, exc) from exc
            key = (str(path), expected, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
            with self._lock:
                if key in self._seen:
                    continue
            todo.append((path, expected, key))
        if not todo:
            return

        def verify(item: tuple) -> tuple:
            path = item[0]
            try:
                return item, file_checksum(path)
            except OSError as exc:
                raise read_error(path, exc) from exc

        if len(todo) > 1 and self.threads > 1:  # zlib hashes outside the GIL
            with ThreadPoolExecutor(self.threads) as pool:
                results = list(pool.map(verify, todo))
        else:
            results = [verify(item) for item in todo]
        for (path, expected, key), found in results:
            if found != expected:
                raise SegmentCorrupt(path, expected, found)
            with self._lock:
                self._seen.add(key)


def covers(span: ReadSpan, seg: Segment) -> bool:
    """Every row of ``seg`` is in ``span``'s time range (the version is not looked at).

    >>> from driftscope.store._span import from_us
    >>> seg = Segment("churn", "predictions", "hot", "1970-01-01", "s.parquet", 3, 0, 1, 3)
    >>> covers(ReadSpan(), seg), covers(ReadSpan(since=from_us(2)), seg)
    (True, False)
    """
    if seg.min_ts is None or seg.max_ts is None:
        return False
    since, until = span.since_us, span.until_us
    return (since is None or seg.min_ts >= since) and (until is None or seg.max_ts < until)


def decode_pool() -> pa.MemoryPool:
    """jemalloc where pyarrow has it: it hands the buffers of one decoded segment to the
    next instead of returning them to the OS, and fresh pages are costly on some hosts."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


def read_error(path: Path | str, exc: Exception) -> StoreError:
    """The error to raise for ``exc`` met reading the segment at ``path``: missing,
    unavailable for now (permissions, I/O), or unreadable (corrupt, truncated)."""
    if isinstance(exc, FileNotFoundError):
        return SegmentMissing(path)
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EIO):
        return unavailable(path, exc, "read")
    return SegmentUnreadable(path, exc)


def _open(path: Path) -> tuple[pq.FileMetaData, pa.Schema]:
    try:
        meta = pq.read_metadata(path)
        return meta, meta.schema.to_arrow_schema()
    except DECODE_ERRORS as exc:
        raise read_error(path, exc) from exc


def _row_groups(meta: pq.FileMetaData, schema: pa.Schema, window: ReadSpan) -> list[int]:
    """Row groups whose timestamp statistics meet the window (all when unknown)."""
    column = schema.get_field_index(r.TIMESTAMP)
    keep = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(column).statistics
        known = stats is not None and stats.has_min_max
        if not known or window.meets(to_us(stats.min), to_us(stats.max)):
            keep.append(i)
    return keep


class PlannedRead:
    """One prediction segment, opened: which row groups meet the window, how many rows at
    most, and :meth:`read` for its rows in the window.

    >>> import tempfile
    >>> from driftscope.store._span import from_us
    >>> path = Path(tempfile.mkdtemp()) / "seg.parquet"
    >>> stamps = pa.array([1, 2, 3], pa.timestamp("us", tz="UTC"))
    >>> pq.write_table(pa.table({"prediction_id": ["a", "b", "c"], "timestamp": stamps}), path)
    >>> seg = Segment("churn", "predictions", "hot", "1970-01-01", "seg.parquet", 3, 0, 1, 3)
    >>> table, rows = PlannedRead(path, seg, ReadSpan(since=from_us(2))).read()
    >>> table.column("prediction_id").to_pylist(), rows.tolist()
    (['b', 'c'], [1, 2])
    """

    def __init__(self, path: Path, seg: Segment, window: ReadSpan):
        self.path = path
        self.window = window
        self.meta, self.schema = _open(path)
        self.whole = covers(window, seg) and window.model_version is None
        try:
            self.groups = list(range(self.meta.num_row_groups))
            if not self.whole:
                self.groups = _row_groups(self.meta, self.schema, window)
            self.upper = sum(self.meta.row_group(i).num_rows for i in self.groups)
        except DECODE_ERRORS as exc:
            raise read_error(path, exc) from exc

    def _decode(self) -> pa.Table:
        # text other than the ids stays dictionary-encoded: cheap to turn into objects
        text = [f.name for f in self.schema if f.name != r.PREDICTION_ID and is_text(f.type)]
        options = ds.ParquetReadOptions(dictionary_columns=text)
        fragment = ds.ParquetFileFormat(read_options=options).make_fragment(
            str(self.path), filesystem=pafs.LocalFileSystem(), row_groups=self.groups
        )
        return fragment.to_table(use_threads=True, memory_pool=decode_pool())

    def read(self) -> tuple[pa.Table, np.ndarray | None]:
        """The rows in the window, and which rows of the file they are (None: all)."""
        window, meta = self.window, self.meta
        try:
            if not self.groups:
                return self.schema.empty_table(), np.empty(0, np.int64)
            table = self._decode()
        except DECODE_ERRORS as exc:
            raise read_error(self.path, exc) from exc
        if self.whole:
            return table, None
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        rows = np.concatenate(
            [np.arange(sizes[i], dtype=np.int64) + starts[i] for i in self.groups]
        )
        mask = np.ones(table.num_rows, dtype=bool)
        ts = timestamps_us(table.column(r.TIMESTAMP))
        if window.since is not None:
            mask &= ts >= window.since_us
        if window.until is not None:
            mask &= ts < window.until_us
        if window.model_version is not None:
            same = pc.equal(table.column(r.MODEL_VERSION), window.model_version)
            mask &= pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        if mask.all():
            return table, rows
        return table.filter(pa.array(mask)), rows[mask]


def explain(exc: duckdb.Error, paths: list[str]) -> StoreError:
    """Name the file behind a DuckDB failure: missing, unreadable, or neither."""
    for path in paths:
        if not os.path.exists(path):
            return SegmentMissing(path)
    for path in paths:
        try:
            pq.read_table(path)
        except DECODE_ERRORS as bad:
            return read_error(path, bad)
    return StoreError(f"query over {len(paths)} segment files failed: {exc}")


def count_window(
    duck: duckdb.DuckDBPyConnection, segs: list[tuple[Path, Segment]], window: ReadSpan
) -> int:
    """Rows of prediction segments in the time window: from the catalog for segments
    wholly inside it, by a DuckDB count over the others."""
    total = sum(seg.rows for _, seg in segs if covers(window, seg))
    partial = [str(path) for path, seg in segs if not covers(window, seg)]
    if not partial:
        return total
    where: list[str] = []
    params: dict[str, Any] = {"files": partial}
    if window.since is not None:
        where.append("timestamp >= $since")
        params["since"] = window.since
    if window.until is not None:
        where.append("timestamp < $until")
        params["until"] = window.until
    sql = "SELECT count(*) FROM read_parquet($files, union_by_name = true)"
    if where:
        sql += " WHERE " + " AND ".join(where)
    try:
        return total + int(duck.sql(sql, params=params).fetchall()[0][0])
    except duckdb.Error as exc:
        raise explain(exc, partial) from exc


def unmatched_label_ids(
    duck: duckdb.DuckDBPyConnection, preds: list[str], labels: list[str], limit: int
) -> UnmatchedLabels:
    """Distinct labelled ids of the label files, and those absent from the prediction
    files (only their ``prediction_id`` column is read)."""
    if not labels:
        return UnmatchedLabels(0, 0)
    params: dict[str, object] = {"labels": labels, "limit": int(limit)}
    ids = "SELECT DISTINCT prediction_id FROM read_parquet($labels, union_by_name = true)"
    if preds:
        params["preds"] = preds
        missing = (
            f"SELECT prediction_id FROM ({ids}) "
            "WHERE prediction_id NOT IN "
            "(SELECT prediction_id FROM read_parquet($preds, union_by_name = true))"
        )
    else:
        missing = ids
    sql = (
        f"WITH missing AS ({missing}) SELECT (SELECT count(*) FROM ({ids})), "
        "(SELECT count(*) FROM missing), "
        "(SELECT list(prediction_id ORDER BY prediction_id) FROM "
        "(SELECT prediction_id FROM missing ORDER BY prediction_id LIMIT $limit))"
    )
    try:
        labelled, unmatched, examples = duck.sql(sql, params=params).fetchall()[0]
    except duckdb.Error as exc:
        raise explain(exc, [*preds, *labels]) from exc
    return UnmatchedLabels(int(labelled), int(unmatched), tuple(examples or ()))
