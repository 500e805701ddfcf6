"""``driftscope scheduler --config monitor.yaml``: run the models of the file on their
schedules until stopped (SIGTERM or SIGINT stop it cleanly: the run under way finishes).

Logs go to stderr, one line per run. Exit codes: 0 stopped cleanly, 2 a configuration
error, or no model with a ``schedule``.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(scheduler, ["--help"]).output.splitlines()[0]
'Usage: scheduler [OPTIONS]'
"""

from __future__ import annotations

import logging
import signal
from typing import Any

import click

from driftscope.cli.run import config_option
from driftscope.errors import ConfigError


@click.command()
@config_option
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="NAME",
    help="Schedule only this model (repeatable; default: every model with a schedule).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default="info",
    show_default=True,
    help="How much to log on stderr.",
)
def scheduler(config_path: str, models: tuple[str, ...], log_level: str) -> int:
    """Run the checks, rules and response of the models in --config on their schedules."""
    from driftscope.cli._store import open_existing_store
    from driftscope.ops import load_config
    from driftscope.ops.scheduling import Scheduler

    config = load_config(config_path)
    for name in models:
        config.model(name)
    chosen = [m for m in config.models if not models or m.name in models]
    if not any(m.schedule is not None for m in chosen):
        raise ConfigError(
            f"{config_path}: no model has a schedule (add schedule: {{cron: '0 2 * * *'}} to "
            "a model, or use driftscope run from cron)"
        )
    logging.basicConfig(
        level=getattr(logging, log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    store = open_existing_store(config.store)
    try:
        with Scheduler(config, store=store, models=list(models) or None) as running:

            def stop(signum: int, _frame: Any) -> None:
                logging.getLogger(__name__).info(
                    "%s: stopping after the runs under way", signal.Signals(signum).name
                )
                running.stop()

            previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
            try:
                running.run_until_stopped()
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
    finally:
        store.close()
    logging.getLogger(__name__).info("scheduler stopped")
    return 0
