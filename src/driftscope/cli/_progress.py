"""A progress bar on stderr for long work, drawn only when someone is watching."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from driftscope.errors import printable

ProgressCallback = Callable[[str, int, int], None]


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(
    enabled: bool | None, description: str, console: Console | None = None
) -> Iterator[ProgressCallback | None]:
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
