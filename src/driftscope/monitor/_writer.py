"""The writer: the one thread that empties a :class:`~driftscope.monitor.buffer.Buffer`.

A :class:`Writer` is made by its buffer and started on the buffer's first use (and again in
a forked child, on first use there). It wakes every ``flush_interval`` seconds, when
``batch_size`` records wait, or when a flush or close asks for it. Each cycle takes
everything waiting in one snapshot (:meth:`Buffer.take`, under the buffer's lock), converts
it to Arrow batches outside the lock (:class:`~driftscope.monitor.batching.BatchBuilder`),
appends them to a per-kind queue of pending batches and writes each queue as one store call
(consecutive batches concatenated).

A write the store cannot take *now* (:class:`~driftscope.errors.StoreUnavailableError`: an
outage) leaves the queue as it was and schedules a retry with exponential backoff (50 ms
doubling to 5 s); a flush request retries at once. Batches whose oldest record has waited
``max_retry_seconds`` are dropped (counted, warned about). When the store answers again,
the waiting batches go out in order and logging goes on. A write the store refuses for
good (any other :class:`~driftscope.errors.StoreError`) is never retried as an outage: the
batch is written in halves, down to single records, so every record the store accepts
lands and only those it refuses on their own are dropped (counted, with the store's
reason).

The writer's state (its thread, the pending queues, the backoff) is touched by its thread
only; what others read — counts, failures, the *resolved* watermark below which every
record is durable or dropped — it hands to the buffer (:meth:`Buffer.resolve`,
:meth:`Buffer.failed`), which flushers wait on. The watermark moves as queues empty.

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
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.monitor.batching import RECORD_WIDTH, BatchBuilder, LabelRecord
from driftscope.monitor.values import error_text

if TYPE_CHECKING:
    from driftscope.monitor.buffer import Buffer

log = logging.getLogger("driftscope.monitor")

BACKOFF_START = 0.05
BACKOFF_MAX = 5.0

Sink = Callable[[pa.Table], int]


@dataclass(eq=False)
class Pending:
    """A converted batch waiting to be written."""

    table: pa.Table
    records: int
    seq_before: int  # every record numbered <= this was in an earlier snapshot
    first_at: float  # monotonic time its oldest record was logged


class Writer:
    """The thread that converts what a :class:`~driftscope.monitor.buffer.Buffer` holds
    and writes it to the store; see the module docstring. Made by the buffer, which
    starts it on first use:

    >>> from driftscope.monitor.buffer import Buffer
    >>> buf = Buffer(BatchBuilder(), lambda table: table.num_rows, lambda table: 0, name="m")
    >>> buf.writer.alive()
    False
    >>> buf.offer(("p1", 1793534400000000, {"x": 1.0}, 0.5, None, 1.0, "all"))
    True
    >>> buf.writer.alive()
    True
    >>> buf.close(timeout=5); buf.writer.alive()
    False
    """

    def __init__(
        self,
        buffer: Buffer,
        builder: BatchBuilder,
        sinks: dict[str, Sink],
        *,
        name: str,
        on_start: Callable[[], None] | None = None,
        flush_interval: float = 1.0,
        max_retry_seconds: float = 60.0,
    ):
        self.buffer = buffer
        self.builder = builder
        self.name = name
        self.flush_interval = flush_interval
        self.max_retry_seconds = max_retry_seconds
        self._sinks = sinks
        self._on_start = on_start
        self._reset()

    def _reset(self) -> None:
        """Fresh state: at construction and in a forked child (the parent keeps writing
        what it had pending)."""
        #: the running thread; None until started (read by the buffer, set under _start_lock)
        self.thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._pending: dict[str, deque[Pending]] = {"predictions": deque(), "labels": deque()}
        self._last_seq = 0  # the sequence number at the last snapshot
        self._retry_at = 0.0
        self._backoff = BACKOFF_START

    def after_fork_in_child(self) -> None:
        self.builder.after_fork_in_child()
        self._reset()

    # ------------------------------------------------------------------ the thread
    def start(self) -> None:
        """Start the thread, once (calls ``on_start`` first)."""
        with self._start_lock:
            if self.thread is not None:
                return
            thread = threading.Thread(
                target=self._run, name=f"driftscope-monitor-{self.name}", daemon=True
            )
            self.thread = thread
            if self._on_start is not None:
                self._on_start()
            thread.start()

    def alive(self) -> bool:
        """Whether the thread is running."""
        thread = self.thread
        return thread is not None and thread.is_alive()

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the thread to end; whether it has."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)
        return not self.alive()

    def _run(self) -> None:
        buffer = self.buffer
        while True:
            taken = buffer.take(self._sleep())
            started = time.perf_counter()
            try:
                if taken.raw:
                    self._convert(
                        taken.records, taken.labels, taken.tables, taken.seq_end, taken.first_at
                    )
                if taken.abandon:
                    self._expire(everything=True)
                elif taken.forced or time.monotonic() >= self._retry_at:
                    self._write_all()
                    self._expire()
            except BaseException as exc:  # the thread must survive anything
                log.exception("monitor %r: writer error: %s", self.name, error_text(exc))
            finally:
                buffer.add_busy(time.perf_counter() - started)
            if (taken.abandon or (taken.stop and not self._has_pending())) and buffer.drained():
                return

    def _sleep(self) -> float:
        if self._has_pending():
            return max(0.001, min(self.flush_interval, self._retry_at - time.monotonic()))
        return self.flush_interval

    def _has_pending(self) -> bool:
        return any(self._pending.values())

    def _watermark(self) -> int:
        """The sequence number up to which every record is durable or dropped."""
        heads = [q[0].seq_before for q in self._pending.values() if q]
        return min(heads) if heads else self._last_seq

    # ------------------------------------------------------------------ converting
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
        for kind, chunk in parts.items():
            if chunk:
                table = chunk[0] if len(chunk) == 1 else _concat(chunk)
                self._pending[kind].append(Pending(table, table.num_rows, seq_before, first_at))
        self._last_seq = seq_end
        self.buffer.resolve(self._watermark(), dropped=lost, cause="unconvertible", quality=quality)

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

    # ------------------------------------------------------------------ writing
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
        if left:
            rest = _concat(left) if len(left) > 1 else left[0]
            queue[queue.index(entry)] = Pending(
                rest, rest.num_rows, entry.seq_before, entry.first_at
            )
        else:
            queue.remove(entry)
        if not queue:
            self._backoff = BACKOFF_START
            self._retry_at = 0.0
        self.buffer.resolve(
            self._watermark(),
            kind=kind,
            written=rows,
            nbytes=nbytes,
            dropped=refused_rows,
            cause="refused",
            reason=reason,
        )
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
        for entry in entries:
            queue.remove(entry)
        if not queue:
            self._backoff = BACKOFF_START
            self._retry_at = 0.0
        rows = sum(e.records for e in entries)
        self.buffer.resolve(self._watermark(), kind=kind, written=rows, nbytes=int(written or 0))

    def _failed(self, exc: BaseException) -> None:
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, BACKOFF_MAX)
        self.buffer.failed(exc)
        log.warning(
            "monitor %r: store write failed (%s: %s); retrying",
            self.name,
            type(exc).__name__,
            error_text(exc),
        )

    def _expire(self, everything: bool = False) -> None:
        limit = time.monotonic() - self.max_retry_seconds
        lost = 0
        for queue in self._pending.values():
            while queue and (everything or queue[0].first_at <= limit):
                lost += queue.popleft().records
        if not lost:
            return
        self.buffer.resolve(self._watermark(), dropped=lost, cause="lost")
        last_error = self.buffer.last_error
        if everything:
            why = "the monitor closed"
        elif last_error is None or isinstance(last_error, StoreUnavailableError):
            why = f"the store was unavailable for more than {self.max_retry_seconds:g} s"
        else:
            why = (
                f"writing them kept failing for more than {self.max_retry_seconds:g} s "
                f"({type(last_error).__name__}: {error_text(last_error)})"
            )
        message = f"monitor {self.name!r}: dropped {lost:,} records: {why}"
        log.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=2)


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` says the store refused the data for good (a :class:`StoreError`
    that is not an outage), so that retrying the same write cannot help.

    >>> refused(StoreError("negative values")), refused(StoreUnavailableError("down"))
    (True, False)
    """
    return isinstance(exc, StoreError) and not isinstance(exc, StoreUnavailableError)


def _concat(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables, promote_options="permissive")
