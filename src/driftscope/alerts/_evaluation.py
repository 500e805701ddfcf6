"""Evaluating alert rules over a check cycle's points, in a batch.

Each (rule, model, check, metric) pair - one per feature for a per-feature metric - has a
state: how many bad windows in a row (``bad``, counted up to the rule's ``for_windows``),
how many good ones since it fired (``good``), whether it is firing, and the last window
that changed it. States are :class:`~driftscope.store.state.StateRecord` rows of kind
``"rule_state"``; a pair with no record is quiet (nothing bad seen), so a cycle in which
nothing changes reads the stored states once and writes nothing. Windows are taken in time
order, and a window at or before the last one that changed a state is not counted again
(re-running a window is harmless).

The work is columnar: the points are coded once (model, check, metric), each rule selects
its points and finds the bad ones with numpy, and only the pairs that are bad now or have
a state are stepped through in Python. :func:`evaluate_rules` is pure: it returns the
changed states and the events (``fire``, ``refresh`` while firing, ``resolve``); the
manager stores the one and raises the other.

>>> from datetime import datetime, timedelta, UTC
>>> from driftscope.core.checks import CheckRecord
>>> from driftscope.alerts.rules import AlertRule
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> day = lambda i, v: CheckRecord("churn", "performance", t + timedelta(days=i),
...                                t + timedelta(days=i + 1), "accuracy", v)
>>> rule = AlertRule("acc", "accuracy", 0.85, "below", for_windows=2)
>>> first = evaluate_rules([rule], Points.of([day(0, 0.80)]), {})
>>> [e.kind for e in first.events], [r.state for r, _ in first.states]
([], ['pending'])
>>> states = {r.key: r.with_changes(version=1) for r, _ in first.states}
>>> second = evaluate_rules([rule], Points.of([day(1, 0.79)]), states)
>>> [(e.kind, e.model, e.value) for e in second.events]
[('fire', 'churn', 0.79)]
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from driftscope.alerts.durations import iso
from driftscope.alerts.model import Alert
from driftscope.alerts.rules import (
    BAD,
    GOOD,
    SIZE_METRICS,
    SKIP,
    AlertRule,
    part_label,
    sample_size,
)
from driftscope.core.checks import CheckRecord
from driftscope.core.status import STATUSES, Status
from driftscope.errors import ConfigError
from driftscope.store.state import StateRecord

KIND = "rule_state"
FIRING, PENDING, QUIET = "firing", "pending", "ok"


def state_key(rule: str, model: str, check: str, metric: str) -> str:
    """The state record's key of one (rule, model, check, metric) pair.

    >>> state_key("acc", "churn", "performance", "accuracy")
    '["acc","churn","performance","accuracy"]'
    """
    return json.dumps([rule, model, check, metric], separators=(",", ":"))


class Points:
    """A check cycle's points, column by column: from a health summary (anything with
    ``records``), a sequence of :class:`~driftscope.core.checks.CheckRecord` or a frame of
    stored check results (``store.read_check_results``).

    >>> from datetime import datetime, UTC
    >>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    >>> pts = Points.of([CheckRecord("m", "drift", t0, t1, "data_drift_score", 0.3)])
    >>> len(pts), pts.models[0], float(pts.values[0])
    (1, 'm', 0.3)
    """

    def __init__(
        self,
        models: Sequence[str],
        checks: Sequence[str],
        metrics: Sequence[str],
        values: np.ndarray,
        statuses: Sequence[str],
        starts: Sequence[datetime],
        ends: Sequence[datetime],
        details: Sequence[Mapping[str, Any]],
    ):
        self.models, self.checks, self.metrics = models, checks, metrics
        self.values, self.statuses = values, statuses
        self.starts, self.ends, self.details = starts, ends, details

    def __len__(self) -> int:
        return len(self.values)

    @classmethod
    def of(cls, source: Any) -> Points:
        """The points of ``source`` (see the class text)."""
        if isinstance(source, Points):
            return source
        if isinstance(source, pd.DataFrame):
            return cls._of_frame(source)
        records = getattr(source, "records", source)
        if not isinstance(records, Iterable) or isinstance(records, str | bytes | Mapping):
            raise ConfigError(
                "evaluate() takes a health summary, check records or a frame of check "
                f"results, got {type(source).__name__}"
            )
        recs = list(records)
        for r in recs:
            if not isinstance(r, CheckRecord):
                raise ConfigError(f"evaluate() takes CheckRecord points, got a {type(r).__name__}")
        return cls(
            [r.model for r in recs],
            [r.check for r in recs],
            [r.metric for r in recs],
            np.array([r.value for r in recs], dtype=np.float64),
            [r.status for r in recs],
            [r.window_start for r in recs],
            [r.window_end for r in recs],
            [r.details for r in recs],
        )

    @classmethod
    def _of_frame(cls, frame: pd.DataFrame) -> Points:
        missing = {"model", "check", "metric", "value", "window_start", "window_end"} - set(
            frame.columns
        )
        if missing:
            raise ConfigError(
                f"a frame of check results needs the columns {', '.join(sorted(missing))}"
            )
        n = len(frame)
        statuses = frame["status"] if "status" in frame else pd.Series([Status.UNKNOWN] * n)
        details = frame["details"] if "details" in frame else pd.Series([{}] * n)
        return cls(
            frame["model"].astype(str).tolist(),
            frame["check"].astype(str).tolist(),
            frame["metric"].astype(str).tolist(),
            pd.to_numeric(frame["value"], errors="coerce").to_numpy(np.float64, na_value=np.nan),
            statuses.astype(str).tolist(),
            pd.to_datetime(frame["window_start"], utc=True).tolist(),
            pd.to_datetime(frame["window_end"], utc=True).tolist(),
            [d if isinstance(d, Mapping) else {} for d in details.tolist()],
        )


@dataclass(frozen=True)
class RuleEvent:
    """A rule's verdict on one pair that the alerts must hear: ``"fire"`` (it starts
    firing), ``"refresh"`` (still firing, a newer window), ``"resolve"``."""

    kind: str
    rule: AlertRule
    model: str
    check: str
    metric: str
    value: float | None
    status: str
    window_start: datetime
    window_end: datetime
    bad_windows: int

    @property
    def part(self) -> str:
        return self.rule.part_of(self.metric) or ""

    def labels(self) -> dict[str, str]:
        """The alert's labels: what identifies it (fingerprint) and routes it."""
        part = self.part
        labels = {
            **self.rule.labels,
            "alertname": self.rule.name,
            "severity": str(self.rule.severity),
            "model": self.model,
            "check": self.check,
            "metric": self.metric.partition(":")[0] if part else self.metric,
        }
        if part:
            labels[part_label(self.check)] = part
        return labels

    def alert(self, now: datetime) -> Alert:
        """The alert this event raises (or refreshes, or ends)."""
        rule, part = self.rule, self.part
        value = "missing" if self.value is None else f"{self.value:.4g}"
        facts = {
            "model": self.model,
            "metric": self.metric,
            "feature": part,
            "value": value,
            "threshold": "" if rule.threshold is None else f"{rule.threshold:g}",
            "window_start": iso(self.window_start) or "",
            "window_end": iso(self.window_end) or "",
        }
        title = rule.headline() + (f" ({part})" if part and rule.title is None else "")
        when = f"{self.window_start:%Y-%m-%d %H:%M}-{self.window_end:%Y-%m-%d %H:%M} UTC"
        if rule.status is not None:
            said = f"{self.check} {self.metric} is {self.status}"
        else:
            said = f"{self.metric} = {value} ({rule.direction} {rule.threshold:g})"
        runs = f"{self.bad_windows} bad window{'s' if self.bad_windows != 1 else ''} in a row"
        message = f"{self.model}: {said} in {when}; {runs}"
        extra = {k: _format(v, facts) for k, v in rule.annotations.items()}
        annotations = {
            **extra,
            "title": title,
            "message": message,
            "value": value,
            "window_start": facts["window_start"],
            "window_end": facts["window_end"],
        }
        if rule.threshold is not None:
            annotations["threshold"] = facts["threshold"]
        return Alert(self.labels(), annotations, now, generator=f"rule:{rule.name}")


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, facts: Mapping[str, str]) -> str:
    try:
        return template.format_map(_Facts(facts))
    except (ValueError, IndexError, AttributeError):
        return template


