"""``driftscope run --config monitor.yaml``: every configured model's checks, rules and
response, once (for cron, Airflow, a Kubernetes CronJob).

Exit codes: 0 all ok, 1 an alert is firing at the end of the run (a pipeline can gate on
it), 2 bad input: a configuration error (``monitor.yaml:14: models[0].window: ...``) or
a model that failed (one ``driftscope: error:`` line per model on stderr).

>>> from click.testing import CliRunner
>>> CliRunner().invoke(run, ["--help"]).output.splitlines()[0]
'Usage: run [OPTIONS]'
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from driftscope.cli._options import format_option
from driftscope.cli._reading import parse_moment

config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The monitoring configuration (YAML; see docs/scheduling.md).",
)


@click.command()
@config_option
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="NAME",
    help="Run only this model (repeatable; default: every model of the file).",
)
@click.option(
    "--until",
    default=None,
    metavar="TIME",
    help="Check the windows that ended by then: a date (midnight UTC) or an ISO 8601 time "
    "with its zone (default: now).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the configuration, the store and the channels, show what would run, and "
    "change nothing.",
)
@format_option("table", "json")
def run(
    config_path: str, models: tuple[str, ...], until: str | None, dry_run: bool, fmt: str
) -> int:
    """Run the checks, alert rules and response of every model in --config, once."""
    from driftscope.cli._store import open_existing_store
    from driftscope.ops import load_config
    from driftscope.ops.runner import Runner

    config = load_config(config_path)
    for name in models:
        config.model(name)  # an unknown name is an error before any work
    end = parse_moment(until, "--until")
    store = open_existing_store(config.store)
    try:
        if dry_run:
            from driftscope.ops.plan import plan

            lines = plan(config, store, models=list(models) or None, until=end)
            if fmt == "json":
                click.echo(json.dumps({"dry_run": True, "models": lines}, indent=2))
            else:
                for line in lines:
                    click.echo(f"{line['model']}: {line['plan']}")
            return 0
        with Runner(config, store=store) as runner:
            report = runner.run(list(models) or None, until=end)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print(report)
    for failed in report.failed:
        click.echo(f"driftscope: error: model {failed.model!r}: {failed.error}", err=True)
    return report.exit_code


def _print(report: object) -> None:
    from driftscope.ops.runner import RunReport

    assert isinstance(report, RunReport)
    width = max((len(m.model) for m in report.models), default=0)
    for m in report.models:
        name = m.model.ljust(width)
        if m.error:
            click.echo(f"{name}  FAILED: {m.error}")
        elif m.skipped:
            click.echo(f"{name}  skipped: {m.skipped}")
        else:
            span = f"to {_short(m.until)}" if m.until else ""
            acts = f"; {'; '.join(m.actions)}" if m.actions else ""
            click.echo(f"{name}  {m.windows} window(s) {span}, status {m.status}{acts}")
        for note in m.notes:
            click.echo(f"{' ' * width}  note: {note}")
    loud = [a for a in report.firing if not a.get("muted_by")]
    muted = [a for a in report.firing if a.get("muted_by")]
    for what, alerts in (("firing", loud), ("firing, muted", muted)):
        if alerts or what == "firing":
            shown = ", ".join(
                f"{a['alertname']} [{a['severity']}]" + (f" on {a['model']}" if a["model"] else "")
                for a in alerts
            )
            click.echo(f"{what}: {len(alerts)} alert(s): {shown}" if alerts else f"{what}: none")
    n = report.notifications
    if n:
        click.echo(
            f"notifications: {n.get('delivered', 0)} delivered, {n.get('pending', 0)} pending, "
            f"{n.get('dead', 0)} dead"
        )
    for note in report.notes:
        click.echo(f"note: {note}")


def _short(moment: datetime | None) -> str:
    if moment is None:
        return "?"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
