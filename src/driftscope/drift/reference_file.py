"""The reference file (``.dsref``): its layout, its limits and the checks it passes on reading.

A reference file is a zip archive of

* ``reference.json``, the manifest: ``format`` and ``format_version``; ``version``, the
  content hash of the fitted columns and kept rows; ``digest``, the SHA-256 of the manifest
  itself (canonical JSON, every field but ``digest``); ``rows``, ``source``, ``fitted_at``,
  ``skipped``; one entry per fitted column (name, kind, row counts, and either the names of
  its arrays or its categories and counts); ``extra``, the settings of the detector that
  saved it; and the name of the kept rows' member;
* ``arrays/<i>_<key>.npy``: each numerical or datetime column's sorted distinct values,
  cumulative counts and moments, in NumPy's ``.npy`` format (plain numbers only: no pickle);
* ``row_sample.parquet``: the rows kept for whole-row checks.

Nothing in a file is trusted. :func:`read_reference_file` checks, before it reads any array:
the zip directory (at most :attr:`FileLimits.max_entries` entries, no duplicate names, no
encryption, compression stored or deflate only, each entry's uncompressed size under its cap,
the total under :attr:`FileLimits.max_total_bytes` and a deflated entry at most
:attr:`FileLimits.max_ratio` times its compressed size), then the manifest against an
explicit schema (types, required and allowed keys, ranges, nesting depth, counts, unique
names, every member named exists and every member is named), then the manifest's digest
(format 2; a file of format 1, written before the digest existed, is read without it).
Each array's ``.npy`` header is read and checked (dtype, shape, and a declared size equal to
the entry's size) before its data; every read is bounded by the declared size, so a zip
directory that lies fails too. The caller then checks that the arrays and kept rows hash to
``version``, and only then the kept rows' Parquet footer (:func:`check_row_sample`).
Any failure is a :class:`~driftscope.errors.ReferenceFileError` naming the file and the
field.

>>> canonical_digest({"b": [1, 2], "a": "é"}) == canonical_digest({"a": "é", "b": (1, 2)})
True
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import tokenize
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import numpy as np

from driftscope.data import ColumnKind
from driftscope.drift.results import ColumnSummary
from driftscope.errors import ConfigError, ReferenceFileError

FORMAT = "driftscope-reference"
FORMAT_VERSION = 2
#: Format versions this driftscope reads: 1 (no digest) and 2.
READABLE_VERSIONS = (1, 2)
META_NAME = "reference.json"
ROW_SAMPLE_NAME = "row_sample.parquet"
NUMERIC_KINDS = frozenset({ColumnKind.NUMERICAL, ColumnKind.DATETIME})
CATEGORY_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
#: Arrays of a numerical column: key -> (dtype kind and size, number of dimensions, required).
ARRAY_KEYS = {
    "values": ("f8", 1, True),
    "cumcounts": ("i8", 1, False),
    "n": ("i8", 0, True),
    "mean": ("f8", 0, True),
    "m2": ("f8", 0, True),
}
MAX_INT = 2**63 - 1
MiB = 1 << 20
GiB = 1 << 30
_READ_CHUNK = 16 * MiB
_NPY_HEAD = 65_536  # more than numpy's largest header (max_header_size 10,000)
#: what numpy's .npy header parsing raises on a malformed header
_NPY_ERRORS = (
    ValueError,
    TypeError,
    SyntaxError,
    EOFError,
    OverflowError,
    RecursionError,
    tokenize.TokenError,
)
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    OverflowError,
    struct.error,
    NotImplementedError,
    ValueError,
)


@dataclass(frozen=True)
class FileLimits:
    """Caps a reference file must stay under when read; raise them for a very large baseline.

    >>> FileLimits().max_manifest_bytes // (1 << 20), FileLimits(max_ratio=10).max_ratio
    (64, 10)
    """

    #: the manifest (JSON) uncompressed
    max_manifest_bytes: int = 64 * MiB
    #: any one entry uncompressed (an array of 500M float64 values)
    max_entry_bytes: int = 4 * GiB
    #: all entries together, uncompressed
    max_total_bytes: int = 16 * GiB
    #: how many times its compressed size a deflated entry may grow (beyond 1 MiB)
    max_ratio: int = 100
    #: fitted plus skipped columns
    max_columns: int = 100_000
    #: nesting of the manifest's JSON (the fixed layout needs 5; ``extra`` may use the rest)
    max_depth: int = 24
    #: cells (rows x columns) of the kept-rows sample, which decode from a few bytes each
    max_sample_cells: int = 200_000_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"FileLimits.{name} must be a positive integer, got {value!r}")

    @property
    def max_entries(self) -> int:
        return 1 + len(ARRAY_KEYS) * self.max_columns + 1


@dataclass(frozen=True)
class ColumnEntry:
    """One fitted column of the manifest, validated; ``arrays`` maps array keys to member
    names (numerical and datetime columns), ``categories``/``counts`` the rest."""

    name: str
    kind: ColumnKind
    summary: ColumnSummary
    arrays: Mapping[str, str]
    categories: tuple[str, ...]
    counts: np.ndarray


@dataclass(frozen=True)
class Manifest:
    """The validated manifest of a reference file."""

    format_version: int
    version: str
    rows: int
    source: str
    fitted_at: datetime
    skipped: dict[str, str]
    columns: tuple[ColumnEntry, ...]
    extra: dict[str, Any]
    row_sample: str | None


@dataclass(frozen=True)
class ReferenceFile:
    """What :func:`read_reference_file` returns: the manifest, each numerical column's
    arrays (by column name, then key) and the kept rows' Parquet bytes.

    >>> import numpy as np
    >>> from driftscope.drift.reference import Reference
    >>> blob = Reference.fit({"x": np.arange(4.0), "c": ["a", "b", "b", "b"]}).to_bytes()
    >>> read = read_reference_file(io.BytesIO(blob), "reference blob")
    >>> read.manifest.format_version, [c.name for c in read.manifest.columns]
    (2, ['x', 'c'])
    >>> read.arrays["x"]["values"].tolist(), read.manifest.columns[1].categories
    ([0.0, 1.0, 2.0, 3.0], ('b', 'a'))
    """

    manifest: Manifest
    arrays: dict[str, dict[str, np.ndarray]]
    row_sample: bytes | None


# ---------------------------------------------------------------------- writing
def write_reference_file(
    fh: IO[bytes],
    meta: dict[str, Any],
    arrays: Mapping[str, np.ndarray],
    blobs: Mapping[str, bytes] | None = None,
) -> None:
    """Write a reference file: ``arrays`` as ``.npy`` members, ``blobs`` as they are, and
    ``meta`` as the manifest with ``format_version`` and its ``digest`` set here."""
    meta = {**meta, "format_version": FORMAT_VERSION}
    meta.pop("digest", None)
    _check_json(meta.get("extra", {}), "extra", ConfigError, FileLimits().max_depth - 1)
    meta["digest"] = canonical_digest(meta)
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        for member, arr in arrays.items():
            with zf.open(member, "w", force_zip64=True) as out:
                arr = np.asarray(arr)
                arr = arr if arr.flags.c_contiguous else arr.copy(order="C")
                np.lib.format.write_array(out, arr, allow_pickle=False)
        for member, blob in (blobs or {}).items():
            zf.writestr(member, blob)
        manifest = json.dumps(meta, separators=(",", ":"))  # compact: far below its cap
        zf.writestr(META_NAME, manifest, zipfile.ZIP_DEFLATED)


def canonical_digest(meta: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``meta`` without its ``digest``, as canonical JSON (sorted keys, no
    spaces, ASCII): what a manifest's ``digest`` records."""
    body = {k: v for k, v in meta.items() if k != "digest"}
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# ---------------------------------------------------------------------- reading
def read_reference_file(
    fh: IO[bytes], label: str, limits: FileLimits | None = None
) -> ReferenceFile:
    """Read and check the reference file in ``fh`` (see the module docstring); ``label``
    names it in errors (e.g. ``"reference file 'churn.dsref'"``)."""
    limits = limits or FileLimits()
    with _zip_errors(label):
        zf = zipfile.ZipFile(fh)
    with zf, _zip_errors(label):
        infos = _check_directory(zf, label, limits)
        meta_info = infos.get(META_NAME)
        if meta_info is None:
            raise ReferenceFileError(f"{label} is not a driftscope reference file (no {META_NAME})")
        if meta_info.file_size > limits.max_manifest_bytes:
            cap = limits.max_manifest_bytes
            raise _error(
                label,
                META_NAME,
                f"is {meta_info.file_size:,} bytes, over FileLimits.max_manifest_bytes ({cap:,})",
            )
        raw = _read_member(zf, meta_info, label)
        manifest = _manifest(_parse_json(raw, label, limits), label, limits)
        _check_members(manifest, infos, label)
        arrays = {
            col.name: {
                key: _read_array(zf, infos[member], key, label, f"columns[{i}].arrays.{key}")
                for key, member in col.arrays.items()
            }
            for i, col in enumerate(manifest.columns)
            if col.kind in NUMERIC_KINDS
        }
        row_sample = None
        if manifest.row_sample is not None:
            row_sample = _read_member(zf, infos[manifest.row_sample], label)
    return ReferenceFile(manifest, arrays, row_sample)


