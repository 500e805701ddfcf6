"""The embedded store's SQLite catalog: which segment files hold which records.

One row per immutable Parquet segment (model, kind, tier, UTC day, path, rows, bytes,
time range). Readers take a consistent snapshot of the rows in one read transaction;
writers add rows in ``BEGIN IMMEDIATE`` transactions, so several processes and threads
share a catalog safely (WAL journal, ``synchronous=FULL``: a committed row survives a
crash). The schema is versioned with ``PRAGMA user_version`` and migrated under the write
lock, so two processes opening a new home at once do not race.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     catalog = Catalog(pathlib.Path(d) / "catalog.sqlite")
...     catalog.add_segments([NewSegment("churn", "predictions", "hot", "2026-11-01",
...                                      "segments/churn/a.parquet", 10, 2048, 0, 9)])
...     [s.rows for s in catalog.segments("churn", kinds=("predictions",))]
...     catalog.close()
[10]
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from driftscope.errors import StoreError, StoreUnavailableError

#: Statements that bring the catalog from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE segments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            model TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('predictions', 'labels')),
            tier TEXT NOT NULL CHECK (tier IN ('hot', 'archive')),
            day TEXT NOT NULL,
            path TEXT NOT NULL UNIQUE,
            rows INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            min_ts INTEGER,
            max_ts INTEGER,
            created_at INTEGER NOT NULL
        )""",
        "CREATE INDEX segments_by_partition ON segments (model, tier, kind, day)",
        "CREATE TABLE trash (path TEXT PRIMARY KEY, since INTEGER NOT NULL)",
        """CREATE TABLE reference_versions (
            model TEXT NOT NULL,
            version TEXT NOT NULL,
            path TEXT NOT NULL,
            stored_at INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            columns TEXT NOT NULL,
            note TEXT NOT NULL,
            first_seq INTEGER NOT NULL,
            saved_seq INTEGER NOT NULL,
            PRIMARY KEY (model, version)
        )""",
        """CREATE TABLE check_results (
            model TEXT NOT NULL,
            check_name TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            window_end INTEGER NOT NULL,
            metric TEXT NOT NULL,
            value REAL,
            threshold REAL,
            status TEXT NOT NULL,
            baseline_version TEXT,
            details TEXT NOT NULL,
            computed_at INTEGER NOT NULL,
            PRIMARY KEY (model, check_name, window_start, window_end, metric)
        )""",
    ),
    (
        # the whole file's CRC-32 (verified before a process first reads it) and the
        # segment's place in write order (the first stored of two equal prediction ids wins)
        "ALTER TABLE segments ADD COLUMN checksum TEXT",
        "ALTER TABLE segments ADD COLUMN seq INTEGER",
        "UPDATE segments SET seq = created_at",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# SQLite primary result codes that mean "not now" rather than "broken"
_TRANSIENT = {3, 5, 6, 8, 10, 13, 14}  # PERM BUSY LOCKED READONLY IOERR FULL CANTOPEN

_SEGMENT_COLUMNS = "id, model, kind, tier, day, path, rows, bytes, min_ts, max_ts, checksum, seq"
# a version-1 catalog read where it cannot be migrated (a read-only folder)
_V1_SEGMENT_COLUMNS = (
    "id, model, kind, tier, day, path, rows, bytes, min_ts, max_ts, NULL, created_at"
)


#: A row of :data:`_SEGMENT_COLUMNS`: the id, then :class:`NewSegment`'s fields in order.
SegmentRow = tuple[
    int, str, str, str, str, str, int, int, int | None, int | None, str | None, int | None
]


@dataclass(frozen=True)
class NewSegment:
    """A segment file to record (its path relative to the store's home).

    >>> NewSegment("churn", "predictions", "hot", "2026-11-01", "a.parquet", 2, 900, 0, 1).rows
    2
    """

    model: str
    kind: str
    tier: str
    day: str
    path: str
    rows: int
    bytes: int
    min_ts: int | None
    max_ts: int | None
    checksum: str | None = None  # CRC-32 of the whole file (None: written before checksums)
    seq: int | None = None  # place in write order (None: its id's)


@dataclass(frozen=True)
class Segment(NewSegment):
    """A recorded segment; ``id`` grows with the order segments were recorded.

    >>> Segment("churn", "labels", "hot", "2026-11-01", "a.parquet", 2, 900, 0, 1, id=7).order
    (7, 7)
    """

    @property
    def order(self) -> tuple[int, int]:
        """Its place in write order: ``seq``, then ``id``."""
        return (self.id if self.seq is None else self.seq, self.id)

    id: int = 0

    @classmethod
    def from_row(cls, row: SegmentRow) -> Segment:
        return cls(*row[1:], id=row[0])


class Catalog:
    """The SQLite file at ``path``: a pool of connections, one per concurrent caller.

    ``migrations`` are the schema steps of the file (the segment catalog's by default;
    the state file of :mod:`~driftscope.store.embedded._state` has its own).

    >>> import tempfile
    >>> from pathlib import Path
    >>> catalog = Catalog(Path(tempfile.mkdtemp()) / "catalog.sqlite")
    >>> catalog.models()
    []
    >>> catalog.close()
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout_s: float = 60.0,
        read_only: bool = False,
        migrations: tuple[tuple[str, ...], ...] = MIGRATIONS,
    ):
        self.path = Path(path)
        self._migrations = migrations
        self.busy_timeout_ms = int(busy_timeout_s * 1000)
        self.read_only = read_only
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._pid = os.getpid()
        self._inherited: list[sqlite3.Connection] = []
        self._columns = _SEGMENT_COLUMNS
        self.identity: tuple[int, int] | None = None
        if read_only:
            if migrations is MIGRATIONS and self.schema_version() < SCHEMA_VERSION:
                self._columns = _V1_SEGMENT_COLUMNS
        else:
            self._migrate()
        self.identity = self._identity()

    def _identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def replaced(self) -> bool:
        """Whether the file at ``path`` is no longer the one opened: deleted, or replaced
        by another (one ``stat``)."""
        return self._identity() != self.identity

    def reopen(self) -> None:
        """Forget the open connections (to a file deleted or replaced) and open the file
        now at ``path``, creating and migrating it when it is missing."""
        self._adopt()
        with self._lock:
            stale, self._all, self._idle = self._all, [], []
        for conn in stale:  # one in use elsewhere goes on being used, then is closed
            with suppress(sqlite3.Error):
                conn.close()
        self._migrate()
        self.identity = self._identity()

    # ------------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        conn = None
        try:
            if self.read_only:
                conn = self._connect_read_only()
            else:
                conn = sqlite3.connect(
                    self.path,
                    timeout=self.busy_timeout_ms / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            if not self.read_only:
                conn.execute("PRAGMA synchronous = FULL")
                self._wal(conn)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise self.error(exc, "open") from exc
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """The catalog of a read-only folder: ``mode=ro`` when a write-ahead log is there
        (SQLite reads it without creating anything), else ``immutable=1`` (no log, no
        locks: nothing to create)."""
        if not self.path.is_file():
            raise sqlite3.OperationalError("unable to open database file: it does not exist")
        uri = self.path.absolute().as_uri()
        wal = self.path.with_name(self.path.name + "-wal")
        uri += "?mode=ro" if wal.exists() else "?mode=ro&immutable=1"
        return sqlite3.connect(
            uri,
            uri=True,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,
        )

    def _wal(self, conn: sqlite3.Connection) -> None:
        # Switching a new file to WAL needs a lock that the busy handler does not always wait
        # for: retry for a while.
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        self._adopt()
        with self._lock:
            if self._closed:
                raise StoreError(f"the store at {self.path.parent} is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
            with self._lock:
                self._all.append(conn)
        try:
            yield conn
        finally:
            with self._lock:
                if self._closed:
                    conn.close()
                else:
                    self._idle.append(conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed on exit, else rolled back."""
        if self.read_only:
            raise StoreUnavailableError(
                f"catalog {self.path}: folder {self.path.parent} is read-only: the store "
                "can be read but not written"
            )
        with self.connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self.error(exc, "lock") from exc
            try:
                yield conn
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self.error(exc, "write") from exc
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same snapshot."""
        with self.connection() as conn:
            try:
                conn.execute("BEGIN")
                yield conn
            except sqlite3.Error as exc:
                raise self.error(exc, "read") from exc
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def error(self, exc: sqlite3.Error, doing: str) -> StoreError:
        code = getattr(exc, "sqlite_errorcode", None)
        text = f"catalog {self.path}: cannot {doing}: {exc}"
        if code is not None and code & 0xFF in _TRANSIENT:
            return StoreUnavailableError(text)
        if code is None and isinstance(exc, sqlite3.OperationalError):
            return StoreUnavailableError(text)
        return StoreError(text)

    def _adopt(self) -> None:
        """In a forked child: leave the parent's connections alone (using or even closing
        them there breaks SQLite's locks) and open our own from now on."""
        if os.getpid() != self._pid:
            self._inherited.extend(self._all)  # kept referenced: never finalised here
            self._all, self._idle = [], []
            self._lock = threading.Lock()
            self._pid = os.getpid()

    def close(self) -> None:
        self._adopt()
        with self._lock:
            self._closed = True
            conns, self._all, self._idle = self._all, [], []
        for conn in conns:
            with suppress(sqlite3.Error):
                conn.close()

    # ------------------------------------------------------------------ migrations
    def _migrate(self) -> None:
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            latest = len(self._migrations)
            if version > latest:
                raise StoreError(
                    f"catalog {self.path} has schema version {version}; this driftscope "
                    f"knows versions up to {latest}: upgrade driftscope"
                )
            for statements in self._migrations[version:]:
                for statement in statements:
                    conn.execute(statement)
            if version < latest:
                conn.execute(f"PRAGMA user_version = {latest}")

    def schema_version(self) -> int:
        with self.connection() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------------ segments
    def add_segments(self, segments: Sequence[NewSegment]) -> None:
        """Record segment files, all in one transaction."""
        with self.write() as conn:
            insert_segments(conn, segments)

    def segments(
        self,
        model: str | None,
        *,
        kinds: Sequence[str] = ("predictions", "labels"),
        tiers: Sequence[str] = ("hot",),
        since: int | None = None,
        until: int | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> list[Segment]:
        """Segments of ``model`` (None: all) whose time range meets ``[since, until)``, in
        ``(min_ts, id)`` order. ``conn`` reuses an open transaction's snapshot."""
        if conn is None:
            with self.read() as own:
                return self.segments(
                    model, kinds=kinds, tiers=tiers, since=since, until=until, conn=own
                )
        sql = [f"SELECT {self._columns} FROM segments WHERE 1 = 1"]
        args: list[object] = []
        if model is not None:
            sql.append("AND model = ?")
            args.append(model)
        sql.append(f"AND kind IN ({', '.join('?' * len(kinds))})")
        args.extend(kinds)
        sql.append(f"AND tier IN ({', '.join('?' * len(tiers))})")
        args.extend(tiers)
        if since is not None:
            sql.append("AND (max_ts IS NULL OR max_ts >= ?)")
            args.append(since)
        if until is not None:
            sql.append("AND (min_ts IS NULL OR min_ts < ?)")
            args.append(until)
        sql.append("ORDER BY min_ts, id")
        return [Segment.from_row(row) for row in conn.execute(" ".join(sql), args)]

    def latest_segment(
        self, model: str, kind: str, tiers: Sequence[str], conn: sqlite3.Connection
    ) -> Segment | None:
        """The segment of ``model`` and ``kind`` recorded last (None: there is none)."""
        row = conn.execute(
            f"SELECT {self._columns} FROM segments WHERE model = ? AND kind = ? "
            f"AND tier IN ({', '.join('?' * len(tiers))}) ORDER BY id DESC LIMIT 1",
            (model, kind, *tiers),
        ).fetchone()
        return None if row is None else Segment.from_row(row)

    def replace_segments(self, old: Sequence[Segment], new: Sequence[NewSegment]) -> bool:
        """In one transaction: forget ``old`` (their files go to the trash list) and record
        ``new``. False, and nothing changed, when one of ``old`` is already gone."""
        with self.write() as conn:
            removed = 0
            for seg in old:
                removed += conn.execute("DELETE FROM segments WHERE id = ?", (seg.id,)).rowcount
            if removed != len(old):
                conn.execute("ROLLBACK")
                return False
            insert_segments(conn, new)
            now = int(time.time() * 1e6)
            conn.executemany(
                "INSERT OR REPLACE INTO trash (path, since) VALUES (?, ?)",
                [(seg.path, now) for seg in old],
            )
        return True

    def trash(self) -> list[str]:
        with self.connection() as conn:
            return [row[0] for row in conn.execute("SELECT path FROM trash ORDER BY since")]

    def forget_trash(self, paths: Sequence[str]) -> None:
        if paths:
            with self.write() as conn:
                conn.executemany("DELETE FROM trash WHERE path = ?", [(p,) for p in paths])

    def models(self) -> list[str]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT model FROM segments UNION SELECT model FROM reference_versions "
                "UNION SELECT model FROM check_results"
            ).fetchall()
        return sorted(row[0] for row in rows)


def insert_segments(conn: sqlite3.Connection, segments: Sequence[NewSegment]) -> None:
    """Record ``segments``; a path already recorded (listed again by a catalog rebuild
    meanwhile) is left as it is."""
    now = int(time.time() * 1e6)
    conn.executemany(
        "INSERT INTO segments (model, kind, tier, day, path, rows, bytes, min_ts, max_ts, "
        "created_at, checksum, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (path) DO NOTHING",
        [
            (s.model, s.kind, s.tier, s.day, s.path, s.rows, s.bytes, s.min_ts, s.max_ts, now,
             s.checksum, now if s.seq is None else s.seq)
            for s in segments
        ],
    )  # fmt: skip
