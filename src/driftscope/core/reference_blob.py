"""A fitted reference as a store keeps it: versioned bytes, and the little read from them.

A store saves baselines without knowing how they are fitted or decoded: it needs a
:class:`StorableReference` (a content ``version``, ``rows``, ``columns`` and the bytes of
its ``.dsref`` file from ``to_bytes()``), and it gives back a :class:`ReferenceBlob`: those
bytes with what the store recorded about them and a ``label`` saying where they were read
from. Decoding a blob, with every check of the file format, is the drift layer's work
(``driftscope.drift.reference.Reference.from_blob``).

Where a store has only the bytes (a catalog rebuilt from the files), :func:`read_header`
reads the version, rows and column names from the file's manifest: a zip member
``reference.json`` holding ``format`` (``"driftscope-reference"``), ``version``, ``rows``
and ``columns`` (objects with a ``name``). It reads nothing else and checks only those
fields, with a :class:`~driftscope.errors.ReferenceFileError` naming the blob and the field
on failure; that the content hashes to the version is checked when the blob is decoded.

>>> import io, json, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as zf:
...     zf.writestr("reference.json", json.dumps({"format": "driftscope-reference",
...         "version": "3f2a9c0d1e2b4a5c", "rows": 9, "columns": [{"name": "age"}]}))
>>> read_header(buffer.getvalue(), "churn.dsref")
ReferenceHeader(version='3f2a9c0d1e2b4a5c', rows=9, columns=('age',))
>>> read_header(b"PK not a zip", "churn.dsref")
Traceback (most recent call last):
...
driftscope.errors.ReferenceFileError: churn.dsref is not a readable ... (damaged zip: ...)
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from driftscope.errors import ConfigError, ReferenceFileError, safe_repr

#: ``format`` of a reference file's manifest
REFERENCE_FORMAT = "driftscope-reference"
#: the zip member holding the manifest
MANIFEST_NAME = "reference.json"
#: the largest manifest read (the default cap of the full reader too)
MAX_MANIFEST_BYTES = 64 << 20

#: what the zip and zlib readers raise on a damaged or truncated archive
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    OverflowError,
    struct.error,
    NotImplementedError,
    ValueError,
)


@runtime_checkable
class StorableReference(Protocol):
    """What a store needs to keep a fitted baseline: ``version`` (its content hash: the same
    content, the same version), ``rows`` fitted on, ``columns`` (the fitted column names;
    a mapping keyed by name will do) and ``to_bytes()``, the content of its ``.dsref`` file.
    ``driftscope.Reference`` is one.

    >>> import numpy as np, driftscope as ds
    >>> isinstance(ds.Reference.fit({"x": np.arange(3.0)}), StorableReference)
    True
    """

    @property
    def version(self) -> str: ...

    @property
    def rows(self) -> int: ...

    @property
    def columns(self) -> Collection[str]: ...

    def to_bytes(self) -> bytes: ...


@dataclass(frozen=True)
class ReferenceHeader:
    """The version, rows and column names of a reference: what a store lists about it.

    >>> class Tiny:
    ...     version, rows, columns = "00ff", 3, ("x",)
    ...     def to_bytes(self): return b""
    >>> ReferenceHeader.of(Tiny())
    ReferenceHeader(version='00ff', rows=3, columns=('x',))
    >>> ReferenceHeader.of(object())
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: a reference to store needs version, rows, ... got object
    """

    version: str
    rows: int
    columns: tuple[str, ...]

    @classmethod
    def of(cls, reference: StorableReference) -> ReferenceHeader:
        """The header of ``reference`` (a :class:`StorableReference`), its fields checked:
        a :class:`~driftscope.errors.ConfigError` says which is wrong."""
        if not isinstance(reference, StorableReference):
            raise ConfigError(
                "a reference to store needs version, rows, columns and to_bytes() (a fitted "
                f"driftscope.Reference), got {type(reference).__name__}"
            )
        version, rows, columns = reference.version, reference.rows, reference.columns
        if not isinstance(version, str) or not version:
            raise ConfigError(f"a reference's version must be non-empty text, got {version!r}")
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise ConfigError(f"a reference's rows must be an int >= 0, got {rows!r}")
        names = tuple(columns)
        if not all(isinstance(name, str) for name in names):
            raise ConfigError("a reference's columns must be names (text)")
        return cls(version, rows, names)


@dataclass(frozen=True)
class ReferenceBlob:
    """A stored reference as a store gives it back: the ``data`` of its ``.dsref`` file
    with what the store recorded when it was saved (``model``, ``version``, ``rows``,
    ``columns``, ``stored_at``, ``note``) and ``label``, where it was read from (a file
    path, a table), for errors. The store checks only what it can without decoding; decode
    with ``driftscope.Reference.from_blob(blob)``, which checks the whole file.

    >>> import tempfile, numpy as np, driftscope as ds
    >>> with ds.open_store(tempfile.mkdtemp()) as store:
    ...     _ = store.save_reference("churn", ds.Reference.fit({"age": np.arange(9.0)}))
    ...     blob = store.load_reference("churn")
    >>> blob.model, blob.rows, blob.columns, blob.data[:2]
    ('churn', 9, ('age',), b'PK')
    >>> ds.Reference.from_blob(blob).version == blob.version
    True
    """

    model: str
    version: str
    rows: int
    columns: tuple[str, ...]
    data: bytes = field(repr=False)
    label: str
    stored_at: datetime | None = None
    note: str = ""

    def header(self) -> ReferenceHeader:
        """What the store recorded, read from ``data``'s manifest instead
        (:func:`read_header`)."""
        return read_header(self.data, self.label)


def read_header(data: bytes, label: str = "reference blob") -> ReferenceHeader:
    """The version, rows and column names recorded in the manifest of the ``.dsref`` file
    whose bytes are ``data``; ``label`` names it in errors. A damaged, truncated or foreign
    file, or a manifest field of the wrong type, is a
    :class:`~driftscope.errors.ReferenceFileError` naming ``label`` (and the field).
    Nothing but the manifest is read (see the module docstring).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ConfigError(f"a reference file's content must be bytes, got {type(data).__name__}")
    with zip_errors(label), zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            info = zf.getinfo(MANIFEST_NAME)
        except KeyError:
            raise ReferenceFileError(
                f"{label} is not a driftscope reference file (no {MANIFEST_NAME})"
            ) from None
        if info.file_size > MAX_MANIFEST_BYTES:
            raise _field_error(
                label,
                MANIFEST_NAME,
                f"is {info.file_size:,} bytes, over the {MAX_MANIFEST_BYTES:,} a manifest may hold",
            )
        with zf.open(info) as stream:
            raw = stream.read(info.file_size + 1)  # never more than declared, plus one
    if len(raw) != info.file_size:
        raise _field_error(
            label,
            MANIFEST_NAME,
            f"holds {len(raw):,} bytes where the zip directory says {info.file_size:,}",
        )
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise _field_error(label, MANIFEST_NAME, f"is not valid JSON ({first_line(exc)})") from None
    if not isinstance(meta, dict) or meta.get("format") != REFERENCE_FORMAT:
        raise ReferenceFileError(f"{label} is not a driftscope reference file")
    return ReferenceHeader(
        _text(meta, "version", label), _count(meta, "rows", label), _names(meta, label)
    )


