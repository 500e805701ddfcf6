"""Shared fixtures: seeded generators and small reference/production frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)


def make_frame(
    rng: np.random.Generator, n: int, shift: float = 0.0, mix: float = 0.0
) -> pd.DataFrame:
    """A small mixed frame; ``shift`` moves 'income' by that many sigmas, ``mix`` moves
    probability mass of 'plan' from 'basic' to 'pro'."""
    plans = rng.choice(["basic", "plus", "pro"], size=n, p=[0.5 - mix, 0.3, 0.2 + mix])
    return pd.DataFrame(
        {
            "age": rng.normal(40, 12, n),
            "income": rng.normal(50 + 15 * shift, 15, n),
            "visits": rng.poisson(3, n),
            "plan": plans,
            "is_member": rng.random(n) < 0.3,
        }
    )


@pytest.fixture
def frames(rng):
    return make_frame(rng, 4000), make_frame(rng, 4000, shift=0.5, mix=0.1)


@pytest.fixture(scope="session")
def nannyml_data():
    """A function giving the path of one of NannyML's public data sets, e.g.
    ``nannyml_data("car_loan", "reference")``: from $DRIFTSCOPE_TEST_DATA, else
    ``shared/data/nannyml`` beside the repository (or beside a folder holding it, for a git
    worktree); the test is skipped when they are absent."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    nearby = [up / "shared/data/nannyml" for up in root.parents[:2]]
    given = os.environ.get("DRIFTSCOPE_TEST_DATA")
    folder = Path(given) if given else next((p for p in nearby if p.is_dir()), nearby[0])
    if not folder.is_dir():
        pytest.skip(f"NannyML's data sets are not in {folder}")

    def path(name: str, period: str) -> Path:
        found = folder / f"nml_{name}_{period}.parquet"
        if not found.is_file():
            pytest.skip(f"{found} is absent")
        return found

    return path
