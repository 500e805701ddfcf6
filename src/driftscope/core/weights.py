"""How every check reads ``sampling_weight``: one rule, in one place.

A monitor that always keeps some predictions (low confidence, high risk, edge cases) and
samples the rest writes, on each record, ``sampling_weight`` = 1 / (probability the record
was kept): 1 for a record that was always kept, 10 for one kept with probability 0.1. A
check that estimates a rate or a mean over the traffic weights each row by it.

The rule: a frame without the column has equal weights (``None`` is returned, so callers
can skip the arithmetic); otherwise every weight must be a finite number > 0, or
:class:`~driftscope.errors.DataError` names the column and the first bad row. Weights the
monitor wrote are always >= 1.

>>> import pandas as pd
>>> read_sampling_weights(pd.DataFrame({"sampling_weight": [1, 4.0]})).tolist()
[1.0, 4.0]
>>> read_sampling_weights(pd.DataFrame({"x": [1]})) is None
True
>>> read_sampling_weights(pd.DataFrame({"sampling_weight": [1.0, 0.0]}))
Traceback (most recent call last):
...
driftscope.errors.DataError: column 'sampling_weight', row 1: must be a finite number > 0, got 0.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.records import SAMPLING_WEIGHT
from driftscope.errors import DataError


def read_sampling_weights(frame: Any) -> np.ndarray | None:
    """The ``sampling_weight`` column of a pandas frame as float64, checked by the rule
    above, or ``None`` when the frame has no such column (every row counts once)."""
    if SAMPLING_WEIGHT not in frame.columns:
        return None
    return checked_weights(frame[SAMPLING_WEIGHT])


def checked_weights(values: Any, *, column: str = SAMPLING_WEIGHT) -> np.ndarray:
    """``values`` (a Series, array or list) as float64 sampling weights, by the rule above.

    >>> checked_weights([2, 3]).tolist()
    [2.0, 3.0]
    """
    try:
        if isinstance(values, pd.Series):
            w = pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            w = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError("must hold numbers", column=column) from None
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"must be a finite number > 0, got {float(w[row])!r}", column=column, row=row
        )
    return w
