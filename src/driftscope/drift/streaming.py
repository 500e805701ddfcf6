"""Feature drift on a stream of records: a sliding window checked against a fitted reference.

:class:`StreamingDriftMonitor` keeps the last ``window_size`` records (as bin codes, plus the
raw values for KS: O(window) memory), and every ``check_frequency`` records compares the
window with the reference feature by feature (PSI, Jensen-Shannon or KS).

**Repeated checks.** Checking every 100 records means thousands of tests a day on heavily
overlapping windows; a fixed per-test level would raise false alarms without end. In the
default *rate-controlled* mode each check turns every feature's statistic into a p-value
(:mod:`driftscope.drift.window_tests`) and flags the check when the smallest p-value is
below ``check_frequency / (ert * n_features)`` (Bonferroni across features). By linearity of
expectation, whatever the overlap between windows, the expected number of false alarms per
record on stationary data is at most ``1 / ert``: at most one false alarm per ``ert``
records on average (fewer in practice: overlapping windows make alarms cluster).
``threshold=`` switches to a fixed-threshold mode (e.g. PSI >= 0.2), which has no
such guarantee; docs/streaming.md lists its measured false-alarm rate.

>>> import numpy as np, pandas as pd
>>> from driftscope.drift.reference import Reference
>>> rng = np.random.default_rng(0)
>>> ref = Reference.fit(
...     pd.DataFrame({"x": rng.normal(size=5000), "c": rng.choice(["a", "b"], 5000)}))
>>> monitor = StreamingDriftMonitor(ref, window_size=500, check_frequency=100)
>>> stream = pd.DataFrame({"x": rng.normal(1.0, 1, 2000), "c": rng.choice(["a", "b"], 2000)})
>>> events = monitor.update_many(stream)
>>> events[0].drifted_features, events[0].position
(('x',), 500)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.stats

from driftscope.data import ColumnKind
from driftscope.drift.reference import CategoricalReference, NumericalReference, Reference
from driftscope.drift.window_tests import (
    MISSING_KEY,
    js_pvalues,
    js_statistics,
    ks_keys,
    ks_window_statistics,
    psi_pvalues,
    psi_statistics,
)
from driftscope.errors import ConfigError, DataError
from driftscope.stats import SortedSample, ks_asymptotic_pvalue
from driftscope.stats.binning import bin_counts_sorted, quantile_edges

METHODS = ("psi", "js", "ks")
DEFAULT_ERT = 1_000_000


@dataclass(frozen=True)
class StreamDriftEvent:
    """The result of one check of the sliding window.

    ``position`` counts the records seen when the check ran; ``scores`` holds each
    feature's statistic and ``p_values`` its p-value (rate-controlled mode, else empty).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> monitor = StreamingDriftMonitor(Reference.fit(pd.DataFrame({"x": rng.normal(size=5000)})))
    >>> event = monitor.update_many(pd.DataFrame({"x": rng.normal(2, 1, 1000)}))[0]
    >>> event.has_drift, event.position, event.method, event.drifted_features
    (True, 1000, 'psi', ('x',))
    """

    position: int
    check: int
    window_rows: int
    method: str
    drifted_features: tuple[str, ...]
    scores: dict[str, float]
    p_values: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.0

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted_features)

    @property
    def drift_score(self) -> float:
        """Mean statistic over the features (PSI, JS distance or KS D)."""
        return float(np.mean(list(self.scores.values()))) if self.scores else 0.0


class StreamingDriftMonitor:
    """Sliding-window feature drift against a fitted :class:`Reference` (see module doc).

    Feed single records with :meth:`update` (a mapping of feature -> value) or frames with
    :meth:`update_many`; both return the checks that found drift (``emit="all"`` returns
    every check). Missing values and values of the wrong type count in a missing bin (and in
    ``invalid_counts``), never corrupting the statistics.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> reference = Reference.fit(pd.DataFrame({"x": rng.normal(size=5000)}))
    >>> monitor = StreamingDriftMonitor(reference, window_size=500, check_frequency=250)
    >>> events = monitor.update_many(pd.DataFrame({"x": rng.normal(2, 1, 1000)}))
    >>> [e.position for e in events], monitor.alarms
    ([500, 750, 1000], 3)
    """

    def __init__(
        self,
        reference: Reference,
        features: Sequence[str] | None = None,
        *,
        window_size: int = 1000,
        check_frequency: int = 100,
        method: str = "psi",
        ert: float | None = None,
        threshold: float | None = None,
        bins: int = 10,
        emit: str = "drift",
    ):
        if method not in METHODS:
            raise ConfigError(f"method must be one of {METHODS}, got {method!r}")
        for name, value in (("window_size", window_size), ("check_frequency", check_frequency)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if window_size < 10:
            raise ConfigError(f"window_size must be at least 10, got {window_size}")
        if ert is not None and threshold is not None:
            raise ConfigError("give ert= (rate-controlled) or threshold= (fixed), not both")
        if ert is not None and not (isinstance(ert, int | float) and ert >= check_frequency):
            raise ConfigError(f"ert must be a number >= check_frequency, got {ert!r}")
        if emit not in ("drift", "all"):
            raise ConfigError(f"emit must be 'drift' or 'all', got {emit!r}")
        if method == "ks" and any(
            isinstance(reference.columns.get(f), CategoricalReference) for f in features or []
        ):
            raise ConfigError("method='ks' needs numerical features; use 'psi' or 'js'")
        self.reference = reference
        names = list(features) if features is not None else list(reference.columns)
        if features is None:  # datetimes and (for KS) categories are left out by default
            names = [
                n
                for n in names
                if reference.columns[n].kind != ColumnKind.DATETIME
                and (method != "ks" or isinstance(reference.columns[n], NumericalReference))
            ]
        missing = [n for n in names if n not in reference.columns]
        if missing:
            raise DataError("is not in the reference", column=missing[0])
        if not names:
            raise ConfigError("no features to monitor")
        self.features = tuple(names)
        self.window_size, self.check_frequency = window_size, check_frequency
        self.method, self.bins, self.emit = method, bins, emit
        self.threshold = threshold
        self.ert = None if threshold is not None else float(ert or DEFAULT_ERT)
        self._setup_bins()
        self._reset()

    # ------------------------------------------------------------------ set-up
    def _setup_bins(self) -> None:
        """Per feature: how to turn values into bin codes, and the reference's bin counts."""
        # numerical: the bin edges and the fitted sample; categorical: category -> bin
        self._encoders: list[tuple[np.ndarray, SortedSample] | dict[str, int]] = []
        ref_rows = []
        for name in self.features:
            col = self.reference.columns[name]
            if isinstance(col, NumericalReference):
                edges = quantile_edges(col.sample, self.bins)
                counts = bin_counts_sorted(col.sample, edges).astype(float)
                self._encoders.append((edges, col.sample))
            else:
                self._encoders.append({c: i for i, c in enumerate(col.categories)})
                # + the bin of values without a fitted label: unseen ones, and the rarest
                # reference levels left out past max_categories (their counts only)
                other = float(col.other_counts.sum())
                counts = np.append(np.asarray(col.counts, float), other)
            ref_rows.append(np.append(counts, col.summary.missing))  # + missing bin
        width = max(len(r) for r in ref_rows)
        self._width = width
        self._ref_counts = np.zeros((len(self.features), width))
        for i, row in enumerate(ref_rows):
            self._ref_counts[i, : len(row) - 1] = row[:-1]
            self._ref_counts[i, width - 1] = row[-1]  # missing bin: always the last column
        self._ref_n = np.array(
            [
                getattr(getattr(self.reference.columns[n], "sample", None), "n", 1)
                for n in self.features
            ],
            dtype=np.int64,
        )

    def _reset(self) -> None:
        f, w = len(self.features), self.window_size
        self._codes = np.zeros((w, f), dtype=np.int32)
        self._keys = np.full((f, w), MISSING_KEY) if self.method == "ks" else None
        self._counts = np.zeros((f, self._width))
        self._pending: list[Mapping[str, Any]] = []
        self.records_seen = 0
        self.checks_run = 0
        self.alarms = 0
        self.invalid_counts = dict.fromkeys(self.features, 0)
        self._critical: dict[tuple[int, int], float] = {}

    # ------------------------------------------------------------------ feeding
    def update(self, record: Mapping[str, Any]) -> StreamDriftEvent | None:
        """Add one record; returns the check's event when this record completed a check that
        found drift (or any check with ``emit="all"``)."""
        self._pending.append(record)
        if len(self._pending) < self.check_frequency:
            return None
        chunk, self._pending = self._pending, []
        columns = [
            [r.get(n) if isinstance(r, Mapping) else None for r in chunk] for n in self.features
        ]
        return self._ingest(columns, len(chunk))

    def update_many(self, records: Any) -> list[StreamDriftEvent]:
        """Feed a DataFrame (pandas/polars/pyarrow), a mapping of columns or an iterable of
        record mappings; returns the events of the checks it completed."""
        if (
            isinstance(records, Mapping)
            or hasattr(records, "columns")
            or hasattr(records, "column_names")
        ):
            return list(self._ingest_columns(records))
        events = []
        for record in records:
            event = self.update(record)
            if event is not None:
                events.append(event)
        return events

    def _ingest_columns(self, frame: Any) -> Iterator[StreamDriftEvent]:
        columns = []
        for name in self.features:
            try:
                col = frame[name]
            except (KeyError, IndexError, TypeError):
                col = None
            if col is not None and hasattr(col, "to_numpy"):
                col = (
                    col.to_numpy(zero_copy_only=False)
                    if hasattr(col, "combine_chunks")
                    else col.to_numpy()
                )
            columns.append(col)
        n = (
            len(next(c for c in columns if c is not None))
            if any(c is not None for c in columns)
            else 0
        )
        columns = [np.full(n, None, dtype=object) if c is None else np.asarray(c) for c in columns]
        start = 0
        if self._pending:  # finish a partial chunk of single records first
            need = self.check_frequency - len(self._pending)
            head = [
                {name: col[i] for name, col in zip(self.features, columns, strict=True)}
                for i in range(min(need, n))
            ]
            for record in head:
                event = self.update(record)
                if event is not None:
                    yield event
            start = len(head)
        stop = start + (n - start) // self.check_frequency * self.check_frequency
        if stop > start:  # encode every full chunk at once, then slide chunk by chunk
            codes, keys = self._encode([c[start:stop] for c in columns], stop - start)
            for lo in range(0, stop - start, self.check_frequency):
                hi = lo + self.check_frequency
                event = self._advance(codes[lo:hi], None if keys is None else keys[lo:hi])
                if event is not None:
                    yield event
        self._pending.extend(  # keep the tail for the next call
            {name: col[i] for name, col in zip(self.features, columns, strict=True)}
            for i in range(stop, n)
        )

    # ------------------------------------------------------------------ one chunk
    def _ingest(self, columns: Sequence[Any], k: int) -> StreamDriftEvent | None:
        return self._advance(*self._encode(columns, k))

    def _encode(self, columns: Sequence[Any], k: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Bin codes (and KS keys) of ``k`` records given column by column."""
        codes = np.empty((k, len(self.features)), dtype=np.int32)
        keys = np.empty((k, len(self.features)), np.int64) if self._keys is not None else None
        missing_code = self._width - 1
        for j, raw in enumerate(columns):
            encoder = self._encoders[j]
            if isinstance(encoder, tuple):
                edges, sample = encoder
                x = self._as_float(raw, j)
                c = np.searchsorted(edges, x, side="right").astype(np.int32)
                codes[:, j] = np.where(np.isfinite(x), c, missing_code)
                if keys is not None:
                    keys[:, j] = ks_keys(sample, x)
            else:
                lookup = encoder
                unseen = len(lookup)
                codes[:, j] = [
                    missing_code if v is None or v != v else lookup.get(str(v), unseen) for v in raw
                ]
        return codes, keys

    def _advance(self, codes: np.ndarray, keys: np.ndarray | None) -> StreamDriftEvent | None:
        """Slide the window over one chunk of encoded records; check when it is full."""
        self._push(codes, keys)
        self.records_seen += codes.shape[0]
        if self.records_seen < self.window_size:
            return None
        return self._check()

    def _as_float(self, raw: Any, j: int) -> np.ndarray:
        try:
            x = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            x = np.array([_to_float(v) for v in raw], dtype=np.float64)
        bad = ~np.isfinite(x)
        if bad.any():
            self.invalid_counts[self.features[j]] += int(bad.sum())
        return x

    def _push(self, codes: np.ndarray, keys: np.ndarray | None) -> None:
        w, f = self.window_size, len(self.features)
        k = codes.shape[0]
        slots = (self.records_seen + np.arange(k)) % w
        offsets = np.arange(f, dtype=np.int64) * self._width
        if self.records_seen + k > w:  # records leaving the window
            full = self.records_seen >= w
            leaving = slots if full else slots[(self.records_seen + np.arange(k)) >= w]
            old = (self._codes[leaving] + offsets).ravel()
            self._counts -= np.bincount(old, minlength=f * self._width).reshape(f, -1)
        new = (codes + offsets).ravel()
        self._counts += np.bincount(new, minlength=f * self._width).reshape(f, -1)
        self._codes[slots] = codes
        if keys is not None and self._keys is not None:  # both or neither: method="ks"
            self._keys[:, slots] = keys.T

    def _check(self) -> StreamDriftEvent | None:
        self.checks_run += 1
        p_values: np.ndarray | None = None
        if self._keys is not None:  # method="ks"
            scores, p_values = self._ks(self._keys)
        elif self.method == "psi":
            scores = psi_statistics(self._ref_counts, self._counts)
            if self.ert is not None:
                p_values = psi_pvalues(self._ref_counts, self._counts)
        else:
            scores = js_statistics(self._ref_counts, self._counts)
            if self.ert is not None:
                p_values = js_pvalues(self._ref_counts, self._counts)
        if self.ert is not None and p_values is not None:  # p-values come with every ert
            level = self._level(self.ert)
            drifted = p_values < level
            threshold = level
        else:
            assert self.threshold is not None  # set whenever ert is not
            drifted = scores >= self.threshold
            threshold = float(self.threshold)
        if drifted.any():
            self.alarms += 1
        elif self.emit == "drift":
            return None
        names = self.features
        return StreamDriftEvent(
            position=self.records_seen,
            check=self.checks_run,
            window_rows=self.window_size,
            method=self.method,
            drifted_features=tuple(n for n, d in zip(names, drifted, strict=True) if d),
            scores=dict(zip(names, map(float, scores), strict=True)),
            p_values={}
            if p_values is None or self.ert is None
            else dict(zip(names, map(float, p_values), strict=True)),
            threshold=threshold,
        )

    def _level(self, ert: float) -> float:
        """The level each feature's p-value is compared with at one check: one false alarm
        in ``ert`` records on average, split over checks and features."""
        return self.check_frequency / (ert * len(self.features))

    def _ks(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact KS statistics of the window (one integer sort per check), and p-values
        computed only where they can matter: SciPy's asymptotic law is slow to evaluate, so
        the statistic is first compared with the critical value for the window's size
        (cached); every p-value is computed when every check is emitted."""
        scores, finite = ks_window_statistics(keys, self._ref_n)
        p_values = np.ones(len(self.features))
        if self.ert is None:
            return scores, p_values
        level = self._level(self.ert)
        for j in range(len(self.features)):
            n, m = int(self._ref_n[j]), int(finite[j])
            if not m:
                continue
            if self.emit == "all" or scores[j] >= self._ks_critical(n, m, level):
                p_values[j] = ks_asymptotic_pvalue(scores[j], n, m)
        return scores, p_values

    def _ks_critical(self, n: int, m: int, level: float) -> float:
        """Smallest statistic whose p-value can fall below the check's level, minus a safety
        margin (p-values are then computed exactly for those)."""
        key = (n, m)
        if key not in self._critical:
            big, small = max(n, m), min(n, m)
            en = round(big * small / (big + small))
            self._critical[key] = float(scipy.stats.kstwo.isf(level, en)) * 0.999
        return self._critical[key]


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def incremental_drift_monitoring(
    data_stream: Iterable[Mapping[str, Any]],
    reference: Reference,
    window_size: int = 1000,
    check_frequency: int = 100,
    **options: Any,
) -> Iterator[StreamDriftEvent]:
    """The streaming check: yield a :class:`StreamDriftEvent` for each check of the
    sliding window that finds drift (options as :class:`StreamingDriftMonitor`)."""
    monitor = StreamingDriftMonitor(
        reference, window_size=window_size, check_frequency=check_frequency, **options
    )
    for record in data_stream:
        event = monitor.update(record)
        if event is not None:
            yield event