@dataclass(frozen=True)
class RuleEvaluation:
    """What one evaluation found: ``events`` in time order per pair, ``states`` the changed
    state records with the version each was read at (0: new), for a compare-and-set
    write, and how many points were looked at."""

    events: tuple[RuleEvent, ...]
    states: tuple[tuple[StateRecord, int], ...]
    points: int


class _Codes:
    """The cycle's points coded by model, check and metric, and by pair."""

    def __init__(self, points: Points):
        self.model_codes, self.models = pd.factorize(np.asarray(points.models, dtype=object))
        self.check_codes, self.checks = pd.factorize(np.asarray(points.checks, dtype=object))
        self.metric_codes, self.metrics = pd.factorize(np.asarray(points.metrics, dtype=object))
        self.model_index = {m: i for i, m in enumerate(self.models)}
        self.check_index = {c: i for i, c in enumerate(self.checks)}
        self.metric_index = {m: i for i, m in enumerate(self.metrics)}
        self.nc, self.nm = max(len(self.checks), 1), max(len(self.metrics), 1)
        self.pairs = (
            self.model_codes.astype(np.int64) * self.nc + self.check_codes
        ) * self.nm + self.metric_codes
        status_codes, found = pd.factorize(np.asarray(points.statuses, dtype=object))
        ranks = np.array([Status(s).rank if s in STATUSES else -1 for s in found], dtype=np.int64)
        self.ranks = ranks[status_codes] if len(found) else np.zeros(0, dtype=np.int64)

    def pair(self, model: str, check: str, metric: str) -> int | None:
        m, c, k = (
            self.model_index.get(model),
            self.check_index.get(check),
            self.metric_index.get(metric),
        )
        if m is None or c is None or k is None:
            return None
        return (m * self.nc + c) * self.nm + k


