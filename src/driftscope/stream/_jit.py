"""Compile the streaming cores with Numba when it is installed, else run them as Python.

The cores are written in the subset of Python that Numba compiles (scalars, loops, numpy
arrays), so the same source is the fallback: without Numba the detectors give the same
answers, only slower. Each compiled function keeps its Python twin as ``.py_func``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

try:
    from numba import njit as _njit
except ImportError:  # pragma: no cover - numba is a core dependency
    HAVE_NUMBA = False

    def jit(fn: F) -> F:
        """Without Numba: the function itself."""
        return fn

else:
    HAVE_NUMBA = True

    def jit(fn: F) -> F:
        """``numba.njit(nogil=True, cache=True)``: compiled on first call, cached on disk."""
        return _njit(nogil=True, cache=True)(fn)


def compiled(fn: Callable, *example: object) -> Callable:
    """``fn`` compiled for the types of ``example`` (called once with it), as its direct entry.

    Numba's dispatcher spends ~0.3 µs per call matching argument types; a detector that
    calls its core once per value (or per ``clock`` values) always passes the same types,
    so it calls the compiled overload directly. Without Numba, or if that overload cannot be
    found, this is ``fn`` itself. Only pass arguments of exactly the example's types.
    """
    fn(*example)
    overloads = getattr(fn, "overloads", None)  # None without Numba (or for a .py_func)
    if overloads is None:
        return fn
    from numba import typeof

    overload = overloads.get(tuple(typeof(a) for a in example))
    return getattr(overload, "entry_point", None) or fn
