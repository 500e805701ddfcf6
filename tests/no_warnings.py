"""``no_warnings(fn, *args)``: call ``fn`` with every warning an error (NumPy's
RuntimeWarnings above all), for tests that prove no warning leaks."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def no_warnings(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; any warning fails the test.

    >>> no_warnings(sum, [1, 2])
    3
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        out = fn(*args, **kwargs)
    assert not caught
    return out
