"""Compare current data with a fitted :class:`Reference`, column by column.

This is the engine behind :class:`~driftscope.drift.detector.DriftDetector`: it pairs each
fitted column with the current data, runs the methods, corrects the p-values across columns
and assembles a :class:`~driftscope.drift.results.DriftResult`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise

import numpy as np

from driftscope import stats
from driftscope.data import CategoryCounts, ColumnKind, Table
from driftscope.data.columns import missing_count
from driftscope.drift.auto import AutoPolicy
from driftscope.drift.methods import DriftMethod, ShareMoved, share_moved
from driftscope.drift.pairs import CHART_BARS, DEFAULT_BINS, CategoricalPair, NumericPair
from driftscope.drift.parallel import Progress, run_columns
from driftscope.drift.power import power_note
from driftscope.drift.reference import (
    DEFAULT_MAX_CATEGORIES,
    CategoricalReference,
    ColumnReference,
    Reference,
)
from driftscope.drift.results import (
    ColumnDrift,
    ColumnSummary,
    Distribution,
    DriftResult,
    MethodResult,
)
from driftscope.drift.verdicts import explain
from driftscope.errors import ConfigError, DataError, DriftscopeError

CORRECTIONS = {
    None: None,
    "none": None,
    "bh": "benjamini-hochberg",
    "fdr_bh": "benjamini-hochberg",
    "benjamini-hochberg": "benjamini-hochberg",
    "bonferroni": "bonferroni",
}
MAX_CHART_BARS = CHART_BARS


def normalize_correction(correction: str | None) -> str | None:
    key = correction.lower() if isinstance(correction, str) else correction
    if key not in CORRECTIONS:
        raise ConfigError(
            f"unknown multiple-testing correction {correction!r}; use 'bh', 'bonferroni' or None"
        )
    return CORRECTIONS[key]


@dataclass(frozen=True)
class Plan:
    """Which methods run and how their verdicts combine: the automatic policy (both gates must
    open) or the user's methods (``combine`` is "any" or "all").

    >>> from driftscope.drift.methods import KSTest, WassersteinDistance
    >>> plan = Plan(methods=(KSTest(0.01), WassersteinDistance()), combine="all")
    >>> [m.name for m in plan.methods], plan.correction
    (['ks', 'wasserstein'], 'benjamini-hochberg')
    """

    methods: tuple[DriftMethod, ...] = ()
    auto: AutoPolicy | None = None
    combine: str = "any"
    correction: str | None = "benjamini-hochberg"

    @property
    def alpha(self) -> float:
        """The significance level the power notes use: the automatic policy's, else the
        strictest chosen test's, else 0.05.

        >>> from driftscope.drift.methods import KSTest, WassersteinDistance
        >>> Plan(methods=(KSTest(0.01), WassersteinDistance())).alpha
        0.01
        """
        if self.auto is not None:
            return self.auto.significance_level
        levels = [m.threshold for m in self.methods if m.uses_p_value]
        return min(levels, default=0.05)

    def methods_for(
        self, kind: ColumnKind, pair: NumericPair | CategoricalPair
    ) -> list[DriftMethod]:
        if self.auto is not None:
            return self.auto.methods_for(kind, pair)
        return [m for m in self.methods if m.applies_to(kind, pair)]


@dataclass
class _Outcome:
    column: ColumnDrift | None
    skipped: str | None = None


def compare(
    reference: Reference,
    table: Table,
    names: Sequence[str],
    plan: Plan,
    *,
    kind: str = "feature",
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    workers: int | None = None,
    progress: Progress | None = None,
) -> DriftResult:
    """Run ``plan`` on ``names`` of ``table`` against ``reference``."""
    missing = [n for n in names if n not in table.columns]
    if missing:
        others = ""
        if len(missing) > 1:
            shown = ", ".join(repr(n) for n in missing[1:10])
            others = f", and so are {len(missing) - 1} more reference columns: {shown}"
        raise DataError(f"is missing from the production data{others}", column=missing[0])

    notes = power_note(reference.rows, table.rows, plan.alpha, unit="rows")
    # a column's own power note only when it says more than the data set's (missing values)
    covered = None if notes is None else (reference.rows, table.rows)

    def work(name: str) -> _Outcome:
        try:
            column = reference.columns[name]
            return _compare_column(column, table, plan, max_categories, covered)
        except DataError as exc:
            if exc.column is not None:
                raise
            raise DataError(str(exc), column=name) from exc
        except DriftscopeError as exc:  # e.g. a method that cannot take this column's data
            raise DataError(f"cannot be compared: {exc}", column=name) from exc

    outcomes = run_columns(list(names), work, progress, workers)
    columns = {n: o.column for n, o in outcomes.items() if o.column is not None}
    skipped = {n: o.skipped for n, o in outcomes.items() if o.skipped is not None}
    columns, uncomputed = _correct(columns, plan)
    skipped.update(uncomputed)
    return DriftResult(
        kind=kind,
        features=columns,
        skipped={**reference.skipped, **skipped},
        correction=plan.correction,
        reference_version=reference.version,
        reference_rows=reference.rows,
        current_rows=table.rows,
        computed_at=datetime.now(UTC),
        notes=() if notes is None else (notes,),
    )


def _compare_column(
    ref: ColumnReference,
    table: Table,
    plan: Plan,
    max_categories: int,
    covered: tuple[int, int] | None = None,
) -> _Outcome:
    name = ref.name
    notes: list[str] = []
    pair: NumericPair | CategoricalPair
    raw = table.column(name)
    if missing_count(raw) == len(raw):
        rows = len(raw)
        missing = ColumnSummary(rows, rows)
        return _Outcome(
            _without_values(ref, missing, f"all {rows:,} production values are missing")
        )
    if isinstance(ref, CategoricalReference):
        cats = table.categories(name, kind=ref.kind, max_categories=max_categories)
        pair = CategoricalPair.align(
            ref.categories,
            ref.counts,
            cats.categories,
            cats.counts,
            ref_other=ref.other_counts,
            cur_other=cats.other_counts,
        )
        current = ColumnSummary(cats.rows, cats.missing)
        if pair.left_out:
            notes.append(_left_out_note(ref, cats))
        unseen = pair.unseen_categories
        if unseen:
            shown = ", ".join(repr(c) for c in unseen[:5])
            more = f" and {len(unseen) - 5} more" if len(unseen) > 5 else ""
            notes.append(
                f"{len(unseen)} categories not seen in the reference ({pair.unseen_share:.1%} "
                f"of the production values): {shown}{more}"
            )
    else:
        col = table.numeric(name, kind=ref.kind)
        current = ColumnSummary(col.rows, col.missing, col.positive_infinite, col.negative_infinite)
        if col.values.size == 0:
            infinite = col.positive_infinite + col.negative_infinite
            note = (
                f"none of the {col.rows:,} production values is finite ({col.missing:,} "
                f"missing, {infinite:,} infinite)"
            )
            return _Outcome(_without_values(ref, current, note))
        pair = NumericPair(ref.sample, col.values)
    notes.extend(_quality_notes(ref.summary, current))
    sizes = (ref.summary.valid, current.valid)
    power = None if sizes == covered else power_note(*sizes, plan.alpha)
    if power is not None:
        notes.append(power)

    methods = plan.methods_for(ref.kind, pair)
    if not methods:
        return _Outcome(None, f"no configured method applies to {ref.kind} columns")
    results = tuple(m.evaluate(pair) for m in methods)
    ref_bins, cur_bins = pair.binned(DEFAULT_BINS)
    primary = results[0]
    column = ColumnDrift(
        column=name,
        kind=str(ref.kind),
        drifted=False,  # decided after the multiple-testing correction
        score=_share_moved(results, pair),
        method=primary.method,
        statistic=primary.statistic,
        p_value=primary.p_value,
        threshold=primary.threshold,
        methods=results,
        reference=ref.summary,
        current=current,
        distribution=_distribution(pair, ref_bins, cur_bins, ref.kind),
        notes=tuple(notes),
    )
    return _Outcome(column)


def _share_moved(results: tuple[MethodResult, ...], pair: NumericPair | CategoricalPair) -> float:
    """The column's score: the relevance gate's share moved when it ran, else computed."""
    gate = next((r for r in results if r.method == ShareMoved.name), None)
    return float(gate.statistic if gate is not None else share_moved(pair)[0])


def _left_out_note(ref: CategoricalReference, cats: CategoryCounts) -> str:
    """What counting left out past ``max_categories``, on each side that left levels out.

    >>> import numpy as np
    >>> from driftscope.drift.results import ColumnSummary
    >>> ref = CategoricalReference("id", ColumnKind.CATEGORICAL, ("a", "b"), np.array([2, 1]),
    ...                            ColumnSummary(5, 0), np.array([1, 1]))
    >>> cur = CategoryCounts("id", ColumnKind.CATEGORICAL, ("a", "c"), np.array([3, 1]), 4, 0)
    >>> _left_out_note(ref, cur)
    '4 distinct values in the reference: the 2 most frequent are compared by label, the other 2 by their counts only (max_categories; a left-out level is taken as absent from the other side)'
    """  # noqa: E501
    sides = []
    for where, kept, other in (
        ("the reference", len(ref.categories), len(ref.other_counts)),
        ("the production data", len(cats.categories), len(cats.other_counts)),
    ):
        if other:
            sides.append(
                f"{kept + other:,} distinct values in {where}: the {kept:,} most frequent are "
                f"compared by label, the other {other:,} by their counts only"
            )
    return (
        "; ".join(sides)
        + " (max_categories; a left-out level is taken as absent from the other side)"
    )


def _without_values(ref: ColumnReference, current: ColumnSummary, note: str) -> ColumnDrift:
    """A column with no usable production value: a finding (drifted, score 1: all of the
    column moved to values the baseline hardly had), not an error. Its one method,
    ``missing``, is the share of unusable production values against a threshold of the
    baseline's share plus 0.01."""
    unusable = 1.0 - current.valid / current.rows if current.rows else 1.0
    baseline = 1.0 - ref.summary.valid / ref.summary.rows if ref.summary.rows else 0.0
    threshold = min(baseline + 0.01, 1.0)
    method = MethodResult(
        "missing", unusable, None, threshold, unusable >= threshold, role="effect"
    )
    return ColumnDrift(
        column=ref.name,
        kind=str(ref.kind),
        drifted=method.drifted,
        score=1.0,
        method=method.method,
        statistic=unusable,
        p_value=None,
        threshold=threshold,
        methods=(method,),
        reference=ref.summary,
        current=current,
        notes=(note,),
        reason=f"drift: {note}",
    )


