"""The ``driftscope`` group: its version option, and expected failures as exit code 2.

Exit codes: 0 success (drift or not), 1 drift found with ``--fail-on-drift``, 2 bad input
(one ``driftscope: error: ...`` line on stderr; a missing optional package is named with
the ``pip install`` command of its extra), 3 an internal error (a bug), 130 interrupted.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(cli, ["--version"]).output.startswith("driftscope ")
True
"""

from __future__ import annotations

import errno
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from driftscope._version import package_version
from driftscope.cli._store import install_hint
from driftscope.errors import DriftscopeError, printable

EXIT_OK, EXIT_DRIFT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _one_line(message: str) -> str:
    """One line of plain text: whitespace runs folded, control characters from data escaped
    (a column name holding ``\x1b[2J`` must not drive the terminal)."""
    return printable(" ".join(str(message).split())) or "unknown error"


def _error(message: str) -> None:
    click.echo(f"driftscope: error: {_one_line(message)}", err=True)


def _short_help_flag(cmd: click.Command) -> None:
    cmd.context_settings.setdefault("help_option_names", ["-h", "--help"])
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _short_help_flag(sub)


class DriftscopeGroup(click.Group):
    """A click group that turns every expected failure into one stderr line and exit code 2.

    >>> from click.testing import CliRunner
    >>> from driftscope.errors import ConfigError
    >>> @click.group(cls=DriftscopeGroup)
    ... def tool() -> None: ...
    >>> @tool.command()
    ... def fail() -> None:
    ...     raise ConfigError("--window must be hour, day or week")
    >>> result = CliRunner().invoke(tool, ["fail"])
    >>> result.exit_code, result.stderr
    (2, 'driftscope: error: --window must be hour, day or week\\n')
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register ``cmd``, giving it (and its subcommands) ``-h`` beside ``--help`` in its
        own settings: click keeps a command's help option from its first use, so a command
        first run on its own would otherwise refuse ``-h`` later under this group."""
        _short_help_flag(cmd)
        super().add_command(cmd, name)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; in standalone mode, exit with the codes in this module's doc."""
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
        except ImportError as exc:
            install = install_hint(exc.name or "")
            if install is None:  # not an optional dependency: a broken installation or a bug
                _internal(exc)
            _error(f"this needs the Python package {exc.name!r}, which is not installed: {install}")
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
            _internal(exc)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def _internal(exc: BaseException) -> NoReturn:
    traceback.print_exc()
    click.echo(
        f"driftscope: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
        "(this is a bug; please report it with the traceback above)",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


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


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``driftscope`` command (and ``python -m driftscope``)."""
    cli.main(args=argv, prog_name="driftscope")