def check_row_sample(data: bytes, label: str, limits: FileLimits) -> None:
    """Check the kept rows' Parquet footer: readable, and rows, columns and decoded size
    under the caps (the data itself is read on first use). Called once the bytes are known
    to hash to the file's version, so that a damaged file never reaches the Parquet reader."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(pa.BufferReader(data)).metadata
        groups = meta.num_row_groups
        if groups > 100_000:
            raise ValueError(f"{groups:,} row groups")
        size = sum(meta.row_group(i).total_byte_size for i in range(groups))
        rows, columns = meta.num_rows, meta.num_columns
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _error(
            label, "row_sample", f"is not a readable Parquet file ({_first_line(exc)})"
        ) from None
    cells = rows * max(columns, 1)
    if cells > limits.max_sample_cells or size > limits.max_entry_bytes:
        raise _error(
            label,
            "row_sample",
            f"declares {rows:,} rows of {columns:,} columns ({size:,} bytes decoded), over "
            f"FileLimits.max_sample_cells ({limits.max_sample_cells:,}) or max_entry_bytes",
        )


@contextmanager
def _zip_errors(label: str) -> Iterator[None]:
    """Turn what the zip reader raises on a damaged archive into a ReferenceFileError."""
    try:
        yield
    except ReferenceFileError:
        raise
    except _ZIP_ERRORS as exc:
        raise ReferenceFileError(
            f"{label} is not a readable driftscope reference file (damaged zip: {_first_line(exc)})"
        ) from None


def _check_directory(
    zf: zipfile.ZipFile, label: str, limits: FileLimits
) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    entries = zf.infolist()
    if len(entries) > limits.max_entries:
        raise ReferenceFileError(
            f"{label} has {len(entries):,} zip entries, more than {limits.max_entries:,} "
            "(FileLimits.max_columns)"
        )
    total = 0
    for info in entries:
        name = info.filename
        if name in infos:
            raise _error(label, name, "appears twice in the zip directory")
        if info.flag_bits & 0x1:
            raise _error(label, name, "is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _error(
                label,
                name,
                f"uses zip compression method {info.compress_type}; "
                "only stored (0) and deflate (8) are read",
            )
        size = info.file_size
        if size > limits.max_entry_bytes:
            cap = limits.max_entry_bytes
            raise _error(
                label,
                name,
                f"declares {size:,} bytes uncompressed, over FileLimits.max_entry_bytes ({cap:,})",
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != size:
            raise _error(label, name, "is stored uncompressed but its two sizes differ")
        if info.compress_type == zipfile.ZIP_DEFLATED and size > max(
            MiB, limits.max_ratio * info.compress_size
        ):
            raise _error(
                label,
                name,
                f"would inflate {info.compress_size:,} bytes to {size:,} "
                f"(more than FileLimits.max_ratio = {limits.max_ratio} times)",
            )
        total += size
        infos[name] = info
    if total > limits.max_total_bytes:
        raise ReferenceFileError(
            f"{label} declares {total:,} bytes uncompressed in all, over "
            f"FileLimits.max_total_bytes ({limits.max_total_bytes:,})"
        )
    return infos


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    """The whole member, never more than its declared size (a lying directory fails)."""
    with zf.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise _error(
            label,
            info.filename,
            f"holds {len(data):,} bytes where the zip directory says {info.file_size:,}",
        )
    return data


def _read_array(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, label: str, field: str
) -> np.ndarray:
    """One ``.npy`` member: header checked against the expected dtype and shape and against
    the entry's size before the data is read, then exactly that many bytes."""
    expected, ndim, _ = ARRAY_KEYS[key]
    with zf.open(info) as stream:
        head = stream.read(min(info.file_size, _NPY_HEAD))
        buffer = io.BytesIO(head)
        try:
            major, minor = np.lib.format.read_magic(buffer)
            if (major, minor) == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(buffer)
            elif (major, minor) == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(buffer)
            else:
                raise ValueError(f".npy format version {major}.{minor} is not read")
        except _NPY_ERRORS as exc:
            raise _error(
                label,
                field,
                f"member {info.filename!r} is not a valid .npy array ({_first_line(exc)})",
            ) from None
        if (
            dtype.kind + str(dtype.itemsize) != expected
            or dtype.hasobject
            or dtype.names is not None
        ):
            raise _error(
                label,
                field,
                f"has dtype {dtype.str!r}; expected {'float64' if expected == 'f8' else 'int64'}",
            )
        if len(shape) != ndim or any(d < 0 for d in shape):
            raise _error(
                label,
                field,
                f"has shape {shape}; expected {'one dimension' if ndim else 'a scalar'}",
            )
        count = math.prod(shape)
        start = buffer.tell()
        if start + count * dtype.itemsize != info.file_size:
            raise _error(
                label,
                field,
                f"declares {count:,} values ({count * dtype.itemsize:,} bytes) but member "
                f"{info.filename!r} holds {info.file_size - start:,} bytes of data",
            )
        raw = np.empty(count * dtype.itemsize, dtype=np.uint8)
        view = memoryview(raw)
        got = min(len(head) - start, len(view))
        view[:got] = head[start : start + got]
        while got < len(view):
            n = stream.readinto(view[got : got + _READ_CHUNK])
            if not n:
                raise _error(label, field, f"member {info.filename!r} ends early")
            got += n
        if stream.read(1):
            raise _error(label, field, f"member {info.filename!r} is longer than declared")
    out = raw.view(dtype)
    if not dtype.isnative:
        out = out.astype(dtype.newbyteorder("="))
    return out.reshape(shape)


