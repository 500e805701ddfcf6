"""Awkward two-sample inputs shared by the stats tests (deterministic, seeded)."""

from __future__ import annotations

import numpy as np


def awkward_pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(id, reference, current) pairs: ties, constants, tiny and unequal sizes, offsets."""
    rng = np.random.default_rng(12345)
    ints = lambda k, hi=4: rng.integers(0, hi, size=k).astype(np.float64)  # noqa: E731
    cases: list[tuple[str, np.ndarray, np.ndarray]] = [
        ("normal", rng.normal(size=50), rng.normal(0.3, 1.2, size=37)),
        ("ties", ints(200, 6), ints(150, 6)),
        ("ties-shifted", ints(120, 6), ints(90, 6) + 1.0),
        ("const-ref", np.full(40, 2.0), ints(30)),
        ("const-cur", ints(30), np.full(25, 1.0)),
        ("const-both-same", np.full(12, 7.5), np.full(9, 7.5)),
        ("const-both-diff", np.full(12, 7.5), np.full(9, -1.0)),
        ("disjoint", rng.normal(size=30), rng.normal(size=20) + 100.0),
        ("unequal", rng.normal(size=1000), rng.normal(size=7)),
        ("offset", 1e6 + rng.normal(size=80) * 1e-3, 1e6 + rng.normal(size=60) * 1e-3),
        ("heavy-tail", rng.lognormal(0, 2, size=300), rng.lognormal(0.1, 2, size=200)),
        ("decimals", rng.integers(0, 5, 70) * 0.1, rng.integers(0, 5, 50) * 0.1 + 0.1),
    ]
    for n in range(1, 6):
        for m in range(1, 6):
            cases.append((f"tiny-int-{n}x{m}", ints(n, 3), ints(m, 3)))
            cases.append((f"tiny-normal-{n}x{m}", rng.normal(size=n), rng.normal(size=m)))
    return cases


def asymptotic_pairs() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Pairs with max(n, m) > 10000 (SciPy's asymptotic KS regime)."""
    rng = np.random.default_rng(54321)
    return [
        ("asym-normal", rng.normal(size=20_000), rng.normal(0.02, 1.0, size=300)),
        ("asym-ties", rng.integers(0, 30, 12_000).astype(float), rng.integers(0, 30, 11_000) + 0.0),
        ("asym-tiny-cur", rng.normal(size=15_000), rng.normal(size=3)),
        ("asym-tiny-ref", rng.normal(size=2), rng.normal(size=10_001)),
        ("asym-const", np.full(10_500, 1.0), rng.integers(0, 3, 400).astype(float)),
        ("asym-heavy", rng.lognormal(0, 2, 30_000), rng.lognormal(0, 2, 20_000)),
    ]


def ids(cases: list[tuple[str, np.ndarray, np.ndarray]]) -> list[str]:
    return [c[0] for c in cases]
