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
