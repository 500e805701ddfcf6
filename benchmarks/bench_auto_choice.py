"""Error rates of the automatic method choice against bare significance tests.

For 1k, 100k and 1M rows per side and a grid of shifts (none, trivial, small, medium, large) it
counts how often a numerical column (normal, mean shift in reference standard deviations) and a
categorical column (3 categories, share moved from the first to the last) are flagged by:

- ``auto``: driftscope's default (test with BH correction AND relevance gate);
- ``bare test``: KS / chi-square at p < 0.05 alone (what a naive monitor does).

Run: ``python benchmarks/bench_auto_choice.py`` (a few minutes); the table goes to
docs/methods.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import driftscope as ds

SHIFTS = {  # name: (numerical shift in sigmas, categorical share moved)
    "no drift": (0.0, 0.0),
    "trivial": (0.02, 0.005),
    "small": (0.15, 0.04),
    "medium": (0.3, 0.08),
    "large": (0.6, 0.15),
}
REPEATS = {1_000: 200, 100_000: 40, 1_000_000: 10}
P = np.array([0.5, 0.3, 0.2])


def sample(rng: np.random.Generator, n: int, shift: float, moved: float) -> pd.DataFrame:
    q = P + np.array([-moved, 0.0, moved])
    return pd.DataFrame(
        {
            "numerical": rng.normal(shift, 1.0, n),
            "categorical": np.array(["a", "b", "c"], dtype=object)[rng.choice(3, n, p=q)],
        }
    )


def rates(n: int, shift: float, moved: float, repeats: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    hits = {"auto num": 0, "bare num": 0, "auto cat": 0, "bare cat": 0}
    for _ in range(repeats):
        ref = sample(rng, n, 0.0, 0.0)
        cur = sample(rng, n, shift, moved)
        auto = ds.DriftDetector(ref).detect_feature_drift(cur)
        bare = ds.DriftDetector(
            ref, [ds.KSTest(0.05), ds.ChiSquareTest(0.05)], correction=None
        ).detect_feature_drift(cur)
        hits["auto num"] += auto.features["numerical"].drifted
        hits["auto cat"] += auto.features["categorical"].drifted
        hits["bare num"] += bare.features["numerical"].drifted
        hits["bare cat"] += bare.features["categorical"].drifted
    return {k: v / repeats for k, v in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the repeats")
    args = parser.parse_args()
    t0 = time.perf_counter()
    print(
        "| rows | change | numerical shift | auto | bare KS "
        "| categorical moved | auto | bare chi-square |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, repeats in REPEATS.items():
        repeats = max(2, int(repeats * args.scale))
        for i, (name, (shift, moved)) in enumerate(SHIFTS.items()):
            r = rates(n, shift, moved, repeats, seed=1000 * i + n % 997)
            print(
                f"| {n:,} | {name} | {shift:.2f} sd | {r['auto num']:.0%} | {r['bare num']:.0%} | "
                f"{moved:.1%} | {r['auto cat']:.0%} | {r['bare cat']:.0%} |",
                flush=True,
            )
    print(
        f"\n{time.perf_counter() - t0:.0f} s; repeats per cell: "
        + ", ".join(f"{n:,} rows: {max(2, int(r * args.scale))}" for n, r in REPEATS.items())
    )


if __name__ == "__main__":
    main()
