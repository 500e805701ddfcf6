"""Check results in PostgreSQL: the upsert, the read, and the JSON codec of ``details``.

``details`` is kept as ``jsonb`` so dashboards can query it. JSON has no NaN or infinity,
so a non-finite float is stored as ``{"$float": "NaN"}`` (or ``"Infinity"``,
``"-Infinity"``) and decoded back; NumPy scalars become Python numbers, datetimes ISO text.
PostgreSQL text cannot hold NUL: in names and text (a category seen in the data, say) it
becomes U+FFFD, as in prediction records.

>>> encode_details({"p": float("nan"), "n": 3, "top": ("a", "b")}, "churn/drift/score")
{'p': {'$float': 'NaN'}, 'n': 3, 'top': ['a', 'b']}
>>> decode_details({"p": {"$float": "-Infinity"}, "n": [1, {"$float": "NaN"}]})
{'p': -inf, 'n': [1, nan]}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from driftscope.core.checks import CHECK_FIELDS, CHECK_TIME_FIELDS, CheckRecord
from driftscope.errors import ConfigError
from driftscope.store.postgres._columns import storable_name

if TYPE_CHECKING:
    import psycopg

    from driftscope.store.postgres._rows import Schema

FLOAT_KEY = "$float"
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def encode_details(value: Any, where: str) -> Any:
    """``value`` made JSON-ready (see the module docstring); ``where`` names it in errors."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return storable_name(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {
            FLOAT_KEY: "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        }
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {
            storable_name(str(k)): encode_details(v, f"{where}[{k!r}]") for k, v in value.items()
        }
    if isinstance(value, list | tuple | np.ndarray):
        return [encode_details(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ConfigError(f"check result {where}: a {type(value).__name__} cannot be stored as JSON")


def decode_details(value: Any) -> Any:
    """The inverse of :func:`encode_details` (dates stay ISO text)."""
    if isinstance(value, dict):
        if len(value) == 1 and value.get(FLOAT_KEY) in _NON_FINITE:
            return _NON_FINITE[value[FLOAT_KEY]]
        return {k: decode_details(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_details(v) for v in value]
    return value


def upsert(conn: psycopg.Connection, s: Schema, records: Sequence[CheckRecord]) -> None:
    """Insert or replace ``records`` (the caller holds the transaction)."""
    from psycopg.types.json import Jsonb

    latest: dict[tuple[Any, ...], CheckRecord] = {}
    for rec in records:  # one statement may not touch a row twice: the last record wins
        check, metric = storable_name(rec.check), storable_name(rec.metric)
        latest[(rec.model, check, rec.window_start, rec.window_end, metric)] = rec
    rows = [
        (
            *key,
            None if rec.value is None else float(rec.value),
            None if rec.threshold is None else float(rec.threshold),
            rec.status,
            None if rec.baseline_version is None else storable_name(rec.baseline_version),
            Jsonb(encode_details(rec.details, f"{rec.model}/{rec.check}/{rec.metric}")),
            rec.computed_at,
        )
        for key, rec in latest.items()
    ]
    with conn.cursor() as cur:
        cur.executemany(
            f"""INSERT INTO {s.table("check_results")} AS c (model, "check", window_start,
                window_end, metric, value, threshold, status, baseline_version, details,
                computed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (model, "check", window_start, window_end, metric) DO UPDATE SET
                value = EXCLUDED.value, threshold = EXCLUDED.threshold,
                status = EXCLUDED.status, baseline_version = EXCLUDED.baseline_version,
                details = EXCLUDED.details, computed_at = EXCLUDED.computed_at""",
            rows,
        )


def read(
    conn: psycopg.Connection,
    s: Schema,
    model: str,
    *,
    check: str | None,
    metric: str | None,
    since: datetime | None,
    until: datetime | None,
) -> pd.DataFrame:
    """Check results of ``model`` filtered as :meth:`Store.read_check_results` says."""
    clauses: list[str] = ["model = %s"]
    params: list[str | datetime] = [model]
    for sql, value in (
        ('"check" = %s', None if check is None else storable_name(check)),
        ("metric = %s", None if metric is None else storable_name(metric)),
        ("window_start >= %s", since),
        ("window_start < %s", until),
    ):
        if value is not None:
            clauses.append(sql)
            params.append(value)
    columns = ", ".join(f'"{f}"' for f in CHECK_FIELDS)
    rows = conn.execute(
        f"SELECT {columns} FROM {s.table('check_results')} WHERE {' AND '.join(clauses)} "
        'ORDER BY window_start, "check", metric, window_end',
        params,
    ).fetchall()
    data: dict[str, Any] = {f: [row[i] for row in rows] for i, f in enumerate(CHECK_FIELDS)}
    data["details"] = [decode_details(d) for d in data["details"]]
    frame = pd.DataFrame({f: pd.Series(data[f], dtype=object) for f in CHECK_FIELDS})
    for f in CHECK_TIME_FIELDS:
        frame[f] = pd.to_datetime(frame[f], utc=True)
    for f in ("value", "threshold"):
        frame[f] = pd.to_numeric(frame[f]).astype(float)
    return frame
