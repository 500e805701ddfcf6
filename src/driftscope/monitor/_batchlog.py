"""``log_predictions`` and ``log_ground_truths``: whole batches, vectorised end to end.

Columns come from :mod:`driftscope.monitor._frames`, sampling decisions from
:meth:`~driftscope.monitor.sampling.Sampler.decide_batch` (numpy), ids from Arrow string
kernels; the kept rows become one Arrow table in the caller's thread (so the caller may
reuse its frame at once) and join the buffer as a unit.

>>> import tempfile, numpy as np, pandas as pd
>>> from driftscope.monitor import ModelMonitor
>>> with ModelMonitor("scoring", store=tempfile.mkdtemp()) as monitor:
...     ids = monitor.log_predictions(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), np.array([0, 1, 1]))
...     monitor.log_ground_truths(ids[:2], [0, 0])
...     df = monitor.get_recent_predictions()
>>> len(ids), df["label"].tolist()
(3, [0.0, 0.0, nan])
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.errors import DataError
from driftscope.monitor._columns import Issues, refusal
from driftscope.monitor._frames import (
    feature_columns,
    metadata_columns,
    prediction_columns,
    read_column,
    take,
    timestamp_micros,
)
from driftscope.monitor.batching import id_array
from driftscope.monitor.clock import now_us, to_micros
from driftscope.monitor.values import key_name
from driftscope.monitor.view import BatchView

if TYPE_CHECKING:
    from driftscope.monitor.monitor import ModelMonitor


def _ids(monitor: ModelMonitor, n: int, given: Any) -> pa.Array:
    if given is None:
        # one number of the monitor's counter per batch: "<prefix><k>.<row>" never equals a
        # single call's "<prefix><k>"
        head = f"{monitor._prefix}{next(monitor._ids)}."
        rows = pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string())
        return pc.binary_join_element_wise(head, rows, "")
    ids = _id_column(given)
    if len(ids) != n:
        raise DataError(f"has {len(ids)} ids for {n} rows", column="prediction_ids")
    if ids.null_count:
        raise DataError("holds a missing id", column="prediction_ids")
    return ids


def _id_column(given: Any) -> pa.Array:
    """Ids as Arrow strings (the ``str`` of each; lone surrogates escaped)."""
    ids = read_column(given, "prediction_ids")
    if not isinstance(ids, pa.Array):
        return id_array([None if v is None else key_name(v)[0] for v in ids])
    return ids if pa.types.is_string(ids.type) else ids.cast(pa.string())


def log_batch(
    monitor: ModelMonitor,
    features: Any,
    predictions: Any,
    timestamps: Any,
    metadata: Any,
    prediction_ids: Sequence[str] | None,
) -> np.ndarray:
    start = time.perf_counter()
    builder = monitor._builder
    feats, n = feature_columns(features, monitor.config.feature_names)
    preds = prediction_columns(predictions, n)
    metas = metadata_columns(metadata, n)
    micros = timestamp_micros(timestamps, n)
    ids = _ids(monitor, n, prediction_ids)
    sampler = monitor._sampler
    keep, weights, codes = sampler.decide_batch(BatchView(n, feats, preds, metas))
    kept = int(keep.sum())
    reasons = sampler.reasons
    counts = np.bincount(codes[keep], minlength=len(reasons)) if kept else np.zeros(0, np.int64)
    by_reason = Counter({reasons[i]: int(c) for i, c in enumerate(counts) if c})
    if kept:
        if kept < n:
            index = np.flatnonzero(keep)
            feats = {k: take(v, index) for k, v in feats.items()}
            preds = {k: take(v, index) for k, v in preds.items()}
            metas = {k: take(v, index) for k, v in metas.items()}
            kept_ids, micros = ids.take(pa.array(index)), micros[index]
            weights, codes = weights[index], codes[index]
        else:
            kept_ids = ids
        issues = Issues()

        def convert() -> tuple[pa.Table, Counter[str]]:
            features_in, skip = _schema(builder, feats, kept, issues)
            table = builder.assemble(
                ids=kept_ids,
                micros=micros,
                weights=weights,
                reasons=pa.array(reasons, pa.string()).take(pa.array(codes.astype(np.int32))),
                features=features_in,
                skip=skip,
                predictions=preds,
                metadata=metas,
                issues=issues,
            )
            return table, issues.counts

        strict = monitor.config.strict
        # strict: a refused batch fixes no column kind
        table, _ = builder.trial(convert) if strict else convert()
        if strict and issues.counts:
            first = min(issues.rows)
            raise refusal(issues.rows[first][0], row=first)
        monitor._buffer.add_quality(issues.counts)
        monitor._buffer.count_batch(n - kept, by_reason, time.perf_counter() - start)
        monitor._buffer.offer_table("predictions", table, wait=monitor.config.max_retry_seconds)
    else:
        monitor._buffer.count_batch(n, by_reason, time.perf_counter() - start)
    return ids.to_numpy(zero_copy_only=False)


def _schema(
    builder: Any, feats: dict[str, Any], n: int, issues: Issues
) -> tuple[dict[str, Any], dict[str, set[int]]]:
    """Feature columns in schema order, with missing schema features (all null) and extra
    columns reported for every row."""
    names = builder.schema.names
    if names is None:
        names = builder.schema.establish(list(feats))
    out: dict[str, Any] = {}
    skip: dict[str, set[int]] = {}
    every = range(n)
    for name in names:
        if name in feats:
            out[name] = feats[name]
        else:
            out[name] = [None] * n
            issues.add_many(every, "missing_feature", name)
            skip[name] = set(every)
    for name, values in feats.items():
        if name not in out:
            out[name] = values
            issues.add_many(every, "extra_feature", name)
    return out, skip


def log_label_batch(
    monitor: ModelMonitor, prediction_ids: Any, labels: Any, timestamp: Any
) -> None:
    ids = _id_column(prediction_ids)
    values = read_column(labels, "labels")
    if len(values) != len(ids):
        raise DataError(f"has {len(values)} labels for {len(ids)} ids", column="labels")
    if ids.null_count:
        raise DataError("holds a missing id", column="prediction_ids")
    micros = now_us() if timestamp is None else to_micros(timestamp)
    if micros is None:
        raise DataError(f"is not a time: {timestamp!r}", column="timestamp")
    issues = Issues()
    table = monitor._builder.label_table(ids, values, np.full(len(ids), micros, np.int64), issues)
    monitor._buffer.add_quality(issues.counts)
    monitor._buffer.offer_table("labels", table, wait=monitor.config.max_retry_seconds)
