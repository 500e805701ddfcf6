"""``driftscope check MODEL``: run a logged model's health checks from the command line.

Exit codes: 0 when the worst status is below ``--fail-on`` (default ``critical``), 1 when it
reaches it, 2 bad input (nothing stored for the model, a store that does not exist, a
malformed option).

Fit for cron: the output is never cut when piped, a backfill over many windows prints one
line per metric (``--all`` every point), and the progress bar is drawn on a terminal only.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(check, ["--help"]).output.splitlines()[0]
'Usage: check [OPTIONS] MODEL'
"""

from __future__ import annotations

from datetime import timedelta

import click

from driftscope.cli._options import format_option, progress_option, split_names, stdout_console
from driftscope.cli._progress import progress_bar
from driftscope.cli._reading import parse_period, store_option
from driftscope.cli._store import open_existing_store
from driftscope.core.status import Status
from driftscope.errors import ConfigError

WINDOWS = ("hour", "day", "week")


@click.command()
@click.argument("model")
@store_option
@click.option("--window", type=click.Choice(WINDOWS), default="day", show_default=True)
@click.option(
    "--since",
    default=None,
    help="Start: an ISO 8601 time with a zone, or a date (midnight UTC) "
    "(default: after the last stored window).",
)
@click.option(
    "--until",
    default=None,
    help="End: check the windows that ended by then; a time with a zone or a date (default: now).",
)
@format_option("table", "json")
@click.option(
    "--metrics",
    default=None,
    help="Performance metrics, comma-separated (default: accuracy), e.g. accuracy,auc.",
)
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    metavar="NAME=VALUE",
    help="An alert threshold, e.g. --threshold accuracy=0.85 (repeatable).",
)
@click.option(
    "--checks",
    default=None,
    help="Checks to run, comma-separated (default: all).",
)
@click.option(
    "--label-delay",
    type=float,
    default=None,
    metavar="DAYS",
    help="Labels keep arriving this many days: recompute recent windows' performance.",
)
@click.option(
    "--all",
    "--verbose",
    "show_all",
    is_flag=True,
    help="List every point, not only those not ok (a backfill too, not one line per metric).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["warning", "critical", "never"]),
    default="critical",
    show_default=True,
    help="Exit with status 1 when the worst status reaches this level.",
)
@progress_option
def check(
    model: str,
    location: str | None,
    window: str,
    since: str | None,
    until: str | None,
    fmt: str,
    metrics: str | None,
    thresholds: tuple[str, ...],
    checks: str | None,
    label_delay: float | None,
    show_all: bool,
    fail_on: str,
    progress: bool | None,
) -> int:
    """Run MODEL's health checks for its due windows and store the results."""
    from driftscope.monitor import ModelMonitor
    from driftscope.report.backfill_table import print_backfill, wants_digest
    from driftscope.report.health_table import print_health

    start, end = parse_period(since, until)
    limits = _parse_thresholds(thresholds)
    names = split_names(metrics) or ["accuracy"]
    delay = None
    if label_delay is not None:
        if label_delay < 0:
            raise ConfigError(f"--label-delay must be >= 0 days, got {label_delay}")
        delay = timedelta(days=label_delay)
    store = open_existing_store(location)
    try:
        with (
            ModelMonitor(model, metrics=names, alert_thresholds=limits, store=store) as monitor,
            progress_bar(progress, "Checking window") as callback,
        ):
            summary = monitor.run_checks(
                window,
                since=start,
                until=end,
                checks=split_names(checks),
                label_delay=delay,
                progress=callback,
            )
    finally:
        store.close()
    if fmt == "json":
        click.echo(summary.to_json())
    elif wants_digest(summary, show_all):
        print_backfill(summary, stdout_console())
    else:
        print_health(summary, stdout_console(), show_all)
    failing = fail_on != "never" and Status(summary.status).rank >= Status(fail_on).rank
    return 1 if failing else 0


def _parse_thresholds(items: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ConfigError(f"--threshold takes NAME=VALUE (e.g. accuracy=0.85), got {item!r}")
    return out
