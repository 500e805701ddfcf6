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

from driftscope.cli._detector import make_detector, role_settings
from driftscope.cli._options import (
    check_output,
    columns_option,
    exclude_option,
    format_option,
    method_option,
    progress_option,
    role_options,
    split_columns,
    split_names,
    stdout_console,
    threshold_option,
)
from driftscope.cli._progress import progress_bar
from driftscope.cli.app import EXIT_DRIFT
from driftscope.errors import ConfigError

if TYPE_CHECKING:
    from driftscope import DriftDetector
    from driftscope.drift.chunks import ChunkedDrift
    from driftscope.drift.results import DriftReport

DEFAULT_HTML = "drift-report.html"
WINDOWS = ("hour", "day", "week", "month")


def _written(console: Console, summary: str, what: str, path: str) -> None:
    """The summary line and where ``what`` was written, both escaped (data)."""
    from driftscope.report.console import plain

    console.print(plain(summary))
    console.print(plain(f"{what} written to {path}"))


def _write(output: str | None, text: str) -> None:
    if output is None:
        click.echo(text)
    else:
        Path(output).write_text(text + "\n", encoding="utf-8")


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
@role_options
@click.option(
    "--window",
    type=click.Choice(WINDOWS, case_sensitive=False),
    help="Cut CURRENT into calendar windows of the --timestamp column (UTC; weeks start on "
    "Mondays) and give one verdict per window.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    metavar="N",
    help="Cut CURRENT into runs of N consecutive rows and give one verdict per chunk.",
)
@method_option
@threshold_option
@click.option(
    "--min-change",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    metavar="SHARE",
    help="The smallest share of the data that must have moved for a change to count as drift "
    "(default 0.025, i.e. 2.5 %); see docs/methods.md.",
)
@click.option(
    "--fail-on-drift",
    is_flag=True,
    help="Exit with status 1 when drift is found: in a feature, the prediction or the target "
    "(in any chunk, with --window or --chunk-size).",
)
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
    target: str | None,
    prediction: str | None,
    timestamp: str | None,
    ids: str | None,
    window: str | None,
    chunk_size: int | None,
    methods: tuple[str, ...],
    threshold: float | None,
    min_change: float | None,
    fail_on_drift: bool,
    progress: bool | None,
) -> None:
    """Compare CURRENT data with REFERENCE and report which columns drifted.

    REFERENCE is a data file (Parquet or CSV) or a reference saved with
    'driftscope reference fit' (*.dsref); CURRENT is a data file. Columns that look like
    ids or event times are left out with a note; --target, --prediction, --timestamp and
    --id name the columns that are not model inputs.
    """
    names = split_columns(columns)
    left_out = split_names(exclude) or []
    if window is not None and chunk_size is not None:
        raise ConfigError("give --window or --chunk-size, not both")
    roles = role_settings(target, prediction, timestamp, split_names(ids))
    if min_change is not None:
        roles["min_change"] = min_change
    fmt = fmt.lower()
    check_output(output if output is not None or fmt != "html" else DEFAULT_HTML)
    with progress_bar(progress, "Fitting reference") as callback:
        detector = make_detector(reference, methods, threshold, names, callback, roles)
    if window is not None and detector.timestamp_column is None:
        raise ConfigError("--window needs the timestamp column: add --timestamp COLUMN")
    chunked = report = None
    with progress_bar(progress, "Checking") as callback:
        if window is not None or chunk_size is not None:
            chunked = detector.detect_chunks(
                current,
                window and window.lower(),
                chunk_size=chunk_size,
                features=names,
                exclude=left_out,
                progress=callback,
            )
        if chunked is None or fmt == "html":
            report = detector.detect(current, names, exclude=left_out, progress=callback)
    if chunked is not None:
        found = _show_chunks(chunked, report, fmt, output, current)
    else:
        assert report is not None
        found = _show_report(detector, report, fmt, output, current)
    if fail_on_drift and found:
        ctx.exit(EXIT_DRIFT)


def _show_report(
    detector: DriftDetector, report: DriftReport, fmt: str, output: str | None, current: str
) -> bool:
    """Print or write ``report``; whether it found drift."""
    from driftscope.cli._drift_output import print_sections, report_json, to_json
    from driftscope.drift.formatting import summary_line

    assert report.feature_drift is not None
    summary = summary_line(report.feature_drift)
    stdout = stdout_console()
    if fmt == "json":
        _write(output, to_json(report_json(report)))
        if output is not None:
            _written(stdout, summary, "JSON result", output)
    elif fmt == "html":
        path = output or DEFAULT_HTML
        titled = detector.generate_report(
            report.feature_drift,
            report.prediction_drift,
            title=f"Drift of {Path(current).name}",
            target_drift=report.target_drift,
        )
        titled.save_html(path)
        _written(stdout, summary, "HTML report", path)
    elif output is None:
        print_sections(report, stdout)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            print_sections(report, Console(file=handle, width=120, color_system=None))
        _written(stdout, summary, "Table", output)
    return report.has_drift


def _show_chunks(
    chunked: ChunkedDrift,
    report: DriftReport | None,
    fmt: str,
    output: str | None,
    current: str,
) -> bool:
    """Print or write drift per chunk (the HTML page also holds the whole data's report);
    whether any chunk drifted."""
    from dataclasses import replace

    from driftscope.cli._drift_output import print_chunks
    from driftscope.drift.formatting import chunks_line

    stdout = stdout_console()
    if fmt == "json":
        _write(output, chunked.to_json())
        if output is not None:
            _written(stdout, chunks_line(chunked), "JSON result", output)
    elif fmt == "html":
        assert report is not None
        path = output or DEFAULT_HTML
        titled = replace(report, title=f"Drift of {Path(current).name}", chunks=chunked)
        titled.save_html(path)
        _written(stdout, chunks_line(chunked), "HTML report", path)
    elif output is None:
        print_chunks(chunked, stdout)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            print_chunks(chunked, Console(file=handle, width=120, color_system=None))
        _written(stdout, chunks_line(chunked), "Table", output)
    return chunked.has_drift
