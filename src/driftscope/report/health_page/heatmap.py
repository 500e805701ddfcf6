"""Drift per feature over windows: an HTML table whose rows are the features and whose
columns are the windows, each cell coloured by the feature's drift score in that window
and marked when the feature drifted.

The scores come from the stored ``data_drift_score`` points of the drift check (their
``details["features"]``); points stored before those details existed only list the
drifted features, and their cells say drifted or not.

>>> from datetime import UTC, datetime
>>> import pandas as pd
>>> day = datetime(2025, 6, 1, tzinfo=UTC)
>>> points = pd.DataFrame({"window_start": [day], "check": ["drift"],
...     "metric": ["data_drift_score"], "details": [{"features": {
...         "<plan>": {"score": 0.31, "drifted": True},
...         "age": {"score": 0.01, "drifted": False}}}]})
>>> html = drift_heatmap(points)
>>> "&lt;plan&gt;" in html, "<plan>" in html, html.count('class="cell')
(True, False, 2)
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

import pandas as pd

from driftscope.report.health_page._text import breakable

__all__ = ["SCORE_STEPS", "drift_heatmap", "feature_scores"]

#: The colour steps of a drift score (the share of the data that moved, 0 to 1): lower bounds.
SCORE_STEPS = (0.0, 0.05, 0.1, 0.2, 0.3)


def feature_scores(points: pd.DataFrame) -> dict[str, dict[datetime, dict[str, Any]]]:
    """Per feature, per window start: ``{"score": float | None, "drifted": bool}`` from the
    stored ``data_drift_score`` points of ``points``.

    >>> from datetime import UTC, datetime
    >>> day = datetime(2025, 6, 1, tzinfo=UTC)
    >>> old = pd.DataFrame({"window_start": [day], "check": ["drift"],
    ...     "metric": ["data_drift_score"], "details": [{"drifted_features": ["age"]}]})
    >>> feature_scores(old)["age"][day]
    {'score': None, 'drifted': True}
    """
    drift = points[(points["check"] == "drift") & (points["metric"] == "data_drift_score")]
    out: dict[str, dict[datetime, dict[str, Any]]] = {}
    for start, details in zip(drift["window_start"], drift["details"], strict=True):
        moment = pd.Timestamp(start).to_pydatetime()
        details = details if isinstance(details, dict) else {}
        columns = details.get("features")
        if isinstance(columns, dict):
            for name, col in columns.items():
                score = col.get("score") if isinstance(col, dict) else None
                drifted = bool(col.get("drifted")) if isinstance(col, dict) else False
                out.setdefault(str(name), {})[moment] = {"score": score, "drifted": drifted}
        else:
            for name in details.get("drifted_features") or ():
                out.setdefault(str(name), {})[moment] = {"score": None, "drifted": True}
    return out


def _step(score: float | None) -> int:
    if score is None:
        return -1
    return max(i for i, low in enumerate(SCORE_STEPS) if score >= low or i == 0)


def _legend() -> str:
    items = []
    for i, low in enumerate(SCORE_STEPS):
        high = SCORE_STEPS[i + 1] if i + 1 < len(SCORE_STEPS) else None
        text = f"{low:g}–{high:g}" if high is not None else f"≥ {low:g}"
        items.append(f'<span><i class="s{i}"></i>{text}</span>')
    items.append('<span><i class="s-1 drifted"></i>drifted</span>')
    items.append('<span><i class="none"></i>not checked</span>')
    return f'<p class="legend hm-legend">Drift score: {"".join(items)}</p>'


def drift_heatmap(points: pd.DataFrame) -> str:
    """The heatmap of the drift check's points in ``points`` (an empty-state line when the
    drift check stored none); features with drift first, then by their highest score."""
    scores = feature_scores(points)
    if not scores:
        return '<p class="empty">No drift check with per-feature results in this period.</p>'
    windows = sorted({pd.Timestamp(s).to_pydatetime() for s in points["window_start"]})
    windows = [w for w in windows if any(w in cells for cells in scores.values())]
    hourly = len(windows) > 1 and (windows[1] - windows[0]).total_seconds() < 86_400

    def rank(name: str) -> tuple[int, float, str]:
        cells = scores[name].values()
        drifted = sum(c["drifted"] for c in cells)
        top = max((c["score"] for c in cells if c["score"] is not None), default=0.0)
        return (-drifted, -top, name)

    label = "%m-%d %H:%M" if hourly else "%b %d"
    head = "".join(
        f'<th class="win" scope="col" title="window from {w:%Y-%m-%d %H:%M} UTC">'
        f"<span>{w.strftime(label)}</span></th>"
        for w in windows
    )
    rows = []
    for name in sorted(scores, key=rank):
        cells = []
        for w in windows:
            cell = scores[name].get(w)
            if cell is None:
                cells.append('<td class="cell none" title="not checked"></td>')
                continue
            score, drifted = cell["score"], cell["drifted"]
            shown = "n/a" if score is None else f"{score:.3f}"
            tip = f"{name} · {w:%Y-%m-%d %H:%M}: score {shown}" + (" · drifted" if drifted else "")
            mark = "●" if drifted else ""
            cls = f"cell s{_step(score)}" + (" drifted" if drifted else "")
            cells.append(f'<td class="{cls}" title="{escape(tip)}">{mark}</td>')
        rows.append(f'<tr><th scope="row" class="feat">{breakable(name)}</th>{"".join(cells)}</tr>')
    return (
        _legend()
        + '<div class="scroll"><table class="heatmap"><thead><tr><th class="feat" scope="col">'
        f"feature</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
