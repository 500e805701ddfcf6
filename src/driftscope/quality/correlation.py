"""Changes in the correlation between numeric features, window against reference.

A fitted :class:`~driftscope.drift.reference.Reference` keeps each column on its own, so the
reference correlations come from a reference DataFrame the caller passes
(``reference_data``). Correlations are Pearson or Spearman over the rows where both features
are finite (pairwise complete), *unweighted*: a correlation is not a rate, and the sampling
weights only matter for rates. The change of a pair is ``|r_window - r_reference|``; the
``top_pairs`` pairs that moved most are reported, largest change first. A pair is left out
when either side has fewer than ``min_correlation_rows`` complete rows or a constant
feature; when no pair is left, one ``unknown`` result stands for the window.

>>> import numpy as np, pandas as pd
>>> x = np.arange(20.0)
>>> ref = reference_correlations(pd.DataFrame({"a": x, "b": x}), ["a", "b"], "pearson", 10)
>>> round(float(ref.loc["a", "b"]), 3)
1.0
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from driftscope.quality.checks import NAN, Window
from driftscope.quality.config import QualityThresholds, Status
from driftscope.quality.frame import feature_column
from driftscope.quality.results import QualityResult
from driftscope.stats import correlation_change_p_value

SIGNIFICANCE = 0.05  # family-wise, over the pairs of a window


def numeric_arrays(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The named features as float64 arrays (views where they already are), non-numbers
    turned into NaN; ±inf is left for :func:`pairwise_pearson` to treat as missing."""
    cols = {}
    for name in names:
        col = feature_column(frame, name) if name not in frame.columns else name
        if col is None:
            continue
        values = frame[col]
        if pd.api.types.is_bool_dtype(values.dtype):
            continue
        if values.dtype != np.float64:
            values = pd.to_numeric(values, errors="coerce")
        cols[name] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return cols


