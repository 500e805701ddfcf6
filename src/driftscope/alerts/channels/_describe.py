"""A ticket's description as tables people can read, whatever markup a channel writes.

An investigation ticket's description is text or a mapping (a drift result's ``to_dict()``,
say). A mapping becomes tables: one of its plain fields (numbers, text, lists of them),
then one per nested mapping or list of mappings, a row per entry and a column per plain
field of the entries (``features`` of a drift result: a row per column with its kind,
drifted, score, method, p-value, reason). Deeper nesting is left out of the tables; the
channels that take tickets keep the full description elsewhere when they can.

>>> result = {"has_drift": True, "score": 0.13912,
...           "features": {"age": {"column": "age", "drifted": True, "p_value": 5.7e-15}}}
>>> fields, features = tables(result)
>>> fields.rows
(('has_drift', 'yes'), ('score', '0.1391'))
>>> features.title, features.columns, features.rows
('features', ('name', 'drifted', 'p_value'), (('age', 'yes', '5.7e-15'),))
>>> print(plain(result))
has_drift: yes
score: 0.1391
<BLANKLINE>
features:
- age: drifted=yes, p_value=5.7e-15
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from driftscope.alerts.channels._text import one_line, truncate

#: Characters of one table cell.
CELL_CHARS = 200

#: The columns of a table of fields.
FIELD_COLUMNS = ("field", "value")


@dataclass(frozen=True)
class Table:
    """Rows of cells under ``columns``; ``omitted`` rows past the limit were left out."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    omitted: int = 0


def _plain_value(value: Any) -> bool:
    if value is None or isinstance(value, str | int | float | bool):
        return True
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(v is None or isinstance(v, str | int | float | bool) for v in value)
    )


def cell(value: Any) -> str:
    """A value as short text: ``yes``/``no``, 4 significant digits, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int | str):
        return truncate(one_line(str(value)), CELL_CHARS)
    if isinstance(value, Sequence) and not isinstance(value, str) and _plain_value(value):
        return truncate(", ".join(cell(v) for v in value), CELL_CHARS)
    text = json.dumps(value, default=str, ensure_ascii=False, separators=(", ", ": "))
    return truncate(one_line(text), CELL_CHARS)


def _entries_table(
    title: str, entries: list[tuple[str, Mapping[str, Any]]], max_rows: int, max_columns: int
) -> Table:
    columns: list[str] = []
    for _, entry in entries:
        for key, value in entry.items():
            if key not in columns and _plain_value(value):
                columns.append(key)
    # a column that only repeats each row's name says nothing
    columns = [c for c in columns if any(str(e.get(c)) != name for name, e in entries)]
    columns = columns[:max_columns]
    rows = tuple(
        (name, *(cell(entry.get(c)) for c in columns)) for name, entry in entries[:max_rows]
    )
    return Table(title, ("name", *columns), rows, max(0, len(entries) - max_rows))


def tables(
    description: Mapping[str, Any], *, max_rows: int = 50, max_columns: int = 8
) -> list[Table]:
    """The tables of a mapping description (the plain fields first, when there are any)."""
    fields: list[tuple[str, str]] = []
    nested: list[Table] = []
    for key, value in description.items():
        name = str(key)
        if _plain_value(value):
            fields.append((name, cell(value)))
        elif isinstance(value, Mapping) and value:
            if all(isinstance(v, Mapping) for v in value.values()):
                entries = [(str(k), v) for k, v in value.items()]
                nested.append(_entries_table(name, entries, max_rows, max_columns))
            else:
                rows = tuple((str(k), cell(v)) for k, v in list(value.items())[:max_rows])
                nested.append(Table(name, FIELD_COLUMNS, rows, max(0, len(value) - max_rows)))
        elif isinstance(value, Sequence) and value and all(isinstance(v, Mapping) for v in value):
            entries = [(str(i + 1), v) for i, v in enumerate(value)]
            nested.append(_entries_table(name, entries, max_rows, max_columns))
        else:
            fields.append((name, cell(value)))
    head = [Table("", FIELD_COLUMNS, tuple(fields), 0)] if fields else []
    return head + nested


def written(
    description: str | Mapping[str, Any] | None,
    table_text: Callable[[Table], str],
    heading: str | None = None,
) -> str:
    """The description in a channel's markup: a text as it is; a mapping as its tables,
    each written by ``table_text`` (under ``heading``, e.g. ``"### {}"``, when it has a
    title and a heading is given), a blank line between them.

    >>> def rows(table):
    ...     return "\\n".join(f"{name} {value}" for name, value in table.rows)
    >>> print(written({"score": 0.5, "features": {"age": {"drifted": True}}}, rows, "## {}"))
    score 0.5
    <BLANKLINE>
    ## features
    <BLANKLINE>
    age yes
    """
    if description is None:
        return ""
    if isinstance(description, str):
        return description
    parts = []
    for table in tables(description):
        if table.title and heading is not None:
            parts.append(heading.format(table.title))
        parts.append(table_text(table))
    return "\n\n".join(parts)


def plain(description: str | Mapping[str, Any] | None) -> str:
    """The description as plain text: ``field: value`` lines, then ``- row: col=value``."""
    return written(description, _plain_table)


def _plain_table(table: Table) -> str:
    if not table.title:
        return "\n".join(f"{k}: {v}" for k, v in table.rows)
    lines = [f"{table.title}:"]
    for name, *cells in table.rows:
        if table.columns == FIELD_COLUMNS:
            lines.append(f"- {name}: {cells[0]}")
            continue
        pairs = ", ".join(f"{c}={v}" for c, v in zip(table.columns[1:], cells, strict=True))
        lines.append(f"- {name}: {pairs}")
    if table.omitted:
        lines.append(f"… and {table.omitted} more")
    return "\n".join(lines)