def _parse_json(raw: bytes, label: str, limits: FileLimits) -> Any:
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
            raise ValueError(f"key {_show(twice[0])} appears twice in one object")
        return out

    try:
        text = raw.decode("utf-8")
        return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except RecursionError:
        raise _error(label, META_NAME, f"is nested deeper than {limits.max_depth} levels") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise _error(label, META_NAME, f"is not valid JSON ({_first_line(exc)})") from None


# ---------------------------------------------------------------------- the manifest schema
TOP_REQUIRED = {
    "format",
    "format_version",
    "version",
    "rows",
    "source",
    "fitted_at",
    "skipped",
    "columns",
    "extra",
}
TOP_OPTIONAL = {"digest", "row_sample"}
SUMMARY_KEYS = ("rows", "missing", "positive_infinite", "negative_infinite")


def _manifest(meta: Any, label: str, limits: FileLimits) -> Manifest:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ReferenceFileError(f"{label} is not a driftscope reference file")
    version = meta.get("format_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise ReferenceFileError(
            f"{label} has reference format version {_show(version)}; this driftscope reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))} (fit and save the reference "
            "again with this version)"
        )
    fields = _Fields(label)
    required = TOP_REQUIRED | ({"digest"} if version >= 2 else set())
    fields.keys(meta, "", required, TOP_OPTIONAL)
    _check_json(meta, "", fields.fail, limits.max_depth)
    content = fields.text(meta["version"], "version", pattern="0123456789abcdef", length=16)
    rows = fields.integer(meta["rows"], "rows")
    source = fields.text(meta["source"], "source")
    fitted_at = fields.time(meta["fitted_at"], "fitted_at")
    skipped = fields.mapping(meta["skipped"], "skipped")
    for name, why in skipped.items():
        fields.text(why, f"skipped.{name}")
    columns_raw = fields.array(meta["columns"], "columns")
    if len(columns_raw) + len(skipped) > limits.max_columns:
        raise fields.fail(
            "columns",
            f"holds {len(columns_raw) + len(skipped):,} columns, over FileLimits.max_columns "
            f"({limits.max_columns:,})",
        )
    columns = tuple(_column(entry, f"columns[{i}]", fields) for i, entry in enumerate(columns_raw))
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise fields.fail("columns", "names a column twice")
    extra = fields.mapping(meta["extra"], "extra")
    row_sample = meta.get("row_sample")
    if row_sample is not None:
        row_sample = fields.text(row_sample, "row_sample")
    if version >= 2:  # last: a field of the wrong type is reported as such, digest or not
        digest = fields.text(meta["digest"], "digest", pattern="0123456789abcdef", length=64)
        actual = canonical_digest(meta)
        if actual != digest:
            raise ReferenceFileError(
                f"{label} was modified: its manifest (detector settings, counts, categories "
                f"or metadata) hashes to {actual[:16]}…, not to its recorded digest {digest[:16]}…"
            )
    return Manifest(version, content, rows, source, fitted_at, skipped, columns, extra, row_sample)


