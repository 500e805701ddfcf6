"""The health report of a model: its stored check results over a period as one
self-contained HTML page (inline CSS and SVG, no external resource).

>>> from driftscope.report.health_page import render_health_page
>>> callable(render_health_page)
True
"""

from driftscope.report.health_page.history import Series, read_history, split_metric, summarize
from driftscope.report.health_page.page import render_health_page, write_health_page

__all__ = [
    "Series",
    "read_history",
    "render_health_page",
    "split_metric",
    "summarize",
    "write_health_page",
]
