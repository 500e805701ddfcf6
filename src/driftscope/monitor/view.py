"""Column access to one batch of records for the vectorised sampling rules.

>>> view = BatchView(2, features={"age": [30, 70]}, predictions={"": [0.2, 0.9]})
>>> view.scalar_prediction().tolist(), view.lookup("age").tolist(), view.row(1)
([0.2, 0.9], [30, 70], ({'age': 70}, 0.9, None))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

Values = Any  # a list, a numpy array or an Arrow array with one value per row


def as_numpy(values: Values) -> np.ndarray:
    """``values`` as a numpy array (Arrow nulls become None, or NaN in float columns)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.to_numpy(zero_copy_only=False)
    if isinstance(values, np.ndarray):
        return values
    return np.asarray(values, dtype=object) if isinstance(values, list) else np.asarray(values)


class BatchView:
    """``n`` records as columns: features by name, predictions by key (``""`` for a scalar
    prediction, ``"0"``, ``"1"``, ... for class probabilities) and metadata by key.

    >>> view = BatchView(2, features={"x": [1.0, 2.0]}, predictions={"": [0, 1]})
    >>> view.lookup("x").tolist(), view.row(1)
    ([1.0, 2.0], ({'x': 2.0}, 1, None))
    """

    def __init__(
        self,
        n: int,
        features: Mapping[str, Values] | None = None,
        predictions: Mapping[str, Values] | None = None,
        metadata: Mapping[str, Values] | None = None,
    ):
        self.n = n
        self.features = dict(features or {})
        self.predictions = dict(predictions or {})
        self.metadata = dict(metadata or {})
        self.rule_errors = 0

    def lookup(self, field: str, *, metadata_first: bool = False) -> np.ndarray | None:
        """The values of ``field``: from a prediction key, then metadata, then features
        (``metadata_first`` skips the predictions)."""
        places: tuple[dict[str, Any], ...] = (self.metadata, self.features)
        if not metadata_first:
            places = (self.predictions, *places)
        for place in places:
            if field and field in place:
                return as_numpy(place[field])
        return None

    def scalar_prediction(self) -> np.ndarray | None:
        values = self.predictions.get("")
        return None if values is None else as_numpy(values)

    def probabilities(self) -> np.ndarray | None:
        """Class probabilities as an ``(n, k)`` float array, when predictions are those."""
        keys = [k for k in self.predictions if k.isdigit()]
        if len(keys) < 2 or len(keys) != len(self.predictions):
            return None
        keys.sort(key=int)
        return np.column_stack([as_numpy(self.predictions[k]).astype(float) for k in keys])

    def row(self, i: int) -> tuple[dict[str, Any], Any, dict[str, Any] | None]:
        """Record ``i`` as ``log_prediction`` would have received it."""
        features = {k: _item(v, i) for k, v in self.features.items()}
        preds = {k: _item(v, i) for k, v in self.predictions.items()}
        if set(preds) == {""}:
            prediction: Any = preds[""]
        elif self.probabilities() is not None:
            prediction = [preds[k] for k in sorted(preds, key=int)]
        else:
            prediction = preds
        metadata = {k: _item(v, i) for k, v in self.metadata.items()} or None
        return features, prediction, metadata


def _item(values: Values, i: int) -> Any:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values[i].as_py()
    value = values[i]
    return value.item() if isinstance(value, np.generic) else value
