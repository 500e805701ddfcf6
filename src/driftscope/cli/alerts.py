"""``driftscope alerts``: the alerts, silences, audit log and measures stored by the alert
manager, and the human acts on them (acknowledge, silence, expire a silence).

Every subcommand opens the store with an :class:`~driftscope.alerts.AlertManager` that
never delivers (``deliver=False``): its channels are the configuration's (``driftscope.yaml``
or ``$DRIFTSCOPE_CONFIG``), so an acknowledgement knows which receivers de-duplicate
(PagerDuty) and the cost measure knows each channel's price. What a subcommand makes to be
sent (the acknowledge event of ``ack``) waits in the store's outbox until the process that
delivers (``driftscope scheduler``, or the next ``driftscope run``) sends it. Exit codes: 0
done, 2 bad input (an unknown fingerprint or silence, a bad matcher or duration).

>>> from click.testing import CliRunner
>>> CliRunner().invoke(alerts, ["--help"]).output.splitlines()[0]
'Usage: alerts [OPTIONS] COMMAND [ARGS]...'
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from driftscope.cli._options import current_user, format_option, stdout_console
from driftscope.cli._reading import parse_moment, store_option
from driftscope.cli._store import open_existing_store
from driftscope.errors import ConfigError

if TYPE_CHECKING:
    from driftscope.alerts import AlertManager, AlertRecord, Silence
    from driftscope.store.state import AuditEntry

_FORMAT_HELP = "table: one row each; json: every field, for scripts."


@contextmanager
def _manager(location: str | None) -> Iterator[AlertManager]:
    """An alert manager on the existing store at ``location`` that never sends."""
    from driftscope.alerts import AlertManager

    store = open_existing_store(location)
    try:
        with AlertManager(store=store, deliver=False) as manager:
            yield manager
    finally:
        store.close()


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


def _table(title: str, columns: Sequence[str], rows: list[list[str]], empty: str) -> None:
    from rich.table import Table

    console = stdout_console()
    if not rows:
        console.print(empty)
        return
    table = Table(title=title)
    # the first column is what the other commands take (a fingerprint, an id): kept whole;
    # on a narrow terminal the others wrap rather than vanish
    first = max(len(columns[0]), *(len(row[0]) for row in rows))
    table.add_column(columns[0], no_wrap=True, min_width=first)
    for name in columns[1:]:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group()
def alerts() -> None:
    """List alerts; acknowledge them; silence them; read the audit log and the measures."""


# ---------------------------------------------------------------------- list
def _alert_dict(record: AlertRecord) -> dict[str, Any]:
    return {
        "fingerprint": record.fingerprint,
        "alertname": record.alert.labels.get("alertname", ""),
        "severity": str(record.severity),
        "model": record.model,
        "state": record.state,
        "since": record.fired_at.isoformat(),
        "last_seen": record.last_seen.isoformat(),
        "repeats": record.repeats,
        "muted_by": record.muted_by,
        "acknowledged_by": record.acknowledged_by,
        "acknowledged_at": None
        if record.acknowledged_at is None
        else record.acknowledged_at.isoformat(),
        "ack_note": record.ack_note,
        "real_problem": record.real_problem,
        "resolved_by": record.resolved_by,
        "labels": dict(record.alert.labels),
        "annotations": dict(record.alert.annotations),
    }


@alerts.command("list")
@click.option(
    "--state",
    type=click.Choice(("firing", "resolved", "all")),
    default="firing",
    show_default=True,
    help="Which alerts.",
)
@click.option("--model", default=None, help="Only this model's alerts.")
@format_option("table", "json", help=_FORMAT_HELP)
@store_option
def list_alerts(state: str, model: str | None, fmt: str, location: str | None) -> None:
    """Show the stored alerts, firing first, newest first."""
    with _manager(location) as manager:
        found = manager.alerts(state=None if state == "all" else state, model=model)
    if fmt == "json":
        _json([_alert_dict(r) for r in found])
        return
    rows = [
        [
            r.fingerprint,
            r.alert.labels.get("alertname", ""),
            str(r.severity),
            r.model,
            r.state,
            _when(r.fired_at),
            r.muted_by,
            r.acknowledged_by,
        ]
        for r in found
    ]
    columns = ("fingerprint", "alertname", "severity", "model", "state", "since (UTC)")
    _table(
        "alerts",
        (*columns, "muted by", "acknowledged by"),
        rows,
        f"no {'' if state == 'all' else state + ' '}alerts"
        + (f" of model {model!r}" if model else ""),
    )


# ---------------------------------------------------------------------- ack
@alerts.command()
@click.argument("fingerprint")
@click.option("--by", default=None, help="Who acknowledges (default: the current user).")
@click.option("--note", default="", help="What is being done (kept in the audit log).")
@click.option(
    "--not-a-problem",
    is_flag=True,
    help="The alert was not a real problem (counted in the false alert rate).",
)
@store_option
def ack(
    fingerprint: str, by: str | None, note: str, not_a_problem: bool, location: str | None
) -> None:
    """Acknowledge the alert FINGERPRINT (or every firing alert of an alert group, by its
    key): it is not repeated or escalated while it fires.

    Receivers that de-duplicate (PagerDuty) are told: the acknowledgement is stored in the
    outbox, and the process that delivers notifications (driftscope scheduler, or the next
    driftscope run) sends it; this command sends nothing itself.
    """
    with _manager(location) as manager:
        done = manager.acknowledge(
            fingerprint, by=by or current_user(), note=note, real_problem=not not_a_problem
        )
    if not done:
        click.echo(f"{fingerprint} is not firing or already acknowledged: nothing to do")
        return
    what = " (not a real problem)" if not_a_problem else ""
    for record in done:
        click.echo(f"acknowledged {record.fingerprint} (by {record.acknowledged_by}){what}")


# ---------------------------------------------------------------------- silences
def _silence_dict(silence: Silence, now: datetime) -> dict[str, Any]:
    return {**silence.to_dict(), "active": silence.active(now)}


@alerts.command()
@click.argument("matchers", nargs=-1, required=True)
@click.option(
    "--for", "duration", default=None, metavar="DURATION", help="How long: 30m, 2h, 1d, 1h30m."
)
@click.option(
    "--until",
    "until",
    default=None,
    metavar="TIME",
    help="Until: a date or ISO 8601 time with its zone.",
)
@click.option("--by", default=None, help="Who silences (default: the current user).")
@click.option("--comment", default="", help="Why (kept with the silence and in the audit log).")
@store_option
def silence(
    matchers: tuple[str, ...],
    duration: str | None,
    until: str | None,
    by: str | None,
    comment: str,
    location: str | None,
) -> None:
    """Mute the alerts MATCHERS match, as Alertmanager writes them: model="churn",
    severity!="critical", alertname=~"Drift.*" (all must match).

    Muted alerts still fire and show in 'alerts list'; they are notified when the silence
    ends.
    """
    if (duration is None) == (until is None):
        raise ConfigError("alerts silence needs --for DURATION or --until TIME (one of them)")
    ends_at = parse_moment(until, "--until")
    with _manager(location) as manager:
        made = manager.silence(
            list(matchers),
            created_by=by or current_user(),
            comment=comment,
            duration=None if duration is None else _duration(duration),
            ends_at=ends_at,
        )
    click.echo(f"silence {made.id} until {_when(made.ends_at)} UTC")


def _duration(text: str) -> Any:
    from driftscope.alerts.durations import as_duration

    found = as_duration(text, "--for")
    if not found:
        raise ConfigError(f"--for must be more than 0, got {text!r}")
    return found


@alerts.command()
@click.option("--all", "include_expired", is_flag=True, help="Expired silences too.")
@format_option("table", "json", help=_FORMAT_HELP)
@store_option
def silences(include_expired: bool, fmt: str, location: str | None) -> None:
    """Show the silences: active and future ones (with --all, expired ones too)."""
    from driftscope.alerts.matchers import matchers_text

    with _manager(location) as manager:
        found = manager.silences(include_expired=include_expired)
    now = datetime.now(UTC)
    if fmt == "json":
        _json([_silence_dict(s, now) for s in found])
        return
    rows = [
        [
            s.id,
            matchers_text(s.matchers),
            _when(s.starts_at),
            _when(s.ends_at),
            "active" if s.active(now) else ("expired" if s.ends_at <= now else "pending"),
            s.created_by,
            s.comment,
        ]
        for s in found
    ]
    columns = ("id", "matchers", "starts (UTC)", "ends (UTC)", "state", "by", "comment")
    _table("silences", columns, rows, "no silences")


@alerts.command()
@click.argument("silence_id")
@click.option("--by", default=None, help="Who ends it (default: the current user).")
@store_option
def expire(silence_id: str, by: str | None, location: str | None) -> None:
    """End the silence SILENCE_ID now; the alerts it muted are notified at their group's
    next check."""
    with _manager(location) as manager:
        ended = manager.expire_silence(silence_id, by=by or current_user())
    if ended is None:
        raise ConfigError(
            f"no active silence {silence_id!r} (see 'driftscope alerts silences --all')"
        )
    click.echo(f"expired silence {ended.id}")


# ---------------------------------------------------------------------- audit
@alerts.command()
@click.option("--model", default=None, help="Only this model's entries.")
@click.option(
    "--action",
    default=None,
    metavar="ACTION",
    help="An exact action (alert.silenced) or, ending with a dot, a prefix (alert.).",
)
@click.option(
    "--since",
    default=None,
    metavar="TIME",
    help="Entries at or after: a date (UTC) or an ISO 8601 time with its zone.",
)
@click.option("--last", type=click.IntRange(min=1), default=None, help="Only the last N entries.")
@format_option("table", "json", help=_FORMAT_HELP)
@store_option
def audit(
    model: str | None,
    action: str | None,
    since: str | None,
    last: int | None,
    fmt: str,
    location: str | None,
) -> None:
    """Show the audit log: every decision of alerting and automated response, oldest
    first."""
    start = parse_moment(since, "--since")
    store = open_existing_store(location)
    try:
        found = store.read_audit(model=model, action=action, since=start, limit=last)
    finally:
        store.close()
    if fmt == "json":
        _json([e.to_dict() for e in found])
        return
    _table(
        "audit log",
        ("at (UTC)", "action", "model", "subject", "actor", "reason"),
        [_audit_row(e) for e in found],
        "no audit entries",
    )


def _audit_row(entry: AuditEntry) -> list[str]:
    return [_when(entry.at), entry.action, entry.model, entry.subject, entry.actor, entry.reason]


# ---------------------------------------------------------------------- measures
@alerts.command()
@format_option("table", "json", help="table: the measures as text; json: every number.")
@store_option
def measures(fmt: str, location: str | None) -> None:
    """Show how alerting is doing: response time (firing to acknowledgement), false alert
    rate (noisiest rules first) and notification cost per month (delivered notifications
    times each configured channel's price)."""
    with _manager(location) as manager:
        times = manager.response_times()
        noise = manager.false_alert_rate()
        cost = manager.notification_cost()
    if fmt == "table":
        click.echo(f"{times}\n{noise}\n{cost}")
        return
    _json(
        {
            "response_times": {
                "overall": asdict(times.overall),
                "by_rule": {rule: asdict(s) for rule, s in times.by_rule.items()},
            },
            "false_alert_rate": {
                "acknowledged": noise.acknowledged,
                "false_alerts": noise.false_alerts,
                "rate": noise.rate,
                "by_rule": [
                    {
                        "rule": r.rule,
                        "acknowledged": r.acknowledged,
                        "false_alerts": r.false_alerts,
                        "rate": r.rate,
                    }
                    for r in noise.by_rule
                ],
            },
            "notification_cost": {
                "period_days": cost.period.total_seconds() / 86400,
                "per_month": cost.per_month,
                "messages": cost.messages,
                "by_channel_per_month": cost.by_channel_per_month(),
            },
        }
    )
