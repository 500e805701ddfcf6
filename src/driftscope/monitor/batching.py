"""Buffered records -> one Arrow table in the storage layout of :mod:`driftscope.core.records`.

Runs in the monitor's background thread. The feature schema is the monitor's
``feature_names`` or else the names of the first record seen, and stays fixed:

* a schema feature a record lacks is null, with ``missing_feature:<name>``;
* a feature outside the schema is kept in its own column, with ``extra_feature:<name>``;
* a ``features`` argument that cannot be read leaves every feature null: ``bad_features``;
* a ``metadata`` value that is not JSON-serialisable is stored as its ``repr``:
  ``bad_metadata:<key>``; metadata that is not a mapping is stored under ``metadata.value``;
* a ``timestamp`` that is not a time: the time of the call, ``bad_timestamp``;
* a key (a feature, prediction or metadata name) whose ``str`` fails is named after its
  type, ``<Type>``, with ``bad_key:<Type>``; a name or prediction id holding lone
  surrogates is stored with them escaped, ``invalid_text:<name>``;

and the per-value issues of :mod:`driftscope.monitor._columns` (wrong types, NaN/inf, nulls,
large payloads). Each record's issues are ``"; "``-joined in ``quality_issues``.

>>> builder = BatchBuilder(feature_names=("age", "plan"))
>>> rec = ("p1", 1793534400000000, {"age": 41, "plan": "pro", "vip": True}, 0.8, None, 1.0, "all")
>>> table, counts = builder.predictions([rec])
>>> table.column_names[5:]
['quality_issues', 'feature.age', 'feature.plan', 'feature.vip', 'prediction']
>>> dict(counts)
{'extra_feature:vip': 1}
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa

from driftscope.core import records as r
from driftscope.errors import safe_repr
from driftscope.monitor._columns import DEFAULT_VALUE_LIMIT, ColumnKinds, Issues, build_column
from driftscope.monitor._inputs import Unusable
from driftscope.monitor.clock import RawTimestamp, now_us, to_micros
from driftscope.monitor.values import INVALID_TEXT, clean_text, key_name, key_text

#: A buffered prediction: id, time (epoch µs, datetime or RawTimestamp), features,
#: prediction, metadata, sampling weight, sample reason.
Record = tuple[str, Any, Any, Any, Any, float, str]
#: Values per record in the buffer's flat layout (:meth:`BatchBuilder.flat_predictions`).
RECORD_WIDTH = 7
#: A buffered label: prediction id, label, time.
LabelRecord = tuple[str, Any, Any]

Values: TypeAlias = list[Any] | pa.Array


class FeatureSchema:
    """The fixed, ordered feature names of a monitor: given, or those of the first record.

    >>> schema = FeatureSchema()
    >>> schema.establish(["age", "plan"]), schema.establish(["other"])
    (('age', 'plan'), ('age', 'plan'))
    """

    def __init__(self, names: Sequence[str] | None = None):
        self._names: tuple[str, ...] | None = tuple(names) if names else None
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...] | None:
        return self._names

    def establish(self, names: Sequence[str]) -> tuple[str, ...]:
        """Fix the names unless already fixed; return the names in force."""
        with self._lock:
            if self._names is None:
                self._names = tuple(names)
            return self._names


class BatchBuilder:
    """Turns buffered records into prediction and label batches, keeping column kinds and
    the feature schema fixed across batches (thread-safe).

    >>> builder = BatchBuilder(model_version="v1")
    >>> table, issues = builder.predictions([("p1", 0, {"x": 1.5}, 0.9, None, 1.0, "all")])
    >>> table.column("feature.x").to_pylist(), table.column("model_version").to_pylist()
    ([1.5], ['v1'])
    """

    def __init__(
        self,
        *,
        model_version: str | None = None,
        feature_names: Sequence[str] | None = None,
        value_limit: int = DEFAULT_VALUE_LIMIT,
    ):
        self.model_version = model_version
        self.kinds = ColumnKinds()
        self.schema = FeatureSchema(feature_names)
        self.value_limit = value_limit
        self._trial_lock = threading.Lock()  # held by :meth:`trial`

    def after_fork_in_child(self) -> None:
        """Fresh locks: the parent's writer thread may have held one at the fork."""
        self.kinds._lock = threading.Lock()
        self.schema._lock = threading.Lock()
        self._trial_lock = threading.Lock()

    def trial(
        self, convert: Callable[[], tuple[pa.Table, Counter[str]]]
    ) -> tuple[pa.Table, Counter[str]]:
        """``convert()`` for strict mode, which refuses records with issues: when it reports
        issues, the column kinds it fixed are put back as they were, and no other trial sees
        them meanwhile.

        >>> b = BatchBuilder()
        >>> record = ("p1", 0, {"x": float("nan")}, 1, None, 1.0, "all")
        >>> _, counts = b.trial(lambda: b.predictions([record]))
        >>> dict(counts), b.kinds.snapshot()
        ({'nan:x': 1}, {})
        """
        with self._trial_lock:
            kinds = self.kinds.snapshot()
            table, counts = convert()
            if counts:
                self.kinds.restore(kinds)
        return table, counts

    # ------------------------------------------------------------------ predictions
    def predictions(self, records: Sequence[Record]) -> tuple[pa.Table, Counter[str]]:
        """One prediction batch from buffered records, and the counts of its issues."""
        return self.flat_predictions([value for record in records for value in record])

    def flat_predictions(self, flat: list[Any]) -> tuple[pa.Table, Counter[str]]:
        """:meth:`predictions` from records laid end to end, :data:`RECORD_WIDTH` values
        each: the buffer's layout, which keeps no container per waiting record for the
        garbage collector to track (a tuple holding a dict stays tracked, and thousands
        of them surviving young collections made full collections, long pauses, frequent).
        """
        n = len(flat) // RECORD_WIDTH
        ids, times, feats, preds, metas, weights, reasons = (
            flat[k::RECORD_WIDTH] for k in range(RECORD_WIDTH)
        )
        issues = Issues()
        features, skip = self._feature_values(feats, issues)
        table = self.assemble(
            ids=id_array(ids, issues),
            micros=self._micros(times, issues),
            weights=np.fromiter(weights, np.float64, n),
            reasons=pa.array(reasons, pa.string()),
            features=features,
            skip=skip,
            predictions=_keyed_values(
                preds, n, scalar_key="", seq_prefix=True, issues=issues, failed=_failed(metas)
            ),
            metadata=_keyed_values(metas, n, scalar_key=None, seq_prefix=False, issues=issues),
            issues=issues,
        )
        return table, issues.counts

    def assemble(
        self,
        *,
        ids: pa.Array,
        micros: pa.Array | np.ndarray,
        weights: np.ndarray,
        reasons: pa.Array,
        features: dict[str, Values],
        skip: dict[str, set[int]],
        predictions: dict[str, Values],
        metadata: dict[str, Values],
        issues: Issues,
    ) -> pa.Table:
        """The batch from its columns' values (lists or Arrow arrays, one per row).

        ``features`` are keyed by feature name (schema features first), ``predictions`` by
        key (``""`` for the scalar ``prediction``), ``metadata`` by key; ``skip`` names, per
        feature, the rows whose nulls are already reported.
        """
        n = len(ids)
        names = self.schema.names or ()
        cols: dict[str, pa.Array] = {}
        limit = self.value_limit
        for name, values in features.items():
            in_schema = name in names
            name = _column_name(name, values, issues)
            arr = build_column(
                values,
                r.FEATURE_PREFIX + name,
                name,
                self.kinds,
                issues,
                limit=limit,
                report_nulls=in_schema,
                skip_rows=skip.get(name, set()),
            )
            if arr is not None:
                cols[r.FEATURE_PREFIX + name] = arr
        for key, values in predictions.items():
            key = _column_name(key, values, issues, r.PREDICTION_PREFIX)
            column = r.PREDICTION if key == "" else r.PREDICTION_PREFIX + key
            arr = build_column(
                values,
                column,
                column,
                self.kinds,
                issues,
                limit=limit,
                objects_as_text=True,
                object_issue="bad_prediction",
            )
            if arr is not None:
                cols[column] = arr
        for key, values in metadata.items():
            key = _column_name(key, values, issues, r.METADATA_PREFIX)
            column = r.METADATA_PREFIX + key
            arr = build_column(
                values,
                column,
                column,
                self.kinds,
                issues,
                limit=limit,
                objects_as_text=True,
                object_issue="bad_metadata",
                object_label=key,
            )
            if arr is not None:
                cols[column] = arr
        micros_arr = micros if isinstance(micros, pa.Array) else pa.array(micros, pa.int64())
        base = {
            r.PREDICTION_ID: ids,
            r.TIMESTAMP: micros_arr.cast(r.TIMESTAMP_TYPE),
            r.MODEL_VERSION: _constant(self.model_version, n),
            r.SAMPLING_WEIGHT: pa.array(weights, pa.float64()),
            r.SAMPLE_REASON: reasons,
            r.QUALITY_ISSUES: issues.column(n),
        }
        return pa.Table.from_arrays(
            [*base.values(), *cols.values()],
            schema=pa.schema([*r.BASE_FIELDS, *(pa.field(k, v.type) for k, v in cols.items())]),
        )

    def unconvertible_prediction(
        self, record: Record, exc: BaseException
    ) -> tuple[pa.Table, Counter[str]]:
        """The stub of a record that no conversion could keep (a bug met a strange value):
        its id, time, weight and reason, with ``unconvertible_record`` saying why."""
        issues = Issues()
        issues.add(0, "unconvertible_record", "", f"{type(exc).__name__}: {safe_repr(exc)}")
        table = self.assemble(
            ids=id_array([record[0]], issues),
            micros=self._micros([record[1]], issues),
            weights=np.array([float(record[5])], np.float64),
            reasons=pa.array([str(record[6])], pa.string()),
            features={},
            skip={},
            predictions={},
            metadata={},
            issues=issues,
        )
        return table, issues.counts

    def unconvertible_label(
        self, record: LabelRecord, exc: BaseException
    ) -> tuple[pa.Table, Counter[str]]:
        """The stub of a label no conversion could keep: its id and time, the label null."""
        issues = Issues()
        issues.add(0, "unconvertible_label", "", f"{type(exc).__name__}: {safe_repr(exc)}")
        ids = id_array([record[0]], issues)
        table = self.label_table(ids, [None], self._micros([record[2]], issues), issues)
        return table, issues.counts

    # ------------------------------------------------------------------ labels
    def labels(self, records: Sequence[LabelRecord]) -> tuple[pa.Table, Counter[str]]:
        """One label batch (``prediction_id, label, labeled_at``) from buffered labels."""
        ids, labels, times = zip(*records, strict=True)
        issues = Issues()
        return self.label_table(
            id_array(ids, issues), list(labels), self._micros(times, issues), issues
        ), issues.counts

    def label_table(
        self, ids: pa.Array, labels: Values, micros: pa.Array | np.ndarray, issues: Issues
    ) -> pa.Table:
        arr = build_column(
            labels,
            r.LABEL,
            r.LABEL,
            self.kinds,
            issues,
            limit=self.value_limit,
            objects_as_text=True,
            object_issue="bad_label",
        )
        if arr is None:
            arr = pa.nulls(len(ids), pa.float64())
        micros_arr = micros if isinstance(micros, pa.Array) else pa.array(micros, pa.int64())
        return pa.table(
            {
                r.PREDICTION_ID: ids,
                r.LABEL: arr,
                r.LABELED_AT: micros_arr.cast(r.TIMESTAMP_TYPE),
            }
        )

    # ------------------------------------------------------------------ pieces
    def _micros(self, times: Sequence[Any], issues: Issues) -> pa.Array:
        try:
            arr = pa.array(times, from_pandas=False)
            if pa.types.is_int64(arr.type) and arr.null_count == 0:
                return arr
        except Exception:  # not all epoch ints: read one by one
            pass
        out = np.empty(len(times), np.int64)
        for i, t in enumerate(times):
            if type(t) is int:
                out[i] = t
                continue
            raw = t.value if isinstance(t, RawTimestamp) else t
            micros = to_micros(raw)
            if micros is None:
                issues.add(i, "bad_timestamp", "", f"got {type(raw).__name__} {safe_repr(raw)}")
                micros = t.logged_at if isinstance(t, RawTimestamp) else now_us()
            out[i] = micros
        return pa.array(out, pa.int64())

    def _feature_values(
        self, feats: list[Any], issues: Issues
    ) -> tuple[dict[str, Values], dict[str, set[int]]]:
        n = len(feats)
        all_dicts = set(map(type, feats)) == {dict}
        bad = [] if all_dicts else [i for i, f in enumerate(feats) if type(f) is not dict]
        for i in bad:
            raw = feats[i].value if isinstance(feats[i], Unusable) else feats[i]
            detail = f"got {type(raw).__name__} {safe_repr(raw)}"
            issues.add(i, "bad_features", "", detail)
        names = self.schema.names
        if names is None:
            first = next((f for f in feats if type(f) is dict), None)
            if first is None:
                return {}, {}
            # (its bad keys are reported below, with the other records')
            names = self.schema.establish(_names(first, Issues(), 0))
        count = len(names)
        if bad:
            check = {i for i, f in enumerate(feats) if type(f) is dict and len(f) != count}
        else:
            lengths = list(map(len, feats))
            check = (
                set()
                if lengths.count(count) == n
                else {i for i, size in enumerate(lengths) if size != count}
            )
        values: dict[str, Values] = {}
        skip: dict[str, set[int]] = {}
        bad_set = set(bad)
        keys_as_text = False
        for name in names:
            try:
                values[name] = list(map(itemgetter(name), feats))
                if bad_set:
                    skip[name] = bad_set
                continue
            except Exception:  # a record lacks it, or a key's __eq__ failed on the way
                pass
            if not keys_as_text:  # once: keys as text, read without hashing or comparing
                keys_as_text = True
                for i, f in enumerate(feats):
                    if type(f) is dict and any(type(k) is not str for k in f):
                        feats[i] = dict(zip(_names(f, issues, i), dict.values(f), strict=True))
            missing = [i for i, f in enumerate(feats) if type(f) is dict and name not in f]
            values[name] = [f.get(name) if type(f) is dict else None for f in feats]
            issues.add_many(missing, "missing_feature", name)
            check.update(missing)
            skip[name] = bad_set | set(missing)
        known = set(names)
        for i in sorted(check):
            for key, value in zip(_names(feats[i], issues, i), dict.values(feats[i]), strict=True):
                if key not in known:
                    values.setdefault(key, [None] * n)[i] = value
                    issues.add(i, "extra_feature", key)
        return values, skip


