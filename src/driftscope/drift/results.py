"""Typed drift results and their stable JSON form.

Field names are the same in the objects, in ``to_dict()`` and in the JSON (documented in
``docs/json.md``); ``SCHEMA_VERSION`` changes when a field is renamed or removed.

>>> col = ColumnDrift(column="age", kind="numerical", drifted=False, score=0.01,
...                   method="ks", statistic=0.02, p_value=0.4, threshold=0.05)
>>> res = DriftResult(kind="feature", features={"age": col})
>>> res.has_drift, res.drifted_features, res.to_dict()["features"]["age"]["p_value"]
(False, [], 0.4)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftscope.drift.chunks import ChunkedDrift

SCHEMA_VERSION = "1"


def _now() -> datetime:
    return datetime.now(UTC)


def _clean(value: Any) -> Any:
    """Recursively turn a value into plain JSON types; non-finite floats become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _clean(value.item())
    return value


@dataclass(frozen=True)
class MethodResult:
    """One method's verdict on one column.

    ``threshold`` is the significance level for p-value methods (drift when
    ``p_value < threshold``) and the distance threshold otherwise (drift when
    ``statistic >= threshold``). ``role`` is ``"test"`` for a significance test and
    ``"effect"`` for a distance used as the practical-relevance gate of the automatic choice.
    ``interval`` holds the lower and upper confidence bounds of an effect size that has them
    (the share moved of the automatic choice, which drifts when its upper bound reaches the
    threshold), else None.

    >>> from driftscope.drift.methods import KSTest
    >>> result = KSTest().test([1.0, 2, 3, 4, 5] * 20, [3.0, 4, 5, 6, 7] * 20)
    >>> result.method, result.statistic, result.drifted
    ('ks', 0.4, True)
    """

    method: str
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool
    adjusted_p_value: float | None = None
    role: str = "test"
    interval: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "method": self.method,
                "statistic": float(self.statistic),
                "p_value": None if self.p_value is None else float(self.p_value),
                "adjusted_p_value": (
                    None if self.adjusted_p_value is None else float(self.adjusted_p_value)
                ),
                "threshold": float(self.threshold),
                "drifted": bool(self.drifted),
                "role": self.role,
                "interval": None if self.interval is None else list(self.interval),
            }
        )


@dataclass(frozen=True)
class ColumnSummary:
    """Row counts of one column in one data set; missing and infinite values are never dropped
    silently: they are counted here and left out of the tests.

    >>> ColumnSummary(rows=10, missing=2, positive_infinite=1).valid
    7
    """

    rows: int = 0
    missing: int = 0
    positive_infinite: int = 0
    negative_infinite: int = 0

    @property
    def valid(self) -> int:
        return self.rows - self.missing - self.positive_infinite - self.negative_infinite

    def to_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "missing": self.missing,
            "positive_infinite": self.positive_infinite,
            "negative_infinite": self.negative_infinite,
            "valid": self.valid,
        }


@dataclass(frozen=True)
class Distribution:
    """Binned shares of a column in reference and current, for reports and charts.

    ``labels`` are bin ranges (numerical) or category names; shares sum to 1 per side.

    >>> Distribution(labels=("a", "b"), reference=(0.5, 0.5), current=(0.9, 0.1)).to_dict()
    {'labels': ['a', 'b'], 'reference': [0.5, 0.5], 'current': [0.9, 0.1]}
    """

    labels: tuple[str, ...] = ()
    reference: tuple[float, ...] = ()
    current: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "labels": list(self.labels),
                "reference": list(self.reference),
                "current": list(self.current),
            }
        )


@dataclass(frozen=True)
class ColumnDrift:
    """Drift verdict for one column.

    ``method``, ``statistic``, ``p_value`` and ``threshold`` describe the deciding method
    (the significance test of the automatic choice, or the first configured method);
    ``methods`` holds every method computed on the column. ``score`` is the share of the data
    that moved (the Kolmogorov-Smirnov distance for numbers, the total variation distance on
    the categories, rare ones pooled): 0 means identical, 1 disjoint; it is what the
    relevance gate of the automatic choice decides on. ``reason`` says in one sentence which
    gate decided and why.

    >>> import numpy as np, pandas as pd, driftscope as ds
    >>> rng = np.random.default_rng(0)
    >>> baseline = pd.DataFrame({"age": rng.normal(40, 10, 2000)})
    >>> production = pd.DataFrame({"age": rng.normal(45, 10, 2000)})
    >>> result = ds.DriftDetector(baseline_data=baseline).detect_feature_drift(production)
    >>> column = result.features["age"]
    >>> column.drifted, column.method, column.reference.rows
    (True, 'anderson_ks', 2000)
    """

    column: str
    kind: str
    drifted: bool
    score: float
    method: str
    statistic: float
    p_value: float | None
    threshold: float
    methods: tuple[MethodResult, ...] = ()
    reference: ColumnSummary = field(default_factory=ColumnSummary)
    current: ColumnSummary = field(default_factory=ColumnSummary)
    distribution: Distribution = field(default_factory=Distribution)
    notes: tuple[str, ...] = ()
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "column": self.column,
                "kind": self.kind,
                "drifted": bool(self.drifted),
                "score": float(self.score),
                "method": self.method,
                "statistic": float(self.statistic),
                "p_value": None if self.p_value is None else float(self.p_value),
                "threshold": float(self.threshold),
                "methods": [m.to_dict() for m in self.methods],
                "reference": self.reference.to_dict(),
                "current": self.current.to_dict(),
                "distribution": self.distribution.to_dict(),
                "notes": list(self.notes),
                "reason": self.reason,
            }
        )


