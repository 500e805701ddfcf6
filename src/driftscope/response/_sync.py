"""Calling a user's function that may be sync or async, from sync code that may itself run
inside an event loop (``await retrainer.trigger_retraining(...)`` in an async job).

>>> import asyncio
>>> async def double(x):
...     return 2 * x
>>> call(double, 21), call(lambda x: x + 1, 1)
(42, 2)
>>> async def inside_a_loop():
...     return call(double, 4)
>>> asyncio.run(inside_a_loop())
8
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; when it returns an awaitable, its result. Inside a running event loop
    the awaitable runs to completion on a private loop in a helper thread (this call blocks,
    as any sync call made from async code does)."""
    result = fn(*args)
    if not inspect.isawaitable(result):
        return result
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(result))
    with ThreadPoolExecutor(1, thread_name_prefix="driftscope-call") as pool:
        return pool.submit(asyncio.run, _awaited(result)).result()


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def name_of(fn: Callable[..., Any]) -> str:
    """A readable name of a function: its qualified name and module.

    >>> name_of(name_of)
    'driftscope.response._sync.name_of'
    """
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    return f"{module}.{name}" if module else name