def id_array(ids: Sequence[Any], issues: Issues | None = None) -> pa.Array:
    r"""Prediction ids as an Arrow string array; lone surrogates escaped
    (``invalid_text:prediction_id`` on the row) the same way on predictions and labels, so
    they still join.

    >>> issues = Issues()
    >>> id_array(["a", "b\ud800"], issues).to_pylist(), issues.rows
    (['a', 'b\\ud800'], {1: ['invalid_text:prediction_id (lone surrogates escaped)']})
    """
    try:
        return pa.array(ids, pa.string())
    except Exception:
        pass
    out = []
    for i, pid in enumerate(ids):
        text, clean = clean_text(pid) if isinstance(pid, str) else key_text(pid)
        if not clean and issues is not None:
            issues.add(i, INVALID_TEXT, "prediction_id", "lone surrogates escaped")
        out.append(text)
    return pa.array(out, pa.string())


def _names(record: dict[Any, Any], issues: Issues, row: int) -> list[str]:
    """The keys of one record's dict as names: text, read without calling their ``__eq__``
    or ``__hash__``; a key whose ``str`` fails is reported on the row."""
    out = []
    for key in dict.keys(record):
        if type(key) is str:
            out.append(key)
            continue
        name, ok = key_name(key)
        if not ok:
            issues.add(row, "bad_key", name, "its str() failed")
        out.append(name)
    return out


