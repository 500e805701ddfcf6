"""The latest drift detail: per feature, the drift check of the most recent window with
drift results, as a table (method, statistic, p-value, threshold, score, verdict).

>>> from datetime import UTC, datetime
>>> import pandas as pd
>>> day = datetime(2025, 6, 30, tzinfo=UTC)
>>> points = pd.DataFrame({"window_start": [day], "window_end": [day], "check": ["drift"],
...     "metric": ["data_drift_score"], "value": [0.2], "status": ["warning"],
...     "details": [{"features": {"age": {"score": 0.3, "drifted": True, "kind": "numerical",
...                  "method": "ks", "statistic": 0.2, "p_value": 1e-9, "threshold": 0.05}}}]})
>>> html = latest_drift_detail(points)
>>> "age" in html, "1.0e-09" in html, "Drift" in html
(True, True, True)
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import pandas as pd

from driftscope.report.health_page._text import breakable

__all__ = ["latest_drift_detail"]


def _num(value: Any, p_value: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    value = float(value)
    if p_value and value < 1e-3:
        return f"{value:.1e}"
    return f"{value:.4g}"


def latest_drift_detail(points: pd.DataFrame) -> str:
    """The table for the newest ``drift`` / ``data_drift_score`` point of ``points`` (an
    empty-state line when there is none); drifted features first, then by score."""
    drift = points[(points["check"] == "drift") & (points["metric"] == "data_drift_score")]
    if drift.empty:
        return '<p class="empty">No drift check in this period.</p>'
    latest = drift.sort_values("window_start").iloc[-1]
    details = latest["details"] if isinstance(latest["details"], dict) else {}
    start, end = pd.Timestamp(latest["window_start"]), pd.Timestamp(latest["window_end"])
    score = latest["value"]
    head = (
        f'<p class="explain">Window {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC: data '
        f"drift score {_num(None if pd.isna(score) else score)}, status "
        f'<span class="status {escape(str(latest["status"]))}">{escape(str(latest["status"]))}'
        "</span>.</p>"
    )
    columns = details.get("features")
    if not isinstance(columns, dict) or not columns:
        names = [str(n) for n in details.get("drifted_features") or ()]
        listed = ", ".join(escape(n) for n in names) or "none"
        return head + f"<p>Drifted features: {listed} (no per-feature figures stored).</p>"

    def order(item: tuple[str, Any]) -> tuple[int, float]:
        col = item[1] if isinstance(item[1], dict) else {}
        return (0 if col.get("drifted") else 1, -(col.get("score") or 0.0))

    rows = []
    for name, col in sorted(columns.items(), key=order):
        col = col if isinstance(col, dict) else {}
        drifted = bool(col.get("drifted"))
        verdict = (
            '<span class="pill bad">Drift</span>'
            if drifted
            else '<span class="pill good">OK</span>'
        )
        kind = escape(str(col.get("kind", "")))
        rows.append(
            f'<tr class="{"drift" if drifted else ""}"><td>{verdict}</td>'
            f'<td class="name">{breakable(name)}<span class="sub">{kind}</span></td>'
            f"<td>{breakable(col.get('method', ''))}</td>"
            f'<td class="n">{_num(col.get("statistic"))}</td>'
            f'<td class="n">{_num(col.get("p_value"), p_value=True)}</td>'
            f'<td class="n">{_num(col.get("threshold"))}</td>'
            f'<td class="n">{_num(col.get("score"))}</td></tr>'
        )
    titles = ("drift", "feature", "method", "statistic", "p-value", "threshold", "score")
    cells = "".join(
        f'<th class="{"n" if i > 2 else ""}" scope="col">{t}</th>' for i, t in enumerate(titles)
    )
    return (
        head + f'<div class="scroll"><table class="detail"><thead><tr>{cells}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
