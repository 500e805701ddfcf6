"""The per-window checks: completeness, missing features, schema, types, range, categories.

Each function takes one window (a DataFrame slice, its sampling weights and the parsed issue
codes of its rows) and yields :class:`~driftscope.quality.results.QualityResult` objects.
Rates are weighted by ``sampling_weight``, so that a sampled-out share of the traffic counts
as much as it stood for: every rate is ``sum(weight of flagged rows) / sum(weight of the
rows it is taken over)``. A window without rows gives ``unknown`` (value NaN).

How a value is classified, by the reference column's kind:

- numerical: a value that is not a number (text, a bool) is a *type mismatch*; a number below
  the reference minimum or above its maximum (widened by ``range_tolerance``; ±inf always)
  is *out of range*, as a share of the non-missing numbers;
- categorical: a number or bool in a column whose reference categories are all non-numeric
  text is a *type mismatch*; any other value whose text is not a reference category is
  *unseen*, as a share of the non-missing values;
- boolean: a value that is not a bool is a *type mismatch*;
- datetime: completeness and missing features only.

A record also has a type mismatch on a feature when its ``quality_issues`` say
``wrong_type:<feature>`` (the monitor nulls such values when it logs them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from driftscope.core.baseline import FittedCategories, FittedColumn, FittedNumbers
from driftscope.quality.config import QualityThresholds, Status
from driftscope.quality.frame import extra_columns, feature_column, missing_mask, share
from driftscope.quality.results import QualityResult

NAN = float("nan")


@dataclass(frozen=True)
class Window:
    """One window's rows: the frame slice, weights, parsed issues (by row position, only
    the rows that have some) and its time span.

    >>> t0, t1 = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-01-02", tz="UTC")
    >>> frame = pd.DataFrame({"age": [31.0, None, 45.0, 52.0]})
    >>> window = Window(t0, t1, frame, np.ones(4), {1: [("missing_feature", "age")]})
    >>> print(window.share(np.array([True, False, False, False])))
    0.25
    >>> window.issue_mask("missing_feature", "age").tolist()
    [False, True, False, False]
    >>> limits = QualityThresholds()
    >>> window.result(limits, "completeness", "age", "completeness", 0.75, "completeness").status
    <Status.CRITICAL: 'critical'>
    """

    start: pd.Timestamp
    end: pd.Timestamp
    frame: pd.DataFrame
    weights: np.ndarray
    issues: Mapping[int, list[tuple[str, str]]]
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def result(
        self,
        thresholds: QualityThresholds,
        check: str,
        feature: str | None,
        metric: str,
        value: float | None,
        key: str,
        details: tuple[tuple[str, Any], ...] = (),
    ) -> QualityResult:
        """A result whose status comes from the threshold pair ``key``."""
        threshold = float(getattr(thresholds, key))
        if value is None:
            return QualityResult(
                self.start, self.end, check, feature, metric, NAN, threshold, Status.UNKNOWN
            )
        status = thresholds.status(key, value)
        return QualityResult(
            self.start, self.end, check, feature, metric, value, threshold, status, details
        )

    def share(self, mask: np.ndarray, among: np.ndarray | None = None) -> float | None:
        """:func:`~driftscope.quality.frame.share` with this window's weights; a count
        when every weight is 1 (the same number: sums of ones are exact)."""
        unit = self._cache.get("unit")
        if unit is None:
            w = self.weights
            unit = self._cache["unit"] = bool(len(w) and w.min() == 1.0 and w.max() == 1.0)
        if not unit:
            return share(mask, self.weights, among)
        if among is not None:
            total = np.count_nonzero(among)
            return np.count_nonzero(mask & among) / total if total else None
        return np.count_nonzero(mask) / len(mask) if len(mask) else None

    def issue_mask(self, code: str, feature: str) -> np.ndarray:
        """True for the rows whose issues include ``code:feature``."""
        mask = np.zeros(len(self.weights), dtype=bool)
        mask[self._issue_index().get((code, feature), [])] = True
        return mask

    def _issue_index(self) -> dict[tuple[str, str], list[int]]:
        # built once per window, from the rows that have issues only
        index = self._cache.get("issues")
        if index is None:
            index = defaultdict(list)
            for i, row in sorted(self.issues.items()):
                for key in dict.fromkeys(row):
                    index[key].append(i)
            self._cache["issues"] = index
        return index

    def classified(self, name: str, ref: FittedColumn | None, tolerance: float) -> FeatureValues:
        """:func:`classify`, computed once per feature and window."""
        key = ("classify", name, tolerance)
        if key not in self._cache:
            self._cache[key] = classify(self, name, ref, tolerance)
        return self._cache[key]


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_type_of = np.frompyfunc(type, 1, 1)
# types whose equal values print alike (so one str() per distinct value will do)
_PLAIN = (str, int, bool, np.bool_)


def _types(raw: np.ndarray) -> tuple[np.ndarray, list[type]]:
    """The type of each value as a code into the list of distinct types."""
    if not len(raw):
        return np.empty(0, dtype=np.intp), []
    codes, distinct = pd.factorize(_type_of(raw))
    return codes, list(distinct)


def _by_type(raw: np.ndarray, test: Any) -> np.ndarray:
    """``[test(v) for v in raw]`` for a ``test`` that looks only at the type of a value:
    evaluated once per distinct type."""
    codes, _ = _types(raw)
    starts = np.unique(codes, return_index=True)[1]
    passes = np.array([bool(test(raw[i])) for i in starts], dtype=bool)
    return passes[codes] if len(raw) else np.zeros(0, dtype=bool)


def _texts(raw: np.ndarray, cats: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """``str(v)`` of every value, and whether it is one of ``cats``; one ``str()`` per
    distinct value for plain types (text, ints, bools), per value for the others."""
    texts = np.empty(len(raw), dtype=object)
    known = np.zeros(len(raw), dtype=bool)
    codes, distinct = _types(raw)
    for code, t in enumerate(distinct):
        rows = np.flatnonzero(codes == code)
        part = raw[rows]
        if t is type(None):
            texts[rows] = "None"
            known[rows] = "None" in cats
        elif t in _PLAIN:
            which, values = pd.factorize(part)
            strs = np.array([str(v) for v in values], dtype=object)
            texts[rows] = strs[which]
            known[rows] = np.array([v in cats for v in strs], dtype=bool)[which]
        else:
            strs = np.array([str(v) for v in part], dtype=object)
            texts[rows] = strs
            known[rows] = np.array([v in cats for v in strs], dtype=bool)
    return texts, known


@dataclass(frozen=True)
class FeatureValues:
    """One feature's values in a window, classified against its reference column.

    >>> t0, t1 = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-01-02", tz="UTC")
    >>> window = Window(t0, t1, pd.DataFrame({"age": [31.0, None]}), np.ones(2), {})
    >>> values = classify(window, "age", None, 0.0)  # no baseline: only missing values known
    >>> values.present, values.missing.tolist(), values.out_of_range
    (True, [False, True], None)
    >>> classify(window, "plan", None, 0.0).present
    False
    """

    present: bool
    missing: np.ndarray
    mismatch: np.ndarray
    out_of_range: np.ndarray | None
    unseen: np.ndarray | None
    texts: np.ndarray | None


def classify(
    window: Window, name: str, ref: FittedColumn | None, tolerance: float
) -> FeatureValues:
    """Classify the values of feature ``name`` against the fitted reference column ``ref``
    (None without a baseline: only missing values and logged type issues are known)."""
    n = len(window.frame)
    col = feature_column(window.frame, name)
    kind = "" if ref is None else str(ref.kind)
    if col is None:
        ones, zeros = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
        return FeatureValues(False, ones, zeros, None, None, None)
    values = window.frame[col]
    missing = missing_mask(values)
    mismatch = np.zeros(n, dtype=bool)
    out = unseen = texts = None
    if kind == "numerical":
        if pd.api.types.is_bool_dtype(values.dtype):
            mismatch = ~missing
        elif not pd.api.types.is_numeric_dtype(values.dtype):
            mismatch = ~missing & ~_by_type(values.to_numpy(dtype=object), _is_number)
        if values.dtype == np.float64 and not mismatch.any():
            nums = values.to_numpy()
        else:
            nums = pd.to_numeric(values.where(~mismatch), errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
        assert isinstance(ref, FittedNumbers)  # a numerical kind comes from one
        lo, hi = float(ref.sample.values[0]), float(ref.sample.values[-1])
        span = hi - lo if hi > lo else max(abs(lo), abs(hi), 1.0)
        with np.errstate(invalid="ignore"):
            out = (nums < lo - tolerance * span) | (nums > hi + tolerance * span)
        out &= ~missing & ~mismatch
    elif kind in ("categorical", "boolean"):
        assert isinstance(ref, FittedCategories)  # a categorical kind comes from one
        cats = set(ref.categories)
        raw = values.to_numpy(dtype=object)
        if kind == "boolean":
            mismatch = ~missing & ~_by_type(raw, lambda v: isinstance(v, bool | np.bool_))
        elif not any(_looks_numeric(c) for c in cats):
            mismatch = ~missing & _by_type(
                raw, lambda v: _is_number(v) or isinstance(v, bool | np.bool_)
            )
        texts, known = _texts(raw, cats)
        unseen = ~missing & ~mismatch & ~known
    mismatch = mismatch | window.issue_mask("wrong_type", name)
    return FeatureValues(True, missing, mismatch, out, unseen, texts)


RANGE_SIGNIFICANCE = 0.001


def _beyond_chance(result: QualityResult, outside: np.ndarray, reference_n: int) -> QualityResult:
    """``result`` of the out-of-range check, or ``ok`` when its rate is no more than chance.

    A new value from the reference's own distribution falls outside the range of its
    ``n`` values with probability ``2 / (n + 1)`` (exchangeability): 2 % for a reference
    of a hundred rows. A rate past its threshold is kept as a warning only when the count
    outside is also significantly above that (one-sided binomial test at 0.001); on a
    reference of 10^5 rows the chance rate is 2e-5 and nothing changes."""
    if result.status in (Status.OK, Status.UNKNOWN) or reference_n < 1:
        return result
    chance = 2.0 / (reference_n + 1)
    p_value = float(binom.sf(int(outside.sum()) - 1, len(outside), chance))
    details = (*result.details, ("chance_rate", chance), ("p_value", p_value))
    status = result.status if p_value < RANGE_SIGNIFICANCE else Status.OK
    return replace(result, status=status, details=details)


def feature_checks(
    window: Window, name: str, ref: FittedColumn | None, thresholds: QualityThresholds
) -> Iterator[QualityResult]:
    """Completeness, missing feature, type, range and category checks of one feature
    (``ref`` None without a baseline: completeness and missing feature only)."""
    fv = window.classified(name, ref, thresholds.range_tolerance)
    w = window.weights
    yield window.result(
        thresholds, "completeness", name, "completeness", window.share(~fv.missing), "completeness"
    )
    all_null = fv.missing.all()
    absent = window.issue_mask("missing_feature", name) | (
        np.ones(len(w), dtype=bool) if all_null else False
    )
    details = (("all_null", True),) if all_null and len(w) else ()
    yield window.result(
        thresholds,
        "missing_features",
        name,
        "missing_feature_rate",
        window.share(absent),
        "missing_feature_rate",
        details,
    )
    if not fv.present or ref is None:
        return
    yield window.result(
        thresholds,
        "type_mismatch",
        name,
        "type_mismatch_rate",
        window.share(fv.mismatch),
        "type_mismatch_rate",
    )
    valid = ~fv.missing & ~fv.mismatch
    if fv.out_of_range is not None:
        assert isinstance(ref, FittedNumbers)  # ranges are measured on numbers only
        result = window.result(
            thresholds,
            "out_of_range",
            name,
            "out_of_range_rate",
            window.share(fv.out_of_range, valid) if valid.any() else None,
            "out_of_range_rate",
            (("min", float(ref.sample.values[0])), ("max", float(ref.sample.values[-1]))),
        )
        yield _beyond_chance(result, fv.out_of_range[valid], int(ref.sample.n))
    if fv.unseen is not None and fv.texts is not None:
        top: tuple[tuple[str, Any], ...] = ()
        if fv.unseen.any():
            totals: dict[str, float] = defaultdict(float)
            for text, weight in zip(fv.texts[fv.unseen], w[fv.unseen], strict=True):
                totals[text] += float(weight)
            whole = float(w[valid].sum())
            ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
            top = tuple((k, v / whole) for k, v in ranked[: thresholds.top_unseen])
        yield window.result(
            thresholds,
            "unseen_categories",
            name,
            "unseen_category_rate",
            window.share(fv.unseen, valid) if valid.any() else None,
            "unseen_category_rate",
            top,
        )


def record_checks(
    window: Window, columns: Mapping[str, FittedColumn | None], thresholds: QualityThresholds
) -> Iterator[QualityResult]:
    """Whole-record checks: overall completeness, missing features, invalid-input rate and
    the schema (columns missing from or extra to ``columns``, the schema's features and
    their fitted reference columns, None without a baseline)."""
    names = list(columns)
    w = window.weights
    tol = thresholds.range_tolerance
    classified = [window.classified(n, columns[n], tol) for n in names]
    filled: float | None
    if names and len(w) and w.sum() > 0:  # then every share is a number
        filled = float(np.mean([window.share(~fv.missing) for fv in classified]))
    else:
        filled = None
    yield window.result(thresholds, "completeness", None, "completeness", filled, "completeness")
    any_missing = np.zeros(len(w), dtype=bool)
    for n, fv in zip(names, classified, strict=True):
        any_missing |= window.issue_mask("missing_feature", n)
        if fv.missing.all():
            any_missing |= True
    yield window.result(
        thresholds,
        "missing_features",
        None,
        "missing_feature_rate",
        window.share(any_missing),
        "missing_feature_rate",
    )
    invalid = np.zeros(len(w), dtype=bool)
    invalid[[i for i, row in window.issues.items() if row]] = True
    for fv in classified:
        invalid |= fv.mismatch
    yield window.result(
        thresholds, "invalid_inputs", None, "invalid_rate", window.share(invalid), "invalid_rate"
    )
    yield from schema_checks(window, columns, classified)


def schema_checks(
    window: Window,
    columns: Mapping[str, FittedColumn | None],
    classified: list[FeatureValues],
) -> Iterator[QualityResult]:
    """A ``critical`` result per reference feature absent from the frame, and one per extra
    column or ``extra_feature`` issue: ``warning`` when some record in the window has it."""
    for name, fv in zip(columns, classified, strict=True):
        if not fv.present:
            yield QualityResult(
                window.start,
                window.end,
                "schema",
                name,
                "missing_column",
                1.0,
                0.0,
                Status.CRITICAL,
            )
    extras = extra_columns(window.frame, set(columns))
    for col in extras:
        has = ~missing_mask(window.frame[col]) | window.issue_mask("extra_feature", col)
        yield _extra(window, col, window.share(has))
    logged = sorted(
        {f for row in window.issues.values() for code, f in row if code == "extra_feature"}
        - set(extras)
    )
    for name in logged:
        yield _extra(window, name, window.share(window.issue_mask("extra_feature", name)))


def _extra(window: Window, name: str, value: float | None) -> QualityResult:
    if value is None:
        return QualityResult(
            window.start, window.end, "schema", name, "extra_column", NAN, 0.0, Status.UNKNOWN
        )
    status = Status.WARNING if value > 0 else Status.OK
    return QualityResult(
        window.start, window.end, "schema", name, "extra_column", value, 0.0, status
    )
