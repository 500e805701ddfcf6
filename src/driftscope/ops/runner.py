"""One run of a configuration: for each model, its due windows' checks, its alert rules and
its response, then the notifications delivered. ``driftscope run`` is this, once; the
scheduler calls :meth:`Runner.run_model` on each model's schedule.

Each model's windows are claimed first (:mod:`driftscope.ops.claims`), so a run shared
with a scheduler or another cron job never checks a window twice. A model that fails
(a corrupt baseline file, an unreadable store) is reported and gives its windows back;
the other models run all the same.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from driftscope.core.windows import window_size
from driftscope.errors import DriftscopeError
from driftscope.ops import claims
from driftscope.ops._schema_models import ModelConfig
from driftscope.ops.baseline import ensure_baseline
from driftscope.ops.schema import MonitoringConfig
from driftscope.store import Store, open_store

log = logging.getLogger(__name__)

#: Exit codes of ``driftscope run``.
EXIT_OK, EXIT_FIRING, EXIT_BAD = 0, 1, 2


@dataclass(frozen=True)
class ModelRun:
    """What one run did for one model. ``skipped`` says why nothing ran (no window new,
    or another process holds the model's claim); ``error`` why it failed.

    :meth:`to_dict` is what ``driftscope run --format json`` prints for the model:

    >>> from datetime import UTC, datetime
    >>> done = ModelRun("churn", until=datetime(2026, 11, 3, tzinfo=UTC), windows=2,
    ...                 status="warning", actions=("1 alert(s) fired",))
    >>> done.to_dict()
    {'model': 'churn', 'since': None, 'until': '2026-11-03T00:00:00+00:00', 'windows': 2,
     'status': 'warning', 'notes': [], 'skipped': None, 'error': None,
     'actions': ['1 alert(s) fired']}
    """

    model: str
    since: datetime | None = None
    until: datetime | None = None
    windows: int = 0
    status: str = "ok"
    notes: tuple[str, ...] = ()
    skipped: str = ""
    error: str = ""
    actions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, times as ISO 8601 text."""
        return {
            "model": self.model,
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "windows": self.windows,
            "status": self.status,
            "notes": list(self.notes),
            "skipped": self.skipped or None,
            "error": self.error or None,
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class RunReport:
    """What a run did: per model, the alerts firing at the end, the notifications.

    Its :attr:`exit_code` is ``driftscope run``'s: 1 while an alert fires, unless it is
    silenced or inhibited:

    >>> done = ModelRun("churn", windows=1, status="critical")
    >>> RunReport((done,), firing=({"alertname": "low-accuracy", "muted_by": None},)).exit_code
    1
    >>> RunReport((done,), firing=({"alertname": "low-accuracy", "muted_by": "s1"},)).exit_code
    0
    """

    models: tuple[ModelRun, ...]
    firing: tuple[dict[str, Any], ...] = ()
    notifications: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def failed(self) -> list[ModelRun]:
        """The models that failed (``error`` set)."""
        return [m for m in self.models if m.error]

    @property
    def exit_code(self) -> int:
        """2 when a model failed, else 1 when an alert is firing (and neither silenced nor
        inhibited), else 0."""
        if self.failed:
            return EXIT_BAD
        loud = [a for a in self.firing if not a.get("muted_by")]
        return EXIT_FIRING if loud else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        """The whole report, JSON-ready (what ``driftscope run --format json`` prints)."""
        return {
            "schema_version": "1",
            "exit_code": self.exit_code,
            "models": [m.to_dict() for m in self.models],
            "firing": list(self.firing),
            "notifications": dict(self.notifications),
            "notes": list(self.notes),
        }


class Runner:
    """Runs a configuration's models against one store (opened from ``config.store``
    unless given), with the alerting and response the configuration builds.

    ``clock`` (a function returning the time) stands in for the current time (tests move
    it); ``run(until=...)`` checks the windows that ended by another time, while the
    alerting keeps the clock's time.

    On a new store a model has nothing to check yet; the run says so, and what to do,
    without stopping the other models:

    >>> import tempfile
    >>> from driftscope.ops import parse_config
    >>> folder = tempfile.mkdtemp()
    >>> config = parse_config("store: ./store\\nmodels: [{name: churn}]", base_dir=folder)
    >>> with Runner(config) as runner:
    ...     report = runner.run()
    >>> report.exit_code, report.models[0].error
    (2, "model 'churn' has nothing stored, neither predictions nor a baseline: log its ...")
    """

    def __init__(
        self,
        config: MonitoringConfig,
        *,
        store: Store | None = None,
        clock: Callable[[], datetime] | None = None,
        owner: str | None = None,
        lease: timedelta = claims.DEFAULT_LEASE,
    ):
        from driftscope.ops.alerting import Alerting

        self.config = config
        self._owns_store = store is None
        self.store = store if store is not None else open_store(config.store)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.owner = owner or claims.default_owner()
        self.lease = lease
        try:
            self.alerting = Alerting(config, self.store, clock=self.clock)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ one model
    def run_model(self, model: ModelConfig | str, *, now: datetime | None = None) -> ModelRun:
        """Claim ``model``'s new windows, check them, evaluate its rules and response;
        never raises for a failing model (the run says why)."""
        cfg = self.config.model(model) if isinstance(model, str) else model
        now = now or self.clock()
        size = window_size(cfg.window)
        taken = claims.claim(
            self.store, cfg.name, size, now=now, owner=self.owner, lease=self.lease
        )
        if taken is None:
            return ModelRun(cfg.name, skipped=self._why_skipped(cfg.name, size, now))
        try:
            done = self._check(cfg, taken)
        except Exception as exc:  # a failing model must not stop the others
            reason = _reason(exc)
            if _expected(exc):  # the caller reports it (run's stderr, the scheduler's log)
                log.debug("model %r failed: %s", cfg.name, reason)
            else:
                log.exception("model %r failed", cfg.name)
            claims.finish(self.store, taken, now=self.clock(), failed=reason)
            return ModelRun(cfg.name, taken.since, taken.until, error=reason)
        claims.finish(
            self.store,
            taken,
            now=self.clock(),
            details={"windows": done.windows, "status": done.status},
        )
        return done

    def _why_skipped(self, model: str, size: timedelta, now: datetime) -> str:
        cursor = self.store.get_state(claims.CURSOR, model)
        if cursor is not None and cursor.state == claims.CLAIMED:
            return f"another run holds model {model!r} ({cursor.body.get('owner', '?')})"
        return "no window ended since the last run"

    def _check(self, cfg: ModelConfig, taken: claims.Claim) -> ModelRun:
        from driftscope.monitor import ModelMonitor

        notes: list[str] = []
        note = ensure_baseline(self.store, cfg.name, cfg.baseline, cfg.features)
        if note:
            notes.append(note)
        options = drift_options(cfg)
        with ModelMonitor(
            cfg.name, metrics=cfg.metrics, alert_thresholds=cfg.thresholds, store=self.store
        ) as monitor:
            summary = monitor.run_checks(
                cfg.window,
                since=taken.since,
                until=taken.until,
                checks=cfg.checks,
                label_delay=cfg.label_delay,
                **options,
            )
            concept = None
            if self.alerting.wants_concept_drift(cfg.name) and summary.windows:
                first, last = summary.windows[0][0], summary.windows[-1][1]
                try:
                    concept = monitor.concept_drift(since=first, until=last)
                except DriftscopeError as exc:  # no labels yet, too few: say so, go on
                    notes.append(f"concept drift not checked: {exc}")
        notes.extend(n for n in summary.notes if n not in notes)
        actions = self.alerting.after_checks(cfg, summary, concept)
        return ModelRun(
            cfg.name,
            taken.since,
            taken.until,
            windows=len(summary.windows),
            status=summary.status if summary.records else "ok",
            notes=tuple(notes),
            actions=tuple(actions),
        )

    # ------------------------------------------------------------------ every model
    def run(
        self,
        models: Sequence[str] | None = None,
        *,
        until: datetime | None = None,
        flush: timedelta | None = None,
    ) -> RunReport:
        """Run ``models`` (default: all) once for the windows that ended by ``until``
        (default: now), then deliver the notifications (waiting at most ``flush``, default
        the configuration's ``delivery.flush_timeout``)."""
        chosen = [self.config.model(name) for name in models] if models else self.config.models
        now = until or self.clock()
        runs = tuple(self.run_model(cfg, now=now) for cfg in chosen)
        wait = self.config.delivery.flush_timeout if flush is None else flush
        counts = self.alerting.flush(wait)
        return RunReport(runs, tuple(self.alerting.firing()), counts, self.alerting.notes)

    def tick(self) -> dict[str, int]:
        """The alerting's periodic work: due groups, escalations, delivery."""
        return self.alerting.tick()

    def close(self) -> None:
        """Close the alerting, and the store if this runner opened it."""
        alerting = getattr(self, "alerting", None)
        if alerting is not None:
            alerting.close()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def drift_options(cfg: ModelConfig) -> dict[str, Any]:
    """The ``run_checks`` options of a model's drift settings."""
    from driftscope.drift.methods import method_from_name

    options: dict[str, Any] = {}
    if cfg.methods:
        options["drift_methods"] = [method_from_name(m.name, m.threshold) for m in cfg.methods]
    if cfg.significance_level != 0.05:
        options["significance_level"] = cfg.significance_level
    if cfg.min_change is not None:
        options["min_change"] = cfg.min_change
    if cfg.features is not None:
        options["drift_features"] = list(cfg.features)
    return options


def _expected(exc: BaseException) -> bool:
    return isinstance(exc, DriftscopeError | OSError)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if _expected(exc) else f"{type(exc).__name__}: {text}"


def wait_until(deadline: float, done: Callable[[], bool], poll: float = 0.05) -> bool:
    """Poll ``done`` until it is true or ``deadline`` (``time.monotonic``) passes."""
    while True:
        if done():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
