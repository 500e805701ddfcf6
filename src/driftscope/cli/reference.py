"""``driftscope reference fit DATA``: fit a reference once, check many data sets against it.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(reference, ["fit", "--help"]).output.splitlines()[0]
'Usage: reference fit [OPTIONS] DATA'
"""

from __future__ import annotations

from pathlib import Path

import click

from driftscope.cli._detector import REFERENCE_SUFFIX, make_detector, role_settings
from driftscope.cli._options import (
    check_output,
    columns_option,
    method_option,
    progress_option,
    role_options,
    split_columns,
    split_names,
    threshold_option,
)
from driftscope.cli._progress import progress_bar
from driftscope.errors import printable


@click.group()
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
@columns_option
@role_options
@method_option
@threshold_option
@progress_option
def fit(
    data: str,
    output: str,
    columns: str | None,
    target: str | None,
    prediction: str | None,
    timestamp: str | None,
    ids: str | None,
    methods: tuple[str, ...],
    threshold: float | None,
    progress: bool | None,
) -> None:
    """Fit a reference on DATA (Parquet or CSV) and save it, with the chosen methods and
    column roles (used by 'driftscope drift' with the saved reference)."""
    if Path(output).suffix.lower() != REFERENCE_SUFFIX:
        raise click.BadParameter(
            f"the file name must end in {REFERENCE_SUFFIX}, got {output!r}",
            param_hint="'--output'",
        )
    check_output(output)
    with progress_bar(progress, "Fitting reference") as callback:
        roles = role_settings(target, prediction, timestamp, split_names(ids))
        detector = make_detector(data, methods, threshold, split_columns(columns), callback, roles)
    detector.save(output)
    fitted = detector.reference_
    click.echo(
        f"Reference {fitted.version} of {len(fitted.columns)} columns and {fitted.rows:,} rows "
        f"written to {printable(output)}"
    )
