"""The common result type of the statistical tests.

>>> from driftscope.stats.result import TestResult
>>> TestResult(statistic=0.25, pvalue=0.5)
TestResult(statistic=0.25, pvalue=0.5, dof=None)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TestResult:
    """The outcome of one two-sample test or distance computation.

    ``statistic`` is the test statistic (or distance); ``pvalue`` its p-value, ``nan``
    when the test is undefined for the inputs (e.g. too few observations); ``dof`` the
    degrees of freedom for chi-square tests, ``None`` otherwise. Values are plain Python
    floats / ints so that results serialise without numpy types.

    >>> r = TestResult(1.5, 0.2207, dof=1)
    >>> r.statistic, r.pvalue, r.dof
    (1.5, 0.2207, 1)
    """

    __test__ = False  # not a pytest test class despite its name

    statistic: float
    pvalue: float
    dof: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "statistic", float(self.statistic))
        object.__setattr__(self, "pvalue", float(self.pvalue))
        if self.dof is not None:
            object.__setattr__(self, "dof", int(self.dof))
