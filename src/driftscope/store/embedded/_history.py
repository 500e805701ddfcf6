"""Reference baselines and check results of the embedded store, kept through the catalog.

References are files ``references/<model>/<version>.dsref`` (the bytes of the saved
reference's ``to_bytes()``, written atomically and durably) plus one catalog row per
(model, version): when it was first stored, and a sequence number bumped each time it is
saved, so the last saved one is current and the history lists each version once, in the
order first stored; loading one gives the file's bytes back as a
:class:`~driftscope.core.reference_blob.ReferenceBlob` labelled with its path, undecoded.
Check results are catalog rows keyed by (model, check, window, metric) and upserted. A
catalog rebuilt from the files lists the reference files again, reading only their headers
(:func:`rebuild_references`); check results live in the catalog only (a run of the checks
computes them again).

>>> details_json({"n": np.int64(3), "cols": np.array(["a"])})
'{"cols": ["a"], "n": 3}'
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd

from driftscope.core.checks import CHECK_FIELDS, CHECK_TIME_FIELDS, CheckRecord
from driftscope.core.reference_blob import (
    ReferenceBlob,
    ReferenceHeader,
    StorableReference,
    read_header,
)
from driftscope.errors import ConfigError, DriftscopeError, StoreError
from driftscope.store._span import from_us, to_us
from driftscope.store.base import ReferenceRecord
from driftscope.store.embedded._catalog import Catalog
from driftscope.store.embedded._segments import StoreHome, write_durably


# ---------------------------------------------------------------------- references
def save_reference(
    catalog: Catalog, home: StoreHome, model: str, reference: StorableReference, note: str
) -> ReferenceRecord:
    header = ReferenceHeader.of(reference)
    version = header.version
    dest = home.reference_path(model, version)
    if not dest.is_file():
        write_durably(reference.to_bytes(), dest, home.tmp)
    now = to_us(datetime.now(UTC))
    with catalog.write() as conn:
        seq = conn.execute(
            "SELECT coalesce(max(saved_seq), 0) + 1 FROM reference_versions WHERE model = ?",
            (model,),
        ).fetchone()[0]
        row = conn.execute(
            "SELECT stored_at, note FROM reference_versions WHERE model = ? AND version = ?",
            (model, version),
        ).fetchone()
        if row is None:
            _insert_version(conn, home, model, header, dest, now, note, seq)
            stored_at, kept_note = now, note
        else:
            stored_at, kept_note = row[0], note or row[1]
            conn.execute(
                "UPDATE reference_versions SET saved_seq = ?, note = ? "
                "WHERE model = ? AND version = ?",
                (seq, kept_note, model, version),
            )
    return ReferenceRecord(
        model, version, from_us(stored_at), header.rows, header.columns, kept_note
    )


def _insert_version(
    conn: sqlite3.Connection,
    home: StoreHome,
    model: str,
    header: ReferenceHeader,
    path: Path,
    stored_at: int,
    note: str,
    seq: int,
) -> int:
    """Record the reference described by ``header`` (its file at ``path``) as a version of
    ``model``, first and last saved at ``seq``; 1, or 0 when that version is already
    recorded."""
    return conn.execute(
        "INSERT INTO reference_versions (model, version, path, stored_at, rows, columns, "
        "note, first_seq, saved_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (model, version) DO NOTHING",
        (model, header.version, home.relative(path), stored_at, header.rows,
         json.dumps(header.columns), note, seq, seq),
    ).rowcount  # fmt: skip


def rebuild_references(catalog: Catalog, home: StoreHome) -> int:
    """List again, in a rebuilt catalog, the reference files under ``references/`` that it
    lacks; returns how many. Their model comes from the folder name (a long name shortened
    with a hash cannot be recovered: left unlisted), their version, rows and columns from
    the file's header (:func:`~driftscope.core.reference_blob.read_header`: the rest of the
    file is checked when it is decoded); a file whose header does not read is left alone.
    Notes are not in the files: they start empty, and the current reference is the one
    stored last (file time)."""
    found = []
    for folder in sorted((home.root / "references").glob("*")):
        if not folder.is_dir() or "~" in folder.name:
            continue
        model = unquote(folder.name)
        for path in sorted(folder.glob("*.dsref")):
            try:
                header = read_header(path.read_bytes(), str(path))
                stored_at = int(path.stat().st_mtime * 1e6)
            except (OSError, DriftscopeError):
                continue
            if path != home.reference_path(model, header.version):
                continue  # not where this store would keep it: not ours to list
            found.append((stored_at, model, header, path))
    found.sort(key=lambda item: (item[0], item[1], item[3].name))
    added = 0
    with catalog.write() as conn:
        for seq, (stored_at, model, header, path) in enumerate(found, start=1):
            added += _insert_version(conn, home, model, header, path, stored_at, "", seq)
    return added


def load_reference(
    catalog: Catalog, home: StoreHome, model: str, version: str | None
) -> ReferenceBlob:
    columns = "version, path, stored_at, rows, columns, note"
    with catalog.connection() as conn:
        if version is None:
            row = conn.execute(
                f"SELECT {columns} FROM reference_versions WHERE model = ? "
                "ORDER BY saved_seq DESC LIMIT 1",
                (model,),
            ).fetchone()
        else:
            row = conn.execute(
                f"SELECT {columns} FROM reference_versions WHERE model = ? AND version = ?",
                (model, version),
            ).fetchone()
    if row is None:
        if version is None:
            raise StoreError(f"model {model!r} has no stored reference (version: current)")
        raise StoreError(f"model {model!r} has no stored reference version {version!r}")
    found, relative, stored_at, rows, names, note = row
    path = home.absolute(relative)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise StoreError(f"reference {found!r} of model {model!r}: file {path} is missing") from exc
    except OSError as exc:
        raise StoreError(
            f"reference {found!r} of model {model!r}: cannot read {path}: {exc}"
        ) from exc
    return ReferenceBlob(
        model, found, rows, tuple(json.loads(names)), data, str(path), from_us(stored_at), note
    )


def reference_history(catalog: Catalog, model: str) -> list[ReferenceRecord]:
    with catalog.connection() as conn:
        rows = conn.execute(
            "SELECT version, stored_at, rows, columns, note FROM reference_versions "
            "WHERE model = ? ORDER BY first_seq",
            (model,),
        ).fetchall()
    return [
        ReferenceRecord(model, v, from_us(at), n, tuple(json.loads(cols)), note)
        for v, at, n, cols, note in rows
    ]


# ---------------------------------------------------------------------- check results
def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def details_json(details: dict[str, Any]) -> str:
    """``details`` as JSON text; numpy values become plain numbers and lists."""
    return json.dumps(details, default=_plain, sort_keys=True)


def write_check_results(catalog: Catalog, records: Sequence[CheckRecord]) -> None:
    rows = []
    for rec in records:
        if not isinstance(rec, CheckRecord):
            raise ConfigError(
                f"check results must be CheckRecord objects, got {type(rec).__name__}"
            )
        value = math.nan if rec.value is None else float(rec.value)
        rows.append(
            (
                rec.model,
                rec.check,
                to_us(rec.window_start),
                to_us(rec.window_end),
                rec.metric,
                None if math.isnan(value) else value,
                rec.threshold,
                rec.status,
                rec.baseline_version,
                details_json(rec.details),
                to_us(rec.computed_at),
            )
        )
    if not rows:
        return
    with catalog.write() as conn:
        conn.executemany(
            "INSERT INTO check_results (model, check_name, window_start, window_end, metric, "
            "value, threshold, status, baseline_version, details, computed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (model, check_name, window_start, window_end, metric) DO UPDATE SET "
            "value = excluded.value, threshold = excluded.threshold, status = excluded.status, "
            "baseline_version = excluded.baseline_version, details = excluded.details, "
            "computed_at = excluded.computed_at",
            rows,
        )


def read_check_results(
    catalog: Catalog,
    model: str,
    *,
    check: str | None,
    metric: str | None,
    since: int | None,
    until: int | None,
) -> pd.DataFrame:
    sql = [
        "SELECT model, check_name, window_start, window_end, metric, value, threshold, status, "
        "baseline_version, details, computed_at FROM check_results WHERE model = ?"
    ]
    args: list[object] = [model]
    for clause, value in (
        ("check_name = ?", check),
        ("metric = ?", metric),
        ("window_start >= ?", since),
        ("window_start < ?", until),
    ):
        if value is not None:
            sql.append(f"AND {clause}")
            args.append(value)
    sql.append("ORDER BY window_start, check_name, metric")
    with catalog.connection() as conn:
        rows = conn.execute(" ".join(sql), args).fetchall()
    return check_frame(rows)


def check_frame(rows: list[tuple]) -> pd.DataFrame:
    """Catalog rows -> the DataFrame of :meth:`Store.read_check_results`."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(CHECK_FIELDS)
    data: dict[str, Any] = {}
    for name, values in zip(CHECK_FIELDS, columns, strict=True):
        if name in CHECK_TIME_FIELDS:
            stamps = np.array(values, dtype=np.int64).astype("datetime64[us]")
            data[name] = pd.Series(stamps).dt.tz_localize("UTC")
        elif name in ("value", "threshold"):
            data[name] = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        elif name == "details":
            data[name] = pd.Series([json.loads(v) for v in values], dtype=object)
        else:
            data[name] = pd.Series(list(values), dtype=object)
    return pd.DataFrame(data)
