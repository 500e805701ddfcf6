"""The embedded monitoring store: Parquet segments, a SQLite catalog, DuckDB and pyarrow.

Layout of a home folder::

    catalog.sqlite                                  which file holds what (WAL, versioned)
    segments/<model>/<predictions|labels>/<day>/    hot segments, immutable zstd Parquet
    archive/<model>/<predictions|labels>/<day>/     cold files written by archive()
    references/<model>/<version>.dsref              baselines (their to_bytes(), kept as is)
    tmp/  locks/  quarantine/                       in-flight writes, flock files, bad files

A write validates the batch, writes one segment per UTC day durably (temp file, fsync,
rename, fsync of the folder) and returns once the catalog transaction that lists them has
committed: a process killed right after loses nothing, one killed during the write leaves
at most an unlisted file. Any number of threads and processes may write to the same home;
a store object inherited by a forked child opens its own connections there.

The catalog is an index the segments can rebuild: each segment's footer describes it and
its name carries the CRC-32 of the whole file (:mod:`~driftscope.store.embedded._repair`).
A store opened on a home whose catalog is missing, or whose catalog is deleted or replaced
while it runs, lists every segment on disk again in a new catalog before going on. A
process reads a segment only once its checksum matches (verified the first time the
process reads that file); a segment that does not match is moved to ``quarantine/`` and
the read fails with a :class:`~driftscope.store.embedded.SegmentCorrupt` naming it. A home
on a read-only folder can be read; writing to it is
:class:`~driftscope.errors.StoreUnavailableError`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from driftscope.core import records as r
from driftscope.core.reference_blob import ReferenceBlob, StorableReference
from driftscope.errors import ConfigError, DataError, StoreError, StoreUnavailableError
from driftscope.store._span import ReadSpan, to_us
from driftscope.store._unique_ids import first_of_each_id
from driftscope.store.base import (
    ArchiveReport,
    CheckRecord,
    ReferenceRecord,
    Store,
    UnmatchedLabels,
)
from driftscope.store.embedded import _history as history
from driftscope.store.embedded._catalog import Catalog, NewSegment, Segment
from driftscope.store.embedded._compaction import (
    SMALL_SEGMENT_BYTES,
    FileLock,
    compact_partition,
    count_small,
    empty_trash,
    small_partitions,
)
from driftscope.store.embedded._label_join import DEFAULT_LIMIT_ROWS, LabelHashes
from driftscope.store.embedded._reading import read_window
from driftscope.store.embedded._repair import (
    RepairReport,
    has_segments,
    quarantine,
    rebuild_catalog,
    repair_home,
)
from driftscope.store.embedded._retention import archive_model
from driftscope.store.embedded._scan import (
    SegmentCorrupt,
    SegmentMissing,
    SegmentUnreadable,
    VerifiedFiles,
    count_window,
    covers,
    unmatched_label_ids,
)
from driftscope.store.embedded._segments import (
    StoreHome,
    day_of,
    ensure_dir,
    remove_quietly,
    split_by_day,
    unavailable,
    unique_file_name,
    write_segment,
)
from driftscope.store.embedded._state import EmbeddedState

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


def _read_only_folder(root: Path) -> bool:
    """Whether ``root`` exists on a file system mounted read-only (or is not writable by
    this process: root ignores permission bits, not a read-only mount)."""
    try:
        if os.statvfs(root).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # missing (created later), or not POSIX
        return False
    return root.is_dir() and not os.access(root, os.W_OK)


class EmbeddedStore(EmbeddedState, Store):
    """A monitoring store in a local folder: nothing to install, safe for many processes.

    ``auto_compact`` merges a partition's small segments (under ``small_segment_bytes``)
    once it holds ``compact_threshold`` of them, and a finished day's when writes move on
    to the next day. Reads keep the 64-bit hashes of the label ids they have seen (8 bytes
    a label, for up to ``label_cache_rows`` labels), so that the windows read after the
    first join their labels without decoding every label again.

    >>> import tempfile
    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> batch = pa.table({"prediction_id": ["a", "b"],
    ...     "timestamp": pa.array([datetime(2026, 11, 1, tzinfo=UTC)] * 2,
    ...                           pa.timestamp("us", tz="UTC")),
    ...     "model_version": ["v1", "v1"], "sampling_weight": [1.0, 1.0],
    ...     "sample_reason": ["all", "all"], "quality_issues": pa.array([None, None], pa.string()),
    ...     "feature.age": [31, 47], "prediction": [0.2, 0.9]})
    >>> with tempfile.TemporaryDirectory() as home, EmbeddedStore(home) as store:
    ...     _ = store.write_predictions("churn", batch)
    ...     store.read_predictions("churn")[["prediction_id", "age", "label"]].to_dict("list")
    {'prediction_id': ['a', 'b'], 'age': [31, 47], 'label': [None, None]}
    """

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        auto_compact: bool = True,
        compact_threshold: int = 32,
        small_segment_bytes: int = SMALL_SEGMENT_BYTES,
        busy_timeout_s: float = 60.0,
        label_cache_rows: int = DEFAULT_LIMIT_ROWS,
    ):
        if compact_threshold < 2:
            raise ConfigError(f"compact_threshold must be at least 2, got {compact_threshold}")
        if small_segment_bytes < 1:
            raise ConfigError(f"small_segment_bytes must be positive, got {small_segment_bytes}")
        if isinstance(label_cache_rows, bool) or not isinstance(label_cache_rows, int):
            raise ConfigError(f"label_cache_rows must be an int >= 0, got {label_cache_rows!r}")
        if label_cache_rows < 0:
            raise ConfigError(f"label_cache_rows must be an int >= 0, got {label_cache_rows}")
        self.home = StoreHome(Path(os.path.abspath(os.fspath(home))))
        self.auto_compact = auto_compact
        self.compact_threshold = compact_threshold
        self.small_segment_bytes = small_segment_bytes
        self.read_only = _read_only_folder(self.home.root)
        self._state_path = self.home.root / "state.sqlite"
        self._state_read_only = self.read_only
        self._state_lock = threading.Lock()
        if self.read_only:
            self._catalog = self._open_read_only(busy_timeout_s)
        else:
            self.home.prepare()
        self._lock = FileLock(self.home.locks / "compact.lock")
        self._catalog_lock = FileLock(self.home.locks / "catalog.lock")
        self._verified = VerifiedFiles()
        if not self.read_only:
            with self._catalog_lock.hold(blocking=True, timeout_s=busy_timeout_s):
                lost = not self.home.catalog.exists() and (
                    has_segments(self.home) or any((self.home.root / "references").glob("*/*"))
                )
                if lost:
                    self._set_aside_catalog_logs()
                self._catalog = Catalog(self.home.catalog, busy_timeout_s=busy_timeout_s)
                if lost:
                    self._rebuild("is missing")
        self._duck = duckdb.connect()
        self._duck.execute("SET TimeZone = 'UTC'")
        self._duck_lock = threading.Lock()  # cursors are made one at a time
        self._pid = os.getpid()
        self._inherited: list[duckdb.DuckDBPyConnection] = []
        self._last_day: dict[tuple[str, str], str] = {}  # newest day written, per model/kind
        # hashed ids of the label segments read, for the joins of later reads
        self._label_hashes = LabelHashes(label_cache_rows)
        self._closed = False
        if not self.read_only:
            self.home.clean_tmp()
            empty_trash(self._catalog, self.home)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.home.root)!r})"

    # ------------------------------------------------------------------ catalog upkeep
    def _open_read_only(self, busy_timeout_s: float) -> Catalog:
        root = self.home.root
        if not self.home.catalog.is_file():
            raise StoreUnavailableError(
                f"folder {root} is read-only and holds no store catalog "
                f"({self.home.catalog.name}): nothing to read, and none can be created there"
            )
        return Catalog(self.home.catalog, busy_timeout_s=busy_timeout_s, read_only=True)

    def _set_aside_catalog_logs(self) -> None:
        """A write-ahead log left without its catalog belongs to the lost one: moved to
        quarantine/ so that SQLite does not apply it to the new catalog."""
        for suffix in ("-wal", "-shm", "-journal"):
            log_file = self.home.catalog.with_name(self.home.catalog.name + suffix)
            if log_file.exists():
                ensure_dir(self.home.quarantine)
                dest = self.home.quarantine / f"{log_file.name}.{unique_file_name('')}"
                try:
                    os.rename(log_file, dest)
                except OSError as exc:
                    raise unavailable(log_file, exc, "move aside") from exc

    def _rebuild(self, what: str) -> None:
        """List every segment on disk in the (new, empty) catalog; the caller holds the
        catalog lock."""
        with self._lock.hold(blocking=True):
            report = rebuild_catalog(self._catalog, self.home)
            references = history.rebuild_references(self._catalog, self.home)
        log.warning(
            "the catalog of the store at %s %s: rebuilt from the files (%d segments "
            "listed, %d quarantined, %d replaced by merged files removed; %d references "
            "listed, their notes lost); past check results were only in the catalog: the "
            "next run of the checks computes them again",
            self.home.root, what, len(report.registered), len(report.quarantined),
            report.superseded_removed, references,
        )  # fmt: skip

    def _ensure_catalog(self) -> bool:
        """Reopen (rebuilding it when it is gone) a catalog deleted or replaced since it
        was opened; True when it was. One ``stat`` when nothing happened."""
        if self.read_only or not self._catalog.replaced():
            return False
        with self._catalog_lock.hold(blocking=True):
            if not self._catalog.replaced():
                return True  # another thread saw to it
            lost = not self.home.catalog.exists()
            if lost:
                self._set_aside_catalog_logs()
            self._catalog.reopen()
            if lost:
                self._rebuild("was deleted while the store was open")
            else:
                log.warning("the catalog of the store at %s was replaced: reopened", self.home.root)
        return True

    def _writable(self) -> None:
        if self.read_only:
            raise StoreUnavailableError(
                f"folder {self.home.root} is read-only: this store can be read but not "
                "written (mount it read-write, or open a store in a writable folder)"
            )

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._adopt()
        with self._duck_lock:
            self._check_open()
            cursor = self._duck.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store at {self.home.root} is closed")

    def _model(self, model: object) -> str:
        self._check_open()
        if not isinstance(model, str) or not model:
            raise ConfigError(f"model must be a non-empty string, got {model!r}")
        self._ensure_catalog()
        return model

    def _write_segments(self, model: str, kind: str, parts: list[tuple[str, pa.Table]]) -> int:
        self._writable()
        written: list[Path] = []
        new: list[NewSegment] = []
        try:
            for day, part in parts:
                seg = write_segment(self.home, model, "hot", kind, day, part)
                written.append(self.home.absolute(seg.path))
                new.append(seg)
            self._catalog.add_segments(new)
        except BaseException:
            if not self._catalog.replaced():  # else a rebuild may have listed them: kept
                for path in written:
                    remove_quietly(path)
            raise
        if self._ensure_catalog():  # the catalog went while we wrote: list them in the new one
            self._catalog.add_segments(new)
        if self.auto_compact:
            self._compact_if_crowded(model, kind, sorted({day for day, _ in parts}))
        return sum(seg.bytes for seg in new)

    def _compact_if_crowded(self, model: str, kind: str, days: list[str]) -> None:
        """Compact the partitions just written to once they hold ``compact_threshold``
        small segments; and when writes move on to a new day, the earlier days' small
        segments (however few), so finished days end up as few, sorted files. The write
        has committed: trouble here is logged, never raised."""
        try:
            crowded = {
                day
                for day in days
                if count_small(self._catalog, model, kind, day, self.small_segment_bytes)
                >= self.compact_threshold
            }
            newest, last = days[-1], self._last_day.get((model, kind))
            if last is not None and newest > last:
                for _, _, part_kind, day in small_partitions(
                    self._catalog, model, min_count=2, small_bytes=self.small_segment_bytes
                ):
                    if part_kind == kind and day < newest:
                        crowded.add(day)
            self._last_day[(model, kind)] = max(newest, last or newest)
            if not crowded:
                return
            with self._lock.hold(blocking=False) as held:
                if held:
                    for day in sorted(crowded):
                        compact_partition(
                            self._catalog, self.home, (model, "hot", kind, day),
                            small_bytes=self.small_segment_bytes,
                        )  # fmt: skip
        except (StoreError, OSError) as exc:
            log.warning("automatic compaction of model %r (%s) failed: %s", model, kind, exc)

    # ------------------------------------------------------------------ predictions
    def write_predictions(self, model: str, batch: pa.Table) -> int:
        model = self._model(model)
        self._check_batch(model, batch, "prediction", r.check_prediction_batch, r.TIMESTAMP)
        # an id twice in one batch: its first record is the prediction (one hashing pass)
        return self._write_batch(model, "predictions", first_of_each_id(batch), r.TIMESTAMP)

    def write_labels(self, model: str, batch: pa.Table) -> int:
        model = self._model(model)
        self._check_batch(model, batch, "label", r.check_label_batch)
        return self._write_batch(model, "labels", batch, r.LABELED_AT)

    @staticmethod
    def _check_batch(model: str, batch: Any, what: str, check: Any, *required: str) -> None:
        """DataError naming the model (and column) for a batch that is not a valid
        ``what`` batch: not a table, a layout ``check`` refuses, or nulls in the id (or
        another ``required`` column)."""
        if not isinstance(batch, pa.Table):
            raise DataError(f"model {model!r}: a {what} batch must be a pyarrow.Table")
        try:
            check(batch)
        except ValueError as exc:
            raise DataError(f"model {model!r}: {exc}") from exc
        for name in (r.PREDICTION_ID, *required):
            if batch.column(name).null_count:
                raise DataError(f"model {model!r}: {what} batch has nulls", column=name)

    def _write_batch(self, model: str, kind: str, batch: pa.Table, time_column: str) -> int:
        """Write ``batch`` as segments split by the day of ``time_column``; bytes added."""
        if batch.num_rows == 0:
            return 0
        today = day_of(to_us(datetime.now(UTC)))
        return self._write_segments(model, kind, split_by_day(batch, time_column, today))

    def _window(
        self, since: datetime | None, until: datetime | None, version: str | None = None
    ) -> ReadSpan:
        return ReadSpan.of(since, until, version)

    def _snapshot(
        self, model: str, window: ReadSpan, tiers: tuple[str, ...], with_labels: bool
    ) -> tuple[list[tuple[Path, Segment]], list[Path], Path | None]:
        """Prediction segments meeting the window, every label segment (when asked), and
        when no prediction segment meets the window, the model's latest one (its columns
        shape an empty result); all from one catalog snapshot."""
        shape = None
        self._ensure_catalog()
        with self._catalog.read() as conn:
            preds = self._catalog.segments(
                model, kinds=("predictions",), tiers=tiers, since=window.since_us,
                until=window.until_us, conn=conn,
            )  # fmt: skip
            labels = []
            if preds and with_labels:
                labels = self._catalog.segments(model, kinds=("labels",), tiers=tiers, conn=conn)
            elif with_labels:
                latest = self._catalog.latest_segment(model, "predictions", tiers, conn)
                shape = None if latest is None else self.home.absolute(latest.path)
        labels.sort(key=lambda s: s.order)
        self._verify(
            [*preds, *labels] if with_labels else preds, window if not with_labels else None
        )
        return (
            [(self.home.absolute(s.path), s) for s in preds],
            [self.home.absolute(s.path) for s in labels],
            shape,
        )

    def _verify(self, segs: Sequence[Segment], counted: ReadSpan | None = None) -> None:
        """Check the segments about to be read against their checksums (each once per
        process); a corrupt one is moved to quarantine/ and dropped from the catalog, and
        its SegmentCorrupt raised. With ``counted``, segments wholly inside that window are
        not read (their rows are counted from the catalog) and not checked."""
        by_path = {
            self.home.absolute(s.path): s
            for s in segs
            if s.checksum is not None and not (counted is not None and covers(counted, s))
        }
        try:
            self._verified.check([(path, s.checksum) for path, s in by_path.items()])
        except SegmentCorrupt as exc:
            seg = by_path[Path(exc.path)]
            moved = None
            if not self.read_only:
                with self._lock.hold(blocking=True):
                    if self._catalog.replace_segments([seg], []):
                        self._catalog.forget_trash([seg.path])
                        moved = quarantine(self.home, seg.path)
            raise SegmentCorrupt(exc.path, exc.expected, exc.found, moved) from None

    def _unreadable(self, model: str, exc: SegmentUnreadable) -> StoreError:
        if isinstance(exc, SegmentCorrupt):
            return SegmentCorrupt(exc.path, exc.expected, exc.found, exc.moved_to, model)
        return StoreError(
            f"model {model!r}: {exc}. EmbeddedStore.repair() moves unreadable segments to "
            f"{self.home.quarantine} and drops them from the catalog; the rest stays readable"
        )

    def read_predictions(
        self,
        model: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        model_version: str | None = None,
        include_archive: bool = False,
    ) -> pd.DataFrame:
        model = self._model(model)
        window = self._window(since, until, model_version)
        tiers = ("hot", "archive") if include_archive else ("hot",)
        for attempt in range(2):
            try:
                preds, labels, shape = self._snapshot(model, window, tiers, with_labels=True)
                with self._cursor() as cursor:
                    return read_window(
                        cursor, preds, labels, window, shape, self._label_hashes, model
                    )
            except SegmentMissing as exc:
                if attempt:  # gone from disk, not just compacted away: a damaged home
                    raise StoreError(
                        f"model {model!r}: {exc}; EmbeddedStore.repair() drops it from the catalog"
                    ) from exc
            except SegmentUnreadable as exc:
                raise self._unreadable(model, exc) from exc
        raise AssertionError("unreachable")

    def count_predictions(
        self, model: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> int:
        model = self._model(model)
        window = self._window(since, until)
        for attempt in range(2):
            try:
                preds, _, _ = self._snapshot(model, window, ("hot",), with_labels=False)
                with self._cursor() as cursor:
                    return count_window(cursor, preds, window)
            except SegmentMissing as exc:
                if attempt:
                    raise StoreError(
                        f"model {model!r}: {exc}; EmbeddedStore.repair() drops it from the catalog"
                    ) from exc
            except SegmentUnreadable as exc:
                raise self._unreadable(model, exc) from exc
        raise AssertionError("unreachable")

    def unmatched_labels(self, model: str, *, limit: int = 10) -> UnmatchedLabels:
        model = self._model(model)
        with self._catalog.read() as conn:
            preds = self._catalog.segments(model, kinds=("predictions",), tiers=("hot",), conn=conn)
            labels = self._catalog.segments(model, kinds=("labels",), tiers=("hot",), conn=conn)
        pred_files = [str(self.home.absolute(s.path)) for s in preds]
        label_files = [str(self.home.absolute(s.path)) for s in labels]
        try:
            self._verify([*preds, *labels])
            with self._cursor() as cursor:
                return unmatched_label_ids(cursor, pred_files, label_files, limit)
        except SegmentUnreadable as exc:
            raise self._unreadable(model, exc) from exc

    def models(self) -> list[str]:
        self._check_open()
        self._ensure_catalog()
        return self._catalog.models()

    # ------------------------------------------------------------------ references
    def save_reference(
        self, model: str, reference: StorableReference, *, note: str = ""
    ) -> ReferenceRecord:
        model = self._model(model)
        self._writable()
        return history.save_reference(self._catalog, self.home, model, reference, note)

    def load_reference(self, model: str, version: str | None = None) -> ReferenceBlob:
        return history.load_reference(self._catalog, self.home, self._model(model), version)

    def reference_history(self, model: str) -> list[ReferenceRecord]:
        return history.reference_history(self._catalog, self._model(model))

    # ------------------------------------------------------------------ check results
    def write_check_results(self, records: Sequence[CheckRecord]) -> None:
        self._check_open()
        self._writable()
        self._ensure_catalog()
        history.write_check_results(self._catalog, list(records))

    def read_check_results(
        self,
        model: str,
        *,
        check: str | None = None,
        metric: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pd.DataFrame:
        window = self._window(since, until)
        return history.read_check_results(
            self._catalog, self._model(model), check=check, metric=metric,
            since=window.since_us, until=window.until_us,
        )  # fmt: skip

    # ------------------------------------------------------------------ maintenance
    def compact(self, model: str | None = None) -> int:
        """Merge every partition's small segments now; returns how many fewer segment files
        the store has. Returns 0 at once when another process is compacting."""
        self._check_open()
        self._writable()
        if model is not None:
            model = self._model(model)
        removed = 0
        with self._lock.hold(blocking=False) as held:
            if not held:
                return 0
            empty_trash(self._catalog, self.home)
            for part in small_partitions(
                self._catalog, model, min_count=2, small_bytes=self.small_segment_bytes
            ):
                removed += compact_partition(
                    self._catalog, self.home, part, small_bytes=self.small_segment_bytes
                )
        return removed

    def archive(self, older_than: timedelta, *, model: str | None = None) -> ArchiveReport:
        if not isinstance(older_than, timedelta) or older_than < timedelta(0):
            raise ConfigError(f"older_than must be a timedelta >= 0, got {older_than!r}")
        self._writable()
        models = [self._model(model)] if model is not None else self.models()
        cutoff = datetime.now(UTC) - older_than
        predictions = labels = size = 0
        files: list[str] = []
        with self._lock.hold(blocking=True):
            for name in models:
                done = archive_model(self._catalog, self.home, name, to_us(cutoff))
                predictions += done.predictions
                labels += done.labels
                size += done.bytes_written
                files.extend(str(path) for path in done.archive_files)
        return ArchiveReport(cutoff, predictions, labels, tuple(files), size)

    def repair(self) -> RepairReport:
        """Check every segment file: quarantine damaged ones, forget missing ones, list
        again whole files the catalog lacks (older than an hour), remove only inputs of a
        whole merged file (see :func:`driftscope.store.embedded._repair.reconcile`)."""
        self._check_open()
        self._writable()
        self._ensure_catalog()
        with self._lock.hold(blocking=True):
            return repair_home(self._catalog, self.home)

    # ------------------------------------------------------------------ lifecycle
    def _adopt(self) -> None:
        # in a forked child: a DuckDB of our own; the parent's is left alone
        if os.getpid() != self._pid:
            self._inherited.append(self._duck)
            self._duck_lock = threading.Lock()
            self._duck = duckdb.connect()
            self._duck.execute("SET TimeZone = 'UTC'")
            self._label_hashes = LabelHashes(self._label_hashes.limit_rows)
            self._pid = os.getpid()

    def close(self) -> None:
        self._adopt()
        with self._duck_lock:
            if self._closed:
                return
            self._closed = True
        if hasattr(self, "_catalog"):
            self._catalog.close()
        self._close_states()
        self._duck.close()
