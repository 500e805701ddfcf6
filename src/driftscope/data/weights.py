"""Undo unequal-probability sampling before a statistical test.

A monitor that always logs some predictions (low confidence, high risk, edge cases) and
samples the rest stores an unequal-probability sample: rule hits are over-represented. Each
record carries ``sampling_weight`` = 1 / (probability it was kept). Tests such as KS or
chi-square assume every record of the period had the same chance to be in the sample, so
:func:`equal_probability_sample` thins the sample to one where they did: record *i* stays
with probability ``w_i / max(w)`` (Poisson thinning). What remains is an exact
equal-probability sample of the stream, at the lowest inclusion rate, so the tests keep
their stated false-alarm rate. The choice is deterministic: it hashes ``prediction_id``
when there is one (else a fixed seed), so re-running a check keeps the same rows.

>>> import pandas as pd
>>> df = pd.DataFrame({"x": range(6), "sampling_weight": [1.0, 1, 1, 10, 10, 10],
...                    "prediction_id": list("abcdef")})
>>> thinned, note = equal_probability_sample(df)
>>> thinned["sampling_weight"].tolist()[-3:], "sampling_weight" in thinned
([10.0, 10.0, 10.0], True)
>>> note.startswith("unequal sampling weights")
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftscope.core.records import PREDICTION_ID, SAMPLING_WEIGHT
from driftscope.core.weights import checked_weights


def has_sampling_weights(source: Any) -> bool:
    """Whether ``source`` is a pandas/polars/pyarrow frame with a ``sampling_weight`` column."""
    columns = getattr(source, "columns", None)
    if columns is None:
        columns = getattr(source, "column_names", None)
    try:
        return columns is not None and SAMPLING_WEIGHT in list(columns)
    except TypeError:
        return False


def equal_probability_sample(source: Any, *, seed: int = 0) -> tuple[Any, str | None]:
    """``source`` thinned to an equal-probability sample, and a note saying what was done.

    ``source`` is a pandas, polars or pyarrow frame with a ``sampling_weight`` column (the
    result keeps the column and the frame type). When all weights are equal nothing is
    dropped and the note is ``None``. Weights follow the rule of :mod:`driftscope.core.weights`
    (finite and > 0, else :class:`~driftscope.errors.DataError` naming the row).
    """
    weights = checked_weights(_column(source, SAMPLING_WEIGHT))
    if len(weights) == 0 or weights.min() == weights.max():
        return source, None
    keep_prob = weights / weights.max()
    uniforms = _uniforms(source, seed, len(weights))
    mask = uniforms < keep_prob
    kept = int(mask.sum())
    note = (
        f"unequal sampling weights (1 to {weights.max():g}): kept {kept:,} of {len(mask):,} "
        f"rows as an equal-probability sample at rate 1/{weights.max():g} so tests stay "
        "unbiased"
    )
    return _take(source, mask), note


def _column(source: Any, name: str) -> np.ndarray:
    if hasattr(source, "column_names"):  # pyarrow
        return source.column(name).to_numpy(zero_copy_only=False)
    column = source[name]
    return column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)


def _uniforms(source: Any, seed: int, n: int) -> np.ndarray:
    """Stable uniforms in [0, 1): hashed prediction ids when present, else a seeded draw."""
    if has_column(source, PREDICTION_ID):
        import pandas as pd

        raw = _column(source, PREDICTION_ID)
        key = f"{seed:016d}"
        if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=False) == "string":
            # all str: the same hashes as below, without going through a string Series
            # and factorising ids that are (nearly) all distinct anyway
            hashed = pd.util.hash_array(raw, hash_key=key, categorize=False)
        else:
            ids = pd.Series(raw, dtype="string")
            hashed = pd.util.hash_pandas_object(ids, index=False, hash_key=key).to_numpy()
        return (hashed >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return np.random.default_rng(seed).random(n)


def without_weights(source: Any) -> Any:
    """``source`` without its ``sampling_weight`` column (same frame type)."""
    if hasattr(source, "column_names"):
        return source.drop_columns([SAMPLING_WEIGHT])
    if hasattr(source, "iloc"):
        return source.drop(columns=[SAMPLING_WEIGHT])
    return source.drop(SAMPLING_WEIGHT)


def has_column(source: Any, name: str) -> bool:
    columns = getattr(source, "column_names", None) or list(getattr(source, "columns", []))
    return name in columns


def _take(source: Any, mask: np.ndarray) -> Any:
    if hasattr(source, "column_names"):  # pyarrow Table / RecordBatch
        import pyarrow as pa

        return source.filter(pa.array(mask))
    if hasattr(source, "iloc"):  # pandas
        return source.take(np.flatnonzero(mask))  # as .loc[mask], in a third of the time
    return source.filter(mask)  # polars
