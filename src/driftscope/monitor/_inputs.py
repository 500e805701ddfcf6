"""What ``log_prediction`` accepts, turned into plain Python values in the caller's thread.

These run on the serving path, so they only *copy* (shallowly: the caller may reuse its
dict) and reshape; checking and typing happen later, in the background.

``features``: a mapping (copied), a ``pandas.Series`` or one-row ``DataFrame`` (its
values), or a sequence / 1-D array (named by ``feature_names``, else ``x0, x1, ...``).
Anything else (None, a string, a number, an object) is kept as :class:`Unusable` and
recorded with every feature missing and the issue ``bad_features``.

``prediction``: a scalar stays a scalar (numpy scalars become Python ones) and is stored as
``prediction``; a mapping is stored one column per key, ``prediction.<key>``; a sequence or
array of several numbers is read as class probabilities, ``prediction.0``,
``prediction.1``, ...; a sequence or array of one value is that value. Other objects are
kept as they are and stored as text with the issue ``bad_prediction``.

>>> features_dict([0.5, 3], ("age", "income"))
{'age': 0.5, 'income': 3}
>>> import numpy as np
>>> prediction_value(np.array([0.2, 0.8])), prediction_value(np.array([[0.9]]))
([0.2, 0.8], 0.9)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


class Unusable:
    """A ``features`` or ``metadata`` argument of a shape that cannot be read."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def positional_names(count: int, names: Sequence[str] | None) -> list[str]:
    """Names of ``count`` positional features: ``names`` first, then ``x<i>``."""
    given = list(names or ())
    return given[:count] + [f"x{i}" for i in range(len(given), count)]


def features_dict(features: Any, names: Sequence[str] | None) -> dict[str, Any] | Unusable:
    """A new dict of feature values (see the module docstring); never raises."""
    if type(features) is dict:
        return features.copy()
    try:
        if isinstance(features, Mapping):
            return dict(features)
        if isinstance(features, pd.Series):
            return dict(zip(map(str, features.index), features.tolist(), strict=True))
        if isinstance(features, pd.DataFrame):
            if len(features) != 1:
                return Unusable(features)
            row = features.iloc[0].tolist()
            return dict(zip(map(str, features.columns), row, strict=True))
        if isinstance(features, np.ndarray):
            if features.ndim == 2 and features.shape[0] == 1:
                features = features[0]
            if features.ndim != 1:
                return Unusable(features)
            values = features.tolist()
        elif isinstance(features, list | tuple):
            values = list(features)
        else:
            return Unusable(features)
        return dict(zip(positional_names(len(values), names), values, strict=True))
    except Exception:
        return Unusable(features)


#: Levels of one-element sequences a prediction is unwrapped through (``[[0.9]]`` is 0.9).
_UNWRAP = 32


def prediction_value(prediction: Any) -> Any:
    """A scalar, a new dict or a new list (see the module docstring); never raises."""
    t = type(prediction)
    if t is float or t is int or t is str or t is bool or prediction is None:
        return prediction
    if t is dict:
        return prediction.copy()
    try:
        if isinstance(prediction, np.generic):
            return prediction.item()
        if isinstance(prediction, Mapping):
            return dict(prediction)
        if isinstance(prediction, pd.Series):
            if len(prediction) == 1:
                return prediction_value(prediction.iloc[0])
            return dict(zip(map(str, prediction.index), prediction.tolist(), strict=True))
        if isinstance(prediction, np.ndarray):
            if prediction.size == 1:
                return prediction.reshape(-1)[0].item()
            squeezed = prediction.squeeze()
            return squeezed.tolist() if squeezed.ndim == 1 else prediction.copy()
        if isinstance(prediction, list | tuple):
            for _ in range(_UNWRAP):  # [[0.9]] is 0.9; a cyclic [x] stops here
                if not (isinstance(prediction, list | tuple) and len(prediction) == 1):
                    break
                prediction = prediction[0]
            if isinstance(prediction, list | tuple):
                return list(prediction)
            return prediction_value(prediction)
    except Exception:
        return prediction
    return prediction


def metadata_dict(metadata: Any) -> dict[str, Any] | Unusable | None:
    """A new dict of metadata, None, or :class:`Unusable`; never raises."""
    if metadata is None:
        return None
    if type(metadata) is dict:
        return metadata.copy()
    try:
        if isinstance(metadata, Mapping):
            return dict(metadata)
    except Exception:
        pass
    return Unusable(metadata)