def _column(entry: Any, where: str, fields: _Fields) -> ColumnEntry:
    entry = fields.mapping(entry, where)
    name = fields.text(entry.get("name"), f"{where}.name")
    kind_text = fields.text(entry.get("kind"), f"{where}.kind")
    kinds = sorted(k.value for k in NUMERIC_KINDS | CATEGORY_KINDS)
    if kind_text not in kinds:
        raise fields.fail(
            f"{where}.kind", f"is {_show(kind_text)}; expected one of {', '.join(kinds)}"
        )
    kind = ColumnKind(kind_text)
    numeric = kind in NUMERIC_KINDS
    own = {"arrays"} if numeric else {"categories", "counts"}
    fields.keys(entry, where, {"name", "kind", "summary"} | own, set())
    raw = fields.mapping(entry["summary"], f"{where}.summary")
    fields.keys(raw, f"{where}.summary", set(SUMMARY_KEYS), set())
    counts_ = [fields.integer(raw[k], f"{where}.summary.{k}") for k in SUMMARY_KEYS]
    if sum(counts_[1:]) > counts_[0]:
        raise fields.fail(f"{where}.summary", "counts more missing and infinite values than rows")
    summary = ColumnSummary(*counts_)
    if numeric:
        arrays = fields.mapping(entry["arrays"], f"{where}.arrays")
        fields.keys(
            arrays,
            f"{where}.arrays",
            {k for k, v in ARRAY_KEYS.items() if v[2]},
            {k for k, v in ARRAY_KEYS.items() if not v[2]},
        )
        members = {k: fields.text(v, f"{where}.arrays.{k}") for k, v in arrays.items()}
        return ColumnEntry(name, kind, summary, members, (), np.zeros(0, dtype=np.int64))
    categories = fields.array(entry["categories"], f"{where}.categories")
    counts = fields.array(entry["counts"], f"{where}.counts")
    if not all(type(c) is str for c in categories):  # the slow path finds the culprit
        for i, c in enumerate(categories):
            fields.text(c, f"{where}.categories[{i}]")
    cats = tuple(categories)
    if len(set(cats)) != len(cats):
        raise fields.fail(f"{where}.categories", "names a category twice")
    values = counts
    if not all(type(c) is int and 0 <= c <= MAX_INT for c in counts):
        values = [fields.integer(c, f"{where}.counts[{i}]") for i, c in enumerate(counts)]
    if len(values) != len(cats):
        raise fields.fail(f"{where}.counts", f"has {len(values)} counts for {len(cats)} categories")
    return ColumnEntry(name, kind, summary, {}, cats, np.asarray(values, dtype=np.int64))


