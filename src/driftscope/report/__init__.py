"""Reports built on the checks' results: the terminal tables of drift results and of a
health run (the HTML page of a drift result lives with it, in :mod:`driftscope.drift.html`,
and is re-exported here).

>>> from driftscope.report import render_report
>>> callable(render_report)
True
"""

from driftscope.drift.html import render_report

__all__ = ["render_report"]