def _column_name(name: str, values: Values, issues: Issues, prefix: str = "") -> str:
    """``name`` as a column name Arrow can write: lone surrogates escaped, reported on the
    rows that have a value in it."""
    if name.isascii():
        return name
    text, clean = clean_text(name)
    if not clean:
        if isinstance(values, pa.Array):
            rows = np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False)).tolist()
        else:
            rows = [i for i, v in enumerate(values) if v is not None]
        issues.add_many(rows, INVALID_TEXT, prefix + text)
    return text


def _constant(value: str | None, n: int) -> pa.Array:
    if value is None:
        return pa.nulls(n, pa.string())
    return pa.repeat(pa.scalar(value, pa.string()), n)


_PLAIN = frozenset((float, int, str, bool, type(None)))


def _failed(metas: Sequence[Any]) -> Callable[[int], bool]:
    """Whether row ``i`` is a call that raised (``metadata["error"]`` set by
    ``@track_predictions``); asked only about rows without a prediction."""

    def failed(i: int) -> bool:
        meta = metas[i]
        try:
            return type(meta) is dict and meta.get("error") is not None
        except Exception:  # a key's __eq__ failed
            return False

    return failed


def _shared_keys(dicts: Sequence[dict[Any, Any]]) -> tuple[str, ...] | None:
    """The keys of every dict when all have the same text keys in the same order (the
    usual case, read one column at a time); else None. Only ``str`` keys are ever hashed
    or compared here, so that no key's own ``__eq__`` or ``__hash__`` runs.

    >>> _shared_keys([{"a": 1, "b": 2}, {"a": 3, "b": 4}]), _shared_keys([{"a": 1}, {"b": 2}])
    (('a', 'b'), None)
    """
    if set(map(type, chain.from_iterable(dicts))) != {str}:
        return None
    shapes = set(map(tuple, dicts))
    return shapes.pop() if len(shapes) == 1 else None