def _correct(
    columns: dict[str, ColumnDrift], plan: Plan
) -> tuple[dict[str, ColumnDrift], dict[str, str]]:
    """Adjust p-values across columns (one family per method, or one for the automatic
    tests), then decide each method and each column. Columns on which no method could be
    computed are returned apart, with the reason, to be listed as skipped."""
    families: dict[str, list[tuple[str, int]]] = {}
    for name, col in columns.items():
        for i, m in enumerate(col.methods):
            if m.p_value is not None and not math.isnan(m.p_value):
                key = "auto" if plan.auto is not None else m.method
                families.setdefault(key, []).append((name, i))
    adjusted: dict[tuple[str, int], float] = {}
    for members in families.values():
        raw = np.array([columns[n].methods[i].p_value for n, i in members], dtype=float)
        if plan.correction == "benjamini-hochberg":
            adj = stats.benjamini_hochberg(raw)
        elif plan.correction == "bonferroni":
            adj = stats.bonferroni(raw)
        else:
            adj = raw
        adjusted.update({member: float(a) for member, a in zip(members, adj, strict=True)})

    out: dict[str, ColumnDrift] = {}
    uncomputed: dict[str, str] = {}
    combine_all = plan.auto is not None or plan.combine == "all"
    for name, col in columns.items():
        methods = []
        for i, m in enumerate(col.methods):
            if (name, i) in adjusted:
                p = adjusted[(name, i)]
                m = replace(m, adjusted_p_value=p, drifted=bool(p < m.threshold))
            methods.append(m)
        # A method that could not be computed (NaN) is unknown: it neither vetoes nor
        # supports drift; the others decide, and the column says so.
        known = [m.drifted for m in methods if _computed(m)]
        missing = [m.method for m in methods if not _computed(m)]
        if not known:
            uncomputed[name] = f"no method could be computed on it ({', '.join(missing)}: n/a)"
            continue
        drifted = all(known) if combine_all else any(known)
        notes = col.notes
        if missing:
            notes += (f"{', '.join(missing)} could not be computed (n/a): decided without it",)
        reason = explain(methods, drifted, auto=plan.auto is not None, combine=plan.combine)
        out[name] = replace(
            col, methods=tuple(methods), drifted=drifted, notes=notes, reason=reason
        )
    return out, uncomputed


