"""One sentence per column saying which gate decided its verdict, and why.

The automatic choice has a significance test and a relevance gate (the share of the data that
moved, with a confidence interval); a column drifts when both open. The sentence names the
gate that decided, with the numbers it decided on, so that a reader never has to reconcile a
large score with "no drift" by hand.

>>> from driftscope.drift.results import MethodResult
>>> test = MethodResult("anderson_darling", 40.0, 1e-9, 0.05, True, adjusted_p_value=1e-9)
>>> gate = MethodResult("share_moved", 0.012, None, 0.025, False, role="distance",
...                     interval=(0.004, 0.016))
>>> print(explain((test, gate), drifted=False, auto=True))  # doctest: +NORMALIZE_WHITESPACE
a clear change, but a small one: 1.2% of the data moved (at most 1.6% with 95%
confidence), below the relevance threshold of 2.5%
"""

from __future__ import annotations

from collections.abc import Sequence

from driftscope.drift.results import MethodResult

GATE = "share_moved"


def explain(
    methods: Sequence[MethodResult], drifted: bool, *, auto: bool, combine: str = "any"
) -> str:
    """The reason for a column's verdict, from its decided methods (after the correction)."""
    test = next((m for m in methods if m.role == "test"), None)
    gate = next((m for m in methods if m.method == GATE and m.interval is not None), None)
    if not auto or test is None or gate is None:
        return _configured(methods, drifted, combine)
    p = _p_text(test)
    if not test.drifted:
        return f"no clear change: {p} ({test.method}), not below {test.threshold:g}"
    share, low, high = gate.statistic, *_interval(gate)
    level = f"{1 - test.threshold:.0%}"
    line = f"the relevance threshold of {gate.threshold:.1%}"
    if not gate.drifted:
        return (
            f"a clear change, but a small one: {share:.1%} of the data moved (at most "
            f"{high:.1%} with {level} confidence), below {line}"
        )
    if low > gate.threshold:
        return (
            f"drift: {share:.1%} of the data moved, above {line} with {level} confidence (at least "
            f"{low:.1%}); {p} ({test.method})"
        )
    if share >= gate.threshold:
        return (
            f"drift: {share:.1%} of the data moved ({p}, {test.method}), above {line}; the "
            f"{level} interval, {low:.1%} to {high:.1%}, does not rule out less"
        )
    return (
        f"drift: a clear change ({p}, {test.method}) of {share:.1%} of the data, which may "
        f"reach {line} (up to {high:.1%} with {level} confidence)"
    )


def _interval(gate: MethodResult) -> tuple[float, float]:
    assert gate.interval is not None
    return gate.interval


def _p_text(test: MethodResult) -> str:
    p = test.adjusted_p_value if test.adjusted_p_value is not None else test.p_value
    label = "adjusted p" if test.adjusted_p_value is not None else "p"
    if p is None:
        return f"{label} n/a"
    return f"{label} = {p:.2g}" if p >= 1e-4 else f"{label} < 0.0001"


def _configured(methods: Sequence[MethodResult], drifted: bool, combine: str) -> str:
    """The reason under the user's own methods: which of them flagged the column."""
    flagged = [m.method for m in methods if m.drifted]
    if not drifted:
        if flagged:
            return f"not every method flagged it (combine='all'): only {', '.join(flagged)}"
        return "no method flagged it"
    if combine == "all":
        return f"drift: every method flagged it ({', '.join(flagged)})"
    return f"drift: flagged by {', '.join(flagged)}"
