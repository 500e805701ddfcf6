"""Reading one window of logged predictions: weights, issue codes, feature columns.

The issue codes are those of :mod:`driftscope.monitor.batching` (``"; "``-joined in the
``quality_issues`` column): ``code:feature (detail)`` or a bare ``code``.

>>> parse_issues("missing_feature:age; wrong_type:plan (got int 3, expected string); bad_features")
[('missing_feature', 'age'), ('wrong_type', 'plan'), ('bad_features', '')]
>>> parse_issues("wrong_type:my age (got str 'a; b', expected float)")
[('wrong_type', 'my age')]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from driftscope.core.weights import read_sampling_weights

#: Columns of the prediction layout that are never features.
RECORD_COLUMNS = frozenset(
    {
        "prediction_id",
        "timestamp",
        "model_version",
        "sampling_weight",
        "sample_reason",
        "quality_issues",
        "prediction",
        "label",
        "labeled_at",
    }
)
_PREFIXES = ("prediction.", "metadata.")
_CODE = re.compile(r"([A-Za-z_]+)(?::(.*?))?(?: \(.*)?")


def parse_issues(text: object) -> list[tuple[str, str]]:
    """``(code, feature)`` pairs of one ``quality_issues`` value (feature '' when none)."""
    if not isinstance(text, str) or not text.strip():
        return []
    out = []
    for part in text.split("; "):
        # a quoted value in a detail may itself hold "; ": such fragments match no code
        m = _CODE.fullmatch(part.strip())
        if m:
            out.append((m.group(1), m.group(2) or ""))
    return out


def weights_of(frame: pd.DataFrame) -> np.ndarray:
    """The ``sampling_weight`` column as float64 (all 1 when absent); DataError when a weight breaks
    the rule of :mod:`driftscope.core.weights`.

    >>> weights_of(pd.DataFrame({"sampling_weight": [1.0, 4.0]})).tolist()
    [1.0, 4.0]
    """
    w = read_sampling_weights(frame)
    return np.ones(len(frame)) if w is None else w


def feature_column(frame: pd.DataFrame, name: str) -> str | None:
    """The column of feature ``name`` in ``frame`` (``feature.<name>`` when the plain name
    collided with a record column), or None when it is absent."""
    if name in frame.columns and name not in RECORD_COLUMNS:
        return name
    prefixed = "feature." + name
    return prefixed if prefixed in frame.columns else None


def extra_columns(frame: pd.DataFrame, features: set[str]) -> list[str]:
    """Columns of ``frame`` that are neither record columns nor expected features."""
    out = []
    for col in frame.columns:
        col = str(col)
        if col in RECORD_COLUMNS or col.startswith(_PREFIXES):
            continue
        name = col.removeprefix("feature.")
        if name not in features:
            out.append(col)
    return out


def missing_mask(values: pd.Series) -> np.ndarray:
    """True where a value is missing (None, NaN, NaT, pd.NA)."""
    return values.isna().to_numpy(dtype=bool)


def share(mask: np.ndarray, weights: np.ndarray, among: np.ndarray | None = None) -> float | None:
    """Weighted share of ``mask`` among the rows ``among`` (all rows by default); None when
    those rows weigh nothing.

    >>> share(np.array([True, False]), np.array([3.0, 1.0]))
    0.75
    """
    w = weights if among is None else weights[among]
    m = mask if among is None else mask[among]
    total = float(w.sum())
    if total <= 0:
        return None
    return float(w[m].sum()) / total
