"""The self-contained HTML drift report.

One page, inline CSS, inline SVG charts and a few lines of inline script for sorting and
filtering the feature table; no external URL, font or script, so the file can be mailed,
archived or printed as it is. Every string from the data (column names, categories, notes)
is escaped.

>>> from driftscope.drift.results import ColumnDrift, DriftReport, DriftResult
>>> col = ColumnDrift("<b>age</b>", "numerical", True, 0.3, "ks", 0.4, 1e-9, 0.05)
>>> page = render_report(DriftReport(feature_drift=DriftResult("feature", {col.column: col})))
>>> page.startswith("<!doctype html>"), "<b>age" in page, "&lt;b&gt;age" in page
(True, False, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape

from driftscope._version import package_version
from driftscope.drift.formatting import (
    correction_label,
    deciding_method,
    fmt_check,
    fmt_number,
    fmt_p,
    fmt_rule,
    fmt_share,
    ordered_columns,
    other_methods,
)
from driftscope.drift.html.assets import SCRIPT, STYLE
from driftscope.drift.html.chunks import chunks_report_section
from driftscope.drift.html.names import wrap_name
from driftscope.drift.html.svg import distribution_chart
from driftscope.drift.results import ColumnDrift, ColumnSummary, DriftReport, DriftResult

ORDERED_KINDS = frozenset({"numerical", "numeric", "datetime", "integer", "float", "prediction"})

SCORE_MEANING = (
    "The drift score is the mean, over the {n} checked columns, of the share of each column's "
    "data that moved (the Kolmogorov–Smirnov distance for numbers, the total variation "
    "distance for categories): 0 means every column is distributed exactly as in the "
    "reference, 1 means every column moved entirely to values the reference never had. A "
    "column drifts when its test is clear and its share moved may reach the relevance "
    "threshold; hover a verdict or read a chart's first line for the reason."
)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _pill(drifted: bool) -> str:
    return '<span class="pill bad">Drift</span>' if drifted else '<span class="pill good">OK</span>'


def _score(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) else "n/a"


def _sort_value(value: float | None, missing: float) -> str:
    if value is None or not math.isfinite(value):
        return repr(missing)
    return repr(float(value))


def _header(report: DriftReport) -> str:
    meta = [f"<span>Created {_e(_time(report.created_at))}</span>"]
    result = report.feature_drift or report.prediction_drift
    if result is not None:
        if result.reference_version:
            meta.append(f"<span>Reference version {_e(result.reference_version)}</span>")
        meta.append(
            f"<span>{result.reference_rows:,} reference rows · "
            f"{result.current_rows:,} current rows</span>"
        )
        meta.append(f"<span>Correction: {_e(correction_label(result.correction))}</span>")
    return f'<header><h1>{_e(report.title)}</h1><p class="meta">{"".join(meta)}</p></header>'


def _card(key: str, value: str, detail: str = "") -> str:
    detail_html = f'<div class="d">{detail}</div>' if detail else ""
    return (
        f'<div class="card"><div class="k">{key}</div>'
        f'<div class="v">{value}</div>{detail_html}</div>'
    )


def _verdict(report: DriftReport) -> str:
    features, prediction = report.feature_drift, report.prediction_drift
    parts: list[str] = []
    cards: list[str] = []
    if features is not None:
        total, drifted = len(features.features), len(features.drifted_features)
        if total:
            parts.append(
                f"{drifted} of {total} feature{'s' if total > 1 else ''} drifted "
                f"({fmt_share(drifted / total)})."
                if drifted
                else f"None of the {total} features drifted."
            )
        else:
            parts.append("No feature was checked.")
        cards.append(
            _card(
                "Drifted features",
                f"{drifted} / {total}",
                fmt_share(drifted / total) + " of checked features" if total else "",
            )
        )
        cards.append(
            _card(
                "Data set drift score",
                _score(features.score),
                "mean share of the data that moved · 0 = identical · 1 = disjoint",
            )
        )
    if prediction is not None:
        parts.append(
            "The model's predictions drifted."
            if prediction.has_drift
            else "The model's predictions did not drift."
        )
        cards.append(
            _card(
                "Prediction drift",
                "Yes" if prediction.has_drift else "No",
                f"score {_score(prediction.score)}",
            )
        )
    if features is None and prediction is None:
        parts.append("The report holds no drift result.")
    skipped = sum(len(r.skipped) for r in (features, prediction) if r is not None)
    if skipped:
        parts.append(
            f"{skipped} column{'s were' if skipped > 1 else ' was'} not checked (see Notes)."
        )
    state = "drift" if report.has_drift else "ok"
    headline = "Drift detected" if report.has_drift else "No drift detected"
    explain = ""
    if features is not None and features.features:
        explain = f'<p class="explain">{_e(SCORE_MEANING.format(n=len(features.features)))}</p>'
    return (
        f'<section class="verdict {state}" aria-label="Verdict"><h2>{headline}</h2>'
        f"<p>{_e(' '.join(parts))}</p></section>"
        f'<div class="cards">{"".join(cards)}</div>{explain}'
    )


def _counts(ref: int, cur: int, ref_rows: int, cur_rows: int) -> str:
    def share(count: int, rows: int) -> str:
        return fmt_share(count / rows) if rows else "n/a"

    title = _e(f"reference {share(ref, ref_rows)} · current {share(cur, cur_rows)}")
    return f'<span title="{title}">{ref:,} / {cur:,}</span>'


def _infinite(summary: ColumnSummary) -> int:
    return summary.positive_infinite + summary.negative_infinite


def _p_cell(col: ColumnDrift) -> str:
    text = _e(fmt_p(col.p_value))
    main = deciding_method(col)
    adjusted = None if main is None else main.adjusted_p_value
    if adjusted is not None and fmt_p(adjusted) != fmt_p(col.p_value):
        text += f'<span class="sub">adjusted {_e(fmt_p(adjusted))}</span>'
    return text


def _method_cell(col: ColumnDrift) -> str:
    extra = "".join(f'<span class="sub">{_e(fmt_check(m))}</span>' for m in other_methods(col))
    return f"{_e(col.method)}{extra}"


def _chart_id(index: int) -> str:
    return f"chart-{index}"


def _row(col: ColumnDrift, index: int) -> str:
    ref, cur = col.reference, col.current
    score = col.score if math.isfinite(col.score) else 0.0
    width = max(0.0, min(1.0, score)) * 100
    bar = f'<span class="bar"><i style="width:{width:.1f}%"></i></span>'
    attrs = (
        f'data-name="{_e(col.column)}" data-kind="{_e(col.kind)}" '
        f'data-method="{_e(col.method)}" data-stat="{_sort_value(col.statistic, -1.0)}" '
        f'data-p="{_sort_value(col.p_value, 2.0)}" data-score="{_sort_value(col.score, -1.0)}" '
        f'data-drift="{int(col.drifted)}" data-miss="{cur.missing}"'
    )
    name = (
        f'<button type="button" class="go" data-go="{_chart_id(index)}" '
        f'title="Show the chart of {_e(col.column)}">{wrap_name(col.column)}</button>'
    )
    return (
        f'<tr class="{"drift" if col.drifted else "ok"}" {attrs}>'
        f'<td title="{_e(col.reason)}">{_pill(col.drifted)}</td>'
        f'<td class="name">{name}</td>'
        f"<td>{_e(col.kind)}</td>"
        f"<td>{_method_cell(col)}</td>"
        f'<td class="n">{_e(fmt_number(col.statistic))}</td>'
        f'<td class="n">{_p_cell(col)}</td>'
        f'<td class="n">{_e(fmt_rule(col))}</td>'
        f'<td class="n">{_score(col.score)}{bar}</td>'
        f'<td class="n">{_counts(ref.missing, cur.missing, ref.rows, cur.rows)}</td>'
        f'<td class="n">{_counts(_infinite(ref), _infinite(cur), ref.rows, cur.rows)}</td>'
        "</tr>"
    )


_COLUMNS = (
    ("Verdict", "drift", "n"),
    ("Column", "name", "s"),
    ("Kind", "kind", "s"),
    ("Method", "method", "s"),
    ("Statistic", "stat", "n"),
    ("p-value", "p", "n"),
    ("Threshold", "", ""),
    ("Score", "score", "n"),
    ("Missing ref / cur", "miss", "n"),
    ("Infinite ref / cur", "", ""),
)


def _table(result: DriftResult) -> str:
    if not result.features:
        return '<p class="empty">No feature was checked.</p>'
    cells = []
    for label, key, kind in _COLUMNS:
        if not key:
            cells.append(f"<th>{label}</th>")
            continue
        align = ' class="n"' if kind == "n" and key != "drift" else ""
        cells.append(
            f'<th data-k="{key}" data-t="{kind}"{align}>'
            f'<button type="button" title="Sort by {label.lower()}">{label}</button></th>'
        )
    head = "".join(cells)
    columns = ordered_columns(result.features.values())
    rows = "".join(_row(col, i) for i, col in enumerate(columns))
    controls = (
        '<div class="controls">'
        '<input type="search" id="q" placeholder="Filter columns by name" aria-label="Filter">'
        '<label><input type="checkbox" id="only"> drifted only</label></div>'
    )
    return (
        f'{controls}<div class="scroll"><table id="features"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _decision(col: ColumnDrift) -> str:
    """The deciding method against its rule, e.g. ``ks p 2.0e-06 < 0.05``."""
    main = deciding_method(col)
    if main is not None:
        return fmt_check(main)
    return f"{col.method} {fmt_number(col.statistic)} ({fmt_rule(col)})"


def _chart_card(col: ColumnDrift, index: int) -> str:
    """One column's chart with its verdict, kind, deciding check and notes."""
    notes = "".join(f"<li>{_e(note)}</li>" for note in col.notes)
    chart = distribution_chart(col.distribution, name=col.column, ordered=_ordered(col))
    return (
        f'<article class="dist" id="{_chart_id(index)}" tabindex="-1" data-name="{_e(col.column)}" '
        f'data-drift="{int(col.drifted)}"><h3>{_pill(col.drifted)} '
        f'<span class="cname">{wrap_name(col.column)}</span></h3>'
        f'<p class="caption">{_e(col.kind)} · {_e(_decision(col))} · '
        f"score {_score(col.score)}</p>{_why(col)}{chart}"
        f"{f'<ul class=cnotes>{notes}</ul>' if notes else ''}</article>"
    )


