"""Evidently's and NannyML's default drift verdicts on the trials of ``power_grid.py``.

Run by the Python of a separate virtualenv that holds both (they pin other versions of pandas
than driftscope's), usually through ``bench_power.py --others PYTHON``, which merges the
rates into its table. Standalone::

    python3 -m venv /tmp/others && /tmp/others/bin/pip install evidently nannyml "pandas<3"
    /tmp/others/bin/python benchmarks/power_others.py --trials 10 --only cat5 --output o.json

The verdicts, one column per run as in ``bench_power.py``:

- ``evidently``: ``Report([DataDriftPreset()])`` with every default (Evidently picks the
  test per column: KS or chi-square up to 1,000 reference rows, the normed Wasserstein
  distance ≥ 0.1 or Jensen-Shannon ≥ 0.1 above; it infers the id-like column as text and
  runs its text-content drift classifier); the column drifts when ``DriftedColumnsCount``
  counts it;
- ``nannyml``: ``UnivariateDriftCalculator`` with its default method (Jensen-Shannon distance,
  continuous and categorical) and threshold (the mean plus three standard deviations of the
  distance over the reference's chunks), fitted on NannyML's default 10 reference chunks; the
  current sample is then one chunk, and the column drifts when that chunk raises an alert.

Usage logging of both libraries is switched off (``DO_NOT_TRACK``,
``NML_DISABLE_USAGE_LOGGING``) before they are imported.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import warnings
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")

import evidently
import nannyml as nml
import numpy as np
import pandas as pd
from evidently import Dataset, Report
from evidently.presets import DataDriftPreset
from nannyml.chunk import SizeBasedChunker

sys.path.insert(0, str(Path(__file__).resolve().parent))
import power_grid as pg

REFERENCE_CHUNKS = 10  # NannyML's default chunker splits data into 10 chunks


def evidently_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """Evidently's default data-drift verdict on one column."""
    snapshot = Report([DataDriftPreset()]).run(
        current_data=Dataset.from_pandas(pd.DataFrame({"x": cur})),
        reference_data=Dataset.from_pandas(pd.DataFrame({"x": ref})),
    )
    for metric in snapshot.dict()["metrics"]:
        if metric["config"]["type"].endswith("DriftedColumnsCount"):
            return bool(metric["value"]["count"] >= 1)
    raise RuntimeError("Evidently's report has no DriftedColumnsCount")


def nannyml_flags(ref: np.ndarray, cur: np.ndarray) -> bool:
    """NannyML's default univariate drift alert, the current sample as one chunk."""
    calculator = nml.UnivariateDriftCalculator(column_names=["x"], chunk_number=REFERENCE_CHUNKS)
    calculator.fit(pd.DataFrame({"x": ref}))
    calculator.chunker = SizeBasedChunker(chunk_size=len(cur), incomplete="keep")
    result = calculator.calculate(pd.DataFrame({"x": cur})).filter(period="analysis").to_df()
    if len(result) != 1:
        raise RuntimeError(f"NannyML made {len(result)} chunks of the current sample, not 1")
    return bool(result[("x", "jensen_shannon", "alert")].iloc[0])


METHODS = (
    pg.Method("evidently", ("numerical", "categorical"), evidently_flags),
    pg.Method("nannyml", ("numerical", "categorical"), nannyml_flags),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=pg.DEFAULT_TRIALS)
    parser.add_argument("--large-trials", type=int, default=pg.DEFAULT_TRIALS // 5)
    parser.add_argument("--null-factor", type=int, default=pg.NULL_FACTOR)
    parser.add_argument("--only", action="append", default=[], help="as bench_power.py's")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # both libraries warn per call (small chunks, dtypes)
    logging.disable(logging.WARNING)

    cells = pg.grid([t for term in args.only for t in term.split(",")])
    rows = pg.rejection_rates(
        cells, METHODS, args.trials, args.large_trials, _progress, args.null_factor
    )
    versions = {
        "evidently": evidently.__version__,
        "nannyml": nml.__version__,
        "pandas (Evidently, NannyML)": pd.__version__,
    }
    print(pg.table(rows))
    print(
        f"\nPython {platform.python_version()}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
    )
    if args.output:
        args.output.write_text(json.dumps({"versions": versions, "cells": rows}, indent=1))


def _progress(line: str) -> None:
    print(f"[others] {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
