"""How many threads a check uses by default."""

from __future__ import annotations

import os

from driftscope.drift.parallel import available_cores, run_columns


def test_available_cores_follow_the_affinity_mask() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    if expected is not None and not hasattr(os, "process_cpu_count"):
        assert available_cores() == expected
    assert available_cores() >= 1


def test_run_columns_keeps_column_order_on_any_number_of_threads() -> None:
    names = [f"c{i}" for i in range(17)]
    for workers in (None, 1, 2, 5):
        assert list(run_columns(names, str.upper, None, workers)) == names
