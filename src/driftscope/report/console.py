"""Drift results as a rich table for the terminal, drifted rows highlighted.

>>> from rich.console import Console
>>> from driftscope.drift.results import ColumnDrift, DriftResult
>>> col = ColumnDrift("age", "numerical", True, 0.21, "ks", 0.31, 1e-9, 0.05)
>>> console = Console(width=100, color_system=None)
>>> with console.capture() as cap:
...     print_result(DriftResult("feature", {"age": col}), console)
>>> "DRIFT" in cap.get() and "Drift detected in 1 of 1 feature" in cap.get()
True
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from driftscope.drift.formatting import (
    correction_label,
    deciding_method,
    fmt_check,
    fmt_number,
    fmt_p,
    fmt_rule,
    ordered_columns,
    other_methods,
    summary_line,
)
from driftscope.drift.results import ColumnDrift, DriftResult
from driftscope.errors import printable


def _decision_p(col: ColumnDrift) -> float | None:
    """The p-value the verdict used: the adjusted one when a correction was applied."""
    main = deciding_method(col)
    if main is not None and main.adjusted_p_value is not None:
        return main.adjusted_p_value
    return col.p_value


def _also(col: ColumnDrift) -> str:
    """The other methods of a column (e.g. the effect-size gate of the automatic choice) as
    ``statistic ≥ threshold``; named when there are several."""
    others = other_methods(col)
    return "; ".join(fmt_check(m, named=len(others) > 1) for m in others)


def _caption(columns: list[ColumnDrift], correction: str | None, adjusted: bool) -> str | None:
    kinds: dict[str, set[str]] = {}
    for col in columns:
        for m in other_methods(col):
            kinds.setdefault(m.method, set()).add(col.kind)
    lines = []
    if kinds:
        named = ", ".join(f"{name} ({', '.join(sorted(k))})" for name, k in kinds.items())
        lines.append(f"also: {named}")
    if adjusted:
        lines.append(f"p-values adjusted for multiple testing ({correction_label(correction)})")
    return "; ".join(lines) or None


def drift_table(result: DriftResult, *, title: str | None = None, width: int = 120) -> Table:
    """One row per checked column, drifted first then by score, drifted rows in bold red.

    The verdict comes first so it is never cut; below 118 columns of ``width`` the kind and
    statistic are left out, below 90 the other methods too.

    >>> from driftscope.drift.results import DriftResult
    >>> drift_table(DriftResult("feature", {})).row_count
    0
    """
    if title is None:
        title = "Feature drift" if result.kind == "feature" else "Prediction drift"
    columns = ordered_columns(result.features.values())
    wide = width >= 118
    show_also = width >= 90 and any(other_methods(col) for col in columns)
    adjusted = any(_decision_p(col) != col.p_value for col in columns)
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=_caption(columns, result.correction, adjusted),
        caption_justify="left",
    )
    longest = max((len(col.column) for col in columns), default=6)
    table.add_column("drift", no_wrap=True, min_width=5)
    table.add_column("column", min_width=min(longest, 32), overflow="fold")
    if wide:
        table.add_column("kind", overflow="ellipsis")
    table.add_column("method", overflow="fold")
    if wide:
        table.add_column("statistic", justify="right")
    table.add_column("p-value", justify="right", no_wrap=True)
    table.add_column("threshold", justify="right", no_wrap=True)
    if show_also:
        table.add_column("also", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    for col in columns:
        # plain(): column names are data, never console markup nor terminal control
        cells: list[str | Text] = ["DRIFT" if col.drifted else "ok", plain(col.column)]
        cells += [col.kind, col.method, fmt_number(col.statistic)] if wide else [col.method]
        cells += [fmt_p(_decision_p(col)), fmt_rule(col)]
        if show_also:
            cells.append(_also(col))
        cells.append(f"{col.score:.3f}")
        table.add_row(*cells, style="bold red" if col.drifted else None)
    return table


def print_result(result: DriftResult, console: Console, *, title: str | None = None) -> None:
    """Print the table, the one-line summary, the warnings of the result (too few rows to
    see small changes), why each drifted column drifted and each clear but small change did
    not (``reason``), the notes of the columns (grouped when several columns share one)
    and the skipped columns of ``result``. Every piece of data is printed escaped
    (:func:`plain`).

    >>> from rich.console import Console
    >>> from driftscope.drift.results import DriftResult
    >>> c = Console(width=80, color_system=None)
    >>> with c.capture() as cap:
    ...     print_result(DriftResult("feature", {}, skipped={"notes": "text column"}), c)
    >>> "skipped notes: text column" in cap.get()
    True
    """
    console.print(drift_table(result, title=title, width=console.width))
    style = "bold red" if result.has_drift else "green"
    console.print(plain(summary_line(result), style=style))
    for note in result.notes:
        console.print(plain(f"warning: {note}", style="yellow"))
    for col in ordered_columns(result.features.values()):
        if col.reason and (col.drifted or _dismissed(col)):
            style = "red" if col.drifted else "dim"
            console.print(plain(f"why {col.column}: {col.reason}", style=style))
    for note, names in _grouped_notes(ordered_columns(result.features.values())):
        console.print(plain(f"note ({_names(names)}): {note}", style="dim"))
    for name, reason in result.skipped.items():
        console.print(plain(f"skipped {name}: {reason}", style="dim"))


def _dismissed(col: ColumnDrift) -> bool:
    """A column whose test was significant but that did not drift: its reason says why."""
    main = deciding_method(col)
    return main is not None and main.role == "test" and main.drifted and not col.drifted


def plain(text: str, style: str = "") -> Text:
    r"""``text`` as a rich Text that is neither markup nor terminal control: control
    characters from data are escaped (``\x1b``) by :func:`driftscope.errors.printable`.

    >>> plain("a\x1b[31m[bold]b").plain
    'a\\x1b[31m[bold]b'
    """
    return Text(printable(str(text)), style=style)


def _grouped_notes(columns: list[ColumnDrift]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for col in columns:
        for note in col.notes:
            groups.setdefault(note, []).append(col.column)
    return list(groups.items())


def _names(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
