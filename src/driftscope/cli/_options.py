"""Options and argument parsing shared by several commands, defined once."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from driftscope.errors import ConfigError

_F = TypeVar("_F", bound=Callable[..., Any])

method_option = click.option(
    "--method",
    "methods",
    multiple=True,
    metavar="NAME",
    help="Drift method, repeatable: auto (default), ks, chi_square, psi, jensen_shannon, "
    "wasserstein, ... A column drifts when any chosen method says so.",
)
threshold_option = click.option(
    "--threshold",
    type=float,
    default=None,
    help="Threshold of the chosen --method: the significance level of a p-value test "
    "(drift when p < it), or the distance at which a distance flags drift.",
)
columns_option = click.option(
    "--columns", metavar="A,B,C", help="Check only these columns (comma-separated)."
)
exclude_option = click.option(
    "--exclude",
    metavar="A,B,C",
    help="Leave these columns out (comma-separated), e.g. a target, an id or a timestamp.",
)
target_option = click.option(
    "--target",
    metavar="COLUMN",
    help="The target (label) column: left out of feature drift, compared as target drift "
    "when both data sets have it.",
)
prediction_option = click.option(
    "--prediction",
    metavar="COLUMN",
    help="The model's prediction column: left out of feature drift, compared as prediction drift.",
)
timestamp_option = click.option(
    "--timestamp",
    metavar="COLUMN",
    help="The event-time column: never compared; --window cuts production data by it.",
)
id_option = click.option(
    "--id",
    "ids",
    metavar="A,B",
    help="Id columns (comma-separated): never compared. Columns that look like ids or event "
    "times are left out anyway, with a note.",
)


def role_options(function: _F) -> _F:
    """``--target``, ``--prediction``, ``--timestamp`` and ``--id``, in that order."""
    for option in (id_option, timestamp_option, prediction_option, target_option):
        function = option(function)
    return function


progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: only when stderr is a terminal).",
)


def format_option(
    *formats: str, case_sensitive: bool = True, help: str | None = None
) -> Callable[[_F], _F]:
    """``--format`` (into the parameter ``fmt``): one of ``formats``, ``table`` by default.

    >>> @click.command()
    ... @format_option("table", "json")
    ... def show(fmt: str) -> None:
    ...     click.echo(fmt)
    >>> from click.testing import CliRunner
    >>> CliRunner().invoke(show, ["--format", "json"]).output
    'json\\n'
    """
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats, case_sensitive=case_sensitive),
        default="table",
        show_default=True,
        help=help,
    )


def split_names(text: str | None) -> list[str] | None:
    """The names in a comma-separated option value, blanks dropped; ``None`` when not given.

    >>> split_names(" age, plan,,"), split_names(None)
    (['age', 'plan'], None)
    """
    if text is None:
        return None
    return [name.strip() for name in text.split(",") if name.strip()]


def split_columns(value: str | None) -> list[str] | None:
    """The column names of ``--columns``, which must name at least one when given."""
    names = split_names(value)
    if names == []:
        raise ConfigError("--columns needs at least one column name, e.g. --columns age,plan")
    return names


def check_output(path: str | None) -> None:
    """Fail before the work, not after it, when the output's directory does not exist."""
    if path is not None and not Path(path).resolve().parent.is_dir():
        raise click.BadParameter(
            f"the directory of {path!r} does not exist", param_hint="'--output'"
        )


#: The width of piped output: wide enough that no table is cut or wrapped (a log keeps
#: every name, number and the score column; a reader's terminal or pager wraps).
PIPED_WIDTH = 10_000


def stdout_console() -> Console:
    """Rich output on stdout: the terminal's width on a terminal; piped (cron, a log,
    ``| cat``) :data:`PIPED_WIDTH` columns and no colour, so nothing is cut or wrapped.

    >>> console = stdout_console()  # doctest runs piped
    >>> console.width == PIPED_WIDTH or console.is_terminal
    True
    """
    if sys.stdout.isatty():
        return Console(file=sys.stdout)
    return Console(file=sys.stdout, width=PIPED_WIDTH, color_system=None, soft_wrap=False)


def current_user() -> str:
    """Who runs the command (the login name), for the audit log; ``"unknown"`` when the
    environment has none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return "unknown"