def _why(col: ColumnDrift) -> str:
    """The sentence saying which gate decided the column's verdict, if it has one."""
    return f'<p class="why">{_e(col.reason)}</p>' if col.reason else ""


def _distributions(result: DriftResult) -> str:
    columns = ordered_columns(result.features.values())
    cards = "".join(_chart_card(col, i) for i, col in enumerate(columns))
    return f'<div class="dists">{cards}</div>' if cards else ""


def _ordered(col: ColumnDrift) -> bool:
    return col.kind in ORDERED_KINDS


def _prediction(result: DriftResult) -> str:
    cards = []
    for col in ordered_columns(result.features.values()):
        chart = distribution_chart(col.distribution, name=col.column, ordered=_ordered(col))
        cards.append(
            f'<div class="card"><h3>{_pill(col.drifted)} '
            f'<span class="cname">{wrap_name(col.column)}</span></h3><div class="pbody"><dl>'
            f"<dt>Method</dt><dd>{_method_cell(col)}</dd>"
            f"<dt>Statistic</dt><dd>{_e(fmt_number(col.statistic))}</dd>"
            f"<dt>p-value</dt><dd>{_p_cell(col)}</dd>"
            f"<dt>Threshold</dt><dd>{_e(fmt_rule(col))}</dd>"
            f"<dt>Score</dt><dd>{_score(col.score)}</dd>"
            f"<dt>Why</dt><dd>{_e(col.reason or '—')}</dd>"
            f"<dt>Missing ref / cur</dt>"
            f"<dd>{col.reference.missing:,} / {col.current.missing:,}</dd>"
            f"</dl>{chart}</div></div>"
        )
    if not cards:
        why = "; ".join(f"{name}: {reason}" for name, reason in result.skipped.items())
        said = f"No {result.kind} column was checked" + (f". {why}" if why else ".")
        return f'<p class="empty">{_e(said)}</p>'
    return f'<div class="pred">{"".join(cards)}</div>'


