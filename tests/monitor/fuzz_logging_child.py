"""The logging fuzz run by ``test_fuzz_logging.py`` in a child interpreter (a crash there
fails the test instead of killing pytest): ``python -m tests.monitor.fuzz_logging_child
STORE single|batch EXAMPLES [SCHEMA]``, where STORE is the embedded store's folder or a
PostgreSQL URL (then SCHEMA names the schema to use).

Hypothesis draws records, each either *good* (clean values of the columns' kinds) or
*bad* (one hostile payload somewhere: a cyclic or very deep container, a lone surrogate,
an int past 64 bits, NaN or inf, an object whose methods raise, an enormous string, an
object array, a bad key, features that are no mapping, ...). Per example: logging never
raises (without ``strict``); with ``strict`` a bad record raises ``DataError`` and a good
one nothing; after ``flush()`` (which must not raise) nothing was dropped and the
data-quality counts grew by at least one per bad record and bad label. At the end every
record is read back: a good one with its values and no issue, a bad one with an issue.
With PostgreSQL, some good-looking records are *bad for the store* too: text holding a NUL
character, which PostgreSQL cannot keep; the store stores it as U+FFFD with a ``nul_byte``
issue on the record, so those records must read back with an issue and every other record of
their batch must land. Exit code 0 when all holds.
"""

from __future__ import annotations

import faulthandler
import math
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftscope.errors import DataError
from driftscope.monitor import ModelMonitor
from driftscope.store import EmbeddedStore, Store, open_store

# ---------------------------------------------------------------------- hostile payloads
METHODS = ("__str__", "__repr__", "__eq__", "__hash__", "__len__", "__iter__", "__format__")


def _hostile(methods: frozenset[str], escape: bool) -> Any:
    namespace: dict[str, Any] = {}
    for name in methods:

        def raiser(self: Any, *args: Any, _name: str = name) -> Any:
            raise RuntimeError(f"hostile {_name}")

        namespace[name] = raiser
    if escape and "__repr__" not in methods:
        namespace["__repr__"] = lambda self: "\x1b[2J\x1b[31mgotcha\r\n\ud800"
    return type("Hostile", (), namespace)()


def _cyclic(kind: str) -> Any:
    if kind == "list":
        value: Any = [1.0, "a"]
        value.append(value)
    elif kind == "dict":
        value = {"a": 1}
        value["self"] = value
    elif kind == "tuple":
        inner: list[Any] = []
        value = (inner, 2)
        inner.append(value)
    else:
        value = np.empty(2, dtype=object)
        value[0] = value
        value[1] = 1.0
    return value


def _deep(depth: int, kind: str) -> Any:
    value: Any = 0.5
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