def _text(meta: dict[str, Any], key: str, label: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value:
        raise _field_error(label, key, f"expected non-empty text, got {_short(value)}")
    return value


def _count(meta: dict[str, Any], key: str, label: str) -> int:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _field_error(label, key, f"expected an integer >= 0, got {_short(value)}")
    return value


def _names(meta: dict[str, Any], label: str) -> tuple[str, ...]:
    entries = meta.get("columns")
    if not isinstance(entries, list):
        raise _field_error(label, "columns", f"expected a list, got {_short(entries)}")
    names = []
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            raise _field_error(label, f"columns[{i}].name", f"expected text, got {_short(name)}")
        names.append(name)
    return tuple(names)


def _field_error(label: str, field: str, problem: str) -> ReferenceFileError:
    return ReferenceFileError(f"{label}: field {field!r}: {problem}")


def _short(value: Any) -> str:
    text = "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else ""
    text = text or repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


@contextmanager
def zip_errors(label: str) -> Iterator[None]:
    """Turn what the zip reader raises on a damaged archive into a
    :class:`~driftscope.errors.ReferenceFileError` naming ``label``.

    >>> with zip_errors("ref.dsref"):
    ...     zipfile.ZipFile(io.BytesIO(b"not a zip"))
    Traceback (most recent call last):
    ...
    driftscope.errors.ReferenceFileError: ref.dsref is not a readable driftscope reference file ...
    """
    try:
        yield
    except ReferenceFileError:
        raise
    except ZIP_ERRORS as exc:
        raise ReferenceFileError(
            f"{label} is not a readable driftscope reference file (damaged zip: {first_line(exc)})"
        ) from None


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message (its type's name when empty), quoted safely when
    long or unprintable, for an error message.

    >>> first_line(ValueError("bad\\nmore")), first_line(KeyError())
    ('bad', 'KeyError')
    """
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 200 and line.isprintable() else safe_repr(line)
