"""Text from the data, made safe and wrappable for the page."""

from __future__ import annotations

import re
from html import escape

_JOINTS = re.compile(r"([_~:./-])")


def breakable(name: object) -> str:
    """``name`` escaped, with a line-break opportunity after each ``_ ~ : . / -``, so a long
    column name wraps between its parts rather than in the middle of a word.

    >>> breakable("tenure_months<b>")
    'tenure_<wbr>months&lt;b&gt;'
    """
    return _JOINTS.sub(r"\1<wbr>", escape(str(name), quote=True))
