from __future__ import annotations

import pandas as pd
import pytest

from driftscope.drift.reference import Reference


@pytest.fixture(scope="session")
def reference() -> Reference:
    """age: numerical in [20, 60]; plan: categorical {a, b}; vip: boolean."""
    return Reference.fit(
        pd.DataFrame(
            {
                "age": [20.0, 30.0, 40.0, 50.0, 60.0],
                "plan": ["a", "b", "a", "b", "a"],
                "vip": [True, False, True, False, True],
            }
        )
    )
