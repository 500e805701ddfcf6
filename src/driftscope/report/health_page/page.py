"""The health report page: a model's stored check results over a period, self-contained.

One HTML file with inline CSS and SVG and no script: a title with the model, the period,
the generation time and the driftscope version; summary cards; one chart per metric over
time, grouped by check (every metric of the whole window, and each metric of one column
that was ever in trouble); drift per feature over windows as a heatmap; and the latest
window's drift detail. Every string from the data is escaped.

>>> from datetime import UTC, datetime
>>> import pandas as pd
>>> day = datetime(2025, 6, 1, tzinfo=UTC)
>>> points = pd.DataFrame({"window_start": [day], "window_end": [day], "check": ["drift"],
...     "metric": ["data_drift_score"], "value": [0.3], "threshold": [0.2],
...     "status": ["critical"], "baseline_version": ["3f2a"], "details": [{}]})
>>> page = render_health_page(points, "<churn>")
>>> page.startswith("<!doctype html>"), "&lt;churn&gt;" in page, "<churn>" in page
(True, True, False)
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from driftscope._version import package_version
from driftscope.core.status import Status
from driftscope.report.health_page._text import breakable
from driftscope.report.health_page.charts import ChartPoint, line_chart
from driftscope.report.health_page.detail import latest_drift_detail
from driftscope.report.health_page.heatmap import drift_heatmap
from driftscope.report.health_page.history import Series, read_history, summarize
from driftscope.report.health_page.style import STYLE
from driftscope.store.base import Store

__all__ = ["render_health_page", "write_health_page"]


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _status(status: str) -> str:
    return f'<span class="status {_e(status)}">{_e(status)}</span>'


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _period(points: pd.DataFrame, since: datetime | None, until: datetime | None) -> str:
    first = since or pd.Timestamp(points["window_start"].min()).to_pydatetime()
    last = until or pd.Timestamp(points["window_end"].max()).to_pydatetime()
    return f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"


def _cards(points: pd.DataFrame, series: list[Series]) -> str:
    latest_start = points["window_start"].max()
    latest = Status.worst(points.loc[points["window_start"] == latest_start, "status"])
    windows = points["window_start"].nunique()
    trouble = sum(1 for s in series if s.worst in ("warning", "critical"))
    cards = [
        ("Latest window", _status(latest.value), f"{pd.Timestamp(latest_start):%Y-%m-%d %H:%M}"),
        ("Worst in period", _status(Status.worst(points["status"]).value), ""),
        ("Windows", f"{windows:,}", f"{len(points):,} stored points"),
        ("Series in trouble", f"{trouble} / {len(series)}", "warning or critical at least once"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="k">{k}</div><div class="v">{v}</div>'
            + (f'<div class="d">{d}</div>' if d else "")
            + "</div>"
            for k, v, d in cards
        )
        + "</div>"
    )


def _charted(series: list[Series]) -> list[Series]:
    """Every metric of the whole window, and the per-column ones that were ever in trouble."""
    return [s for s in series if not s.column or s.worst in ("warning", "critical")]


def _chart(points: pd.DataFrame, s: Series) -> str:
    metric = f"{s.metric}:{s.column}" if s.column else s.metric
    rows = points[(points["check"] == s.check) & (points["metric"] == metric)]
    rows = rows.sort_values("window_start")
    chart_points = [
        ChartPoint(
            pd.Timestamp(start).to_pydatetime(),
            None if pd.isna(value) else float(value),
            None if pd.isna(limit) else float(limit),
            str(status),
        )
        for start, value, limit, status in zip(
            rows["window_start"], rows["value"], rows["threshold"], rows["status"], strict=True
        )
    ]
    title = metric.replace("_", " ")
    return (
        f'<figure><figcaption><b>{breakable(metric)}</b><span class="latest">latest '
        f"{_value(s.latest_value)} {_status(s.latest_status)}</span></figcaption>"
        f"{line_chart(chart_points, title)}</figure>"
    )


CHART_LEGEND = (
    '<p class="legend"><span><i class="dot ok"></i>ok</span>'
    '<span><i class="dot warning"></i>warning</span>'
    '<span><i class="dot critical"></i>critical</span>'
    '<span><i class="dot unknown"></i>unknown</span>'
    '<span><i class="limit"></i>alert threshold</span>'
    '<span><i class="band"></i>alert zone</span><span>× not computed (a gap, not 0)</span></p>'
)


def _charts(points: pd.DataFrame, series: list[Series]) -> str:
    shown = _charted(series)
    if not shown:
        return '<p class="empty">No series in this period.</p>'
    checks = list(dict.fromkeys(s.check for s in shown))  # worst check first
    hidden = len(series) - len(shown)
    note = (
        f'<p class="explain">{hidden} per-column series ok throughout are not drawn '
        "(<code>driftscope history</code> lists every series).</p>"
        if hidden
        else ""
    )
    parts = [CHART_LEGEND, note]
    for check in checks:
        figures = "".join(_chart(points, s) for s in shown if s.check == check)
        parts.append(f'<h3>{_e(check)}</h3><div class="charts">{figures}</div>')
    return "".join(parts)


def render_health_page(
    points: pd.DataFrame,
    model: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    generated_at: datetime | None = None,
    see_also: tuple[tuple[str, str], ...] = (),
) -> str:
    """The page of ``points`` (stored check results of ``model``, the columns of
    :class:`~driftscope.core.checks.CheckRecord`, at least one row) over the period
    ``[since, until)`` (default: the span of the points). ``see_also`` holds ``(text,
    relative file name)`` pairs linked under the latest drift detail (e.g. a drift report
    written beside the page)."""
    generated = (generated_at or datetime.now(UTC)).astimezone(UTC)
    series = summarize(points)
    versions = sorted({str(v) for v in points["baseline_version"].dropna()})
    meta = [
        f"<span>Period {_e(_period(points, since, until))}</span>",
        f"<span>Baseline {_e(', '.join(versions) or 'none')}</span>",
        f"<span>Generated {generated:%Y-%m-%d %H:%M} UTC</span>",
        f"<span>driftscope {_e(package_version())}</span>",
    ]
    body = (
        f"<header><h1>Model health: {_e(model)}</h1>"
        f'<p class="meta">{"".join(meta)}</p></header>'
        + _cards(points, series)
        + "<h2>Metrics over time</h2>"
        + _charts(points, series)
        + "<h2>Drift per feature over windows</h2>"
        + '<p class="explain">Each cell is a feature\'s drift score in a window (the share '
        "of its data that moved between the baseline and the window: 0 identical, 1 "
        "disjoint); ● marks a window where the feature drifted (its test is clear and the "
        "share moved may reach the relevance threshold).</p>"
        + drift_heatmap(points)
        + "<h2>Latest drift detail</h2>"
        + latest_drift_detail(points)
        + "".join(
            f'<p class="explain">{_e(text)}: <a href="{_e(quote(name))}">{_e(name)}</a></p>'
            for text, name in see_also
        )
        + "<footer><p>Each point is one metric of one check over one window, as stored by "
        "<code>driftscope check</code>; a value that could not be computed (no rows, no "
        "labels yet) is a gap marked ×, never 0. Times are UTC.</p>"
        "</footer>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Model health: {_e(model)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def write_health_page(
    store: Store,
    model: str,
    path: str | Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    see_also: tuple[tuple[str, str], ...] = (),
) -> Path:
    """Read ``model``'s stored results of ``[since, until)`` from ``store``
    (:func:`~driftscope.report.health_page.read_history`: an unknown model or an empty
    period is a :class:`~driftscope.errors.ConfigError`) and write the page to ``path``
    (``see_also`` as for :func:`render_health_page`)."""
    points = read_history(store, model, since=since, until=until)
    target = Path(path)
    page = render_health_page(points, model, since=since, until=until, see_also=see_also)
    target.write_text(page, encoding="utf-8")
    return target
