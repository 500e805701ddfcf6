"""Builders of prediction and label batches in the storage layout, for store tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from driftscope.core import records as r

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def prediction_batch(
    n: int,
    *,
    start: datetime = T0,
    step: timedelta = timedelta(seconds=1),
    id_prefix: str = "p",
    model_version: str | None = "v1",
    seed: int = 0,
    features: Sequence[str] = ("age", "income", "plan", "is_member"),
    prediction_keys: Sequence[str] | None = None,
    weight: float = 1.0,
) -> pa.Table:
    """``n`` predictions one ``step`` apart from ``start``, ids ``f"{id_prefix}{i}"``."""
    rng = np.random.default_rng(seed)
    ts = [start + i * step for i in range(n)]
    cols: dict[str, pa.Array] = {
        r.PREDICTION_ID: pa.array([f"{id_prefix}{i}" for i in range(n)], pa.string()),
        r.TIMESTAMP: pa.array(ts, r.TIMESTAMP_TYPE),
        r.MODEL_VERSION: pa.array([model_version] * n, pa.string()),
        r.SAMPLING_WEIGHT: pa.array(np.full(n, weight), pa.float64()),
        r.SAMPLE_REASON: pa.array(["sampled" if weight > 1 else "all"] * n, pa.string()),
        r.QUALITY_ISSUES: pa.array([None] * n, pa.string()),
    }
    makers = {
        "age": lambda: pa.array(rng.integers(18, 90, n), pa.int64()),
        "income": lambda: pa.array(rng.normal(50, 15, n), pa.float64()),
        "plan": lambda: pa.array(rng.choice(["basic", "plus", "pro"], n).tolist(), pa.string()),
        "is_member": lambda: pa.array((rng.random(n) < 0.3).tolist(), pa.bool_()),
    }
    for name in features:
        make = makers.get(name, lambda: pa.array(rng.normal(0, 1, n), pa.float64()))
        cols[r.FEATURE_PREFIX + name] = make()
    if prediction_keys:
        for key in prediction_keys:
            cols[r.PREDICTION_PREFIX + key] = pa.array(rng.random(n), pa.float64())
    else:
        cols[r.PREDICTION] = pa.array(rng.random(n), pa.float64())
    cols[r.METADATA_PREFIX + "customer_id"] = pa.array([f"c{i % 97}" for i in range(n)])
    return pa.table(cols)


def label_batch(
    ids: Sequence[str], labels: Sequence[object], at: datetime = T0 + timedelta(days=1)
) -> pa.Table:
    return pa.table(
        {
            r.PREDICTION_ID: pa.array(list(ids), pa.string()),
            r.LABEL: pa.array(list(labels)),
            r.LABELED_AT: pa.array([at] * len(ids), r.TIMESTAMP_TYPE),
        }
    )
