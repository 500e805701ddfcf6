"""``driftscope retrain jobs|approve|reject MODEL [JOB]``: a model's retraining jobs, and the
human decision on the ones awaiting approval.

``approve`` records the approval (audited, with ``--by`` as the actor); the process that
holds the model's trigger (a scheduled ``driftscope run``, the service calling
``AutoRetrainer.launch_approved()``) starts the run within its cooldown and daily limit.
``reject`` closes the job with ``--reason``. Exit codes: 0 done, 2 bad input (an unknown
job, a job that is not pending).

>>> from click.testing import CliRunner
>>> CliRunner().invoke(retrain, ["--help"]).output.splitlines()[0]
'Usage: retrain [OPTIONS] COMMAND [ARGS]...'
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from driftscope.cli._options import current_user, format_option, stdout_console
from driftscope.cli._reading import store_option
from driftscope.cli._store import open_existing_store

if TYPE_CHECKING:
    from driftscope.response.jobs import RetrainJob

#: Statuses ``--status`` accepts (those of driftscope.response.jobs.STATUSES).
STATUS_CHOICES = (
    "pending_approval",
    "approved",
    "rejected",
    "started",
    "running",
    "succeeded",
    "failed",
    "refused",
    "dry_run",
    "not_started",
)


@click.group()
def retrain() -> None:
    """List a model's retraining jobs; approve or reject the ones awaiting approval."""


@retrain.command()
@click.argument("model")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUS_CHOICES),
    help="Only jobs in this status (repeatable).",
)
@click.option("--last", type=click.IntRange(min=1), default=None, help="Only the last N jobs.")
@format_option("table", "json", help="table: one row per job; json: every field of each job.")
@store_option
def jobs(
    model: str, statuses: tuple[str, ...], last: int | None, fmt: str, location: str | None
) -> None:
    """Show MODEL's retraining jobs, oldest first."""
    from driftscope.response.job_store import jobs as stored_jobs

    store = open_existing_store(location)
    try:
        found = stored_jobs(store, model, statuses=list(statuses) or None)
    finally:
        store.close()
    if last is not None:
        found = found[-last:]
    if fmt == "json":
        click.echo(json.dumps([job.to_dict() for job in found], indent=2))
        return
    _print_jobs(model, found)


def _print_jobs(model: str, found: list[RetrainJob]) -> None:
    from rich.table import Table

    console = stdout_console()
    if not found:
        console.print(f"model {model!r} has no retraining jobs")
        return
    table = Table(title=f"retraining jobs of {model}")
    for name in ("job", "created (UTC)", "status", "reason", "score", "priority", "details"):
        table.add_column(name, no_wrap=name in ("job", "created (UTC)", "status"))
    for job in found:
        table.add_row(
            job.id,
            f"{job.created_at:%Y-%m-%d %H:%M}",
            job.status,
            job.reason,
            "" if job.drift_score is None else f"{job.drift_score:.3f}",
            job.priority,
            _detail(job),
        )
    console.print(table)


def _detail(job: RetrainJob) -> str:
    """One line on what became of the job."""
    if job.refusal:
        return job.refusal
    if job.error:
        return job.error
    if job.receipt:
        where = job.receipt.get("url") or job.receipt.get("log") or job.receipt.get("run_id")
        return f"{job.trigger}: {where}" if where else job.trigger
    return job.note


@retrain.command()
@click.argument("model")
@click.argument("job")
@click.option("--by", default=None, help="Who approves (default: the current user).")
@store_option
def approve(model: str, job: str, by: str | None, location: str | None) -> None:
    """Approve MODEL's retraining JOB; the process holding its trigger starts the run."""
    from driftscope.response.job_store import decide

    store = open_existing_store(location)
    try:
        done = decide(store, model, job, approve=True, by=by or current_user())
    finally:
        store.close()
    click.echo(
        f"approved {done.id} of {model} (by {done.decided_by}); the run starts when the "
        "process holding the model's retraining trigger next launches approved jobs"
    )


@retrain.command()
@click.argument("model")
@click.argument("job")
@click.option("--reason", required=True, help="Why (kept in the job and the audit log).")
@click.option("--by", default=None, help="Who rejects (default: the current user).")
@store_option
def reject(model: str, job: str, reason: str, by: str | None, location: str | None) -> None:
    """Reject MODEL's retraining JOB: nothing starts."""
    from driftscope.response.job_store import decide

    store = open_existing_store(location)
    try:
        done = decide(store, model, job, approve=False, by=by or current_user(), reason=reason)
    finally:
        store.close()
    click.echo(f"rejected {done.id} of {model} (by {done.decided_by}): {reason}")