def _computed(m: MethodResult) -> bool:
    """Whether a method produced a number: a p-value for a test, a statistic (possibly
    infinite) for a distance; NaN means it could not be computed on these data."""
    value = m.p_value if m.role == "test" else m.statistic
    return value is not None and not math.isnan(value)


def _quality_notes(ref: ColumnSummary, cur: ColumnSummary) -> list[str]:
    """Missing and infinite values are left out of the tests: say when the missing share
    rose by more than a point, when the share of +inf or of -inf moved by a point or more,
    and that production infinities were left out."""
    notes = []
    ref_missing = ref.missing / ref.rows if ref.rows else 0.0
    cur_missing = cur.missing / cur.rows if cur.rows else 0.0
    if cur.missing and cur_missing > ref_missing + 0.01:
        notes.append(f"missing share rose from {ref_missing:.1%} to {cur_missing:.1%}")
    for sign, r, c in (
        ("+inf", ref.positive_infinite, cur.positive_infinite),
        ("-inf", ref.negative_infinite, cur.negative_infinite),
    ):
        r_share = r / ref.rows if ref.rows else 0.0
        c_share = c / cur.rows if cur.rows else 0.0
        if abs(c_share - r_share) >= 0.01:
            moved = "rose" if c_share > r_share else "fell"
            notes.append(f"share of {sign} values {moved} from {r_share:.1%} to {c_share:.1%}")
    infinite = cur.positive_infinite + cur.negative_infinite
    if infinite:
        notes.append(f"{infinite} infinite values in the production data (left out of the tests)")
    return notes


