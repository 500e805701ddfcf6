"""Power and false alarms of driftscope's default drift verdict, beside single tests.

On the trials of ``power_grid.py`` (numerical and categorical distributions, n = 200 to
200,000 per side, mean shifts, a wider variance, share moves, and no change at all) it counts
how often each of these flags the current sample as changed:

- ``driftscope``: the default verdict, ``ds.DriftDetector(baseline_data=ref,
  columns=["x"]).detect_feature_drift(cur).features["x"].drifted``, one column per detector
  (a multiple-testing correction across columns would change the verdict). ``columns=`` names
  the column so that the id-like column is compared; without it driftscope leaves that column
  out as an id;
- the single tests at α = 0.05 from SciPy: ``ks`` (``ks_2samp``), ``ad`` (``anderson_ksamp``,
  whose p-value SciPy clips to [0.001, 0.25]), ``cvm`` (``cramervonmises_2samp``) on numerical
  cells; ``chi2`` (``chi2_contingency`` on the 2 x K table of the levels seen) on categorical
  cells;
- with ``--others PYTHON``: Evidently's and NannyML's defaults, run by ``power_others.py``
  under that interpreter (a virtualenv holding both) on the same trials, merged in.

It prints one Markdown table of rejection rates per (distribution, change, n) and writes the
rows as JSON with ``--output``. Run (driftscope's side of the default grid, 50 trials per
cell and 10 at n = 200,000: about 3 minutes on 2 cores; Evidently's and NannyML's side takes
about 15 times as long, most of it in Evidently's text classifier on the id-like column)::

    PYTHONPATH=src python benchmarks/bench_power.py --output power.json
    PYTHONPATH=src python benchmarks/bench_power.py --trials 30 --large-trials 6 \\
        --others /tmp/others/bin/python --output power.json
    PYTHONPATH=src python benchmarks/bench_power.py --quick --only lognormal,cat5
    PYTHONPATH=src python benchmarks/bench_power.py --trials 30 --large-trials 6 \\
        --others-from power.json --output power2.json  # driftscope again, theirs reused
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import scipy.stats as st

import driftscope as ds

sys.path.insert(0, str(Path(__file__).resolve().parent))
import power_grid as pg

ALPHA = 0.05
QUICK_TRIALS, QUICK_SIZES = 5, ("200", "2000")


def driftscope_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """driftscope's default verdict on one column."""
    detector = ds.DriftDetector(baseline_data=pd.DataFrame({"x": ref}), columns=["x"])
    return bool(detector.detect_feature_drift(pd.DataFrame({"x": cur})).features["x"].drifted)


def ks_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """Two-sample Kolmogorov-Smirnov test (SciPy's default method) at α."""
    return bool(st.ks_2samp(ref, cur).pvalue < ALPHA)


