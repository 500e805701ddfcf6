"""The ``driftscope`` command line: a thin shell over the library.

Exit codes: 0 success (drift or not), 1 drift found with ``--fail-on-drift``, 2 bad input
(one ``driftscope: error: ...`` line on stderr), 3 an internal error (a bug), 130 interrupted.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(cli, ["--version"]).output.startswith("driftscope ")
True
"""

from __future__ import annotations

import errno
import math
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from driftscope.drift.results import DriftResult
from driftscope.errors import ConfigError, DriftscopeError, printable
from driftscope.report.formatting import package_version, summary_line

EXIT_OK, EXIT_DRIFT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
REFERENCE_SUFFIX = ".dsref"
DEFAULT_HTML = "drift-report.html"


def _written(console: Console, result: DriftResult, what: str, path: str) -> None:
    """The summary line of ``result`` and where ``what`` was written, both escaped (data)."""
    from driftscope.report.console import plain

    console.print(plain(summary_line(result)))
    console.print(plain(f"{what} written to {path}"))


def _one_line(message: str) -> str:
    """One line of plain text: whitespace runs folded, control characters from data escaped
    (a column name holding ``\x1b[2J`` must not drive the terminal)."""
    return printable(" ".join(str(message).split())) or "unknown error"


def _error(message: str) -> None:
    click.echo(f"driftscope: error: {_one_line(message)}", err=True)


class DriftscopeGroup(click.Group):
    """A click group that turns every expected failure into one stderr line and exit code 2."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _error(exc.format_message().rstrip(".") + hint)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            _error(exc.format_message())
            sys.exit(EXIT_USAGE)
        except DriftscopeError as exc:
            _error(str(exc))
            sys.exit(EXIT_USAGE)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader of our output went away (| head)
                sys.exit(EXIT_INTERRUPTED + 11)
            where = f": {exc.filename}" if exc.filename else ""
            _error(f"{exc.strerror or exc}{where}")
            sys.exit(EXIT_USAGE)
        except (click.Abort, KeyboardInterrupt):
            click.echo("driftscope: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # a bug: keep the traceback, but never exit 1 (= drift)
            traceback.print_exc()
            click.echo(
                f"driftscope: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                "(this is a bug; please report it with the traceback above)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"driftscope {package_version()}")
        ctx.exit(EXIT_OK)


@click.group(cls=DriftscopeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Watch machine-learning models in production: drift between data sets, reports.

    Exit codes: 0 success, 1 drift found (with --fail-on-drift), 2 bad input.
    """


# --------------------------------------------------------------------------- helpers
def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(
    enabled: bool | None, description: str, console: Console | None = None
) -> Iterator[Any]:
    """A ``progress(column, done, total)`` callback drawing a bar on stderr, or ``None``.

    ``enabled=None`` means: only when stderr is a terminal, so piped output stays clean.

    >>> with progress_bar(False, "checking") as callback:
    ...     callback is None
    True
    """
    if enabled is None:
        enabled = _stderr_is_terminal()
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=None)

        def update(column: str, done: int, total: int) -> None:
            # the column name is data: neither markup nor terminal control
            label = escape(printable(f"{description} {column}"))
            bar.update(task, completed=done, total=total, description=label)

        yield update


def _stdout_console() -> Console:
    """Rich output on stdout: terminal width on a terminal, else $COLUMNS or 120 columns."""
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(file=sys.stdout, width=120 if piped else None)


def _check_output(path: str | None) -> None:
    """Fail before the work, not after it, when the output's directory does not exist."""
    if path is not None and not Path(path).resolve().parent.is_dir():
        raise click.BadParameter(
            f"the directory of {path!r} does not exist", param_hint="'--output'"
        )


def _split_columns(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise ConfigError("--columns needs at least one column name, e.g. --columns age,plan")
    return names


def _methods(names: Sequence[str], threshold: float | None) -> tuple[list[Any] | None, float]:
    """Method objects for ``--method`` (``None`` for the automatic choice) and the
    significance level of the automatic choice."""
    from driftscope.drift.methods import method_from_name

    if threshold is not None and not math.isfinite(threshold):
        raise ConfigError(f"--threshold must be a finite number, got {threshold}")
    keys = [n.strip().lower() for n in names] or ["auto"]
    if "auto" in keys:
        if len(keys) > 1:
            raise ConfigError("--method auto cannot be combined with other methods")
        if threshold is not None and not 0.0 < threshold < 1.0:
            raise ConfigError(
                f"--threshold is the significance level of the automatic choice and must be "
                f"in (0, 1), got {threshold}"
            )
        return None, 0.05 if threshold is None else threshold
    methods = []
    for key in keys:
        try:
            methods.append(method_from_name(key, threshold))
        except ConfigError as exc:
            if threshold is None or "unknown drift method" in str(exc):
                raise
            raise ConfigError(f"--threshold {threshold} for --method {key}: {exc}") from exc
    return methods, 0.05


def _detector(
    reference: str,
    methods: Sequence[str],
    threshold: float | None,
    columns: list[str] | None,
    progress: Any,
) -> Any:
    """A detector from a data file (fitted now) or a saved ``.dsref`` reference."""
    from driftscope import DriftDetector

    method_objects, level = _methods(methods, threshold)
    if Path(reference).suffix.lower() == REFERENCE_SUFFIX:
        saved = DriftDetector.load(reference)
        if not methods:
            if threshold is None:
                return saved
            if saved.detection_methods:  # a new threshold for the saved methods
                saved_names = [m.name for m in saved.detection_methods]
                method_objects, level = _methods(saved_names, threshold)
        return DriftDetector(
            detection_methods=method_objects,
            reference=saved.reference_,
            significance_level=saved.significance_level if threshold is None else level,
            correction=saved.correction,
            combine=saved.combine,
            prediction_column=saved.prediction_column,
            max_categories=saved.max_categories,
        )
    return DriftDetector(
        reference,
        method_objects,
        columns=columns,
        significance_level=level,
        progress=progress,
    )


_method_option = click.option(
    "--method",
    "methods",
    multiple=True,
    metavar="NAME",
    help="Drift method, repeatable: auto (default), ks, chi_square, psi, jensen_shannon, "
    "wasserstein, ... A column drifts when any chosen method says so.",
)
_threshold_option = click.option(
    "--threshold",
    type=float,
    default=None,
    help="Threshold of the chosen --method: the significance level of a p-value test "
    "(drift when p < it), or the distance at which a distance flags drift.",
)
_columns_option = click.option(
    "--columns", metavar="A,B,C", help="Check only these columns (comma-separated)."
)
_progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: only when stderr is a terminal).",
)


