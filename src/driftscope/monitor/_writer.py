"""The background half of :class:`~driftscope.monitor.buffer.Buffer`: the writer thread.

Each cycle takes everything waiting in one snapshot (under the buffer's lock), converts it
to Arrow batches outside the lock, appends them to a per-kind queue of pending batches and
writes each queue as one store call (consecutive batches concatenated). A write the store
cannot take *now* (:class:`~driftscope.errors.StoreUnavailableError`: an outage) leaves the
queue as it was and schedules a retry with exponential backoff (50 ms doubling to 5 s); a
flush request retries at once. Batches whose oldest record has waited
``max_retry_seconds`` are dropped (counted, warned about). A write the store refuses for
good (any other :class:`~driftscope.errors.StoreError`) is never retried as an outage: the
batch is written in halves, down to single records, so every record the store accepts
lands and only those it refuses on their own are dropped (counted, with the store's
reason). The *resolved* watermark, below
which every record is durable or dropped, moves as queues empty; flushers wait on it.

The thread never dies of an error: anything unexpected is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.monitor.batching import RECORD_WIDTH, BatchBuilder, LabelRecord
from driftscope.monitor.values import error_text

log = logging.getLogger("driftscope.monitor")

BACKOFF_START = 0.05
BACKOFF_MAX = 5.0


@dataclass(eq=False)
class Pending:
    """A converted batch waiting to be written."""

    table: pa.Table
    records: int
    seq_before: int  # every record numbered <= this was in an earlier snapshot
    first_at: float  # monotonic time its oldest record was logged


class WriterLoop:
    """The writer thread's work; :class:`~driftscope.monitor.buffer.Buffer` holds the
    state it reads and writes (all shared fields under ``_lock``)."""

    name: str
    builder: BatchBuilder
    flush_interval: float
    batch_size: int
    max_retry_seconds: float
    _sinks: dict[str, Callable[[pa.Table], int]]
    _pending: dict[str, deque[Pending]]
    _unreported: Counter[str]
    dropped: int
    # shared with the serving path, under _lock (_cond wraps it)
    _lock: threading.Lock
    _cond: threading.Condition
    _records: list[Any]
    _labels: list[LabelRecord]
    _tables: list[tuple[str, pa.Table]]
    _raw: int
    _first_at: float
    _seq: int
    _last_seq: int
    _done: int
    _queued: int
    _flush_requested: bool
    _stop: bool
    _abandon: bool
    _retry_at: float
    _backoff: float
    _failures: int
    _last_error: BaseException | None
    _last_refusal: BaseException | None
    quality: Counter[str]
    written: dict[str, int]
    bytes: dict[str, int]
    busy_seconds: float

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._due():
                    self._cond.wait(self._sleep())
                records, labels, tables = self._records, self._labels, self._tables
                self._records, self._labels, self._tables = [], [], []
                raw, first_at, seq_end = self._raw, self._first_at, self._seq
                self._raw = 0
                forced = self._flush_requested
                self._flush_requested = False
                stop, abandon = self._stop, self._abandon
            started = time.perf_counter()
            try:
                if raw:
                    self._convert(records, labels, tables, seq_end, first_at)
                if abandon:
                    self._expire(everything=True)
                elif forced or time.monotonic() >= self._retry_at:
                    self._write_all()
                    self._expire()
            except BaseException as exc:  # the thread must survive anything
                log.exception("monitor %r: writer error: %s", self.name, error_text(exc))
            finally:
                with self._lock:
                    self.busy_seconds += time.perf_counter() - started
            if abandon or (stop and not self._has_pending()):
                with self._cond:
                    if not self._raw:
                        self._cond.notify_all()
                        return

    def _due(self) -> bool:
        """Whether to work now rather than sleep (lock held)."""
        return bool(
            self._abandon
            or self._flush_requested
            or self._raw >= self.batch_size
            or (self._stop and self._raw)
        )

    def _sleep(self) -> float:
        if self._has_pending():
            return max(0.001, min(self.flush_interval, self._retry_at - time.monotonic()))
        return self.flush_interval

    def _has_pending(self) -> bool:
        return any(self._pending.values())

    def _convert(
        self,
        records: list[Any],
        labels: list[LabelRecord],
        tables: list[tuple[str, pa.Table]],
        seq_end: int,
        first_at: float,
    ) -> None:
        seq_before = self._last_seq
        quality: Counter[str] = Counter()
        parts: dict[str, list[pa.Table]] = {"predictions": [], "labels": []}
        lost = 0
        if records:
            table, lost_here = self._safely(
                self.builder.flat_predictions,
                self.builder.unconvertible_prediction,
                records,
                quality,
                RECORD_WIDTH,
            )
            lost += lost_here
            if table is not None:
                parts["predictions"].append(table)
        if labels:
            table, lost_here = self._safely(
                self.builder.labels, self.builder.unconvertible_label, labels, quality
            )
            lost += lost_here
            if table is not None:
                parts["labels"].append(table)
        for kind, table in tables:
            parts[kind].append(table)
        with self._cond:
            self.quality.update(quality)
            if lost:
                self._count_dropped(lost, "unconvertible")
                self._queued -= lost
            for kind, chunk in parts.items():
                if chunk:
                    table = chunk[0] if len(chunk) == 1 else _concat(chunk)
                    self._pending[kind].append(Pending(table, table.num_rows, seq_before, first_at))
            self._last_seq = seq_end
            self._advance()

    def _safely(
        self,
        convert: Callable[[Any], tuple[pa.Table, Counter[str]]],
        stub: Callable[[Any, BaseException], tuple[pa.Table, Counter[str]]],
        items: list[Any],
        quality: Counter[str],
        width: int = 0,
    ) -> tuple[pa.Table | None, int]:
        """Convert a batch (``items``: records, or with ``width`` records laid end to end,
        ``width`` values each); if that fails (a bug met a strange value), one record at a
        time, keeping a record that still fails as its ``stub`` (id, time and the issue
        ``unconvertible_record``); only a record whose stub fails too is lost."""
        try:
            table, counts = convert(items)
            quality.update(counts)
            return table, 0
        except Exception as exc:
            log.warning(
                "monitor %r: batch conversion failed (%s: %s); converting one by one",
                self.name,
                type(exc).__name__,
                error_text(exc)[:500],
            )
        tables, lost = [], 0
        if width:
            pieces = [items[k : k + width] for k in range(0, len(items), width)]
        else:
            pieces = [[item] for item in items]
        for piece in pieces:
            try:
                table, counts = convert(piece)
            except Exception as exc:
                try:
                    table, counts = stub(piece if width else piece[0], exc)
                except Exception:
                    lost += 1
                    continue
            quality.update(counts)
            tables.append(table)
        return (_concat(tables) if tables else None), lost

    def _write_all(self) -> None:
        for kind, queue in self._pending.items():
            if not queue:
                continue
            entries = list(queue)
            table = entries[0].table if len(entries) == 1 else _concat([e.table for e in entries])
            try:
                written = self._sinks[kind](table)
            except BaseException as exc:
                if refused(exc):
                    # the store refused the data, not the call: write what it takes
                    for entry in entries:
                        outage = self._write_apart(kind, queue, entry)
                        if outage is not None:
                            self._failed(outage)
                            return
                    continue
                if len(entries) > 1 and not isinstance(exc, StoreUnavailableError):
                    # an unexpected error: let one bad batch not hold back the others
                    self._write_each(kind, queue, entries)
                self._failed(exc)
                return
            self._written(kind, queue, entries, written)

    def _write_apart(
        self, kind: str, queue: deque[Pending], entry: Pending
    ) -> BaseException | None:
        """Write ``entry`` in halves down to single records after the store refused it:
        what the store takes is written, a record it refuses alone is dropped. Returns the
        error that stopped the work when the store became unavailable meanwhile (what was
        not written then stays queued in ``entry``'s place)."""
        todo, left = [entry.table], []
        rows = nbytes = refused_rows = 0
        outage: BaseException | None = None
        reason: BaseException | None = None
        while todo:
            table = todo.pop()
            if outage is not None:
                left.append(table)
                continue
            try:
                nbytes += int(self._sinks[kind](table) or 0)
                rows += table.num_rows
            except BaseException as exc:
                if not refused(exc):
                    outage = exc
                    left.append(table)
                elif table.num_rows <= 1:
                    refused_rows += table.num_rows
                    reason = exc
                else:  # first half on top: records are tried in the order logged
                    half = table.num_rows // 2
                    todo += [table.slice(half), table.slice(0, half)]
        with self._cond:
            if left:
                rest = _concat(left) if len(left) > 1 else left[0]
                queue[queue.index(entry)] = Pending(
                    rest, rest.num_rows, entry.seq_before, entry.first_at
                )
            else:
                queue.remove(entry)
            self.written[kind] += rows
            self.bytes[kind] += nbytes
            self._queued -= rows + refused_rows
            if refused_rows:
                self._count_dropped(refused_rows, "refused")
                self._last_refusal = reason
            if not queue:
                self._backoff = BACKOFF_START
                self._retry_at = 0.0
            self._advance()
        if refused_rows:
            assert reason is not None  # set with every refused record
            message = (
                f"monitor {self.name!r}: the store refused {refused_rows:,} {kind} records, "
                f"which are dropped; the others of their batch are kept: "
                f"{type(reason).__name__}: {error_text(reason)}"
            )
            log.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        return outage

    def _write_each(self, kind: str, queue: deque[Pending], entries: list[Pending]) -> None:
        for entry in entries:
            try:
                written = self._sinks[kind](entry.table)
            except BaseException:
                continue
            self._written(kind, queue, [entry], written)

    def _written(
        self, kind: str, queue: deque[Pending], entries: list[Pending], written: int
    ) -> None:
        with self._cond:
            for entry in entries:
                queue.remove(entry)
            rows = sum(e.records for e in entries)
            self.written[kind] += rows
            self.bytes[kind] += int(written or 0)
            self._queued -= rows
            if not queue:
                self._backoff = BACKOFF_START
                self._retry_at = 0.0
            self._advance()

    def _failed(self, exc: BaseException) -> None:
        with self._cond:
            self._failures += 1
            self._last_error = exc
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, BACKOFF_MAX)
            self._cond.notify_all()
        log.warning(
            "monitor %r: store write failed (%s: %s); retrying",
            self.name,
            type(exc).__name__,
            error_text(exc),
        )

    def _expire(self, everything: bool = False) -> None:
        limit = time.monotonic() - self.max_retry_seconds
        lost = 0
        with self._cond:
            for queue in self._pending.values():
                while queue and (everything or queue[0].first_at <= limit):
                    lost += queue.popleft().records
            if lost:
                self._count_dropped(lost, "lost")
                self._queued -= lost
                self._advance()
        if lost:
            if everything:
                why = "the monitor closed"
            elif self._last_error is None or isinstance(self._last_error, StoreUnavailableError):
                why = f"the store was unavailable for more than {self.max_retry_seconds:g} s"
            else:
                why = (
                    f"writing them kept failing for more than {self.max_retry_seconds:g} s "
                    f"({type(self._last_error).__name__}: {error_text(self._last_error)})"
                )
            message = f"monitor {self.name!r}: dropped {lost:,} records: {why}"
            log.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def _count_dropped(self, count: int, cause: str) -> None:
        """Count ``count`` dropped records for ``cost_report`` and the next ``flush()``,
        which says why by ``cause`` (lock held)."""
        self.dropped += count
        self._unreported[cause] += count

    def _advance(self) -> None:
        """Move the resolved watermark (lock held) and wake flushers."""
        heads = [q[0].seq_before for q in self._pending.values() if q]
        self._done = min(heads) if heads else self._last_seq
        self._cond.notify_all()


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` says the store refused the data for good (a :class:`StoreError`
    that is not an outage), so that retrying the same write cannot help.

    >>> refused(StoreError("negative values")), refused(StoreUnavailableError("down"))
    (True, False)
    """
    return isinstance(exc, StoreError) and not isinstance(exc, StoreUnavailableError)


def _concat(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables, promote_options="permissive")
