"""Reports of drift results: the self-contained HTML page and the terminal table.

>>> from driftscope.report import render_report
>>> callable(render_report)
True
"""

from driftscope.report.html import render_report

__all__ = ["render_report"]
