"""Hand-built drift results for the report tests (no detector needed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from driftscope.drift.results import (
    ColumnDrift,
    ColumnSummary,
    Distribution,
    DriftReport,
    DriftResult,
    MethodResult,
)


def make_column(
    name: str,
    *,
    kind: str = "numerical",
    drifted: bool = False,
    score: float = 0.02,
    bins: int = 10,
    p_value: float | None = 0.4,
    missing: tuple[int, int] = (0, 0),
    notes: tuple[str, ...] = (),
) -> ColumnDrift:
    labels = tuple(f"[{i}, {i + 1})" for i in range(bins))
    ref = tuple(1.0 / bins for _ in range(bins))
    weights = [1.0 + (i if drifted else 0) for i in range(bins)]
    cur = tuple(w / sum(weights) for w in weights)
    method = "ks" if p_value is not None else "psi"
    threshold = 0.05 if p_value is not None else 0.2
    adjusted = None if p_value is None else min(1.0, 3 * p_value)
    test = MethodResult(method, 0.3 if drifted else 0.01, p_value, threshold, drifted, adjusted)
    effect = MethodResult("psi", 0.25 if drifted else 0.001, None, 0.1, drifted, role="effect")
    return ColumnDrift(
        column=name,
        kind=kind,
        drifted=drifted,
        score=score,
        method=method,
        statistic=test.statistic,
        p_value=p_value,
        threshold=threshold,
        methods=(test, effect) if p_value is not None else (test,),
        reference=ColumnSummary(rows=1000, missing=missing[0]),
        current=ColumnSummary(rows=800, missing=missing[1], positive_infinite=2),
        distribution=Distribution(labels, ref, cur),
        notes=notes,
    )


def make_result(columns: list[ColumnDrift], kind: str = "feature", **kw) -> DriftResult:
    return DriftResult(
        kind=kind,
        features={c.column: c for c in columns},
        correction="bh",
        reference_rows=1000,
        current_rows=800,
        **kw,
    )


@pytest.fixture
def column() -> Callable[..., ColumnDrift]:
    return make_column


@pytest.fixture
def result() -> Callable[..., DriftResult]:
    return make_result


@pytest.fixture
def churn_report() -> DriftReport:
    features = make_result(
        [
            make_column("tenure_months"),
            make_column("monthly_charges", drifted=True, score=0.21, p_value=1e-40),
            make_column("contract", kind="categorical", drifted=True, score=0.12, bins=3),
            make_column("region", kind="categorical", bins=4, missing=(3, 9)),
            make_column("data_usage_gb", missing=(120, 95), notes=("3 infinite values",)),
        ],
        skipped={"comment": "text column: not checked"},
    )
    prediction = make_result(
        [make_column("churn_probability", drifted=True, score=0.15, bins=20, p_value=0.0)],
        kind="prediction",
    )
    return DriftReport(feature_drift=features, prediction_drift=prediction, title="Churn check")