def evaluate_rules(
    rules: Sequence[AlertRule], points: Points, states: Mapping[str, StateRecord]
) -> RuleEvaluation:
    """Step every rule's pairs through the cycle's windows (see the module's text).
    ``states`` are the stored rule states by key (those of other models are ignored)."""
    if not len(points) or not rules:
        return RuleEvaluation((), (), len(points))
    codes = _Codes(points)
    by_rule: dict[str, list[StateRecord]] = {}
    for record in states.values():
        by_rule.setdefault(str(record.body.get("rule")), []).append(record)
    sizes = _Sizes(points, codes)
    events: list[RuleEvent] = []
    changed: dict[str, tuple[StateRecord, int]] = {}
    for rule in rules:
        chosen = _chosen(rule, codes)
        if chosen is None:
            continue
        bad = _bad(rule, points, codes) & chosen
        wanted = set(np.unique(codes.pairs[bad]).tolist())
        for record in by_rule.get(rule.name, ()):
            b = record.body
            code = codes.pair(b.get("model", ""), b.get("check", ""), b.get("metric", ""))
            if code is not None:
                wanted.add(code)
        if not wanted:
            continue
        found = np.flatnonzero(chosen & np.isin(codes.pairs, np.fromiter(wanted, np.int64)))
        picked = sorted(found.tolist(), key=lambda i: (codes.pairs[i], points.starts[i]))
        _step_all(rule, points, picked, states, sizes, events, changed)
    ordered = sorted(changed.values(), key=lambda item: item[0].key)
    return RuleEvaluation(tuple(events), tuple(ordered), len(points))


def _chosen(rule: AlertRule, codes: _Codes) -> np.ndarray | None:
    wanted = [i for i, m in enumerate(codes.metrics) if rule.part_of(m) is not None]
    if not wanted:
        return None
    chosen = np.isin(codes.metric_codes, wanted)
    if rule.check is not None:
        index = codes.check_index.get(rule.check)
        if index is None:
            return None
        chosen &= codes.check_codes == index
    if rule.model is not None:
        models = [codes.model_index[m] for m in rule.model if m in codes.model_index]
        if not models:
            return None
        chosen &= np.isin(codes.model_codes, models)
    return chosen if chosen.any() else None


def _bad(rule: AlertRule, points: Points, codes: _Codes) -> np.ndarray:
    if rule.status is not None:
        return codes.ranks >= Status(rule.status).rank
    with np.errstate(invalid="ignore"):
        if rule.direction == "above":
            return points.values > rule.threshold
        return points.values < rule.threshold


