"""The self-contained HTML page of a drift result (``DriftResult.save_html``): one file,
inline CSS, JavaScript and SVG, no network access when opened.

>>> from driftscope.drift.results import DriftReport
>>> render_report(DriftReport(title="Nightly check")).startswith("<!doctype html>")
True
"""

from driftscope.drift.html.page import render_report

__all__ = ["render_report"]
