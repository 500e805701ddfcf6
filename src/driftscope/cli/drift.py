"""``driftscope drift REFERENCE CURRENT``: which columns of a data set drifted.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(drift, ["--help"]).output.splitlines()[0]
'Usage: drift [OPTIONS] REFERENCE CURRENT'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from driftscope.cli._detector import make_detector
from driftscope.cli._options import (
    check_output,
    columns_option,
    exclude_option,
    format_option,
    method_option,
    progress_option,
    split_columns,
    split_names,
    stdout_console,
    threshold_option,
)
from driftscope.cli._progress import progress_bar
from driftscope.cli.app import EXIT_DRIFT

if TYPE_CHECKING:
    from driftscope.drift.results import DriftResult

DEFAULT_HTML = "drift-report.html"


def _written(console: Console, result: DriftResult, what: str, path: str) -> None:
    """The summary line of ``result`` and where ``what`` was written, both escaped (data)."""
    from driftscope.drift.formatting import summary_line
    from driftscope.report.console import plain

    console.print(plain(summary_line(result)))
    console.print(plain(f"{what} written to {path}"))


@click.command()
@click.argument("reference", type=click.Path(exists=True, dir_okay=True))
@click.argument("current", type=click.Path(exists=True, dir_okay=True))
@format_option(
    "table",
    "json",
    "html",
    case_sensitive=False,
    help="table: a table and a summary line; json: the stable JSON result; html: a report.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help=f"Write the result to this file (html default: {DEFAULT_HTML}).",
)
@columns_option
@exclude_option
@method_option
@threshold_option
@click.option("--fail-on-drift", is_flag=True, help="Exit with status 1 when drift is found.")
@progress_option
@click.pass_context
def drift(
    ctx: click.Context,
    reference: str,
    current: str,
    fmt: str,
    output: str | None,
    columns: str | None,
    exclude: str | None,
    methods: tuple[str, ...],
    threshold: float | None,
    fail_on_drift: bool,
    progress: bool | None,
) -> None:
    """Compare CURRENT data with REFERENCE and report which columns drifted.

    REFERENCE is a data file (Parquet or CSV) or a reference saved with
    'driftscope reference fit' (*.dsref); CURRENT is a data file.
    """
    names = split_columns(columns)
    left_out = split_names(exclude) or []
    fmt = fmt.lower()
    check_output(output if output is not None or fmt != "html" else DEFAULT_HTML)
    with progress_bar(progress, "Fitting reference") as callback:
        detector = make_detector(reference, methods, threshold, names, callback)
    with progress_bar(progress, "Checking") as callback:
        result = detector.detect_feature_drift(
            current, features=names, exclude=left_out, progress=callback
        )

    from driftscope.report.console import print_result

    stdout = stdout_console()
    if fmt == "json":
        text = result.to_json()
        if output is None:
            click.echo(text)
        else:
            Path(output).write_text(text + "\n", encoding="utf-8")
            _written(stdout, result, "JSON result", output)
    elif fmt == "html":
        path = output or DEFAULT_HTML
        report = detector.generate_report(
            feature_drift=result, title=f"Drift of {Path(current).name}"
        )
        report.save_html(path)
        _written(stdout, result, "HTML report", path)
    else:
        if output is None:
            print_result(result, stdout)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                print_result(result, Console(file=handle, width=120, color_system=None))
            _written(stdout, result, "Table", output)
    if fail_on_drift and result.has_drift:
        ctx.exit(EXIT_DRIFT)
