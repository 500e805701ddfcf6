from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference


@pytest.fixture(scope="session")
def reference() -> Reference:
    """age: numerical in [20, 60]; plan: categorical {a, b}; vip: boolean. 100,001 rows, so
    a value outside [20, 60] happens by chance with probability 2/100,002 only (the range
    check discounts chance: quality.checks._beyond_chance)."""
    return Reference.fit(
        pd.DataFrame(
            {
                "age": np.linspace(20.0, 60.0, 100_001),
                "plan": ["a", "b"] * 50_000 + ["a"],
                "vip": [True, False] * 50_000 + [True],
            }
        )
    )