def ad_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """k-sample Anderson-Darling test at α (SciPy clips its p-value to [0.001, 0.25])."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "p-value capped/floored"
        return bool(st.anderson_ksamp([ref, cur]).pvalue < ALPHA)


def cvm_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """Two-sample Cramér-von Mises test at α."""
    return bool(st.cramervonmises_2samp(ref, cur).pvalue < ALPHA)


def chi2_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """Chi-square test on the 2 x K table of the levels seen in either sample, at α."""
    codes, levels = pd.factorize(np.concatenate([ref, cur]))
    table = np.vstack(
        [
            np.bincount(codes[: len(ref)], minlength=len(levels)),
            np.bincount(codes[len(ref) :], minlength=len(levels)),
        ]
    )
    return bool(st.chi2_contingency(table, correction=False).pvalue < ALPHA)


METHODS = (
    pg.Method("driftscope", ("numerical", "categorical"), driftscope_flags),
    pg.Method("ks", ("numerical",), ks_flags),
    pg.Method("ad", ("numerical",), ad_flags),
    pg.Method("cvm", ("numerical",), cvm_flags),
    pg.Method("chi2", ("categorical",), chi2_flags),
)


def merge(rows: list[dict], others: list[dict]) -> list[dict]:
    """Add the rates and errors of ``others`` (``power_others.py``'s rows) to ``rows``, by
    cell; the trials must match."""
    by_key = {row["key"]: row for row in others}
    for row in rows:
        other = by_key[row["key"]]
        if other["trials"] != row["trials"]:
            raise ValueError(f"{row['key']}: {row['trials']} trials here, {other['trials']} there")
        row["rates"].update(other["rates"])
        row["errors"].update(other["errors"])
        row["error_messages"].update(other.get("error_messages", {}))
        row["seconds_others"] = other["seconds"]
    return rows


def run_others(python: str, argv: list[str]) -> subprocess.Popen:
    """Start ``power_others.py`` under ``python`` with the grid's arguments (it runs beside
    driftscope's side, on the other core)."""
    script = Path(__file__).resolve().parent / "power_others.py"
    env = {**os.environ, "DO_NOT_TRACK": "1", "NML_DISABLE_USAGE_LOGGING": "1"}
    env.pop("PYTHONPATH", None)  # the other virtualenv must not see this checkout's driftscope
    # its own table goes to stderr with its progress: stdout keeps the one merged table
    return subprocess.Popen([python, str(script), *argv], env=env, stdout=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, help=f"trials per cell (default {pg.DEFAULT_TRIALS})")
    parser.add_argument(
        "--large-trials",
        type=int,
        help="trials per n = 200,000 cell (default: a fifth of --trials, at least 2)",
    )
    parser.add_argument(
        "--null-factor",
        type=int,
        default=pg.NULL_FACTOR,
        help=f"no-change cells at n <= 2,000 run this many times --trials (default "
        f"{pg.NULL_FACTOR})",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="keep cells matching these comma-separated terms: distributions "
        f"({', '.join(pg.DISTRIBUTIONS)}), sizes, changes (none, shift, variance, share)",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"n = 200 and 2,000 only, {QUICK_TRIALS} trials"
    )
    parser.add_argument(
        "--others", metavar="PYTHON", help="Python of a venv with Evidently+NannyML"
    )
    parser.add_argument(
        "--others-from",
        metavar="JSON",
        type=Path,
        help="take Evidently's and NannyML's rates from an earlier run's --output (same "
        "trials): their side takes about 15 times driftscope's",
    )
    parser.add_argument("--output", type=Path, help="write the rows and settings as JSON")
    args = parser.parse_args(argv)

    only = [t for term in args.only for t in term.split(",")]
    if args.quick and not any(t.strip() in map(str, pg.SIZES) for t in only):
        only += QUICK_SIZES
    trials = args.trials or (QUICK_TRIALS if args.quick else pg.DEFAULT_TRIALS)
    large_trials = args.large_trials or max(2, trials // 5)
    try:
        cells = pg.grid(only)
    except ValueError as error:
        parser.error(str(error))
    grid_args = ["--trials", str(trials), "--large-trials", str(large_trials)]
    grid_args += ["--null-factor", str(args.null_factor)]
    grid_args += ["--only", ",".join(only)] if only else []

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        others_json = Path(tmp) / "others.json"
        others = (
            run_others(args.others, [*grid_args, "--output", str(others_json)])
            if args.others
            else None
        )
        rows = pg.rejection_rates(cells, METHODS, trials, large_trials, _progress, args.null_factor)
        other: dict | None = None
        if others is not None:
            if others.wait() != 0:
                sys.exit(f"power_others.py failed (exit {others.returncode})")
            other = json.loads(others_json.read_text())
        elif args.others_from is not None:
            other = _others_of(json.loads(args.others_from.read_text()))
        if other is not None:
            rows = merge(rows, other["cells"])
    seconds = time.perf_counter() - started

    settings = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/bench_power.py", *(argv or sys.argv[1:])]),
        "cpu": f"{_cpu()}, {os.cpu_count()} cores",
        "alpha": ALPHA,
        "trials": trials,
        "large_trials": large_trials,
        "null_factor": args.null_factor,
        "grid": pg.describe(cells),
        "versions": {
            "driftscope": ds.__version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            **(other["versions"] if other is not None else {}),
        },
        "seconds": round(seconds),
    }
    print(pg.table(rows))
    for line in _errors(rows):
        print(f"\n{line}")
    print(
        f"\nRejection rates at α = {ALPHA}: {trials} trials per cell, {large_trials} at n = "
        f"200,000; {seconds:.0f} s on {settings['cpu']}.\nVersions: "
        + ", ".join(f"{k} {v}" for k, v in settings["versions"].items())
    )
    if args.output:
        args.output.write_text(json.dumps({"settings": settings, "cells": rows}, indent=1))


OTHERS = ("evidently", "nannyml")


def _others_of(saved: dict) -> dict:
    """Evidently's and NannyML's rates, errors and versions from an earlier run's JSON."""
    cells = [
        {
            "key": row["key"],
            "trials": row["trials"],
            "rates": {k: v for k, v in row["rates"].items() if k in OTHERS},
            "errors": {k: v for k, v in row["errors"].items() if k in OTHERS},
            "error_messages": {
                k: v for k, v in row.get("error_messages", {}).items() if k in OTHERS
            },
            "seconds": row.get("seconds_others", 0.0),
        }
        for row in saved["cells"]
    ]
    versions = saved["settings"]["versions"]
    return {"cells": cells, "versions": {k: v for k, v in versions.items() if k in _THEIRS}}


_THEIRS = ("evidently", "nannyml", "pandas (Evidently, NannyML)")


def _errors(rows: list[dict]) -> list[str]:
    """One line per method that raised: on how many trials and cells, and its first message."""
    lines = []
    for name in pg.COLUMNS:
        failed = [row for row in rows if row["errors"].get(name)]
        if failed:
            trials = sum(row["errors"][name] for row in failed)
            lines.append(
                f"err: {name} raised on {trials} trials in {len(failed)} cells, first on "
                f"{failed[0]['key']}: {failed[0]['error_messages'][name]}"
            )
    return lines


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    main()
