"""False alarms and detection delays: River's defaults against calibrated driftscope detectors.

For each of the seven detectors, on the same simulated streams:

* **false alarms per 10^6 updates** on stationary data: N(0, 1) for ADWIN, KSWIN and
  Page-Hinkley; a 0/1 error stream at 10 % for DDM, EDDM, HDDM_A and HDDM_W; counted over
  10 independent streams of 10^5 updates each (a fresh detector each: the warm-up, where the
  binary detectors' false alarms cluster, is sampled ten times, as in the calibration; one
  long stream can hide it: EDDM fires 9-16 times in the first 5,000 values of some streams
  and never in others).
  River's own detectors run here (River's KSWIN on ``--kswin-n`` values in all, scaled, as
  it spends about a millisecond per update);
* **detection delay** after a change at position 5,000 of a 10,000-value stream, over
  ``--seeds`` seeds: a 0.5 sigma and a 1 sigma mean shift and a variance change (sd 1 -> 2)
  for the numeric detectors; an error-rate jump from 10 % to 15 % for the binary ones.
  Reported as the median delay of the detections within 5,000 values and the share of
  streams where the change was found; a stream that already fired before the change counts
  only its first detection after the change. Delays at River's defaults are measured with
  driftscope's detectors at River's parameters, whose detections equal River's (parity
  tests in ``tests/stream``; the documented River bugs do not touch these streams' drift
  decisions).

"calibrated" is ``Detector.calibrated(reference, ert=--ert)`` on 10,000 reference values
drawn before the change (promise: at most 10^6 / ert false alarms per 10^6 updates).

Run: ``python benchmarks/bench_stream_alarms.py`` (prints a markdown table and writes
``benchmarks/results/stream-alarms-<time>.json``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

NUMERIC = [
    ("ADWIN", "adwin", "ADWIN", {}),
    ("KSWIN", "kswin", "KSWIN", {}),
    ("KSWIN", "kswin", "KSWIN", {"window_size": 500, "stat_size": 100}),
    ("PageHinkley", "page_hinkley", "PageHinkley", {}),
]
BINARY = [
    ("DDM", "ddm", "binary.DDM", {}),
    ("EDDM", "eddm", "binary.EDDM", {}),
    ("HDDM_A", "hddm_a", "binary.HDDM_A", {}),
    ("HDDM_W", "hddm_w", "binary.HDDM_W", {}),
]
CHANGE, LENGTH = 5000, 10_000
FA_STREAMS = 10


def ours(name: str, module: str):
    return getattr(importlib.import_module(f"driftscope.stream.{module}"), name)


def river(path: str):
    from river import drift

    obj = drift
    for part in path.split("."):
        obj = getattr(obj, part, None) or getattr(obj, part.replace("_", ""))
    return obj


def river_alarms(cls, pieces, params) -> int:
    hits = 0
    for values in pieces:
        det = cls(**params)
        for x in values.tolist():
            det.update(x)
            hits += det.drift_detected
    return hits


def scenarios(binary: bool) -> dict[str, tuple]:
    if binary:
        return {"error rate 10% -> 15%": ("rate", 0.10, 0.15)}
    return {
        "mean +0.5 sd": ("mean", 0.5),
        "mean +1 sd": ("mean", 1.0),
        "sd 1 -> 2": ("sd", 2.0),
    }


def stream(rng, binary: bool, n: int, change=None) -> np.ndarray:
    if binary:
        p0 = 0.10 if change is None else change[1]
        p1 = p0 if change is None else change[2]
        return (
            np.concatenate([rng.random(CHANGE) < p0, rng.random(n - CHANGE) < p1]).astype(float)
            if change
            else (rng.random(n) < p0).astype(float)
        )
    if change is None:
        return rng.normal(0, 1, n)
    after = (
        rng.normal(change[1], 1, n - CHANGE)
        if change[0] == "mean"
        else rng.normal(0, change[1], n - CHANGE)
    )
    return np.concatenate([rng.normal(0, 1, CHANGE), after])


def delays(make, binary: bool, change, seeds: int) -> tuple[float, float]:
    found = []
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        hits = make().update_many(stream(rng, binary, LENGTH, change))
        after = hits[hits >= CHANGE]
        if after.size:
            found.append(int(after[0]) - CHANGE)
    return (float(np.median(found)) if found else float("nan")), len(found) / seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--kswin-n", type=int, default=50_000)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--ert", type=float, default=100_000)
    parser.add_argument("--only", nargs="*", default=None, help="detector names to run")
    args = parser.parse_args()
    rows = []
    for (name, module, rpath, params), binary in [(d, False) for d in NUMERIC] + [
        (d, True) for d in BINARY
    ]:
        if args.only and name not in args.only:
            continue
        cls = ours(name, module)
        label_name = name + (
            f"({', '.join(f'{k}={v}' for k, v in params.items())})" if params else ""
        )
        rng = np.random.default_rng(7)
        pieces = [stream(rng, binary, args.n // FA_STREAMS) for _ in range(FA_STREAMS)]
        n_river = args.kswin_n if name == "KSWIN" else args.n
        river_pieces = pieces[: max(1, n_river * FA_STREAMS // args.n)]
        t0 = time.perf_counter()
        river_total = sum(len(p) for p in river_pieces)
        river_fa = river_alarms(river(rpath), river_pieces, params) * 1e6 / river_total
        river_s = time.perf_counter() - t0
        reference = stream(np.random.default_rng(99), binary, 10_000)
        calibrated = cls.calibrated(reference, ert=args.ert, **params)
        ours_fa = sum(len(calibrated.clone().update_many(p)) for p in pieces) * 1e6 / args.n

        def default(cls=cls, params=params):
            return cls(**params)

        for label, change in scenarios(binary).items():
            d_river, r_river = delays(default, binary, change, args.seeds)
            d_cal, r_cal = delays(calibrated.clone, binary, change, args.seeds)
            rows.append(
                {
                    "detector": label_name,
                    "change": label,
                    "river_false_alarms_per_1e6": river_fa,
                    "calibrated_false_alarms_per_1e6": ours_fa,
                    "river_delay": d_river,
                    "river_found": r_river,
                    "calibrated_delay": d_cal,
                    "calibrated_found": r_cal,
                    "calibrated_param": f"{calibrated.calibration_.parameter}="
                    f"{calibrated.calibration_.value:.3g}",
                    "river_seconds": river_s,
                }
            )
        print(f"{name}: done", flush=True)
    print(
        f"\n| detector | change | false alarms / 10^6, River default | false alarms / 10^6, "
        f"calibrated (ert={args.ert:g}) | delay (found), River default | delay (found), "
        "calibrated | calibrated parameter |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(
            f"| {r['detector']} | {r['change']} | {r['river_false_alarms_per_1e6']:.0f} | "
            f"{r['calibrated_false_alarms_per_1e6']:.0f} | {r['river_delay']:.0f} "
            f"({r['river_found']:.0%}) | {r['calibrated_delay']:.0f} ({r['calibrated_found']:.0%})"
            f" | {r['calibrated_param']} |"
        )
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    path = out / f"stream-alarms-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
