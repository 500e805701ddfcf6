"""Column roles: which columns of a data set are not model inputs.

A training set carries its target and often an id and a timestamp; production data carries
the model's predictions. None of them is a feature: the target and the prediction get drift
checks of their own, the timestamp cuts production data into chunks, and an id is never
compared (its values are new in every batch, so it would always drift).

>>> roles = ColumnRoles(target="repaid", prediction="y_pred", timestamp="ts", ids=("id",))
>>> roles.names()
{'target': 'repaid', 'prediction': 'y_pred', 'timestamp': 'ts', 'id': 'id'}
>>> roles.reason("ts")
'the timestamp column: not compared as a feature'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from driftscope.errors import ConfigError

REASONS = {
    "target": "the target column: compared in target drift",
    "prediction": "the prediction column: compared in prediction drift",
    "timestamp": "the timestamp column: not compared as a feature",
    "id": "an id column: not compared",
}


def _name(value: Any, role: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"the {role} column must be a column name, got {value!r}")
    return value


@dataclass(frozen=True)
class ColumnRoles:
    """The target, prediction, timestamp and id columns of a data set (each optional).

    A column holds one role at most; :meth:`names` lists them role by role.

    >>> ColumnRoles(ids=["id", "customer"]).ids
    ('id', 'customer')
    >>> ColumnRoles(target="y", prediction="y")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: column 'y' cannot be both the target and the prediction
    """

    target: str | None = None
    prediction: str | None = None
    timestamp: str | None = None
    ids: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for role in ("target", "prediction", "timestamp"):
            object.__setattr__(self, role, _name(getattr(self, role), role))
        ids = self.ids
        if isinstance(ids, str):
            ids = (ids,)
        if not isinstance(ids, Iterable):
            raise ConfigError(f"the id columns must be a list of column names, got {ids!r}")
        ids = tuple(dict.fromkeys(str(_name(n, "id")) for n in ids))
        object.__setattr__(self, "ids", ids)
        seen: dict[str, str] = {}
        for role, name in self.pairs():
            if name in seen:
                raise ConfigError(f"column {name!r} cannot be both the {seen[name]} and the {role}")
            seen[name] = role

    def pairs(self) -> list[tuple[str, str]]:
        """``(role, column)`` for every role given, ids last.

        >>> ColumnRoles(timestamp="ts", ids=("a", "b")).pairs()
        [('timestamp', 'ts'), ('id', 'a'), ('id', 'b')]
        """
        single = [("target", self.target), ("prediction", self.prediction)]
        single.append(("timestamp", self.timestamp))
        return [(r, n) for r, n in single if n is not None] + [("id", n) for n in self.ids]

    def names(self) -> dict[str, str]:
        """Role to column, ids joined by commas (for messages and reports)."""
        out: dict[str, str] = {}
        for role, name in self.pairs():
            out[role] = f"{out[role]},{name}" if role in out else name
        return out

    def role_of(self, column: str) -> str | None:
        """The role of ``column``, or None for a column without one.

        >>> ColumnRoles(ids=("id",)).role_of("id"), ColumnRoles().role_of("age")
        ('id', None)
        """
        return next((role for role, name in self.pairs() if name == column), None)

    def reason(self, column: str) -> str:
        """Why ``column`` is not compared as a feature (for ``result.skipped``)."""
        role = self.role_of(column)
        if role is None:
            raise ConfigError(f"column {column!r} has no role")
        return REASONS[role]

    @property
    def not_features(self) -> set[str]:
        """Every column with a role: none of them is compared as a feature."""
        return {name for _, name in self.pairs()}
