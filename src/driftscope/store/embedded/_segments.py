"""Durable, immutable Parquet files on local disk: the embedded store's segments.

Every file the embedded store keeps is written the same way: serialised in memory, written
to ``tmp/`` under the store's home, flushed and ``fsync``-ed, renamed into place, and the
directory ``fsync``-ed. A crash leaves at most a temporary file that nothing reads.
OS errors (disk full, permissions, read-only file system) become
:class:`~driftscope.errors.StoreUnavailableError` naming the path, with the temporary file
removed.

>>> home = StoreHome(Path("/data/.driftscope"))
>>> home.segment_dir("churn/eu", "hot", "predictions", "2026-11-01").relative_to(home.root)
PosixPath('segments/churn%2Feu/predictions/2026-11-01')
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from driftscope.core import records as r
from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.store._span import to_us
from driftscope.store.embedded._catalog import NewSegment

#: Exceptions a damaged Parquet file can raise while pyarrow parses it.
DECODE_ERRORS = (OSError, pa.ArrowException, ValueError, IndexError, KeyError, TypeError)
HOT_LEVEL = 1  # zstd level of hot segments: fast to write, as fast to read as any level
ARCHIVE_LEVEL = 9  # cold files are written once and kept long: compress harder
ROW_GROUP_ROWS = 128 * 1024
MIN_GAIN = 0.1  # a float column zstd shrinks less than this is stored uncompressed
US_PER_DAY = 86_400_000_000
SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
MAX_DIR_NAME = 120
TIER_DIRS = {"hot": "segments", "archive": "archive"}


def model_dir_name(model: str) -> str:
    """A directory name for ``model``: percent-encoding of everything but ``[A-Za-z0-9_-]``.

    Names too long for a file system keep a readable prefix and gain a hash. The real name
    lives in the catalog, so two models sharing a directory would still be kept apart.

    >>> model_dir_name("churn v2/eu")
    'churn%20v2%2Feu'
    """
    out = "".join(
        c if c in SAFE_CHARS else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in model
    )
    if len(out) > MAX_DIR_NAME:
        digest = hashlib.sha256(model.encode("utf-8")).hexdigest()[:16]
        out = f"{out[: MAX_DIR_NAME - 17].rstrip('%')}~{digest}"
    return out


def unique_file_name(suffix: str = ".parquet", checksum: str | None = None) -> str:
    """Time, process id and randomness: unique across threads and processes. With a
    ``checksum`` (of the whole file, :func:`checksum_of`), the name carries it: the file
    then describes and verifies itself (:func:`checksum_in_name`)."""
    now = datetime.now(UTC)
    tag = "" if checksum is None else f".c{checksum}"
    return f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}-{secrets.token_hex(5)}{tag}{suffix}"


_CHECKSUM_NAME = re.compile(r"\.c([0-9a-f]{8})\.parquet$")


def checksum_of(data: pa.Buffer | bytes | memoryview) -> str:
    """CRC-32 of ``data`` as 8 hex digits (zlib's, about 1-2 GB/s, outside the GIL).

    >>> checksum_of(b"driftscope")
    '942f0879'
    """
    return f"{zlib.crc32(memoryview(data)):08x}"


def checksum_in_name(name: str) -> str | None:
    """The checksum a segment's file name carries (None: a name without one).

    >>> checksum_in_name("20261101T000000000000-7-ab12cd34ef.c0f5fc6c8.parquet")
    '0f5fc6c8'
    """
    found = _CHECKSUM_NAME.search(name)
    return None if found is None else found.group(1)


def time_column(kind: str) -> str:
    """The column whose range a segment of ``kind`` records (and its day is cut by).

    >>> time_column("predictions"), time_column("labels")
    ('timestamp', 'labeled_at')
    """
    return r.TIMESTAMP if kind == "predictions" else r.LABELED_AT


# ---------------------------------------------------------------------- self-description
#: Key of the JSON object each segment keeps in its Parquet footer (its schema metadata):
#: enough to list it again in a catalog rebuilt from the files alone.
SEGMENT_KEY = b"driftscope.segment"
SEGMENT_FORMAT = 1


def segment_description(
    model: str,
    kind: str,
    tier: str,
    day: str,
    table: pa.Table,
    *,
    seq: int | None = None,
    supersedes: list[str] | None = None,
    pass_token: str | None = None,
) -> dict:
    """What a segment's footer says about it: model, kind, tier, day, rows, time range,
    ``seq`` (its place in write order: the time of the write, or for a merged file the
    earliest of its inputs') and ``supersedes`` (the files whose rows it holds in full; for
    a file written by an archive pass, ``pass`` names the pass and ``supersedes`` the files
    its rows came from).

    >>> batch = pa.table({"labeled_at": pa.array([5, 9], pa.timestamp("us", tz="UTC"))})
    >>> d = segment_description("churn", "labels", "hot", "2026-11-01", batch, seq=3)
    >>> d["rows"], d["min_ts"], d["max_ts"], d["seq"]
    (2, 5, 9, 3)
    """
    low, high = ts_range(table, time_column(kind))
    return {
        "format": SEGMENT_FORMAT,
        "model": model,
        "kind": kind,
        "tier": tier,
        "day": day,
        "rows": table.num_rows,
        "min_ts": low,
        "max_ts": high,
        "seq": seq if seq is not None else to_us(datetime.now(UTC)),
        "supersedes": list(supersedes or ()),
        "pass": pass_token,
    }


def description_of(metadata: dict[bytes, bytes] | None) -> dict | None:
    """The segment description in a footer's key-value metadata (None: absent/invalid).

    >>> batch = pa.table({"labeled_at": pa.array([5], pa.timestamp("us", tz="UTC"))})
    >>> desc = segment_description("churn", "labels", "hot", "1970-01-01", batch, seq=1)
    >>> description_of({SEGMENT_KEY: json.dumps(desc).encode()})["model"]
    'churn'
    >>> description_of({SEGMENT_KEY: b'{"model": 3}'}), description_of(None)
    (None, None)
    """
    raw = (metadata or {}).get(SEGMENT_KEY)
    if raw is None:
        return None
    try:
        found = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    need = {"model": str, "kind": str, "tier": str, "day": str, "rows": int, "seq": int}
    if not isinstance(found, dict) or any(not isinstance(found.get(k), t) for k, t in need.items()):
        return None
    if found["kind"] not in ("predictions", "labels") or found["tier"] not in TIER_DIRS:
        return None
    if not isinstance(found.get("supersedes", []), list):
        return None
    return found


def day_of(us: int) -> str:
    """``YYYY-MM-DD`` (UTC) of a timestamp in microseconds since the epoch."""
    return time.strftime("%Y-%m-%d", time.gmtime(us // 1_000_000))


# ---------------------------------------------------------------------- layout
@dataclass(frozen=True)
class StoreHome:
    """The directory layout of one embedded store.

    >>> from pathlib import Path
    >>> home = StoreHome(Path("/data/home"))
    >>> home.relative(home.reference_path("churn", "3f2a")), home.catalog.name
    ('references/churn/3f2a.dsref', 'catalog.sqlite')
    """

    root: Path

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def passes(self) -> Path:
        """Manifests of archive passes: which files a pass replaced with which."""
        return self.root / "passes"

    def segment_dir(self, model: str, tier: str, kind: str, day: str) -> Path:
        return self.root / TIER_DIRS[tier] / model_dir_name(model) / kind / day

    def reference_path(self, model: str, version: str) -> Path:
        return self.root / "references" / model_dir_name(model) / f"{model_dir_name(version)}.dsref"

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def prepare(self) -> None:
        """Create the top-level folders (an unwritable home is StoreUnavailableError)."""
        for path in (self.root, self.tmp, self.locks):
            ensure_dir(path)

    def clean_tmp(self, older_than_s: float = 3600.0) -> int:
        """Remove temporary files left by writers killed mid-write; returns how many."""
        removed = 0
        limit = time.time() - older_than_s
        try:
            entries = list(os.scandir(self.tmp))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # another process got there first, or it is not ours to remove
        return removed


# ---------------------------------------------------------------------- durable writes
def unavailable(path: Path | str, exc: OSError, doing: str = "write") -> StoreUnavailableError:
    reason = exc.strerror or str(exc)
    return StoreUnavailableError(f"cannot {doing} {path}: {reason} (errno {exc.errno})")


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable. POSIX only: elsewhere the
    file system offers no such call and this does nothing."""
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """``mkdir -p`` that makes each directory it creates durable (fsync of the parent)."""
    if path.is_dir():
        return
    missing = []
    probe = path
    while not probe.is_dir():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    try:
        for directory in reversed(missing):
            try:
                directory.mkdir()
            except FileExistsError:
                if not directory.is_dir():
                    raise
            fsync_dir(directory.parent)
    except OSError as exc:
        raise unavailable(path, exc, "create directory") from exc


def _write_all(fd: int, data: memoryview) -> None:
    """Write every byte of ``data`` to ``fd`` (the one place file content is written)."""
    while data:
        written = os.write(fd, data)
        data = data[written:]


def write_durably(data: pa.Buffer | bytes, dest: Path, tmp_dir: Path) -> int:
    """Atomically create ``dest`` with ``data``; returns its size. Durable on return."""
    tmp = tmp_dir / f"{dest.name}.{secrets.token_hex(4)}.tmp"
    try:
        ensure_dir(dest.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            _write_all(fd, memoryview(data))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, dest)
        fsync_dir(dest.parent)
    except StoreUnavailableError:
        remove_quietly(tmp)
        raise
    except OSError as exc:
        remove_quietly(tmp)
        raise unavailable(dest, exc) from exc
    return len(data)


def write_segment(
    home: StoreHome,
    model: str,
    tier: str,
    kind: str,
    day: str,
    table: pa.Table,
    *,
    seq: int | None = None,
    supersedes: list[str] | None = None,
    pass_token: str | None = None,
) -> NewSegment:
    """Write ``table`` as one durable segment that describes itself (its footer: model,
    kind, tier, day, rows, time range, write order, superseded files) and verifies itself
    (the whole file's checksum is in its name); returns its catalog entry. Predictions are
    stored sorted (:func:`sort_predictions`); a hot segment is compressed at
    :data:`HOT_LEVEL` (incompressible floats left plain), an archived one at
    :data:`ARCHIVE_LEVEL`.

    >>> import tempfile
    >>> home = StoreHome(Path(tempfile.mkdtemp()))
    >>> home.prepare()
    >>> batch = pa.table({"labeled_at": pa.array([5, 9], pa.timestamp("us", tz="UTC"))})
    >>> seg = write_segment(home, "churn", "hot", "labels", "1970-01-01", batch)
    >>> seg.rows, seg.min_ts, checksum_in_name(seg.path) == seg.checksum
    (2, 5, True)
    """
    if kind == "predictions":
        table = sort_predictions(table)
    desc = segment_description(
        model, kind, tier, day, table, seq=seq, supersedes=supersedes, pass_token=pass_token
    )
    hot = tier == "hot"
    data = parquet_bytes(table, HOT_LEVEL if hot else ARCHIVE_LEVEL, hot, desc)
    crc = checksum_of(data)
    dest = home.segment_dir(model, tier, kind, day) / unique_file_name(checksum=crc)
    size = write_durably(data, dest, home.tmp)
    return NewSegment(
        model, kind, tier, day, home.relative(dest), table.num_rows, size,
        desc["min_ts"], desc["max_ts"], crc, desc["seq"],
    )  # fmt: skip


def remove_quietly(path: Path) -> bool:
    """Unlink ``path``; False (not an error) when it is already gone or cannot go."""
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------- parquet
def _incompressible(column: pa.ChunkedArray, level: int) -> bool:
    """Whether zstd gains under ``1 - MIN_GAIN`` on a sample of a float column (noise-like
    values: decompressing them would cost time for next to no space)."""
    chunk = next((c for c in column.chunks if len(c) and not c.null_count), None)
    if chunk is None or len(chunk) < 1024:
        return False
    width = chunk.type.bit_width // 8
    sample = chunk.buffers()[1].slice(chunk.offset * width, min(len(chunk), 16384) * width)
    return len(pa.Codec("zstd", level).compress(sample)) > (1 - MIN_GAIN) * sample.size


def parquet_bytes(
    table: pa.Table,
    level: int = HOT_LEVEL,
    adaptive: bool = True,
    description: dict | None = None,
) -> pa.Buffer:
    """``table`` as a zstd Parquet file in memory, its footer carrying ``description``
    (:func:`segment_description`) and no other schema metadata.

    Dictionary encoding only for strings other than ``prediction_id`` (low-cardinality
    text reads back as dictionaries, cheap to turn into Python objects); numbers PLAIN.
    With ``adaptive``, float columns that zstd would shrink by less than ``MIN_GAIN`` (a
    sample decides) are stored uncompressed: they read several times faster.
    """
    dictionary = [f.name for f in table.schema if f.name != r.PREDICTION_ID and is_text(f.type)]
    codecs: dict[str, str] = {}
    for f in table.schema:
        plain = adaptive and pa.types.is_floating(f.type)
        codecs[f.name] = "NONE" if plain and _incompressible(table[f.name], level) else "ZSTD"
    meta = None if description is None else {SEGMENT_KEY: json.dumps(description).encode()}
    table = table.replace_schema_metadata(meta)
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression=codecs,
        compression_level={name: level for name, codec in codecs.items() if codec == "ZSTD"},
        use_dictionary=dictionary or False,
        row_group_size=ROW_GROUP_ROWS,
    )
    return sink.getvalue()


