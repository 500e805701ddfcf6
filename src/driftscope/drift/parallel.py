"""Run one piece of work per column on a thread pool, in column order.

NumPy, the Numba kernels, sorting and Arrow release the GIL, so columns run in parallel.

>>> run_columns(["a", "b"], str.upper, None, 2)
{'a': 'A', 'b': 'B'}
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any

Progress = Callable[[str, int, int], None]
"""Called as ``progress(column, done, total)`` after each column, in column order."""


def available_cores() -> int:
    """The CPUs this process may run on (its affinity mask, which containers and ``taskset``
    narrow; ``os.cpu_count()`` counts the whole machine), at least 1.

    >>> available_cores() >= 1
    True
    """
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return int(counted() or 1)
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def run_columns(
    names: list[str], work: Callable[[str], Any], progress: Progress | None, workers: int | None
) -> dict[str, Any]:
    """``{name: work(name)}`` for every name, on ``workers`` threads (default: one per
    available core, :func:`available_cores`);
    the first error raised by ``work`` propagates."""
    workers = max(1, min(workers or available_cores(), len(names)))
    results: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        outcomes = pool.map(work, names) if pool is not None else map(work, names)
        for i, (name, outcome) in enumerate(zip(names, outcomes, strict=True), 1):
            results[name] = outcome
            if progress:
                progress(name, i, len(names))
    return results
