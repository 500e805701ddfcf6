"""The one door to Numba: every compiled loop of driftscope is built here, with one policy.

Numba is a dependency of driftscope, so there is no fallback: a module with a compiled loop
imports :func:`njit` from here and nothing from Numba itself. The policy, in one place:

* ``cache=True``: compiled once per machine, loaded from ``__pycache__`` afterwards;
* ``nogil=True``: the loops release the GIL, so threads can run them side by side;
* no ``fastmath``: results must equal SciPy's and River's to the last bit, which needs
  IEEE arithmetic in the order written.

A function compiled with :func:`njit` keeps its Python source as ``.py_func`` (the tests run
it as a readable twin of the compiled one). :func:`entry_point` is for the few loops called
once per streamed value, where Numba's dispatcher would cost more than the work.

>>> POLICY
{'cache': True, 'nogil': True}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

import numba

F = TypeVar("F", bound=Callable[..., Any])

#: The options of every compiled loop (see the module's docstring).
POLICY: dict[str, bool] = {"cache": True, "nogil": True}


@overload
def njit(fn: F, /) -> F: ...
@overload
def njit(*, inline: str = ...) -> Callable[[F], F]: ...
def njit(fn: F | None = None, /, *, inline: str = "never") -> Any:
    """``numba.njit`` with the project's :data:`POLICY`; ``@njit`` or ``@njit(inline="always")``
    (for a small helper that Numba should paste into its callers)."""
    options: dict[str, Any] = dict(POLICY)
    if inline != "never":
        options["inline"] = inline
    if fn is None:
        return numba.njit(**options)
    return numba.njit(**options)(fn)


def entry_point(fn: Any, *example: object) -> Callable[..., Any]:
    """The machine-code entry of ``fn`` (an :func:`njit` function) for the argument types of
    ``example``, which it is called with once (compiling it or loading it from the cache).

    Numba's dispatcher spends ~0.3 µs per call matching argument types; a detector that runs
    its core once per value (or per ``clock`` values) always passes the same types, so it
    calls the compiled overload directly. Pass only arguments of exactly the example's types.

    >>> import numpy as np
    >>> first = numba.njit(lambda x: x[0])  # a doctest's function cannot be cached: no njit
    >>> entry_point(first, np.zeros(3))(np.ones(2))
    1.0
    """
    fn(*example)
    if not hasattr(fn, "overloads"):  # the Python twin (``.py_func``), as the tests run it
        return fn
    return fn.overloads[tuple(numba.typeof(a) for a in example)].entry_point
