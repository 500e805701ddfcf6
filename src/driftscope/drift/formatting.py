"""Number formatting and row order shared by the HTML report and the terminal table.

>>> fmt_p(0.0412), fmt_p(3.2e-7), fmt_p(0.0), fmt_p(None)
('0.041', '3.2e-07', '< 1e-300', '—')
>>> fmt_number(1234.5678), fmt_number(float("nan"))
('1235', 'n/a')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from driftscope.drift.results import ColumnDrift, DriftResult, MethodResult
from driftscope.errors import printable

if TYPE_CHECKING:
    from driftscope.drift.chunks import ChunkedDrift

DASH = "—"

CORRECTIONS = {
    "bh": "Benjamini–Hochberg",
    "fdr_bh": "Benjamini–Hochberg",
    "benjamini-hochberg": "Benjamini–Hochberg",
    "by": "Benjamini–Yekutieli",
    "bonferroni": "Bonferroni",
    "holm": "Holm",
    "none": "none",
}


def fmt_number(value: float | None, digits: int = 4) -> str:
    """A statistic with ``digits`` significant digits; ``n/a`` for NaN, ``∞`` for infinity.

    >>> fmt_number(0.123456), fmt_number(float("inf")), fmt_number(None)
    ('0.1235', '∞', '—')
    """
    if value is None:
        return DASH
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.{digits}g}"


def fmt_p(p: float | None) -> str:
    """A p-value: three decimals, scientific notation below 0.001, a bound when it underflowed.

    >>> fmt_p(0.5), fmt_p(0.00012)
    ('0.500', '1.2e-04')
    """
    if p is None:
        return DASH
    p = float(p)
    if math.isnan(p):
        return "n/a"
    if p == 0.0:
        return "< 1e-300"
    if p < 0.001:
        return f"{p:.1e}"
    return f"{p:.3f}"


def fmt_share(share: float) -> str:
    """A share in [0, 1] as a percentage.

    >>> fmt_share(0.25), fmt_share(1 / 3)
    ('25%', '33.3%')
    """
    pct = 100.0 * share
    return f"{pct:.0f}%" if pct == round(pct) else f"{pct:.1f}%"


def is_p_value_method(method: MethodResult | ColumnDrift) -> bool:
    """True when the method decides on a p-value (``p < threshold``), false for a distance.

    >>> is_p_value_method(MethodResult("psi", 0.3, None, 0.2, True, role="effect"))
    False
    """
    return method.p_value is not None


def fmt_rule(method: MethodResult | ColumnDrift) -> str:
    """The drift rule of a method: ``p < 0.05`` for a test, ``≥ 0.2`` for a distance.

    >>> fmt_rule(MethodResult("ks", 0.1, 0.01, 0.05, True))
    'p < 0.05'
    """
    threshold = fmt_number(method.threshold, 3)
    return f"p < {threshold}" if is_p_value_method(method) else f"≥ {threshold}"


def fmt_check(method: MethodResult, *, named: bool = True) -> str:
    """A method's value against its threshold, e.g. ``psi 0.31 ≥ 0.2`` or ``ks p 0.2 ≥ 0.05``.

    >>> fmt_check(MethodResult("wasserstein", 0.00737, None, 0.1, False, role="distance"))
    'wasserstein 0.00737 < 0.1'
    >>> fmt_check(MethodResult("ks", 0.1, 0.01, 0.05, True), named=False)
    'p 0.010 < 0.05'

    A gate with a confidence interval decides on its upper bound, shown after the value:

    >>> fmt_check(MethodResult("share_moved", 0.012, None, 0.025, False, role="distance",
    ...                        interval=(0.004, 0.016)))
    'share_moved 0.012 (up to 0.016) < 0.025'
    """
    threshold = fmt_number(method.threshold, 3)
    if method.interval is not None:
        high = method.interval[1]
        op = "≥" if high >= method.threshold else "<"
        text = f"{fmt_number(method.statistic, 3)} (up to {fmt_number(high, 3)}) {op} {threshold}"
    elif method.p_value is not None:
        value = method.adjusted_p_value if method.adjusted_p_value is not None else method.p_value
        op = "<" if value < method.threshold else "≥"
        text = f"p {fmt_p(value)} {op} {threshold}"
    else:
        op = "≥" if method.statistic >= method.threshold else "<"
        text = f"{fmt_number(method.statistic, 3)} {op} {threshold}"
    return f"{method.method} {text}" if named else text


def deciding_method(col: ColumnDrift) -> MethodResult | None:
    """The entry of ``col.methods`` that produced the column's verdict, if present.

    >>> m = MethodResult("ks", 0.1, 0.01, 0.05, True, adjusted_p_value=0.02)
    >>> c = ColumnDrift("a", "numerical", True, 0.1, "ks", 0.1, 0.01, 0.05, methods=(m,))
    >>> deciding_method(c).adjusted_p_value
    0.02
    """
    for method in col.methods:
        if method.method == col.method and method.role == "test":
            return method
    for method in col.methods:
        if method.method == col.method:
            return method
    return None


def other_methods(col: ColumnDrift) -> list[MethodResult]:
    """The methods computed on ``col`` besides the deciding one (e.g. the effect-size gate).

    >>> other_methods(ColumnDrift("a", "numerical", False, 0.0, "ks", 0.0, 0.9, 0.05))
    []
    """
    main = deciding_method(col)
    return [m for m in col.methods if m is not main]


def ordered_columns(columns: Iterable[ColumnDrift]) -> list[ColumnDrift]:
    """Drifted columns first, then by decreasing score, then by name.

    >>> a = ColumnDrift("a", "numerical", False, 0.3, "ks", 0.1, 0.2, 0.05)
    >>> b = ColumnDrift("b", "numerical", True, 0.1, "ks", 0.4, 0.001, 0.05)
    >>> [c.column for c in ordered_columns([a, b])]
    ['b', 'a']
    """

    def key(col: ColumnDrift) -> tuple[bool, float, str]:
        score = col.score if math.isfinite(col.score) else -1.0
        return (not col.drifted, -score, col.column)

    return sorted(columns, key=key)


def correction_label(correction: str | None) -> str:
    """A readable name for a multiple-testing correction code.

    >>> correction_label("bh"), correction_label(None)
    ('Benjamini–Hochberg', 'none')
    """
    if correction is None:
        return "none"
    return CORRECTIONS.get(correction.lower(), correction)


def summary_line(result: DriftResult) -> str:
    """One sentence: how many columns drifted, which, and the data set's drift score.
    Column names are data: their control characters are escaped (:func:`printable`).

    >>> c = ColumnDrift("age", "numerical", True, 0.21, "ks", 0.3, 1e-9, 0.05)
    >>> print(summary_line(DriftResult(kind="feature", features={"age": c})))
    Drift detected in 1 of 1 feature (100%): age.
    Drift score 0.210 (0 = identical, 1 = disjoint).
    """
    total = len(result.features)
    noun = "feature" if result.kind == "feature" else f"{result.kind} column"
    noun += "" if total == 1 else "s"
    drifted = result.drifted_features
    score = f"Drift score {result.score:.3f} (0 = identical, 1 = disjoint)."
    if not total:
        head = f"No {noun} were checked."
    elif drifted:
        names = ", ".join(printable(name) for name in drifted[:8]) + (
            f" and {len(drifted) - 8} more" if len(drifted) > 8 else ""
        )
        head = (
            f"Drift detected in {len(drifted)} of {total} {noun} "
            f"({fmt_share(len(drifted) / total)}): {names}."
        )
    else:
        head = f"No drift detected in {total} {noun}."
    tail = f" {len(result.skipped)} skipped." if result.skipped else ""
    return f"{head} {score}{tail}"


def chunks_line(chunked: ChunkedDrift) -> str:
    """One sentence about drift per chunk: how many chunks drifted, and which.

    >>> from driftscope.drift.chunks import Chunk, ChunkedDrift
    >>> one = Chunk("2026-03", None, None, 9, DriftResult("feature", {}))
    >>> print(chunks_line(ChunkedDrift((one,))))
    No drift detected in 1 chunk.
    """
    total = len(chunked.chunks)
    noun = "chunk" if total == 1 else "chunks"
    drifted = chunked.drifted_chunks
    if not drifted:
        return f"No drift detected in {total} {noun}."
    names = ", ".join(printable(label) for label in drifted[:8])
    more = f" and {len(drifted) - 8} more" if len(drifted) > 8 else ""
    return f"Drift detected in {len(drifted)} of {total} {noun}: {names}{more}."
