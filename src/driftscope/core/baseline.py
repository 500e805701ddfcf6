"""What the checks outside ``drift/`` read of a fitted baseline, as protocols.

A fitted :class:`~driftscope.drift.reference.Reference` keeps, per column, its kind and
either its sorted values (numbers) or its categories; it may also keep a sample of whole
rows. The data-quality and prediction checks sit beside ``drift/``, not above it, so they
read the baseline through these protocols instead of importing it.

>>> import numpy as np
>>> from driftscope.drift.reference import Reference
>>> ref = Reference.fit({"age": np.arange(9.0), "plan": ["a", "b", "a"] * 3})
>>> isinstance(ref, Baseline), isinstance(ref.columns["age"], FittedNumbers)
(True, True)
>>> isinstance(ref.columns["plan"], FittedCategories), numeric_names(ref)
(True, ['age'])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from driftscope.core.kinds import ColumnKind

if TYPE_CHECKING:
    import pandas as pd


@runtime_checkable
class SortedValues(Protocol):
    """A column's finite values in ascending order, and how many there are.

    >>> from driftscope.stats import SortedSample
    >>> isinstance(SortedSample.from_array([3.0, 1.0]), SortedValues)
    True
    """

    @property
    def values(self) -> np.ndarray: ...

    @property
    def n(self) -> int: ...


@runtime_checkable
class FittedColumn(Protocol):
    """One fitted column: at least its kind.

    >>> from types import SimpleNamespace
    >>> isinstance(SimpleNamespace(kind=ColumnKind.TEXT), FittedColumn)
    True
    """

    @property
    def kind(self) -> ColumnKind: ...


@runtime_checkable
class FittedNumbers(FittedColumn, Protocol):
    """A numerical or datetime column: its sorted sample.

    >>> from driftscope.drift.reference import Reference
    >>> column = Reference.fit({"age": [30.0, 41.0, 52.0]}).columns["age"]
    >>> isinstance(column, FittedNumbers), float(column.sample.values[-1])
    (True, 52.0)
    """

    @property
    def sample(self) -> SortedValues: ...


@runtime_checkable
class FittedCategories(FittedColumn, Protocol):
    """A categorical or boolean column: the categories seen.

    >>> from driftscope.drift.reference import Reference
    >>> column = Reference.fit({"plan": ["pro", "free", "pro"]}).columns["plan"]
    >>> isinstance(column, FittedCategories), sorted(column.categories)
    (True, ['free', 'pro'])
    """

    @property
    def categories(self) -> tuple[str, ...]: ...


@runtime_checkable
class Baseline(Protocol):
    """A fitted baseline: its version, its columns and (when kept) a sample of its rows.

    >>> from driftscope.drift.reference import Reference
    >>> baseline: Baseline = Reference.fit({"age": [30.0, 41.0, 52.0]})
    >>> list(baseline.columns), len(baseline.version)
    (['age'], 16)
    """

    @property
    def version(self) -> str: ...

    @property
    def columns(self) -> Mapping[str, FittedColumn]: ...

    @property
    def row_sample(self) -> pd.DataFrame | None: ...


def numeric_names(baseline: Baseline) -> list[str]:
    """The baseline's numerical columns, in order."""
    return [n for n, c in baseline.columns.items() if c.kind == ColumnKind.NUMERICAL]