def _notes(report: DriftReport) -> str:
    items: list[str] = []
    for result in (report.prediction_drift, report.target_drift, report.feature_drift):
        if result is None:
            continue
        items.extend(f"<li><strong>Warning:</strong> {_e(note)}</li>" for note in result.notes)
        for name, reason in result.skipped.items():
            items.append(f"<li><code>{_e(name)}</code> skipped: {_e(reason)}</li>")
        for col in result.features.values():
            items.extend(
                f"<li><code>{_e(col.column)}</code>: {_e(note)}</li>" for note in col.notes
            )
    if not items:
        return ""
    return f'<section class="notes"><h2>Notes</h2><ul>{"".join(items)}</ul></section>'


def _footer(report: DriftReport) -> str:
    return (
        "<footer><p>How to read this report: a p-value test flags a column when its p-value "
        "(adjusted for testing many columns, when a correction is set) is below the "
        "significance level; a distance flags it when the distance reaches its threshold; the "
        "relevance gate (share_moved) stays shut only when the share of the data that moved is "
        "below its threshold with 95% confidence. "
        "Missing and infinite values are counted and left out of the tests. Each chart shows "
        "the share of the column's rows in each bin or category, in the reference (grey bars) "
        "and the current data (blue); hover a bar for its values, click a column's name in the "
        "table to see its chart.</p>"
        f"<p>Generated by driftscope {_e(package_version())}.</p></footer>"
    )