class _Sizes:
    """Window sizes from the ``labelled_rows`` / ``rows`` points, by (model, check, start)."""

    def __init__(self, points: Points, codes: _Codes):
        self.points, self.codes = points, codes
        self._found: dict[tuple[str, str, datetime], float] | None = None

    def of(self, i: int) -> float | None:
        own = sample_size(self.points.details[i])
        if own is not None:
            return own
        if self._found is None:
            self._found = self._collect()
        p = self.points
        return self._found.get((p.models[i], p.checks[i], p.starts[i]))

    def _collect(self) -> dict[tuple[str, str, datetime], float]:
        p, found = self.points, {}
        for metric in reversed(SIZE_METRICS):  # the first named wins
            index = self.codes.metric_index.get(metric)
            if index is None:
                continue
            for i in np.flatnonzero(self.codes.metric_codes == index).tolist():
                value = p.values[i]
                if not math.isnan(value):
                    found[(p.models[i], p.checks[i], p.starts[i])] = float(value)
        return found


def _step_all(
    rule: AlertRule,
    points: Points,
    picked: list[int],
    states: Mapping[str, StateRecord],
    sizes: _Sizes,
    events: list[RuleEvent],
    changed: dict[str, tuple[StateRecord, int]],
) -> None:
    current: dict[str, tuple[dict[str, Any], datetime | None, int]] = {}
    for i in picked:
        model, check, metric = points.models[i], points.checks[i], points.metrics[i]
        key = state_key(rule.name, model, check, metric)
        if key not in current:
            stored = states.get(key)
            body = dict(stored.body) if stored is not None else _quiet(rule, model, check, metric)
            last = body.get("last_window")
            current[key] = (
                body,
                None if last is None else datetime.fromisoformat(last),
                0 if stored is None else stored.version,
            )
        body, last, version = current[key]
        start = points.starts[i]
        if last is not None and start <= last:
            continue  # counted already
        value = points.values[i]
        verdict = rule.judge(None if math.isnan(value) else float(value), points.statuses[i])
        if verdict != SKIP and rule.min_samples is not None:
            size = sizes.of(i)
            if size is None or size < rule.min_samples:
                verdict = SKIP
        if verdict == SKIP:
            continue
        kind, moved = _step(body, verdict, rule)
        current[key] = (body, start, version)  # later points of this batch: after it
        if moved:
            body["last_window"] = iso(start)
            body["value"] = None if math.isnan(value) else float(value)
            changed[key] = (StateRecord(KIND, key, _state_of(body), body, model=model), version)
        if kind:
            events.append(
                RuleEvent(
                    kind,
                    rule,
                    model,
                    check,
                    metric,
                    None if math.isnan(value) else float(value),
                    points.statuses[i],
                    start,
                    points.ends[i],
                    int(body["bad"]) if kind != "resolve" else 0,
                )
            )


def _quiet(rule: AlertRule, model: str, check: str, metric: str) -> dict[str, Any]:
    return {
        "rule": rule.name,
        "model": model,
        "check": check,
        "metric": metric,
        "bad": 0,
        "good": 0,
        "firing": False,
        "last_window": None,
        "value": None,
    }


def _step(body: dict[str, Any], verdict: str, rule: AlertRule) -> tuple[str, bool]:
    """Move one pair's state by one judged window: the event (``"fire"``, ``"refresh"``
    when firing and bad again, ``"resolve"``, or ``""``) and whether the state moved (so
    must be stored)."""
    before = (body["bad"], body["good"], body["firing"])
    event = ""
    if verdict == BAD:
        body["bad"], body["good"] = min(body["bad"] + 1, rule.for_windows), 0
        if body["firing"]:
            event = "refresh"
        elif body["bad"] >= rule.for_windows:
            body["firing"], event = True, "fire"
    else:
        assert verdict == GOOD
        body["bad"] = 0
        if body["firing"]:
            body["good"] = min(body["good"] + 1, rule.resolve_after)
            if body["good"] >= rule.resolve_after:
                body["firing"], body["good"], event = False, 0, "resolve"
    return event, (body["bad"], body["good"], body["firing"]) != before


def _state_of(body: Mapping[str, Any]) -> str:
    if body["firing"]:
        return FIRING
    return PENDING if body["bad"] else QUIET