def _keyed_values(
    items: Sequence[Any],
    n: int,
    *,
    scalar_key: str | None,
    seq_prefix: bool,
    issues: Issues | None = None,
    failed: Callable[[int], bool] | None = None,
) -> dict[str, list[Any]]:
    """Per-row predictions or metadata -> one value list per key.

    Dicts spread over their keys; lists (class probabilities) over ``"0", "1", ...`` when
    ``seq_prefix``; anything else is the scalar (``scalar_key``), or for metadata the
    ``"value"`` of a non-mapping argument. A null scalar is reported (``null:prediction``)
    unless ``failed(row)``: the record of a call that raised has no prediction by design.
    """
    out: dict[str, list[Any]] = {}
    scalars: list[Any] | None = None
    types = set(map(type, items))
    if types <= _PLAIN:  # the common cases: all scalars, or no metadata at all
        if scalar_key is None:
            if types == {type(None)}:
                return {}
        else:
            if type(None) in types and issues is not None:
                for i in [i for i, item in enumerate(items) if item is None]:
                    if failed is None or not failed(i):
                        issues.add(i, "null", "prediction")
            return {scalar_key: list(items)}
    if types == {dict}:  # e.g. every record's metadata is {"latency_ms": ...}
        shared = _shared_keys(items)
        if shared is not None:
            return {key: list(map(itemgetter(key), items)) for key in shared}
    for i, item in enumerate(items):
        t = type(item)
        if t is dict:
            keys = (
                dict.keys(item)
                if all(type(k) is str for k in item)
                else _names(item, issues if issues is not None else Issues(), i)
            )
            for key, value in zip(keys, dict.values(item), strict=True):
                col = out.get(key)
                if col is None:
                    col = out[key] = [None] * n
                col[i] = value
        elif seq_prefix and t is list:
            for j, value in enumerate(item):
                col = out.get(str(j))
                if col is None:
                    col = out[str(j)] = [None] * n
                col[i] = value
        elif scalar_key is not None:
            if scalars is None:
                scalars = [None] * n
            scalars[i] = item
            if item is None and issues is not None and (failed is None or not failed(i)):
                issues.add(i, "null", "prediction")
        elif item is not None:  # metadata that is not a mapping
            raw = item.value if isinstance(item, Unusable) else item
            if issues is not None:
                issues.add(i, "bad_metadata", "", f"not a mapping: {safe_repr(raw)}")
            out.setdefault("value", [None] * n)[i] = raw
    if scalars is not None and scalar_key is not None:
        return {scalar_key: scalars, **out}
    return out