def is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def timestamps_us(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A ``timestamp[us]`` column as int64 microseconds (nulls as the smallest int64)."""
    ints = column.cast(pa.int64())
    if ints.null_count:
        ints = pc.fill_null(ints, np.iinfo(np.int64).min)
    return ints.to_numpy()


def is_sorted(ts: np.ndarray, ids: pa.ChunkedArray | pa.Array) -> bool:
    """Whether rows are in ``(timestamp, prediction_id)`` order."""
    if len(ts) < 2:
        return True
    if (ts[1:] < ts[:-1]).any():
        return False
    ties = np.flatnonzero(ts[1:] == ts[:-1])
    if ties.size == 0:
        return True
    before = ids.take(pa.array(ties))
    after = ids.take(pa.array(ties + 1))
    return bool(pc.all(pc.less_equal(before, after)).as_py())


def sort_predictions(table: pa.Table) -> pa.Table:
    """Rows in ``(timestamp, prediction_id)`` order (a no-op when they already are)."""
    ts = timestamps_us(table.column(r.TIMESTAMP))
    if is_sorted(ts, table.column(r.PREDICTION_ID)):
        return table
    order = pc.sort_indices(table, [(r.TIMESTAMP, "ascending"), (r.PREDICTION_ID, "ascending")])
    return table.take(order)


def split_by_day(table: pa.Table, column: str, default_day: str) -> list[tuple[str, pa.Table]]:
    """``table`` cut into UTC days of ``column`` (null times fall in ``default_day``)."""
    if table.num_rows == 0:
        return []
    raw = table.column(column).cast(pa.int64())
    nulls = raw.is_null().to_numpy(zero_copy_only=False) if raw.null_count else None
    us = pc.fill_null(raw, 0).to_numpy() if raw.null_count else raw.to_numpy()
    days = us // US_PER_DAY
    default = int(np.datetime64(default_day, "D").astype(np.int64))
    if nulls is not None:
        days = np.where(nulls, default, days)
    first = days[0]
    if (days == first).all():
        return [(str(np.datetime64(int(first), "D")), table)]
    out = []
    for day in np.unique(days):
        rows = np.flatnonzero(days == day)
        out.append((str(np.datetime64(int(day), "D")), table.take(pa.array(rows))))
    return out


def ts_range(table: pa.Table, column: str) -> tuple[int | None, int | None]:
    """Smallest and largest ``column`` value in microseconds (None when all null)."""
    bounds = pc.min_max(table.column(column).cast(pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    return low, high


def unify(tables: list[pa.Table]) -> pa.Table:
    """Concatenate tables with different columns: missing ones null-filled, int and float
    widened to float, any other clash of types turned into text."""
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    seen: dict[str, set[pa.DataType]] = {}
    for table in tables:
        for f in table.schema:
            if not pa.types.is_null(f.type):
                t = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
                seen.setdefault(f.name, set()).add(t)
    clash = {name for name, types in seen.items() if len(types) > 1}
    fixed = []
    for table in tables:
        for name in clash & set(table.column_names):
            i = table.schema.get_field_index(name)
            table = table.set_column(i, name, pc.cast(table.column(name), pa.string()))
        fixed.append(table)
    return pa.concat_tables(fixed, promote_options="permissive")


def read_parquet_file(path: Path, checksum: str | None = None) -> pa.Table:
    """A whole segment, its bytes checked first against ``checksum`` (the one it was
    written with; None: not checked); unreadable or corrupt content is a StoreError naming
    the file (so that compaction or archiving never copies damaged rows into a new file
    with a valid checksum).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.parquet"
    >>> data = parquet_bytes(pa.table({"x": [1.5]}))
    >>> _ = path.write_bytes(data.to_pybytes())
    >>> read_parquet_file(path, checksum_of(data)).num_rows
    1
    >>> read_parquet_file(path, "00000000")
    Traceback (most recent call last):
    ...
    driftscope.errors.StoreError: segment ... is corrupt: its checksum is ..., 00000000 when ...
    """
    try:
        if checksum is None:
            return pq.read_table(path)
        data = path.read_bytes()
        found = checksum_of(data)
        if found != checksum:
            raise StoreError(
                f"segment {path} is corrupt: its checksum is {found}, {checksum} when "
                "written; EmbeddedStore.repair() moves it to quarantine/"
            )
        return pq.read_table(pa.BufferReader(data))
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EIO):
            raise unavailable(path, exc, "read") from exc
        raise StoreError(f"segment {path} is unreadable: {exc}") from exc
    except DECODE_ERRORS as exc:
        raise StoreError(f"segment {path} is unreadable: {exc}") from exc
