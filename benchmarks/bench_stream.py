"""Streaming detectors: River's ``update`` loop against ours, and our ``update_many``.

For each detector of ``driftscope.stream`` that exists among ADWIN, DDM, EDDM, HDDM_A,
HDDM_W, PageHinkley and KSWIN (each imported from its own module; missing ones are
skipped), times on ``--n`` values (10^6 by default):

* River's ``update`` called in a Python loop,
* our ``update`` called the same way,
* our ``update_many`` on the whole array,

with N(0, 1) values (Python floats) for ADWIN, PageHinkley and KSWIN, and a 0/1 error
stream with p = 0.1 (Python bools, as ``y_pred != y_true`` gives) for the binary
detectors. River's KSWIN spends ~0.3 ms per update, so it runs on ``--kswin-river-n``
values (10^5) and its rate is extrapolated to ``--n``.

Each time is the best of ``--repeat`` (3) runs of a fresh detector, in CPU time of this
process (``time.process_time``), which other processes on a shared machine disturb less
than wall time; our detectors are compiled before timing. Prints a markdown table (values
per second and ratios) and writes the numbers to ``benchmarks/results/stream-<time>.json``.

Run: ``python benchmarks/bench_stream.py`` (``--n 100000`` for a quick look; ``--only ADWIN
KSWIN`` for some detectors, ``--no-river`` to time ours only, e.g. old code against new).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

#: (our class, our module, River's class names to try, binary)
DETECTORS = [
    ("ADWIN", "adwin", ("ADWIN",), False),
    ("DDM", "ddm", ("binary.DDM", "DDM"), True),
    ("EDDM", "eddm", ("binary.EDDM", "EDDM"), True),
    ("HDDM_A", "hddm_a", ("binary.HDDM_A", "binary.HDDMA", "HDDM_A"), True),
    ("HDDM_W", "hddm_w", ("binary.HDDM_W", "binary.HDDMW", "HDDM_W"), True),
    ("PageHinkley", "page_hinkley", ("PageHinkley",), False),
    ("KSWIN", "kswin", ("KSWIN",), False),
]


def _ours(name: str, module: str) -> type | None:
    try:
        return getattr(importlib.import_module(f"driftscope.stream.{module}"), name)
    except (ImportError, AttributeError):
        return None


def _river(names: tuple[str, ...]) -> type | None:
    try:
        from river import drift
    except ImportError:
        return None
    for name in names:
        obj: Any = drift
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj
    return None


def _loop(make, values: list, repeat: int) -> float:
    """Best CPU seconds of ``update`` over ``values`` for a fresh ``make()``, of ``repeat``."""
    best = float("inf")
    for _ in range(repeat):
        update = make().update
        start = time.process_time()
        for x in values:
            update(x)
        best = min(best, time.process_time() - start)
    return best


def _batch(make, values: np.ndarray, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        detector = make()
        start = time.process_time()
        detector.update_many(values)
        best = min(best, time.process_time() - start)
    return best


def _kwargs(name: str) -> dict[str, Any]:
    return {"seed": 1} if name == "KSWIN" else {}


def run(
    n: int,
    kswin_river_n: int,
    repeat: int,
    only: list[str] | None = None,
    river_too: bool = True,
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    normal = rng.normal(size=n)
    errors = rng.random(n) < 0.1
    rows = []
    for name, module, river_names, binary in DETECTORS:
        if only and name not in only:
            continue
        ours = _ours(name, module)
        if ours is None:
            print(f"{name}: not in driftscope.stream, skipped", flush=True)
            continue
        river = _river(river_names) if river_too else None
        array = errors if binary else normal
        values = array.tolist()
        kwargs = _kwargs(name)

        def make(cls=ours, kwargs=kwargs):
            return cls(**kwargs)

        make().update_many(array[:5000])  # compile (or load the cache)
        _loop(make, values[:5000], 1)
        row: dict[str, Any] = {"detector": name, "n": n, "input": "0/1" if binary else "N(0,1)"}
        row["ours_update_per_s"] = n / _loop(make, values, repeat)
        row["ours_update_many_per_s"] = n / _batch(make, array, repeat)
        if river is not None:
            river_n = min(n, kswin_river_n) if name == "KSWIN" else n
            seconds = _loop(
                lambda cls=river, kwargs=kwargs: cls(**kwargs), values[:river_n], repeat
            )
            row["river_n"] = river_n
            row["river_update_per_s"] = river_n / seconds
            row["update_vs_river"] = row["ours_update_per_s"] / row["river_update_per_s"]
            row["update_many_vs_river"] = row["ours_update_many_per_s"] / row["river_update_per_s"]
        row["update_many_vs_update"] = row["ours_update_many_per_s"] / row["ours_update_per_s"]
        rows.append(row)
        print(f"{name}: done", flush=True)
    return rows


def _rate(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1e6:.2f} M" if value >= 1e6 else f"{value / 1e3:.1f} k"


def _ratio(value: float) -> str:
    return f"{value:.1f}x" if value < 10 else f"{value:.0f}x"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| detector | input | River update/s | ours update/s | ours/River "
        "| ours update_many/s | many/River | many/our loop |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        river = _rate(r.get("river_update_per_s"))
        if r.get("river_n", r["n"]) < r["n"]:
            river += f" (on {r['river_n']:,}, extrapolated)"
        vs = f"{r['update_vs_river']:.2f}x" if "update_vs_river" in r else "-"
        many_vs = _ratio(r["update_many_vs_river"]) if "update_many_vs_river" in r else "-"
        lines.append(
            f"| {r['detector']} | {r['input']} | {river} | {_rate(r['ours_update_per_s'])} "
            f"| {vs} | {_rate(r['ours_update_many_per_s'])} | {many_vs} "
            f"| {_ratio(r['update_many_vs_update'])} |"
        )
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "machine": platform.machine()}
    for name in ("numpy", "numba", "river", "scipy"):
        try:
            out[name] = importlib.import_module(name).__version__
        except ImportError:
            out[name] = "missing"
    out["cpus"] = str(os.cpu_count())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="values per run")
    parser.add_argument("--kswin-river-n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--only", nargs="+", metavar="DETECTOR", help="these detectors only")
    parser.add_argument("--no-river", action="store_true", help="time ours only")
    args = parser.parse_args()
    rows = run(args.n, args.kswin_river_n, args.repeat, args.only, not args.no_river)
    print()
    print(table(rows))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    path = out / f"stream-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    meta = {"timer": "process_time, best of repeat", "repeat": args.repeat, **_versions()}
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
