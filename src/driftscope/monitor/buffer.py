"""The buffer between serving code and the store, and the one thread that empties it.

The serving path only appends a small tuple to a list under a lock (:meth:`Buffer.offer`).
A daemon thread, started on first use (and again in a forked child), wakes every
``flush_interval`` seconds or when ``batch_size`` records wait, converts what is waiting
into Arrow batches (:class:`~driftscope.monitor.batching.BatchBuilder`) and writes them.

Every admitted record gets a sequence number; :meth:`Buffer.flush` waits until every record
admitted before the call is *resolved*: durable in the store, or dropped.

Memory is bounded: beyond ``max_buffered`` records waiting (raw or converted), new records
are dropped and counted, with one warning per burst. A failed write keeps its batch and is
retried with exponential backoff (50 ms doubling to 5 s); batches whose oldest record has
waited ``max_retry_seconds`` are dropped, counted and warned about. When the store answers
again, the waiting batches go out in order and logging goes on.

>>> import pyarrow as pa
>>> from driftscope.monitor.batching import BatchBuilder
>>> written = []
>>> buf = Buffer(BatchBuilder(), lambda t: written.append(t) or 100, lambda t: 10, name="m")
>>> buf.offer(("p1", 1793534400000000, {"x": 1.0}, 0.5, None, 1.0, "all"))
True
>>> buf.flush(timeout=5); written[0].num_rows, buf.stats()["written_predictions"]
(1, 1)
>>> buf.close(timeout=5)
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
from driftscope.monitor.batching import BatchBuilder, LabelRecord, Record

log = logging.getLogger("driftscope.monitor")

Sink = Callable[[pa.Table], int]

_BACKOFF_START = 0.05
_BACKOFF_MAX = 5.0


@dataclass
class _Pending:
    """A converted batch waiting to be written."""

    table: pa.Table
    records: int
    seq_before: int  # every record numbered <= this was in an earlier snapshot
    first_at: float  # monotonic time its oldest record was logged


class Buffer:
    """Records waiting for the store; see the module docstring. Thread-safe."""

    def __init__(
        self,
        builder: BatchBuilder,
        write_predictions: Sink,
        write_labels: Sink,
        *,
        name: str,
        on_start: Callable[[], None] | None = None,
        flush_interval: float = 1.0,
        batch_size: int = 10_000,
        max_buffered: int = 200_000,
        max_retry_seconds: float = 60.0,
    ):
        self.builder = builder
        self._sinks = {"predictions": write_predictions, "labels": write_labels}
        self.name = name
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.max_buffered = max_buffered
        self.max_retry_seconds = max_retry_seconds
        self._on_start = on_start
        self._reset()

    def _reset(self) -> None:
        """Fresh state: at construction and in a forked child (the parent keeps writing
        what it had buffered)."""
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._start_lock = threading.Lock()
        self._records: list[Record] = []
        self._labels: list[LabelRecord] = []
        self._tables: list[tuple[str, pa.Table]] = []
        self._raw = 0  # records waiting for conversion
        self._first_at = 0.0
        self._queued = 0  # admitted and not yet resolved
        self._seq = 0
        self._done = 0
        self._pending: dict[str, deque[_Pending]] = {"predictions": deque(), "labels": deque()}
        self._thread: threading.Thread | None = None
        self._stop = False
        self._abandon = False
        self._flush_requested = False
        self._retry_at = 0.0
        self._backoff = _BACKOFF_START
        self._failures = 0
        self._last_error: BaseException | None = None
        self._dropping = False
        self._dropped_unreported = 0
        self._last_seq = 0  # the sequence number at the last snapshot
        self.counts: Counter[str] = Counter()  # kept predictions by sample reason
        self.skipped = 0
        self.hot_seconds = 0.0
        self.quality: Counter[str] = Counter()
        self.dropped = 0
        self.written = {"predictions": 0, "labels": 0}
        self.bytes = {"predictions": 0, "labels": 0}
        self.busy_seconds = 0.0

    def after_fork_in_child(self) -> None:
        self._reset()

    # ------------------------------------------------------------------ serving path
    def skip(self, seconds: float) -> None:
        """Count one prediction that sampling skipped (``seconds`` spent on it)."""
        with self._lock:
            self.skipped += 1
            self.hot_seconds += seconds

    def count_batch(self, skipped: int, kept: Counter[str], seconds: float) -> None:
        """Count the sampling outcome of one batch call."""
        with self._lock:
            self.skipped += skipped
            self.counts.update(kept)
            self.hot_seconds += seconds

    def add_quality(self, counts: Counter[str]) -> None:
        with self._lock:
            self.quality.update(counts)

    def offer(self, record: Record, seconds: float = 0.0) -> bool:
        """Queue one prediction kept by sampling (``record[6]`` is its reason); False when
        the buffer is full (the record is dropped)."""
        if self._thread is None:
            self._start()
        with self._lock:
            self.counts[record[6]] += 1
            self.hot_seconds += seconds
            if self._queued >= self.max_buffered or self._stop:
                warn = self._drop(1)
            else:
                if not self._raw:
                    self._first_at = time.monotonic()
                self._records.append(record)
                self._raw += 1
                self._queued += 1
                self._seq += 1
                self._dropping = False
                if self._raw == self.batch_size:
                    self._cond.notify()
                return True
        if warn:
            self._warn_full()
        return False

    def offer_label(self, record: LabelRecord) -> bool:
        """Queue one label; False when the buffer is full."""
        if self._thread is None:
            self._start()
        with self._lock:
            if self._queued >= self.max_buffered or self._stop:
                warn = self._drop(1)
            else:
                if not self._raw:
                    self._first_at = time.monotonic()
                self._labels.append(record)
                self._raw += 1
                self._queued += 1
                self._seq += 1
                self._dropping = False
                if self._raw == self.batch_size:
                    self._cond.notify()
                return True
        if warn:
            self._warn_full()
        return False

    def offer_table(self, kind: str, table: pa.Table, wait: float) -> bool:
        """Queue a ready batch (``kind`` "predictions" or "labels"), waiting up to ``wait``
        seconds for room: batch jobs are slowed down rather than dropped."""
        if self._thread is None:
            self._start()
        rows = table.num_rows
        deadline = time.monotonic() + wait
        with self._cond:
            while self._queued >= self.max_buffered and not self._stop:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.notify()
                self._cond.wait(min(remaining, 0.5))
            if self._queued >= self.max_buffered or self._stop:
                warn = self._drop(rows)
            else:
                if not self._raw:
                    self._first_at = time.monotonic()
                self._tables.append((kind, table))
                self._raw += rows
                self._queued += rows
                self._seq += rows
                self._dropping = False
                if self._raw >= self.batch_size:
                    self._cond.notify()
                return True
        if warn:
            self._warn_full()
        return False

    def _drop(self, count: int) -> bool:
        """Count ``count`` dropped records (lock held); True when a warning is due."""
        self.dropped += count
        self._dropped_unreported += count
        first = not self._dropping
        self._dropping = True
        return first

    def _warn_full(self) -> None:
        if self._stop:
            message = f"monitor {self.name!r} is closed: records logged now are dropped"
        else:
            message = (
                f"monitor {self.name!r}: {self.max_buffered:,} records are waiting for the "
                "store; new records are dropped until it catches up (counted in "
                "cost_report().dropped_records)"
            )
        log.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=4)

    # ------------------------------------------------------------------ flushing
    def flush(self, timeout: float | None = None) -> None:
        """Return once every record queued before the call is durable.

        ``timeout=None`` waits for the writer's attempt at them and raises
        :class:`StoreUnavailableError` at once if that attempt fails (the records stay
        queued and are retried); a ``timeout`` keeps waiting through retries until then.
        Raises :class:`StoreError` when records were dropped since the last flush.
        """
        if self._thread is None and self._seq:
            self._start()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._seq
            failures = self._failures
            if self._done < target:
                self._flush_requested = True
                self._cond.notify_all()
            while self._done < target:
                if timeout is None and self._failures > failures:
                    raise self._unavailable(target, "the write failed")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise self._unavailable(target, f"not done after {timeout:g} s")
                if self._thread is None or not self._thread.is_alive():
                    raise self._unavailable(target, "the monitor is closed")
                self._cond.wait(0.5 if remaining is None else min(remaining, 0.5))
            dropped, self._dropped_unreported = self._dropped_unreported, 0
        if dropped:
            raise StoreError(
                f"monitor {self.name!r}: {dropped:,} records were dropped since the last flush "
                f"(buffer full or the store unavailable for more than "
                f"{self.max_retry_seconds:g} s); {self.dropped:,} dropped in all"
            )

    def _unavailable(self, target: int, why: str) -> StoreError:
        pending = target - self._done
        error = self._last_error
        kind = (
            StoreUnavailableError
            if error is None or isinstance(error, StoreUnavailableError)
            else StoreError
        )
        cause = f": {type(error).__name__}: {error}" if error is not None else ""
        exc = kind(
            f"monitor {self.name!r}: {pending:,} records are not in the store yet ({why}"
            f"{cause}); they stay buffered and are retried for up to "
            f"{self.max_retry_seconds:g} s"
        )
        exc.__cause__ = error
        return exc

    def pending(self) -> int:
        """Records admitted and not yet durable or dropped."""
        with self._lock:
            return self._seq - self._done

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "written_predictions": self.written["predictions"],
                "written_labels": self.written["labels"],
                "prediction_bytes": self.bytes["predictions"],
                "label_bytes": self.bytes["labels"],
                "dropped_records": self.dropped,
                "pending": self._seq - self._done,
                "write_failures": self._failures,
                "last_error": None if self._last_error is None else repr(self._last_error),
                "busy_seconds": self.busy_seconds,
            }

    # ------------------------------------------------------------------ lifecycle
    def _start(self) -> None:
        with self._start_lock:
            if self._thread is not None or self._stop:
                return
            thread = threading.Thread(
                target=self._run, name=f"driftscope-monitor-{self.name}", daemon=True
            )
            self._thread = thread
            if self._on_start is not None:
                self._on_start()
            thread.start()

    def close(self, timeout: float | None = None) -> None:
        """Write what is waiting (for up to ``timeout`` seconds, default
        ``max_retry_seconds``) and stop the thread; what cannot be written is dropped,
        counted and warned about. Idempotent."""
        with self._cond:
            self._stop = True
            self._flush_requested = True
            self._cond.notify_all()
            thread = self._thread
        if thread is None:
            return
        wait = self.max_retry_seconds if timeout is None else timeout
        thread.join(wait)
        if thread.is_alive():
            with self._cond:
                self._abandon = True
                self._cond.notify_all()
            thread.join(5.0)

    # ------------------------------------------------------------------ the writer thread
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
                log.exception("monitor %r: writer error: %s", self.name, exc)
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
        records: list[Record],
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
            table, lost_here = self._safely(self.builder.predictions, records, quality)
            lost += lost_here
            if table is not None:
                parts["predictions"].append(table)
        if labels:
            table, lost_here = self._safely(self.builder.labels, labels, quality)
            lost += lost_here
            if table is not None:
                parts["labels"].append(table)
        for kind, table in tables:
            parts[kind].append(table)
        with self._cond:
            self.quality.update(quality)
            if lost:
                self.dropped += lost
                self._dropped_unreported += lost
                self._queued -= lost
            for kind, chunk in parts.items():
                if chunk:
                    table = chunk[0] if len(chunk) == 1 else _concat(chunk)
                    self._pending[kind].append(
                        _Pending(table, table.num_rows, seq_before, first_at)
                    )
            self._last_seq = seq_end
            self._advance()

    def _safely(
        self,
        convert: Callable[[Any], tuple[pa.Table, Counter[str]]],
        items: list[Any],
        quality: Counter[str],
    ) -> tuple[pa.Table | None, int]:
        """Convert a batch; if that fails (a bug met a strange value), one record at a
        time, losing only the records that fail."""
        try:
            table, counts = convert(items)
            quality.update(counts)
            return table, 0
        except Exception as exc:
            log.warning(
                "monitor %r: batch conversion failed (%s); retrying one by one", self.name, exc
            )
        tables, lost = [], 0
        for item in items:
            try:
                table, counts = convert([item])
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
                self._failed(exc)
                return
            with self._cond:
                for _ in entries:
                    queue.popleft()
                rows = sum(e.records for e in entries)
                self.written[kind] += rows
                self.bytes[kind] += int(written or 0)
                self._queued -= rows
                self._backoff = _BACKOFF_START
                self._retry_at = 0.0
                self._advance()

    def _failed(self, exc: BaseException) -> None:
        with self._cond:
            self._failures += 1
            self._last_error = exc
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, _BACKOFF_MAX)
            self._cond.notify_all()
        log.warning(
            "monitor %r: store write failed (%s: %s); retrying", self.name, type(exc).__name__, exc
        )

    def _expire(self, everything: bool = False) -> None:
        limit = time.monotonic() - self.max_retry_seconds
        lost = 0
        with self._cond:
            for queue in self._pending.values():
                while queue and (everything or queue[0].first_at <= limit):
                    lost += queue.popleft().records
            if lost:
                self.dropped += lost
                self._dropped_unreported += lost
                self._queued -= lost
                self._advance()
        if lost:
            why = (
                "the monitor closed"
                if everything
                else (f"the store was unavailable for more than {self.max_retry_seconds:g} s")
            )
            message = f"monitor {self.name!r}: dropped {lost:,} records: {why}"
            log.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def _advance(self) -> None:
        """Move the resolved watermark (lock held) and wake flushers."""
        heads = [q[0].seq_before for q in self._pending.values() if q]
        self._done = min(heads) if heads else self._last_seq
        self._cond.notify_all()


def _concat(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables, promote_options="permissive")
