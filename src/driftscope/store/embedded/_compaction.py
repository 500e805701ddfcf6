"""Merging a partition's small segments into one file, and the lock that guards it.

A monitor flushing every second writes 86,400 segments a day; compaction keeps that down.
The small segments of one (model, tier, kind, day) partition are read, concatenated
(predictions sorted by time, the first written of equal prediction ids kept, labels kept in
the order they were recorded), written as one
durable file, and swapped in the catalog in a single transaction (the new row in, the old
rows out, their paths on the trash list); only then are the old files unlinked. The new
file's footer names the files it replaces, so a catalog rebuilt from the files lists it
instead of them (:mod:`~driftscope.store.embedded._repair`). A reader
holding an older snapshot may find a file gone: it reads again with a fresh snapshot.

One compaction (or archive, or repair) runs at a time per store: they take an exclusive
``flock`` on ``locks/compact.lock``. Writers never wait for it.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     lock = FileLock(pathlib.Path(d) / "compact.lock")
...     other = FileLock(pathlib.Path(d) / "compact.lock")
...     with lock.hold(blocking=False) as mine:
...         with other.hold(blocking=False) as theirs:
...             (mine, theirs)
(True, False)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.store._unique_ids import first_of_each_id
from driftscope.store.embedded._catalog import Catalog, Segment
from driftscope.store.embedded._segments import (
    StoreHome,
    read_parquet_file,
    remove_quietly,
    unavailable,
    unify,
    write_segment,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no fcntl on Windows: None marks it absent
    import msvcrt

log = logging.getLogger(__name__)

SMALL_SEGMENT_BYTES = 16 * 1024 * 1024
MAX_OUTPUT_BYTES = 128 * 1024 * 1024  # per merged file: bounds the memory a merge takes


class FileLock:
    """An exclusive ``flock`` on ``path``; separate instances exclude each other, also
    within one process.

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "compact.lock"
    >>> with FileLock(path).hold() as held, FileLock(path).hold(blocking=False) as other:
    ...     held, other
    (True, False)
    """

    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def hold(self, *, blocking: bool = True, timeout_s: float = 600.0) -> Iterator[bool]:
        """Yields True once held; with ``blocking=False`` yields False when someone else
        holds it. A blocking wait longer than ``timeout_s`` is StoreUnavailableError."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise unavailable(self.path, exc, "open lock") from exc
        try:
            deadline = time.monotonic() + timeout_s
            while not _try_lock(fd):
                if not blocking:
                    yield False
                    return
                if time.monotonic() > deadline:
                    raise StoreUnavailableError(
                        f"{self.path} stayed locked for {timeout_s:.0f} s "
                        "(another process is compacting or archiving)"
                    )
                time.sleep(0.05)
            try:
                yield True
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:  # BlockingIOError: held elsewhere
        return False


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def empty_trash(catalog: Catalog, home: StoreHome) -> int:
    """Unlink files the catalog no longer lists (left by a crash after a swap)."""
    paths = catalog.trash()
    for path in paths:
        remove_quietly(home.absolute(path))
    catalog.forget_trash(paths)
    return len(paths)


def small_partitions(
    catalog: Catalog, model: str | None, *, min_count: int, small_bytes: int = SMALL_SEGMENT_BYTES
) -> list[tuple[str, str, str, str]]:
    """(model, tier, kind, day) of hot partitions with at least ``min_count`` small segments."""
    sql = (
        "SELECT model, tier, kind, day FROM segments WHERE tier = 'hot' AND bytes < ? "
        + ("AND model = ? " if model is not None else "")
        + "GROUP BY model, tier, kind, day HAVING count(*) >= ? ORDER BY model, kind, day"
    )
    args: list[object] = [small_bytes]
    if model is not None:
        args.append(model)
    args.append(min_count)
    with catalog.connection() as conn:
        return [tuple(row) for row in conn.execute(sql, args)]


def count_small(
    catalog: Catalog, model: str, kind: str, day: str, small_bytes: int = SMALL_SEGMENT_BYTES
) -> int:
    with catalog.connection() as conn:
        return conn.execute(
            "SELECT count(*) FROM segments WHERE model = ? AND tier = 'hot' AND kind = ? "
            "AND day = ? AND bytes < ?",
            (model, kind, day, small_bytes),
        ).fetchone()[0]


def _groups(segs: list[Segment], max_bytes: int) -> list[list[Segment]]:
    groups: list[list[Segment]] = [[]]
    size = 0
    for seg in segs:
        if groups[-1] and size + seg.bytes > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(seg)
        size += seg.bytes
    return [g for g in groups if len(g) >= 2]


def compact_partition(
    catalog: Catalog,
    home: StoreHome,
    partition: tuple[str, str, str, str],
    *,
    small_bytes: int = SMALL_SEGMENT_BYTES,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> int:
    """Merge the partition's small segments; returns how many segments went away.

    The caller holds the compaction lock. Unreadable segments are left alone (reads report
    them; :meth:`EmbeddedStore.repair` quarantines them).
    """
    model, tier, kind, day = partition
    with catalog.read() as conn:
        segs = [
            s
            for s in catalog.segments(model, kinds=(kind,), tiers=(tier,), conn=conn)
            if s.day == day and s.bytes < small_bytes
        ]
    segs.sort(key=lambda s: s.order)  # write order: the first stored of an id is kept
    removed = 0
    for group in _groups(segs, max_bytes):
        tables, used = [], []
        for seg in group:
            try:
                tables.append(read_parquet_file(home.absolute(seg.path), seg.checksum))
                used.append(seg)
            except FileNotFoundError:
                continue  # swapped out by someone else: the catalog check below decides
            except StoreError as exc:
                log.warning("compaction skips %s: %s", seg.path, exc)
        if len(used) < 2:
            continue
        merged = unify(tables)  # in write order
        if kind == "predictions":
            merged = first_of_each_id(merged)
        # the merged file takes the write order of its earliest input, and names its inputs:
        # a catalog rebuilt from the files lists it instead of them
        new = write_segment(
            home, model, tier, kind, day, merged,
            seq=min(seg.order[0] for seg in used), supersedes=[seg.path for seg in used],
        )  # fmt: skip
        if not catalog.replace_segments(used, [new]):
            remove_quietly(home.absolute(new.path))  # someone changed the partition: leave it
            continue
        removed += len(used) - 1
        empty_trash(catalog, home)
    return removed