# --------------------------------------------------------------------------- drift
@cli.command()
@click.argument("reference", type=click.Path(exists=True, dir_okay=True))
@click.argument("current", type=click.Path(exists=True, dir_okay=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html"], case_sensitive=False),
    default="table",
    show_default=True,
    help="table: a table and a summary line; json: the stable JSON result; html: a report.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help=f"Write the result to this file (html default: {DEFAULT_HTML}).",
)
@_columns_option
@_method_option
@_threshold_option
@click.option("--fail-on-drift", is_flag=True, help="Exit with status 1 when drift is found.")
@_progress_option
@click.pass_context
def drift(
    ctx: click.Context,
    reference: str,
    current: str,
    fmt: str,
    output: str | None,
    columns: str | None,
    methods: tuple[str, ...],
    threshold: float | None,
    fail_on_drift: bool,
    progress: bool | None,
) -> None:
    """Compare CURRENT data with REFERENCE and report which columns drifted.

    REFERENCE is a data file (Parquet or CSV) or a reference saved with
    'driftscope reference fit' (*.dsref); CURRENT is a data file.
    """
    names = _split_columns(columns)
    fmt = fmt.lower()
    _check_output(output if output is not None or fmt != "html" else DEFAULT_HTML)
    with progress_bar(progress, "Fitting reference") as callback:
        detector = _detector(reference, methods, threshold, names, callback)
    with progress_bar(progress, "Checking") as callback:
        result = detector.detect_feature_drift(current, features=names, progress=callback)

    from driftscope.report.console import print_result

    stdout = _stdout_console()
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


# --------------------------------------------------------------------------- demo
@cli.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Directory for the HTML report.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=100),
    default=20_000,
    show_default=True,
    help="Customers in each of the reference and production sets.",
)
@_progress_option
def demo(output_dir: str, rows: int, progress: bool | None) -> None:
    """Run the churn-model demo: synthetic drifted data, a table and an HTML report."""
    from driftscope.cli.demo import REPORT_NAME, run_demo

    console = _stdout_console()
    with progress_bar(progress, "Checking") as callback:
        run_demo(Path(output_dir), console=console, rows=rows, progress=callback)
    console.print(f"HTML report written to {Path(output_dir) / REPORT_NAME}", highlight=False)


# --------------------------------------------------------------------------- reference
@cli.group()
def reference() -> None:
    """Fit and save references, to check many data sets against one fitted baseline."""


@reference.command("fit")
@click.argument("data", type=click.Path(exists=True, dir_okay=True))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help=f"The reference file to write (name ending in {REFERENCE_SUFFIX}).",
)
@_columns_option
@_method_option
@_threshold_option
@_progress_option
def fit(
    data: str,
    output: str,
    columns: str | None,
    methods: tuple[str, ...],
    threshold: float | None,
    progress: bool | None,
) -> None:
    """Fit a reference on DATA (Parquet or CSV) and save it, with the chosen methods."""
    if Path(output).suffix.lower() != REFERENCE_SUFFIX:
        raise click.BadParameter(
            f"the file name must end in {REFERENCE_SUFFIX}, got {output!r}",
            param_hint="'--output'",
        )
    _check_output(output)
    with progress_bar(progress, "Fitting reference") as callback:
        detector = _detector(data, methods, threshold, _split_columns(columns), callback)
    detector.save(output)
    fitted = detector.reference_
    click.echo(
        f"Reference {fitted.version} of {len(fitted.columns)} columns and {fitted.rows:,} rows "
        f"written to {printable(output)}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``driftscope`` command (and ``python -m driftscope``)."""
    cli.main(args=argv, prog_name="driftscope")


def _register_commands() -> None:
    from driftscope.cli.check import check

    cli.add_command(check)


_register_commands()
