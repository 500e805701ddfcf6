"""The reference file (``.dsref``): its layout, its limits and the checks it passes on reading.

A reference file is a zip archive of

* ``reference.json``, the manifest: ``format`` and ``format_version``; ``version``, the
  content hash of the fitted columns and kept rows; ``digest``, the SHA-256 of the manifest
  itself (canonical JSON, every field but ``digest``); ``rows``, ``source``, ``fitted_at``,
  ``skipped``; one entry per fitted column (name, kind, row counts, and either the names of
  its arrays or its categories and counts, and the counts of any levels left out past
  ``max_categories``); ``extra``, the settings of the detector that saved it; and the name
  of the kept rows' member;
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

The manifest's layout and schema are in :mod:`driftscope.drift.reference_manifest`.

>>> FileLimits().max_entry_bytes // (1 << 30), FileLimits().max_depth
(4, 24)
"""

from __future__ import annotations

import io
import json
import math
import tokenize
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from driftscope.core.kinds import NUMERIC_KINDS
from driftscope.core.reference_blob import MAX_MANIFEST_BYTES, first_line, zip_errors
from driftscope.drift.reference_manifest import (
    ARRAY_KEYS,
    FORMAT_VERSION,
    META_NAME,
    Manifest,
    canonical_digest,
    check_json,
    field_error,
    parse_manifest,
    short_repr,
)
from driftscope.errors import ConfigError, ReferenceFileError

ROW_SAMPLE_NAME = "row_sample.parquet"
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


@dataclass(frozen=True)
class FileLimits:
    """Caps a reference file must stay under when read; raise them for a very large baseline.

    >>> FileLimits().max_manifest_bytes // (1 << 20), FileLimits(max_ratio=10).max_ratio
    (64, 10)
    """

    #: the manifest (JSON) uncompressed
    max_manifest_bytes: int = MAX_MANIFEST_BYTES
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
        """Zip entries allowed: the manifest, the kept rows and every array of
        :attr:`max_columns` numerical columns.

        >>> FileLimits(max_columns=10).max_entries
        52
        """
        return 1 + len(ARRAY_KEYS) * self.max_columns + 1


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
    check_json(meta.get("extra", {}), "extra", ConfigError, FileLimits().max_depth - 1)
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


