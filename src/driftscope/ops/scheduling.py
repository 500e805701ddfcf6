"""The scheduler: each model's checks on its cron schedule, and the alerting's tick.

An APScheduler 3 ``BackgroundScheduler`` holds one job per scheduled model (its
``schedule``: a cron expression in a time zone, or an interval), one per periodic
retraining (``response.retrain.schedule``) and one tick job (``delivery.tick``, 30 s by
default) that flushes due alert groups, escalates and delivers the outbox. Model jobs run
one at a time on one thread, the tick on another, so a long check run never holds up
delivery. A job that fails is logged and the scheduler goes on; a missed fire (the
process was busy or asleep) is run once, not once per missed time (``coalesce``).

Windows are claimed in the store before they run (:mod:`driftscope.ops.claims`): two
schedulers on one store, or one restarted, never run a window twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from driftscope.alerts.outbox import purge
from driftscope.ops.runner import ModelRun, Runner
from driftscope.ops.schema import MonitoringConfig
from driftscope.store import Store

log = logging.getLogger(__name__)

#: How late a fire may start and still run (the process was busy): a minute.
MISFIRE_GRACE_SECONDS = 60


class Scheduler:
    """Runs ``config``'s scheduled models on their schedules until :meth:`stop`.

    >>> from driftscope.ops.loading import parse_config
    >>> import tempfile
    >>> config = parse_config(
    ...     "models:\\n  - name: churn\\n"
    ...     "    schedule: {cron: '0 2 * * *', timezone: Europe/Paris}\\n")
    >>> with Scheduler(config, store=tempfile.mkdtemp()) as scheduler:
    ...     [job.id for job in scheduler.jobs()]
    ['model:churn', 'tick', 'purge']
    """

    def __init__(
        self,
        config: MonitoringConfig,
        *,
        store: Store | str | None = None,
        models: list[str] | None = None,
        clock: Callable[[], datetime] | None = None,
        on_run: Callable[[ModelRun], None] | None = None,
    ):
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        from driftscope.store import open_store

        opened = None if store is None or isinstance(store, Store) else open_store(store)
        given = opened if opened is not None else store if isinstance(store, Store) else None
        try:
            self.runner = Runner(config, store=given, clock=clock)
        except BaseException:
            if opened is not None:
                opened.close()
            raise
        self._opened = opened
        self.config = config
        self.on_run = on_run
        self._stopped = threading.Event()
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"checks": ThreadPoolExecutor(1), "default": ThreadPoolExecutor(1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        chosen = set(models) if models else None
        for model in config.models:
            if chosen is not None and model.name not in chosen:
                continue
            if model.schedule is not None:
                self._scheduler.add_job(
                    self._run_model,
                    model.schedule.trigger(),
                    args=[model.name],
                    id=f"model:{model.name}",
                    name=f"checks of {model.name}",
                    executor="checks",
                )
            retrain = model.response.retrain if model.response is not None else None
            if retrain is not None and retrain.schedule is not None:
                self._scheduler.add_job(
                    self._retrain,
                    retrain.schedule.trigger(),
                    args=[model.name],
                    id=f"retrain:{model.name}",
                    name=f"scheduled retraining of {model.name}",
                    executor="checks",
                )
        self._scheduler.add_job(
            self.runner.tick,
            IntervalTrigger(seconds=config.delivery.tick.total_seconds(), timezone=UTC),
            id="tick",
            name="alert groups, escalation and delivery",
        )
        self._scheduler.add_job(
            self._purge,
            IntervalTrigger(hours=1, timezone=UTC),
            id="purge",
            name="delivered and dead notifications past their keep",
        )

    def jobs(self) -> list[Any]:
        """The scheduled jobs (APScheduler ``Job`` objects)."""
        return list(self._scheduler.get_jobs())

    def _purge(self) -> None:
        removed = purge(self.runner.store)
        if removed:
            log.info("outbox: %d delivered or dead notification(s) purged", removed)

    def _run_model(self, name: str) -> None:
        done = self.runner.run_model(name)
        if done.error:
            log.error("model %s: failed: %s", name, done.error)
        elif done.skipped:
            log.debug("model %s: skipped: %s", name, done.skipped)
        else:
            extra = f"; {'; '.join(done.actions)}" if done.actions else ""
            log.info(
                "model %s: %d window(s) to %s, status %s%s",
                name,
                done.windows,
                done.until.isoformat() if done.until else "?",
                done.status,
                extra,
            )
        if self.on_run is not None:
            self.on_run(done)

    def _retrain(self, name: str) -> None:
        response = self.runner.alerting.responses.get(name)
        if response is None:
            log.warning("model %s: a retraining schedule but no response configured", name)
            return
        log.info("model %s: %s", name, response.scheduled())

    def start(self) -> None:
        """Start the jobs (in the background)."""
        self._scheduler.start()
        names = ", ".join(j.name for j in self.jobs())
        log.info("scheduler started: %s", names)

    def run_until_stopped(self) -> None:
        """Start, then wait until :meth:`stop` (e.g. from a signal handler)."""
        self.start()
        while not self._stopped.wait(0.5):
            pass

    def stop(self) -> None:
        """Ask :meth:`run_until_stopped` to return (safe from a signal handler)."""
        self._stopped.set()

    def close(self) -> None:
        """Stop the jobs, waiting for those running, then close the store if opened here."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.runner.close()
        if self._opened is not None:
            self._opened.close()

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
