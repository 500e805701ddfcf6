"""Column and category names broken only at word boundaries.

A column name such as ``customer_lifetime_value_in_euros`` or ``numberOfSupportTickets`` is
one "word" to a browser, which either lets it run off its cell or cuts it anywhere. Here
underscores, hyphens, dots, slashes and case changes count as word boundaries: the page puts
a ``<wbr>`` (an optional line break) there, and the charts wrap category names into lines at
the same places. Only a part too long for any line is cut elsewhere.

>>> print(wrap_name("customer_lifetime_value"))
customer_<wbr>lifetime_<wbr>value
>>> wrap_lines("Category with a rather long name", 16)
['Category with a', 'rather long name']
"""

from __future__ import annotations

import re
from html import escape

# After a separator, before an upper-case letter that follows a lower-case letter or digit,
# and inside a run of capitals before its last one ("HTTPServer" -> "HTTP" "Server").
_BOUNDARY = re.compile(r"(?<=[_\-./:\s])(?=\S)|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def name_parts(name: str) -> list[str]:
    """``name`` cut at its word boundaries; the parts joined give ``name`` back.

    >>> name_parts("numberOfTickets_lastQuarter")
    ['number', 'Of', 'Tickets_', 'last', 'Quarter']
    >>> name_parts("HTTPServer")
    ['HTTP', 'Server']
    """
    return [part for part in _BOUNDARY.split(name) if part]


def wrap_name(name: str, longest: int = 20) -> str:
    """``name`` escaped for HTML, with a ``<wbr>`` at each word boundary.

    A part longer than ``longest`` characters (a name with no boundary at all, a hash) also
    gets one every ``longest`` characters, so that it cannot push its table cell wide.

    >>> wrap_name("a_<b>")
    'a_<wbr>&lt;b&gt;'
    >>> wrap_name("x" * 30, longest=20).count("<wbr>")
    1
    """
    pieces = []
    for part in name_parts(name):
        pieces += [part[i : i + longest] for i in range(0, len(part), longest)]
    return "<wbr>".join(escape(piece, quote=True) for piece in pieces)


def wrap_lines(text: str, width: int, max_lines: int = 2) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at word boundaries.

    A part longer than a line is cut (never mid-word otherwise); what does not fit in
    ``max_lines`` lines is shortened in the middle: the last line is an ellipsis and the end
    of the name (the chart shows the whole name as a tooltip).

    >>> wrap_lines("merchant_category_description", 12)
    ['merchant_', '…description']
    >>> wrap_lines("Category with a rather long name number 12", 20)
    ['Category with a', '…long name number 12']
    >>> wrap_lines("short", 12)
    ['short']
    """
    lines: list[str] = []
    current = ""
    for part in name_parts(text):
        if current and len(current) + len(part.rstrip()) > width:
            lines.append(current.rstrip())
            current = ""
        while len(part) > width:
            lines.append(part[:width])
            part = part[width:]
        current += part
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:  # keep the end too: names often differ only there
        tail = ""
        for part in reversed(name_parts(text)):
            if len(tail) + len(part) > width - 1:
                break
            tail = part + tail
        lines = [*lines[: max_lines - 1], "…" + (tail.strip() or text[-(width - 1) :])]
    return lines
