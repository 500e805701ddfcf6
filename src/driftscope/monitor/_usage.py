"""What passes between a :class:`~driftscope.monitor.buffer.Buffer` and the others, as
values: what its writer takes out in one snapshot (:class:`Taken`), and its counters read
at one instant (:class:`Usage`), for the monitor's reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from driftscope.monitor.batching import LabelRecord


@dataclass(frozen=True)
class Taken:
    """Everything a buffer held for conversion, taken out by its writer in one snapshot,
    with the requests standing at that moment.

    >>> taken = Taken([], [], [], raw=0, first_at=0.0, seq_end=7, forced=True)
    >>> taken.seq_end, taken.stop
    (7, False)
    """

    records: list[Any]  # predictions, laid end to end: see BatchBuilder.flat_predictions
    labels: list[LabelRecord]
    tables: list[tuple[str, pa.Table]]  # ready batches, by kind
    raw: int  # records in the three above
    first_at: float  # monotonic time the oldest of them was logged
    seq_end: int  # the sequence number of the last of them
    forced: bool = False  # a flush or close asked for a write now
    stop: bool = False  # the buffer is closed: write what is left, then end
    abandon: bool = False  # closing took too long: drop what is left, then end


@dataclass(frozen=True)
class Usage:
    """A buffer's counters, read at one instant (:meth:`Buffer.usage`).

    >>> usage = Usage(kept={"rate": 3, "rule:vip": 1}, skipped=6, written_predictions=4)
    >>> usage.logged, usage.writer_stats()["written_predictions"]
    (4, 4)
    """

    kept: dict[str, int] = field(default_factory=dict)  # predictions kept, by sample reason
    skipped: int = 0  # predictions sampling skipped
    hot_seconds: float = 0.0  # spent on the serving path
    quality: dict[str, int] = field(default_factory=dict)  # issues, by "code:name"
    written_predictions: int = 0
    written_labels: int = 0
    prediction_bytes: int = 0  # as the store counted them
    label_bytes: int = 0
    dropped_records: int = 0  # in all, whatever the cause
    pending: int = 0  # admitted and not yet durable or dropped
    write_failures: int = 0
    last_error: BaseException | None = None  # of the last failed write
    busy_seconds: float = 0.0  # spent by the writer thread

    @property
    def logged(self) -> int:
        """Predictions kept by sampling."""
        return sum(self.kept.values())

    def writer_stats(self) -> dict[str, Any]:
        """The writer's counters as a dict, ``last_error`` as its repr."""
        return {
            "written_predictions": self.written_predictions,
            "written_labels": self.written_labels,
            "prediction_bytes": self.prediction_bytes,
            "label_bytes": self.label_bytes,
            "dropped_records": self.dropped_records,
            "pending": self.pending,
            "write_failures": self.write_failures,
            "last_error": None if self.last_error is None else repr(self.last_error),
            "busy_seconds": self.busy_seconds,
        }