hostile_objects = st.builds(_hostile, st.frozensets(st.sampled_from(METHODS)), st.booleans())
surrogates = st.builds(
    lambda text, at, code: text[:at] + chr(code) + text[at:],
    st.text(max_size=20),
    st.integers(0, 20),
    st.integers(0xD800, 0xDFFF),
)
huge_ints = (
    st.integers(min_value=2**64)
    | st.integers(max_value=-(2**63) - 1)
    | st.just(np.uint64(2**64 - 1))
    | st.integers(min_value=2**63, max_value=2**64 - 1)
)
non_finite = st.sampled_from(
    [math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf"), np.float16("-inf")]
)
enormous_text = st.builds(lambda n, c: c * n, st.integers(70_000, 400_000), st.sampled_from("xé€"))
object_arrays = st.builds(
    lambda items, h: np.array([*items, h], dtype=object),
    st.lists(st.floats(allow_nan=False) | st.text(max_size=5), max_size=3),
    hostile_objects,
)
containers_with_objects = st.builds(
    lambda items, h: [*items, {"x": h}], st.lists(st.integers(), max_size=3), hostile_objects
)
#: payloads that are bad whatever column they land in
BAD = st.one_of(
    st.sampled_from(["list", "dict", "tuple", "array"]).map(_cyclic),
    st.builds(_deep, st.integers(100, 5_000), st.sampled_from(["list", "dict"])),
    surrogates,
    huge_ints,
    non_finite,
    hostile_objects,
    enormous_text,
    object_arrays,
    containers_with_objects,
)

finite = st.floats(allow_nan=False, allow_infinity=False)
good_number = finite | st.integers(-(2**53), 2**53) | finite.map(np.float64)
#: no lone surrogates (bad for every store) and no NUL (bad for PostgreSQL: see nul_text)
good_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
nul_text = st.builds(lambda t, at: t[:at] + "\x00" + t[at:], good_text, st.integers(0, 40))
odd_keys = st.one_of(
    st.integers(),
    surrogates,
    st.sampled_from(["", "k\x1b[31m", "a.b", "é", "x" * 300]),
    st.builds(_hostile, st.just(frozenset({"__str__", "__repr__"})), st.booleans()),
)
not_features = st.one_of(st.none(), good_text, st.integers(), hostile_objects)

SINGLE_POSITIONS = (
    "f_num",
    "f_txt",
    "prediction",
    "metadata",
    "extra",
    "key",
    "features_itself",
    "not_features",
)
BATCH_POSITIONS = ("f_num", "f_txt", "prediction", "metadata")


@dataclass
class Record:
    f_num: Any
    f_txt: str
    prediction: Any
    meta: str
    bad: str | None = None  # where the hostile payload went, None for a good record
    store_bad: bool = False  # the payload is bad only for the store (NUL in PostgreSQL)
    payload: Any = None
    label: Any = None
    bad_label: bool = False
    features: Any = field(default=None, repr=False)
    prediction_arg: Any = field(default=None, repr=False)
    metadata: Any = field(default=None, repr=False)


@st.composite
def records(draw: Any, positions: tuple[str, ...], nul: bool = False) -> Record:
    rec = Record(draw(good_number), draw(good_text), draw(finite), draw(good_text))
    if nul and draw(st.integers(0, 3)) == 0:
        rec.bad, rec.store_bad = draw(st.sampled_from(("f_txt", "metadata"))), True
        rec.payload = draw(nul_text)
    elif draw(st.booleans()):
        rec.bad = draw(st.sampled_from(positions))
        rec.payload = draw(not_features if rec.bad == "not_features" else BAD)
    if draw(st.integers(0, 3)) == 0:
        rec.bad_label = draw(st.booleans())
        rec.label = draw(BAD if rec.bad_label else finite)
    features: Any = {"f_num": rec.f_num, "f_txt": rec.f_txt}
    prediction: Any = rec.prediction
    metadata: Any = {"m": rec.meta}
    if rec.bad == "f_num":
        features["f_num"] = rec.payload
    elif rec.bad == "f_txt":
        features["f_txt"] = rec.payload
    elif rec.bad == "prediction":
        prediction = rec.payload
    elif rec.bad == "metadata":
        metadata["m"] = rec.payload
    elif rec.bad == "extra":
        features[draw(odd_keys)] = rec.payload
    elif rec.bad == "key":
        features[draw(odd_keys)] = draw(good_number)
    elif rec.bad == "features_itself":
        features["self"] = features
    elif rec.bad == "not_features":
        features = rec.payload
    rec.features, rec.prediction_arg, rec.metadata = features, prediction, metadata
    return rec


# ---------------------------------------------------------------------- the run
class Fuzz:
    def __init__(self, location: str, schema: str | None = None):
        self.open: Any = lambda: EmbeddedStore(location)
        if schema is not None:
            self.open = lambda: open_store(location, schema=schema)
        self.store: Store = self.open()
        kw = {"store": self.store, "flush_interval": 0.05, "feature_names": ["f_num", "f_txt"]}
        self.lenient = ModelMonitor("fuzz", **kw)
        self.strict = ModelMonitor("fuzz_strict", strict=True, **kw)
        for monitor in (self.lenient, self.strict):  # fix the columns' kinds
            pid = monitor.log_prediction({"f_num": 0.5, "f_txt": "a"}, 0.5, metadata={"m": "a"})
            monitor.log_ground_truth(pid, 1.0)
            monitor.flush()
        self.logged: list[tuple[str, Record]] = []
        self.strict_logged: list[tuple[str, Record]] = []

    def quality(self) -> int:
        return sum(self.lenient.quality_counts().values())

    def check_flush(self, before: int, bad: int) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # a dropped-records warning
            self.lenient.flush()
            self.strict.flush()
        assert self.lenient.cost_report().dropped_records == 0
        grown = self.quality() - before
        assert grown >= bad, f"{bad} bad values, {grown} data-quality events"

    def single(self, recs: list[Record]) -> None:
        before = self.quality()
        for rec in recs:
            pid = self.lenient.log_prediction(rec.features, rec.prediction_arg, None, rec.metadata)
            self.logged.append((pid, rec))
            if rec.label is not None:
                self.lenient.log_ground_truth(pid, rec.label)
            try:
                spid = self.strict.log_prediction(
                    rec.features, rec.prediction_arg, None, rec.metadata
                )
            except DataError:
                assert _bad_here(rec), f"strict refused a good record: {rec}"
            else:
                assert not _bad_here(rec), f"strict took a bad record: {rec}"
                self.strict_logged.append((spid, rec))
        self.check_flush(before, sum(map(_bad_here, recs)) + _bad_labels(recs))

    def batch(self, recs: list[Record]) -> None:
        before = self.quality()
        columns = {
            "f_num": [r.features["f_num"] for r in recs],
            "f_txt": [r.features["f_txt"] for r in recs],
        }
        predictions = [r.prediction_arg for r in recs]
        metadata = {"m": [r.metadata["m"] for r in recs]}
        ids = self.lenient.log_predictions(columns, predictions, metadata=metadata)
        self.logged += list(zip(ids.tolist(), recs, strict=True))
        labelled = [(pid, r.label) for pid, r in zip(ids.tolist(), recs, strict=True)]
        labelled = [(pid, label) for pid, label in labelled if label is not None]
        if labelled:
            self.lenient.log_ground_truths([p for p, _ in labelled], [v for _, v in labelled])
        try:
            sids = self.strict.log_predictions(columns, predictions, metadata=metadata)
        except DataError:
            assert any(map(_bad_here, recs)), "strict refused a good batch"
        else:
            assert not any(map(_bad_here, recs)), f"strict took a bad batch: {recs}"
            self.strict_logged += list(zip(sids.tolist(), recs, strict=True))
        self.check_flush(before, sum(map(_bad_here, recs)) + _bad_labels(recs))

    def verify(self) -> None:
        self.lenient.close()
        self.strict.close()
        self.store.close()
        store = self.open()  # a new connection: what is stored, not what is cached
        try:
            df = store.read_predictions("fuzz").set_index("prediction_id")
            strict = store.read_predictions("fuzz_strict").set_index("prediction_id")
        finally:
            store.close()
        assert len(df) == len(self.logged) + 1, (len(df), len(self.logged))
        for pid, rec in self.logged:
            row = df.loc[pid]
            if rec.bad is None:
                _same(row, rec)
            else:
                _has_issue(row, rec)
        assert len(strict) == len(self.strict_logged) + 1
        for pid, rec in self.strict_logged:
            if rec.store_bad:
                _has_issue(strict.loc[pid], rec)
            else:
                _same(strict.loc[pid], rec)
        print(f"verified {len(self.logged)} records, {len(self.strict_logged)} strict")


def _bad_here(rec: Record) -> bool:
    """Whether the monitor itself must see ``rec`` as bad (not only the store)."""
    return rec.bad is not None and not rec.store_bad


def _has_issue(row: Any, rec: Record) -> None:
    issues = row["quality_issues"]
    assert isinstance(issues, str), f"no issue for {rec}"
    if rec.store_bad:
        assert "nul_byte:" in issues, (issues, rec)
        stored = row["f_txt"] if rec.bad == "f_txt" else row["metadata.m"]
        assert stored == rec.payload.replace("\x00", "\ufffd"), (stored, rec)


def _bad_labels(recs: list[Record]) -> int:
    return sum(r.bad_label for r in recs)


def _same(row: Any, rec: Record) -> None:
    assert row["quality_issues"] is None or not isinstance(row["quality_issues"], str), (
        f"a good record got issues {row['quality_issues']!r}: {rec}"
    )
    assert row["f_num"] == float(rec.f_num), (row["f_num"], rec)
    assert row["f_txt"] == rec.f_txt, (row["f_txt"], rec)
    assert row["prediction"] == rec.prediction, (row["prediction"], rec)
    assert row["metadata.m"] == rec.meta, (row["metadata.m"], rec)


def main() -> None:
    faulthandler.enable()  # a crash prints where it happened
    location, mode, examples = sys.argv[1], sys.argv[2], int(sys.argv[3])
    schema = sys.argv[4] if len(sys.argv) > 4 else None
    fuzz = Fuzz(location, schema)
    positions = SINGLE_POSITIONS if mode == "single" else BATCH_POSITIONS
    run = fuzz.single if mode == "single" else fuzz.batch

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(records(positions, nul=schema is not None), min_size=1, max_size=6))
    def fuzz_logging(recs: list[Record]) -> None:
        run(recs)

    fuzz_logging()
    fuzz.verify()


if __name__ == "__main__":
    main()
