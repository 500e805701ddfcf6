"""The buffer between serving code and the store.

Two objects move a logged record to the store. A :class:`Buffer` takes records in from the
serving path and answers for them until each is resolved; its
:class:`~driftscope.monitor._writer.Writer`, one daemon thread started on first use (and
again in a forked child), converts what waits and writes it, with retries (see
:mod:`driftscope.monitor._writer`). The writer takes what waits in one snapshot
(:meth:`Buffer.take`) and reports back what became of it (:meth:`Buffer.resolve`,
:meth:`Buffer.failed`); neither reads the other's private state.

The serving path only appends a record's values to a list under a lock (:meth:`Buffer.offer`;
laid end to end, so that no container per waiting record is left for the garbage collector
to track and promote). The writer wakes every ``flush_interval`` seconds or when
``batch_size`` records wait.

Every admitted record gets a sequence number; :meth:`Buffer.flush` waits until every record
admitted before the call is *resolved*: durable in the store, or dropped.

Memory is bounded: beyond ``max_buffered`` records waiting (raw or converted), new records
are dropped and counted, with one warning per burst. Before that, when the writer falls
behind (``2 * batch_size`` records waiting to be converted), each logging call yields the
GIL once (``time.sleep(0)``): a tight logging loop then slows down by a little instead of
losing records, and a serving path that logs at a sane rate never meets it.

What the monitor reports about itself (records kept and skipped, data-quality issues,
bytes written, drops, failures) is counted here too, under the same lock, and read as one
consistent :class:`Usage` (:meth:`Buffer.usage`).

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
from collections import Counter
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from driftscope.errors import StoreError
from driftscope.monitor._drops import Drops, not_written
from driftscope.monitor._usage import Taken, Usage
from driftscope.monitor._writer import Sink, Writer
from driftscope.monitor.batching import BatchBuilder, LabelRecord, Record

log = logging.getLogger("driftscope.monitor")


class Buffer:
    """Records waiting for the store; see the module docstring. Thread-safe.

    >>> from driftscope.monitor.batching import BatchBuilder
    >>> buf = Buffer(BatchBuilder(), lambda table: table.num_rows, lambda table: 0, name="m")
    >>> buf.offer(("p1", 1793534400000000, {"x": 1.0}, 0.5, None, 1.0, "all"))
    True
    >>> buf.flush(timeout=5); buf.pending(), buf.usage().kept
    (0, {'all': 1})
    >>> buf.close(timeout=5)
    """

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
        self.name = name
        self.batch_size = batch_size
        self.max_buffered = max_buffered
        self.max_retry_seconds = max_retry_seconds
        # unconverted records past which the serving path yields the GIL to the writer
        self._lag_mark = min(2 * batch_size, max(1, max_buffered // 4))
        self._reset()
        self._writer = Writer(
            self,
            builder,
            {"predictions": write_predictions, "labels": write_labels},
            name=name,
            on_start=on_start,
            flush_interval=flush_interval,
            max_retry_seconds=max_retry_seconds,
        )

    def _reset(self) -> None:
        """Fresh state: at construction and in a forked child (the parent keeps writing
        what it had buffered)."""
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._records: list[Any] = []  # laid end to end: see BatchBuilder.flat_predictions
        self._labels: list[LabelRecord] = []
        self._tables: list[tuple[str, pa.Table]] = []
        self._raw = 0  # records waiting for conversion
        self._first_at = 0.0
        self._queued = 0  # admitted and not yet resolved
        self._seq = 0
        self._done = 0  # the resolved watermark
        self._stop = False
        self._abandon = False
        self._flush_requested = False
        self._failures = 0
        self._last_error: BaseException | None = None
        self._dropping = False
        self._drops = Drops()
        self._kept: Counter[str] = Counter()  # kept predictions by sample reason
        self._skipped = 0
        self._hot_seconds = 0.0
        self._quality: Counter[str] = Counter()
        self._written = {"predictions": 0, "labels": 0}
        self._bytes = {"predictions": 0, "labels": 0}
        self._busy_seconds = 0.0

    def after_fork_in_child(self) -> None:
        self._reset()
        self._writer.after_fork_in_child()

    @property
    def writer(self) -> Writer:
        """The thread that empties this buffer."""
        return self._writer

    # ------------------------------------------------------------------ serving path
    def skip(self, seconds: float) -> None:
        """Count one prediction that sampling skipped (``seconds`` spent on it)."""
        with self._lock:
            self._skipped += 1
            self._hot_seconds += seconds

    def count_batch(self, skipped: int, kept: Counter[str], seconds: float) -> None:
        """Count the sampling outcome of one batch call."""
        with self._lock:
            self._skipped += skipped
            self._kept.update(kept)
            self._hot_seconds += seconds

    def add_quality(self, counts: Counter[str]) -> None:
        with self._lock:
            self._quality.update(counts)

    def offer(self, record: Record, seconds: float = 0.0) -> bool:
        """Queue one prediction kept by sampling (``record[6]`` is its reason); False when
        the buffer is full (the record is dropped). The serving path: one lock, no call."""
        if self._writer.thread is None:
            self._start()
        with self._lock:
            self._kept[record[6]] += 1
            self._hot_seconds += seconds
            # _admit, written out: this runs once per logged prediction
            admitted = self._queued < self.max_buffered and not self._stop
            if admitted:
                if not self._raw:
                    self._first_at = time.monotonic()
                self._records += record  # laid end to end: see BatchBuilder.flat_predictions
                self._raw += 1
                self._queued += 1
                self._seq += 1
                self._dropping = False
                if self._raw == self.batch_size:
                    self._cond.notify()
                warn = False
            else:
                warn = self._drop(1)
            lagging = self._raw >= self._lag_mark
        if lagging:
            time.sleep(0)  # the writer is behind: hand it the GIL now rather than drop later
        if warn:
            self._warn_full()
        return admitted

    def offer_label(self, record: LabelRecord) -> bool:
        """Queue one label; False when the buffer is full."""
        if self._writer.thread is None:
            self._start()
        with self._lock:
            admitted = self._admit(self._labels, record)
            lagging = self._raw >= self._lag_mark
            warn = False if admitted else self._drop(1)
        if lagging:
            time.sleep(0)
        if warn:
            self._warn_full()
        return admitted

    def _admit(self, waiting: list[Any], item: Any) -> bool:
        """Append one label if there is room (lock held); :meth:`offer` does the same for
        a prediction."""
        if self._queued >= self.max_buffered or self._stop:
            return False
        if not self._raw:
            self._first_at = time.monotonic()
        waiting.append(item)
        self._raw += 1
        self._queued += 1
        self._seq += 1
        self._dropping = False
        if self._raw == self.batch_size:
            self._cond.notify()
        return True

    def offer_table(self, kind: str, table: pa.Table, wait: float) -> bool:
        """Queue a ready batch (``kind`` "predictions" or "labels"), waiting up to ``wait``
        seconds for room: batch jobs are slowed down rather than dropped."""
        if self._writer.thread is None:
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
        self._drops.count(count, "lost")
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

    # ------------------------------------------------------------------ the writer's side
    def take(self, wait: float) -> Taken:
        """Everything waiting for conversion, taken out in one snapshot, after waiting up
        to ``wait`` seconds unless work is due (called by the writer)."""
        with self._cond:
            if not (
                self._abandon
                or self._flush_requested
                or self._raw >= self.batch_size
                or (self._stop and self._raw)
            ):
                self._cond.wait(wait)
            taken = Taken(
                self._records,
                self._labels,
                self._tables,
                self._raw,
                self._first_at,
                self._seq,
                forced=self._flush_requested,
                stop=self._stop,
                abandon=self._abandon,
            )
            self._records, self._labels, self._tables = [], [], []
            self._raw = 0
            self._flush_requested = False
            return taken

    def resolve(
        self,
        watermark: int,
        *,
        kind: str = "predictions",
        written: int = 0,
        nbytes: int = 0,
        dropped: int = 0,
        cause: str = "lost",
        reason: BaseException | None = None,
        quality: Counter[str] | None = None,
    ) -> None:
        """Count ``written`` records of ``kind`` now durable (``nbytes`` in the store) and
        ``dropped`` ones (by ``cause``; ``reason``: the store's refusal) and the
        ``quality`` issues met converting; every record numbered up to ``watermark`` is now
        resolved. Wakes flushers (called by the writer)."""
        with self._cond:
            if quality:
                self._quality.update(quality)
            if written or nbytes:
                self._written[kind] += written
                self._bytes[kind] += nbytes
            if dropped:
                self._drops.count(dropped, cause, reason)
            self._queued -= written + dropped
            self._done = watermark
            self._cond.notify_all()

    def failed(self, error: BaseException) -> None:
        """Count a failed write (called by the writer, which retries it); wakes flushers."""
        with self._cond:
            self._failures += 1
            self._last_error = error
            self._cond.notify_all()

    @property
    def last_error(self) -> BaseException | None:
        """The error of the last failed write, if any."""
        return self._last_error

    def add_busy(self, seconds: float) -> None:
        """Count ``seconds`` the writer spent working."""
        with self._lock:
            self._busy_seconds += seconds

    def drained(self) -> bool:
        """Whether nothing waits for conversion; if so, wake every waiter (the writer, about
        to stop, calls this last)."""
        with self._cond:
            if self._raw:
                return False
            self._cond.notify_all()
            return True

    # ------------------------------------------------------------------ flushing
    def flush(self, timeout: float | None = None) -> None:
        """Return once every record queued before the call is durable.

        ``timeout=None`` waits for the writer's attempt at them and raises
        :class:`StoreUnavailableError` at once if that attempt fails (the records stay
        queued and are retried); a ``timeout`` keeps waiting through retries until then.
        Raises :class:`StoreError` when records were dropped since the last flush.
        """
        if self._writer.thread is None and self._seq:
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
                if not self._writer.alive():
                    raise self._unavailable(target, "the monitor is closed")
                self._cond.wait(0.5 if remaining is None else min(remaining, 0.5))
            error = self._drops.report(self.name, self.max_retry_seconds)
        if error is not None:
            raise error

    def _unavailable(self, target: int, why: str) -> StoreError:
        pending = target - self._done
        return not_written(self.name, pending, why, self._last_error, self.max_retry_seconds)

    # ------------------------------------------------------------------ reading
    def pending(self) -> int:
        """Records admitted and not yet durable or dropped."""
        with self._lock:
            return self._seq - self._done

    def usage(self) -> Usage:
        """All the counters, read at one instant."""
        with self._lock:
            return Usage(
                kept=dict(self._kept),
                skipped=self._skipped,
                hot_seconds=self._hot_seconds,
                quality=dict(self._quality),
                written_predictions=self._written["predictions"],
                written_labels=self._written["labels"],
                prediction_bytes=self._bytes["predictions"],
                label_bytes=self._bytes["labels"],
                dropped_records=self._drops.total,
                pending=self._seq - self._done,
                write_failures=self._failures,
                last_error=self._last_error,
                busy_seconds=self._busy_seconds,
            )

    def stats(self) -> dict[str, Any]:
        """The writer's counters of :meth:`usage` as a dict (``last_error`` as its repr)."""
        return self.usage().writer_stats()

    # ------------------------------------------------------------------ lifecycle
    def _start(self) -> None:
        if not self._stop:
            self._writer.start()

    def close(self, timeout: float | None = None) -> None:
        """Write what is waiting (for up to ``timeout`` seconds, default
        ``max_retry_seconds``) and stop the thread; what cannot be written is dropped,
        counted and warned about. Idempotent."""
        with self._cond:
            self._stop = True
            self._flush_requested = True
            self._cond.notify_all()
        if self._writer.thread is None:
            return
        wait = self.max_retry_seconds if timeout is None else timeout
        if not self._writer.join(wait):
            with self._cond:
                self._abandon = True
                self._cond.notify_all()
            self._writer.join(5.0)