def _check_members(manifest: Manifest, infos: Mapping[str, zipfile.ZipInfo], label: str) -> None:
    """Every member the manifest names exists, once; every member is named."""
    named = {META_NAME: "the manifest"}
    for i, col in enumerate(manifest.columns):
        for key, member in col.arrays.items():
            where = f"columns[{i}].arrays.{key}"
            if member in named:
                raise _error(label, where, f"names member {member!r}, already used")
            named[member] = where
    if manifest.row_sample is not None:
        if manifest.row_sample in named:
            raise _error(label, "row_sample", f"names member {manifest.row_sample!r}, already used")
        named[manifest.row_sample] = "row_sample"
    for member, where in named.items():
        if member not in infos:
            raise _error(label, where, f"names member {member!r}, which the file lacks")
    for member in infos:
        if member not in named:
            raise _error(label, member, "is a zip entry the manifest does not name")


class _Fields:
    """Type checks of manifest fields, each failure naming the file and the field."""

    def __init__(self, label: str):
        self.label = label

    def fail(self, field: str, problem: str) -> ReferenceFileError:
        return _error(self.label, field or "the manifest", problem)

    def keys(self, obj: dict[str, Any], where: str, required: set[str], optional: set[str]) -> None:
        missing = sorted(required - obj.keys())
        if missing:
            raise self.fail(_join(where, missing[0]), "is missing")
        unknown = sorted(obj.keys() - required - optional)
        if unknown:
            raise self.fail(
                _join(where, unknown[0]),
                "is not a field of the reference format (allowed: "
                f"{', '.join(sorted(required | optional))})",
            )

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected an object, got {_kind_of(value)}")
        return value

    def array(self, value: Any, field: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {_kind_of(value)}")
        return value

    def integer(self, value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise self.fail(field, f"expected an integer from 0 to 2**63-1, got {_show(value)}")
        return value

    def text(self, value: Any, field: str, *, pattern: str = "", length: int = 0) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected a string, got {_kind_of(value)}")
        if length and (len(value) != length or not set(value) <= set(pattern)):
            raise self.fail(
                field, f"expected {length} lowercase hexadecimal digits, got {_show(value)}"
            )
        return value

    def time(self, value: Any, field: str) -> datetime:
        text = self.text(value, field)
        try:
            stamp = datetime.fromisoformat(text) if len(text) <= 64 else None
            if stamp is not None and stamp.tzinfo is not None:
                return stamp.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
        raise self.fail(field, f"expected an ISO 8601 time with a UTC offset, got {_show(value)}")


def _check_json(value: Any, field: str, fail: Any, max_depth: int) -> int:
    """Walk ``value`` (iteratively): plain JSON types only, finite numbers, at most
    ``max_depth`` levels. ``fail(field, problem)`` builds the error. Returns the depth."""
    deepest = 0
    stack = [(value, field, 1)]
    while stack:
        item, where, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > max_depth:
            raise _raise(fail, where, f"is nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise _raise(fail, where, f"has a key that is not a string: {_show(key)}")
                if isinstance(sub, dict | list):
                    stack.append((sub, _join(where, key), depth + 1))
                else:
                    _scalar(sub, _join(where, key), fail)
        elif isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                if isinstance(sub, dict | list | tuple):
                    stack.append((sub, f"{where}[{i}]", depth + 1))
                else:
                    _scalar(sub, f"{where}[{i}]", fail)
        else:
            _scalar(item, where, fail)
    return deepest


def _scalar(value: Any, where: str, fail: Any) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    raise _raise(
        fail,
        where,
        f"holds {_show(value)}, not a plain JSON value (string, finite number, true, "
        "false, null, list or object)",
    )


def _raise(fail: Any, where: str, problem: str) -> Exception:
    if isinstance(fail, type):  # an error class: writing, where the caller passed the value
        return fail(f"{where or 'the value'}: {problem}")
    return fail(where, problem)


def _error(label: str, field: str, problem: str) -> ReferenceFileError:
    return ReferenceFileError(f"{label}: {_show_name(field)}: {problem}")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _show_name(field: str) -> str:
    return f"field {field!r}" if len(field) <= 120 else f"field {field[:117]!r}…"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _show(value)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 200 and line.isprintable() else _show(line)