def prediction_section(report: DriftReport) -> str:
    """The prediction columns, each with its check and chart (empty without prediction drift)."""
    if report.prediction_drift is None:
        return ""
    return f"<section><h2>Prediction drift</h2>{_prediction(report.prediction_drift)}</section>"


def target_section(report: DriftReport) -> str:
    """The target column, shown as the prediction columns are (empty without target drift)."""
    if report.target_drift is None:
        return ""
    return f"<section><h2>Target drift</h2>{_prediction(report.target_drift)}</section>"


def feature_section(report: DriftReport) -> str:
    """The feature table, then one chart per feature in the table's order."""
    if report.feature_drift is None:
        return ""
    charts = _distributions(report.feature_drift)
    charts_html = f'<h2 id="charts">Distributions</h2>{charts}' if charts else ""
    return f"<section><h2>Feature drift</h2>{_table(report.feature_drift)}{charts_html}</section>"


Section = Callable[[DriftReport], str]

# The page, top to bottom: each section is a function of the report returning HTML ("" to
# leave it out). A new section is a function added here.
SECTIONS: tuple[Section, ...] = (
    _header,
    _verdict,
    prediction_section,
    target_section,
    chunks_report_section,
    feature_section,
    _notes,
    _footer,
)


def render_report(report: DriftReport) -> str:
    """The whole report as one self-contained HTML page.

    Sections (:data:`SECTIONS`): title and times, the overall verdict with the data set's
    drift score, the prediction drift block (when present), the feature table (drifted
    first, then by score) followed by a chart per column, notes (skipped columns, warnings)
    and how to read the page.

    >>> from driftscope.drift.results import DriftReport
    >>> "No drift detected" in render_report(DriftReport(title="Nightly check"))
    True
    """
    body = "".join(section(report) for section in SECTIONS)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="generator" content="driftscope">'
        f"<title>{_e(report.title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main><script>{SCRIPT}</script></body></html>\n"
    )