@dataclass(frozen=True)
class DriftResult:
    """Drift of a data set (``kind="feature"``), of a model's predictions (``"prediction"``)
    or of its labels (``"target"``).

    ``has_drift`` is true when any column drifted; ``drifted_features`` lists them in column
    order; ``drift_share`` is their share of the checked columns; ``score`` is the mean of the
    columns' scores, a number in [0, 1] (0: every column distributed exactly as in the
    reference; 1: every column on a support disjoint from the reference's).

    >>> import numpy as np, pandas as pd, driftscope as ds
    >>> rng = np.random.default_rng(0)
    >>> baseline = pd.DataFrame({"age": rng.normal(40, 10, 2000)})
    >>> production = pd.DataFrame({"age": rng.normal(45, 10, 2000)})
    >>> result = ds.DriftDetector(baseline_data=baseline).detect_feature_drift(production)
    >>> result.kind, result.has_drift, result.drifted_features, result.drift_share
    ('feature', True, ['age'], 1.0)
    """

    kind: str
    features: dict[str, ColumnDrift]
    skipped: dict[str, str] = field(default_factory=dict)
    correction: str | None = None
    reference_version: str | None = None
    reference_rows: int = 0
    current_rows: int = 0
    computed_at: datetime = field(default_factory=_now)
    notes: tuple[str, ...] = ()

    @property
    def drifted_features(self) -> list[str]:
        return [name for name, col in self.features.items() if col.drifted]

    @property
    def has_drift(self) -> bool:
        return any(col.drifted for col in self.features.values())

    @property
    def drift_share(self) -> float:
        return len(self.drifted_features) / len(self.features) if self.features else 0.0

    @property
    def score(self) -> float:
        if not self.features:
            return 0.0
        return math.fsum(col.score for col in self.features.values()) / len(self.features)

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "schema_version": SCHEMA_VERSION,
                "kind": self.kind,
                "has_drift": self.has_drift,
                "drifted_features": self.drifted_features,
                "drift_share": self.drift_share,
                "score": self.score,
                "correction": self.correction,
                "reference_version": self.reference_version,
                "reference_rows": self.reference_rows,
                "current_rows": self.current_rows,
                "computed_at": self.computed_at,
                "features": {name: col.to_dict() for name, col in self.features.items()},
                "skipped": dict(self.skipped),
                "notes": list(self.notes),
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_frame(self):  # -> pandas.DataFrame
        """One row per column: column, kind, method, statistic, p_value, threshold, drifted,
        score, missing shares."""
        import pandas as pd

        rows = [
            {
                "column": c.column,
                "kind": c.kind,
                "method": c.method,
                "statistic": c.statistic,
                "p_value": c.p_value,
                "threshold": c.threshold,
                "drifted": c.drifted,
                "score": c.score,
                "reference_missing": c.reference.missing,
                "current_missing": c.current.missing,
            }
            for c in self.features.values()
        ]
        columns = [
            "column", "kind", "method", "statistic", "p_value", "threshold",
            "drifted", "score", "reference_missing", "current_missing",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class DriftReport:
    """Feature, prediction and target drift together, as one JSON document or HTML page.

    >>> import numpy as np, pandas as pd, driftscope as ds
    >>> rng = np.random.default_rng(0)
    >>> baseline = pd.DataFrame({"age": rng.normal(40, 10, 2000)})
    >>> production = pd.DataFrame({"age": rng.normal(45, 10, 2000)})
    >>> result = ds.DriftDetector(baseline_data=baseline).detect_feature_drift(production)
    >>> report = ds.DriftReport(feature_drift=result)
    >>> report.has_drift, report.to_dict()["feature_drift"]["drifted_features"]
    (True, ['age'])
    >>> report.to_html()[:15]
    '<!doctype html>'
    """

    feature_drift: DriftResult | None = None
    prediction_drift: DriftResult | None = None
    title: str = "driftscope drift report"
    created_at: datetime = field(default_factory=_now)
    target_drift: DriftResult | None = None
    chunks: ChunkedDrift | None = None

    @property
    def sections(self) -> list[DriftResult]:
        """The results present, in the order feature, prediction, target."""
        found = (self.feature_drift, self.prediction_drift, self.target_drift)
        return [r for r in found if r is not None]

    @property
    def has_drift(self) -> bool:
        chunked = self.chunks is not None and self.chunks.has_drift
        return chunked or any(r.has_drift for r in self.sections)

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "schema_version": SCHEMA_VERSION,
                "title": self.title,
                "created_at": self.created_at,
                "has_drift": self.has_drift,
                "feature_drift": None
                if self.feature_drift is None
                else self.feature_drift.to_dict(),
                "prediction_drift": (
                    None if self.prediction_drift is None else self.prediction_drift.to_dict()
                ),
                "target_drift": (
                    None if self.target_drift is None else self.target_drift.to_dict()
                ),
                "chunks": None if self.chunks is None else self.chunks.to_dict(),
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_html(self) -> str:
        from driftscope.drift.html import render_report

        return render_report(self)

    def save_html(self, path: str) -> str:
        """Write the self-contained HTML page to ``path`` and return the path."""
        from pathlib import Path

        Path(path).write_text(self.to_html(), encoding="utf-8")
        return str(path)