# ---------------------------------------------------------------------- reading
def read_reference_file(
    fh: IO[bytes], label: str, limits: FileLimits | None = None
) -> ReferenceFile:
    """Read and check the reference file in ``fh`` (see the module docstring); ``label``
    names it in errors (e.g. ``"reference file 'churn.dsref'"``); see :class:`ReferenceFile`
    for a file that passes.

    >>> read_reference_file(io.BytesIO(b"not a zip"), "reference file 'x.dsref'")
    Traceback (most recent call last):
    ...
    driftscope.errors.ReferenceFileError: reference file 'x.dsref' ... (damaged zip: ...)
    """
    limits = limits or FileLimits()
    with zip_errors(label):
        zf = zipfile.ZipFile(fh)
    with zf, zip_errors(label):
        infos = _check_directory(zf, label, limits)
        meta_info = infos.get(META_NAME)
        if meta_info is None:
            raise ReferenceFileError(f"{label} is not a driftscope reference file (no {META_NAME})")
        if meta_info.file_size > limits.max_manifest_bytes:
            cap = limits.max_manifest_bytes
            raise field_error(
                label,
                META_NAME,
                f"is {meta_info.file_size:,} bytes, over FileLimits.max_manifest_bytes ({cap:,})",
            )
        raw = _read_member(zf, meta_info, label)
        manifest = parse_manifest(
            _parse_json(raw, label, limits),
            label,
            max_columns=limits.max_columns,
            max_depth=limits.max_depth,
            max_left_out=limits.max_entry_bytes // 8,
        )
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
    to hash to the file's version, so that a damaged file never reaches the Parquet reader.

    >>> check_row_sample(b"not parquet", "x.dsref", FileLimits())
    Traceback (most recent call last):
    ...
    driftscope.errors.ReferenceFileError: x.dsref: field 'row_sample': is not a readable Parquet...
    """
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
        raise field_error(
            label, "row_sample", f"is not a readable Parquet file ({first_line(exc)})"
        ) from None
    cells = rows * max(columns, 1)
    if cells > limits.max_sample_cells or size > limits.max_entry_bytes:
        raise field_error(
            label,
            "row_sample",
            f"declares {rows:,} rows of {columns:,} columns ({size:,} bytes decoded), over "
            f"FileLimits.max_sample_cells ({limits.max_sample_cells:,}) or max_entry_bytes",
        )


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
            raise field_error(label, name, "appears twice in the zip directory")
        if info.flag_bits & 0x1:
            raise field_error(label, name, "is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise field_error(
                label,
                name,
                f"uses zip compression method {info.compress_type}; "
                "only stored (0) and deflate (8) are read",
            )
        size = info.file_size
        if size > limits.max_entry_bytes:
            cap = limits.max_entry_bytes
            raise field_error(
                label,
                name,
                f"declares {size:,} bytes uncompressed, over FileLimits.max_entry_bytes ({cap:,})",
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != size:
            raise field_error(label, name, "is stored uncompressed but its two sizes differ")
        if info.compress_type == zipfile.ZIP_DEFLATED and size > max(
            MiB, limits.max_ratio * info.compress_size
        ):
            raise field_error(
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
        raise field_error(
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
        assert isinstance(stream, io.BufferedIOBase)  # a ZipExtFile, which has readinto
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
            raise field_error(
                label,
                field,
                f"member {info.filename!r} is not a valid .npy array ({first_line(exc)})",
            ) from None
        if (
            dtype.kind + str(dtype.itemsize) != expected
            or dtype.hasobject
            or dtype.names is not None
        ):
            raise field_error(
                label,
                field,
                f"has dtype {dtype.str!r}; expected {'float64' if expected == 'f8' else 'int64'}",
            )
        if len(shape) != ndim or any(d < 0 for d in shape):
            raise field_error(
                label,
                field,
                f"has shape {shape}; expected {'one dimension' if ndim else 'a scalar'}",
            )
        count = math.prod(shape)
        start = buffer.tell()
        if start + count * dtype.itemsize != info.file_size:
            raise field_error(
                label,
                field,
                f"declares {count:,} values ({count * dtype.itemsize:,} bytes) but member "
                f"{info.filename!r} holds {info.file_size - start:,} bytes of data",
            )
        raw = np.empty(count * dtype.itemsize, dtype=np.uint8)
        view = raw.data  # a writable memoryview of raw's bytes
        got = min(len(head) - start, len(view))
        view[:got] = head[start : start + got]
        while got < len(view):
            n = stream.readinto(view[got : got + _READ_CHUNK])
            if not n:
                raise field_error(label, field, f"member {info.filename!r} ends early")
            got += n
        if stream.read(1):
            raise field_error(label, field, f"member {info.filename!r} is longer than declared")
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
            for key, _ in pairs:
                if key in seen:
                    raise ValueError(f"key {short_repr(key)} appears twice in one object")
                seen.add(key)
        return out

    try:
        text = raw.decode("utf-8")
        return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except RecursionError:
        raise field_error(
            label, META_NAME, f"is nested deeper than {limits.max_depth} levels"
        ) from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise field_error(label, META_NAME, f"is not valid JSON ({first_line(exc)})") from None


def _check_members(manifest: Manifest, infos: Mapping[str, zipfile.ZipInfo], label: str) -> None:
    """Every member the manifest names exists, once; every member is named."""
    named = {META_NAME: "the manifest"}
    for i, col in enumerate(manifest.columns):
        for key, member in col.arrays.items():
            where = f"columns[{i}].arrays.{key}"
            if member in named:
                raise field_error(label, where, f"names member {member!r}, already used")
            named[member] = where
    if manifest.row_sample is not None:
        if manifest.row_sample in named:
            raise field_error(
                label, "row_sample", f"names member {manifest.row_sample!r}, already used"
            )
        named[manifest.row_sample] = "row_sample"
    for member, where in named.items():
        if member not in infos:
            raise field_error(label, where, f"names member {member!r}, which the file lacks")
    for member in infos:
        if member not in named:
            raise field_error(label, member, "is a zip entry the manifest does not name")
