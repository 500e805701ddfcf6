"""Sources backed by files: parquet (one file or a directory) and CSV.

- ``.parquet``/``.pq`` file: the schema and row count come from the footer; each column
  is read on request with ``ParquetFile.read(columns=[name])``.
- directory (or a path that is one, such as Spark's ``x.parquet/``): every parquet file in
  it through :mod:`pyarrow.dataset` with hive partitioning (``key=value`` folders become
  columns); files starting with ``_`` or ``.`` are ignored. Every file must have the same
  columns: a file with other columns (another table dropped in the folder) is a
  :class:`~driftscope.errors.DataError` naming it, never merged with missing values; a
  folder without a parquet file is one too.
- ``.csv``/``.csv.gz``: read once with :mod:`pyarrow.csv` (types inferred by arrow; empty
  fields and the usual NA markers such as ``NA``, ``null``, ``NaN`` are missing), then
  handed out column by column. Rows are counted from 0 at the first line after the header.
  A file that is not text (a NUL byte in its first 64 KiB: a parquet, zip or other binary
  file named ``.csv``) is refused with a message that says so, not with its bytes.

Index columns stored by pandas (``__index_level_0__`` and named indexes listed in the pandas
metadata) are not data and are left out.

>>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.parquet"
>>> pq.write_table(pa.table({"a": [1, 2, 3]}), path)
>>> src = open_file(path, role="data")
>>> src.columns, src.rows, src.load("a").to_pylist()
(('a',), 3, [1, 2, 3])
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from driftscope.data.messages import data_error, name_list, the_data
from driftscope.data.sources import Source, check_unique
from driftscope.errors import DataError

PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".csv.gz")
SNIFF_BYTES = 65_536  # how much of a CSV file is looked at for binary content
ERROR_CHARS = 200  # a reader's message quotes the data: at most this much of it is shown


def open_file(path: str | os.PathLike[str], *, role: str) -> Source:
    """The :class:`Source` for a parquet file, a directory of parquet files or a CSV file.

    >>> open_file("no/such/file.csv", role="production")
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: the production data file 'no/such/file.csv' does not exist
    """
    target = Path(path)
    if not target.exists():
        raise DataError(f"{the_data(role)} file {str(path)!r} does not exist")
    if target.is_dir():
        return _parquet_directory(target, role=role)
    lowered = target.name.lower()
    if lowered.endswith(PARQUET_SUFFIXES):
        return _parquet_file(target, role=role)
    if lowered.endswith(CSV_SUFFIXES):
        return _csv_file(target, role=role)
    raise DataError(
        f"{the_data(role)} file {str(path)!r} has an unsupported type; expected "
        f"{', '.join(PARQUET_SUFFIXES + CSV_SUFFIXES)} or a directory of parquet files"
    )


def _index_columns(schema: pa.Schema) -> set[str]:
    metadata = schema.pandas_metadata or {}
    stored = {c for c in metadata.get("index_columns", []) if isinstance(c, str)}
    return stored | {n for n in schema.names if n.startswith("__index_level_")}


def _data_names(schema: pa.Schema, *, role: str) -> tuple[str, ...]:
    index = _index_columns(schema)
    names = [name for name in schema.names if name not in index]
    check_unique(names, role=role)
    return tuple(names)


def _reader(read: Any, path: Path, role: str) -> Any:
    """Wrap a column reader so that I/O and decoding errors name the file and the column."""

    def load(name: str) -> pa.ChunkedArray:
        try:
            return read(name)
        except (OSError, pa.ArrowException) as error:
            raise data_error(
                f"cannot be read from {the_data(role)} file '{path}': {error}", column=name
            ) from error

    return load


def _parquet_file(path: Path, *, role: str) -> Source:
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        rows = parquet.metadata.num_rows
    except (OSError, pa.ArrowException) as error:
        raise DataError(
            f"cannot read {the_data(role)} file '{path}' as parquet: {error}"
        ) from error

    def read(name: str) -> pa.ChunkedArray:
        return parquet.read(columns=[name], use_pandas_metadata=False).column(0)

    return Source(
        f"parquet file {path}", _data_names(schema, role=role), rows, _reader(read, path, role)
    )


def _parquet_directory(path: Path, *, role: str) -> Source:
    try:
        dataset = pads.dataset(path, format="parquet", partitioning="hive")
        if not dataset.files:
            raise DataError(
                f"{the_data(role)} directory '{path}' holds no parquet file (files whose "
                "name starts with '_' or '.' are ignored)"
            )
        _same_columns(dataset, path, role=role)
        rows = dataset.count_rows()
    except (OSError, pa.ArrowException) as error:
        raise DataError(
            f"cannot read {the_data(role)} directory '{path}' as parquet files: {_shortened(error)}"
        ) from error

    def read(name: str) -> pa.ChunkedArray:
        return dataset.to_table(columns=[name]).column(0)

    names = _data_names(dataset.schema, role=role)
    types = {name: dataset.schema.field(name).type for name in names}
    return Source(f"parquet directory {path}", names, rows, _reader(read, path, role), types)


def _same_columns(dataset: pads.FileSystemDataset, path: Path, *, role: str) -> None:
    """Refuse a directory whose files do not all have the first file's columns (pyarrow
    would take the first file's schema and fill the others' gaps with missing values)."""
    first: tuple[str, set[str]] | None = None
    for fragment in dataset.get_fragments():
        schema = fragment.physical_schema
        columns = set(schema.names) - _index_columns(schema)
        name = os.path.relpath(fragment.path, path)
        if first is None:
            first = (name, columns)
            continue
        if columns != first[1]:
            missing, extra = sorted(first[1] - columns), sorted(columns - first[1])
            differs = [f"lacks {name_list(missing)}"] if missing else []
            differs += [f"has {name_list(extra)}"] if extra else []
            raise DataError(
                f"{the_data(role)} directory '{path}' mixes files with different columns: "
                f"'{name}' {' and '.join(differs)}, unlike '{first[0]}'; keep one table per "
                "directory"
            )


def _csv_file(path: Path, *, role: str) -> Source:
    if path.stat().st_size == 0:
        raise DataError(f"{the_data(role)} is empty (0 rows): file '{path}' has no content")
    _text_only(path, role=role)
    options = pacsv.ConvertOptions(strings_can_be_null=True)
    try:
        table = pacsv.read_csv(path, convert_options=options)
    except (OSError, pa.ArrowException) as error:
        raise DataError(
            f"cannot read {the_data(role)} file '{path}' as CSV: {_shortened(error)}"
        ) from error
    names = list(table.column_names)
    check_unique(names, role=role)
    return Source(f"csv file {path}", tuple(names), table.num_rows, table.column)


def _text_only(path: Path, *, role: str) -> None:
    """Refuse a binary file named ``.csv``: its bytes would end up in the message."""
    try:
        with gzip.open(path) if path.name.lower().endswith(".gz") else open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise DataError(f"cannot read {the_data(role)} file '{path}': {error}") from error
    nul = head.find(b"\x00")
    if nul < 0:
        return
    kind = "a parquet file" if head.startswith(b"PAR1") else "binary data"
    raise DataError(
        f"{the_data(role)} file '{path}' is not a CSV text file: it holds {kind} (a NUL "
        f"byte at byte {nul}); give a CSV file, or name a parquet file .parquet"
    )


def _shortened(error: Exception) -> str:
    """A reader's message, which may quote the data, cut to :data:`ERROR_CHARS`."""
    text = " ".join(str(error).split())
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"