def numeric_block(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The named features as float64 columns, non-numbers and ±inf turned into NaN."""
    cols = {
        name: np.where(np.isfinite(nums), nums, np.nan)
        for name, nums in numeric_arrays(frame, names).items()
    }
    return pd.DataFrame(cols, index=pd.RangeIndex(len(frame)))


def reference_correlations(
    data: pd.DataFrame, names: Sequence[str], method: str, min_rows: int
) -> pd.DataFrame:
    """The correlation matrix of the named numeric features of ``data`` (NaN where unknown)."""
    return correlations(numeric_arrays(data, names), len(data), method, min_rows)[0]


@dataclass(frozen=True)
class ReferenceCorrelations:
    """The reference rows' correlations, computed once for every window they are compared
    with (``check_quality(..., reference_data=ReferenceCorrelations.fit(...))``): the
    matrix, the rows it came from and the method.

    >>> x = np.arange(20.0)
    >>> fitted = ReferenceCorrelations.fit(pd.DataFrame({"a": x, "b": -x}), ["a", "b"])
    >>> round(float(fitted.matrix.loc["a", "b"]), 3), fitted.rows, fitted.method
    (-1.0, 20, 'pearson')
    """

    matrix: pd.DataFrame
    rows: int
    method: str

    @classmethod
    def fit(
        cls,
        data: pd.DataFrame,
        names: Sequence[str],
        method: str = "pearson",
        min_rows: int = 10,
    ) -> ReferenceCorrelations:
        """The correlations of the named numeric features of ``data``."""
        return cls(reference_correlations(data, names, method, min_rows), len(data), method)


def correlations(
    columns: dict[str, np.ndarray], rows: int, method: str, min_rows: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``DataFrame(columns).corr(method=method, min_periods=min_rows)`` (pairwise complete,
    ±inf as missing; Pearson by :func:`pairwise_pearson`) and the rows of each pair."""
    names = list(columns)
    if method == "pearson" and names:
        r, pairs = pairwise_pearson(list(columns.values()), min_rows)
    else:
        block = pd.DataFrame(
            {n: np.where(np.isfinite(v), v, np.nan) for n, v in columns.items()},
            index=pd.RangeIndex(rows),
        )
        r = block.corr(method=method, min_periods=min_rows).to_numpy()
        present = block.notna().to_numpy(dtype=np.float64)
        pairs = present.T @ present
    return (
        pd.DataFrame(r, index=names, columns=names),
        pd.DataFrame(pairs, index=names, columns=names),
    )


CHUNK = 16_384  # rows per block of the sums: small temporaries, reused from the cache


def _chunks(columns: Sequence[np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Row blocks of the columns side by side, ±inf as NaN, with where values are present
    (None: everywhere)."""
    n, k = len(columns[0]), len(columns)
    buffer = np.empty((min(CHUNK, n), k), order="F")  # column by column: contiguous copies
    for start in range(0, n, CHUNK):
        rows = min(CHUNK, n - start)
        block = buffer[:rows]
        for j, column in enumerate(columns):
            block[:, j] = column[start : start + rows]
        finite = np.isfinite(block)
        if finite.all():
            yield block, None
        else:
            block[~finite] = np.nan
            yield block, finite


def pairwise_pearson(columns: Sequence[np.ndarray], min_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations of ``columns`` (float64 arrays of one length; NaN and ±inf are
    missing) over the rows where both are present, and those rows' counts. NaN where fewer
    than ``min_rows`` such rows or a side is constant on them; 1 on the diagonal of a column
    with a spread. As ``DataFrame.corr(min_periods=min_rows)``, to about 1e-12 on ordinary
    data (a different order of summation).

    One pass over blocks of rows, summing products of the values as matrix products after
    shifting each column by the mean of its first block, which keeps the one-pass
    covariance formula clear of cancellation. A pair whose variance on its shared rows is
    small next to the sum of its shifted squares (a side constant, or nearly so, there, or a
    poor shift) is recomputed on its rows by the two-pass formula.

    >>> x = [np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 4.0, 7.0, 1.0]), np.full(4, 5.0)]
    >>> r, pairs = pairwise_pearson(x, 2)
    >>> np.round(r, 4).tolist(), pairs[0].tolist()
    ([[1.0, 0.9934, nan], [0.9934, 1.0, nan], [nan, nan, nan]], [3.0, 3.0, 3.0])
    """
    k = len(columns)
    low, high = np.full(k, np.inf), np.full(k, -np.inf)
    pairs, sums, squares, products = (np.zeros((k, k)) for _ in range(4))
    shift = None
    for block, present in _chunks(columns):
        if shift is None:  # the first block's means (0 for a column with none there)
            seen = len(block) if present is None else present.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                shift = np.nan_to_num(np.where(np.isnan(block), 0.0, block).sum(axis=0) / seen)
        low = np.fmin(low, np.fmin.reduce(block, axis=0))
        high = np.fmax(high, np.fmax.reduce(block, axis=0))
        z = block - shift
        if present is None:
            pairs += len(z)
            sums += z.sum(axis=0)[:, None]
            squares += np.einsum("ij,ij->j", z, z)[:, None]
        else:
            z[~present] = 0.0
            mask = present.astype(np.float64)
            pairs += mask.T @ mask  # exact: counts below 2**53
            sums += z.T @ mask  # [a, b]: the sum of a over the rows where b is present too
            squares += (z * z).T @ mask
        products += z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = products - sums * sums.T / pairs
        var = squares - sums * sums / pairs  # [a, b]: of a, on the rows shared with b
        r = np.clip(cov / np.sqrt(var * var.T), -1.0, 1.0)
        noisy = var <= 1e-6 * squares
    noisy |= noisy.T
    flat = low == high  # constant on all its rows, so on any shared ones
    r[flat, :] = r[:, flat] = np.nan
    noisy[flat, :] = noisy[:, flat] = False
    r[pairs < min_rows] = np.nan
    for a, b in zip(*np.nonzero(np.triu(noisy & (pairs >= min_rows))), strict=True):
        r[a, b] = r[b, a] = _two_pass(columns[a], columns[b])
    diagonal = np.diag(r).copy()
    diagonal[np.isfinite(diagonal)] = 1.0
    np.fill_diagonal(r, diagonal)
    return r, pairs


def _two_pass(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's r of the rows where both are finite (NaN when a side is constant)."""
    both = np.isfinite(a) & np.isfinite(b)
    a, b = a[both], b[both]
    if a.min() == a.max() or b.min() == b.max():
        return float("nan")
    da, db = a - a.mean(), b - b.mean()
    return float(np.clip(float(da @ db) / np.sqrt(float(da @ da) * float(db @ db)), -1.0, 1.0))


def change_p_value(r0: float, n0: int, r1: float, n1: int, method: str = "pearson") -> float:
    """Two-sided p-value of ``r1 != r0`` from independent samples of ``n0`` and ``n1`` rows:
    :func:`driftscope.stats.correlation_change_p_value` (Fisher's z), with the variance
    factor 1.06 for Spearman (Fieller et al. 1957).

    >>> round(change_p_value(0.5, 1000, 0.4, 1000), 3)
    0.005
    """
    factor = 1.06 if method == "spearman" else 1.0
    return correlation_change_p_value(r0, n0, r1, n1, variance_factor=factor)


def correlation_checks(
    window: Window,
    names: Sequence[str],
    reference: pd.DataFrame,
    thresholds: QualityThresholds,
    reference_rows: int | None = None,
) -> Iterator[QualityResult]:
    """The pairs whose correlation moved most in ``window`` compared with ``reference``.

    With ``reference_rows`` (the rows the reference correlations came from), a pair past
    its threshold is flagged only when the change is also significant: Fisher's z-test
    (:func:`change_p_value`) at 0.05 Bonferroni-corrected over the pairs compared, so a
    window (or a baseline) of a hundred rows does not raise correlation alarms from noise
    alone; the p-value is in the details."""
    block = numeric_arrays(window.frame, names)
    current, paired = correlations(
        block, len(window.frame), thresholds.correlation_method, thresholds.min_correlation_rows
    )
    moved = []
    cols = [c for c in block if c in reference.columns]
    # plain arrays: a .loc lookup per pair costs more than the correlations on many features
    ref = reference.loc[cols, cols].to_numpy(dtype=np.float64)
    cur = current.loc[cols, cols].to_numpy(dtype=np.float64)
    rows = paired.loc[cols, cols].to_numpy()
    for i, a in enumerate(cols):
        for j in range(i + 1, len(cols)):
            r0, r1 = float(ref[i, j]), float(cur[i, j])
            if np.isfinite(r0) and np.isfinite(r1):
                moved.append((abs(r1 - r0), a, cols[j], r0, r1, int(rows[i, j])))
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
            Status.UNKNOWN,
        )
        return
    moved.sort(key=lambda m: (-m[0], m[1], m[2]))
    alpha = SIGNIFICANCE / len(moved)
    for change, a, b, r0, r1, rows in moved[: thresholds.top_pairs]:
        details: tuple[tuple[str, Any], ...] = (("reference", r0), ("window", r1), ("rows", rows))
        p_value = None
        if reference_rows is not None:
            p_value = change_p_value(r0, reference_rows, r1, rows, thresholds.correlation_method)
            details += (("p_value", p_value),)
        result = window.result(
            thresholds,
            "correlation",
            f"{a}~{b}",
            "correlation_change",
            change,
            "correlation_change",
            details,
        )
        if p_value is not None and not p_value < alpha and result.status != Status.OK:
            result = replace(result, status=Status.OK)  # within noise of these sample sizes
        yield result