def _distribution(
    pair: NumericPair | CategoricalPair,
    ref_bins: np.ndarray,
    cur_bins: np.ndarray,
    kind: ColumnKind,
) -> Distribution:
    if isinstance(pair, NumericPair):
        ref_bins, cur_bins = pair.chart()
        values = pair.reference.values
        if values.size <= CHART_BARS:  # one bar per distinct reference value
            labels = [_format_edge(float(v), kind) for v in values]
            if len(labels) > 1:  # the outer bars also hold values the reference never had
                labels[0], labels[-1] = f"<= {labels[0]}", f">= {labels[-1]}"
        else:
            labels = _bin_labels(pair.chart_edges(), kind)
    else:
        labels = list(pair.categories)
        shares = ref_bins / max(ref_bins.sum(), 1) + cur_bins / max(cur_bins.sum(), 1)
        order = np.argsort(-shares[: pair.labelled])  # left-out levels get no bar of their own
        if len(order) > MAX_CHART_BARS or pair.left_out:
            room = MAX_CHART_BARS - 1
            keep = order[:room]
            rest = np.concatenate((order[room:], np.arange(pair.labelled, len(labels))))
            labels = [labels[i] for i in keep] + [f"({len(rest)} others)"]
            ref_bins = np.append(ref_bins[keep], ref_bins[rest].sum())
            cur_bins = np.append(cur_bins[keep], cur_bins[rest].sum())
        else:
            labels = [labels[i] for i in order]
            ref_bins, cur_bins = ref_bins[order], cur_bins[order]
    ref_share = ref_bins / ref_bins.sum() if ref_bins.sum() else ref_bins.astype(float)
    cur_share = cur_bins / cur_bins.sum() if cur_bins.sum() else cur_bins.astype(float)
    return Distribution(
        tuple(labels),
        tuple(round(float(x), 6) for x in ref_share),
        tuple(round(float(x), 6) for x in cur_share),
    )


def _format_edge(value: float, kind: ColumnKind) -> str:
    if kind == ColumnKind.DATETIME:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M")
    return f"{value:.4g}"


def _bin_labels(edges: np.ndarray, kind: ColumnKind) -> list[str]:
    if len(edges) == 0:
        return ["all values"]
    text = [_format_edge(float(e), kind) for e in edges]
    labels = [f"< {text[0]}"]
    labels += [f"{a} to {b}" for a, b in pairwise(text)]
    labels.append(f">= {text[-1]}")
    return labels
