"""Changes in the correlation between numeric features, window against reference.

A fitted :class:`~driftscope.drift.reference.Reference` keeps each column on its own, so the
reference correlations come from a reference DataFrame the caller passes
(``reference_data``). Correlations are Pearson or Spearman over the rows where both features
are finite (pairwise complete), *unweighted*: a correlation is not a rate, and the sampling
weights only matter for rates. The change of a pair is ``|r_window - r_reference|``; the
``top_pairs`` pairs that moved most are reported, largest change first. A pair is left out
when either side has fewer than ``min_correlation_rows`` complete rows or a constant
feature; when no pair is left, one ``no_data`` result stands for the window.

>>> import numpy as np, pandas as pd
>>> x = np.arange(20.0)
>>> ref = reference_correlations(pd.DataFrame({"a": x, "b": x}), ["a", "b"], "pearson", 10)
>>> round(float(ref.loc["a", "b"]), 3)
1.0
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from driftscope.quality.checks import NAN, Window
from driftscope.quality.config import QualityThresholds, Status
from driftscope.quality.frame import feature_column
from driftscope.quality.results import QualityResult


def numeric_block(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The named features as float64 columns, non-numbers and ±inf turned into NaN."""
    cols = {}
    for name in names:
        col = feature_column(frame, name) if name not in frame.columns else name
        if col is None:
            continue
        values = frame[col]
        if pd.api.types.is_bool_dtype(values.dtype):
            continue
        nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        cols[name] = np.where(np.isfinite(nums), nums, np.nan)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(frame)))


def reference_correlations(
    data: pd.DataFrame, names: Sequence[str], method: str, min_rows: int
) -> pd.DataFrame:
    """The correlation matrix of the named numeric features of ``data`` (NaN where unknown)."""
    return numeric_block(data, names).corr(method=method, min_periods=min_rows)


def correlation_checks(
    window: Window,
    names: Sequence[str],
    reference: pd.DataFrame,
    thresholds: QualityThresholds,
) -> Iterator[QualityResult]:
    """The pairs whose correlation moved most in ``window`` compared with ``reference``."""
    block = numeric_block(window.frame, names)
    current = block.corr(
        method=thresholds.correlation_method, min_periods=thresholds.min_correlation_rows
    )
    counts = block.notna().astype(np.int64)
    paired = counts.T @ counts
    moved = []
    cols = [c for c in block.columns if c in reference.columns]
    for i, a in enumerate(cols):
        for b in cols[i + 1 :]:
            r0, r1 = float(reference.loc[a, b]), float(current.loc[a, b])
            if np.isfinite(r0) and np.isfinite(r1):
                moved.append((abs(r1 - r0), a, b, r0, r1, int(paired.loc[a, b])))
    threshold = thresholds.correlation_change
    if not moved:
        yield QualityResult(
            window.start,
            window.end,
            "correlation",
            None,
            "correlation_change",
            NAN,
            threshold,
            Status.NO_DATA,
        )
        return
    moved.sort(key=lambda m: (-m[0], m[1], m[2]))
    for change, a, b, r0, r1, rows in moved[: thresholds.top_pairs]:
        details = (("reference", r0), ("window", r1), ("rows", rows))
        yield window.result(
            thresholds,
            "correlation",
            f"{a}~{b}",
            "correlation_change",
            change,
            "correlation_change",
            details,
        )
