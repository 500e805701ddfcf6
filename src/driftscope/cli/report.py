"""``driftscope report MODEL --output health.html``: the health report of a model, one
self-contained HTML page of its stored check results over a period.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(report, ["--help"]).output.splitlines()[0]
'Usage: report [OPTIONS] MODEL'
"""

from __future__ import annotations

from pathlib import Path

import click

from driftscope.cli._options import check_output, stdout_console
from driftscope.cli._reading import (
    parse_period,
    since_option,
    store_option,
    until_option,
)
from driftscope.cli._store import open_existing_store


@click.command()
@click.argument("model")
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="FILE",
    help="The HTML file to write, e.g. health.html.",
)
@since_option
@until_option
@store_option
def report(
    model: str, output: str, since: str | None, until: str | None, location: str | None
) -> None:
    """Write MODEL's health report: one chart per metric over time, drift per feature as a
    heatmap, and the latest drift detail, in one HTML file."""
    from driftscope.report.health_page import write_health_page

    start, end = parse_period(since, until)
    check_output(output)
    store = open_existing_store(location)
    try:
        path = write_health_page(store, model, Path(output), since=start, until=end)
    finally:
        store.close()
    stdout_console().print(f"Health report written to {path}", highlight=False)
