"""``driftscope alerts``: list, ack, silence, silences, expire, audit and measures over the
state a real AlertManager stored in a real embedded store, with a recording channel that
de-duplicates (like PagerDuty) configured the way a configuration file would be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from driftscope.alerts import AlertManager, defaults
from driftscope.alerts.outbox import KIND as NOTIFICATION_KIND
from driftscope.alerts.outbox import PENDING
from driftscope.store import open_store
from tests.alerts.engine_support import Clock, RecordingChannel

PRICE = 0.25  # USD per message of the recording channel


@dataclass
class Alerting:
    """A store with alerts in it, the channel the alerts went to, and the ids."""

    store: Path
    channel: RecordingChannel
    clock: Clock
    drift: str  # fingerprint: churn, warning, firing and notified
    accuracy: str  # fraud, critical, firing and notified
    old: str  # churn, warning, resolved

    def manager(self) -> AlertManager:
        return AlertManager([self.channel], store=str(self.store), clock=self.clock, group_wait=0)


@pytest.fixture
def alerting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Alerting]:
    monkeypatch.chdir(tmp_path)  # no driftscope.yaml here
    for name in ("DRIFTSCOPE_CONFIG", "DRIFTSCOPE_HOME"):
        monkeypatch.delenv(name, raising=False)
    channel = RecordingChannel("pager", dedups=True, price_per_message=PRICE)
    # the CLI's manager takes its channels from the configuration, as with driftscope.yaml
    monkeypatch.setattr(defaults, "_loaders", list(defaults._loaders))
    defaults.register_defaults(lambda: {"channels": [channel]})
    clock = Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))
    setup = Alerting(tmp_path / "store", channel, clock, "", "", "")
    with setup.manager() as manager:
        old = manager.send_alert("warning", "Old Drift", "gone since", model="churn")
        manager.resolve(old.fingerprint, by="ana")
        clock.advance(minutes=5)
        drift = manager.send_alert("warning", "Model Drift Detected", "age moved", model="churn")
        accuracy = manager.send_alert("critical", "Accuracy Low", "0.71 < 0.80", model="fraud")
        manager.tick()
    setup.drift, setup.accuracy, setup.old = (
        drift.fingerprint,
        accuracy.fingerprint,
        old.fingerprint,
    )
    yield setup


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_shows_firing_alerts_and_filters(alerting: Alerting, run) -> None:
    where = ("--store", alerting.store)
    firing = _json(run("alerts", "list", "--format", "json", *where))
    assert {a["fingerprint"] for a in firing} == {alerting.drift, alerting.accuracy}
    by_fp = {a["fingerprint"]: a for a in firing}
    assert by_fp[alerting.accuracy]["alertname"] == "Accuracy Low"
    assert by_fp[alerting.accuracy]["severity"] == "critical"
    assert by_fp[alerting.accuracy]["model"] == "fraud"
    assert by_fp[alerting.drift]["acknowledged_by"] == ""
    assert datetime.fromisoformat(by_fp[alerting.drift]["since"]) == alerting.clock.now

    churn = _json(
        run("alerts", "list", "--state", "all", "--model", "churn", "--format", "json", *where)
    )
    assert {a["fingerprint"]: a["state"] for a in churn} == {
        alerting.drift: "firing",
        alerting.old: "resolved",
    }
    resolved = _json(run("alerts", "list", "--state", "resolved", "--format", "json", *where))
    assert [a["fingerprint"] for a in resolved] == [alerting.old]

    table = run("alerts", "list", *where)
    assert table.exit_code == 0, table.stderr
    assert alerting.drift in table.stdout and "Accuracy Low" in table.stdout
    assert alerting.old not in table.stdout
    nothing = run("alerts", "list", "--model", "nobody", *where)
    assert "no firing alerts of model 'nobody'" in nothing.stdout


def test_ack_is_stored_audited_and_queued_not_sent(alerting: Alerting, run) -> None:
    sent_before = len(alerting.channel.sent)
    result = run(
        "alerts", "ack", alerting.accuracy, "--by", "ana", "--note", "retraining",
        "--store", alerting.store,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"acknowledged {alerting.accuracy} (by ana)" in result.stdout
    assert "outbox" in run("alerts", "ack", "--help").stdout  # the help says who sends it

    with open_store(alerting.store) as store:
        queued = store.find_state(NOTIFICATION_KIND, states=[PENDING])
    events = [r.body["notification"] for r in queued]
    assert [(n["channel"], n["event"]) for n in events] == [("pager", "acknowledge")]
    assert len(alerting.channel.sent) == sent_before  # the CLI delivered nothing

    alerting.clock.now = datetime.now(UTC)  # the queued event is due from the CLI's now
    with alerting.manager() as manager:  # the next run (or the scheduler) delivers it
        record = manager.alert(alerting.accuracy)
        assert record is not None and record.acknowledged_by == "ana"
        assert record.ack_note == "retraining" and record.real_problem is True
        manager.tick()
    assert [n.event for n in alerting.channel.sent[sent_before:]] == ["acknowledge"]

    again = run("alerts", "ack", alerting.accuracy, "--by", "bo", "--store", alerting.store)
    assert again.exit_code == 0 and "already acknowledged" in again.stdout


def test_ack_unknown_fingerprint_is_one_line(alerting: Alerting, run, one_line_error) -> None:
    result = run("alerts", "ack", "feedbeef", "--store", alerting.store)
    one_line_error(result, "'feedbeef'")


def test_silence_silences_and_expire(alerting: Alerting, run, one_line_error) -> None:
    where = ("--store", alerting.store)
    made = run(
        "alerts", "silence", 'model="churn"', 'severity!="critical"', "--for", "2h",
        "--by", "ana", "--comment", "retraining", *where,
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    silence_id = made.stdout.split()[1]

    (listed,) = _json(run("alerts", "silences", "--format", "json", *where))
    assert listed["id"] == silence_id and listed["active"] is True
    assert listed["created_by"] == "ana" and listed["comment"] == "retraining"
    span = datetime.fromisoformat(listed["ends_at"]) - datetime.fromisoformat(listed["starts_at"])
    assert span == timedelta(hours=2)
    assert {(m["name"], m["value"], m["isEqual"]) for m in listed["matchers"]} == {
        ("model", "churn", True),
        ("severity", "critical", False),
    }
    with AlertManager([RecordingChannel()], store=str(alerting.store), group_wait=0) as manager:
        muted = manager.send_alert("warning", "Feature Missing", model="churn")
        loud = manager.send_alert("critical", "Feature Missing", model="churn")
    assert muted.outcome == "silenced" and loud.outcome != "silenced"
    assert silence_id in run("alerts", "silences", *where).stdout

    ended = run("alerts", "expire", silence_id, "--by", "ana", *where)
    assert ended.exit_code == 0 and f"expired silence {silence_id}" in ended.stdout
    assert _json(run("alerts", "silences", "--format", "json", *where)) == []
    (expired,) = _json(run("alerts", "silences", "--all", "--format", "json", *where))
    assert expired["id"] == silence_id and expired["active"] is False
    one_line_error(run("alerts", "expire", silence_id, *where), silence_id)

    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    made = run("alerts", "silence", 'alertname=~"Accuracy.*"', "--until", until, *where)
    assert made.exit_code == 0, made.stderr
    (listed,) = _json(run("alerts", "silences", "--format", "json", *where))
    assert datetime.fromisoformat(listed["ends_at"]) == datetime.fromisoformat(until)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["model", "--for", "2h"], "model"),  # a matcher without an operator
        (['model=~"("', "--for", "2h"], "model"),  # a regex that does not compile
        (['model=~".*"', "--for", "2h"], "empty label"),  # would mute every alert
        (['model="churn"', "--for", "soon"], "--for"),
        (['model="churn"', "--for", "0"], "--for"),
        (['model="churn"'], "--for"),
        (['model="churn"', "--for", "1h", "--until", "2030-01-01"], "--until"),
        (['model="churn"', "--until", "2030-01-01T10:00"], "--until"),  # no zone
        (['model="churn"', "--until", "2020-01-01"], "end after it starts"),
    ],
)
def test_silence_bad_input_is_one_line(
    alerting: Alerting, run, one_line_error, args: list[str], fragment: str
) -> None:
    one_line_error(run("alerts", "silence", *args, "--store", alerting.store), fragment)
    assert _json(run("alerts", "silences", "--format", "json", "--store", alerting.store)) == []


def test_audit_filters(alerting: Alerting, run) -> None:
    where = ("--store", alerting.store)
    run("alerts", "ack", alerting.drift, "--by", "ana", *where)
    every = _json(run("alerts", "audit", "--format", "json", *where))
    actions = [e["action"] for e in every]
    assert "alert.fired" in actions and "alert.resolved" in actions
    assert actions[-1] == "alert.acknowledged"

    fraud = _json(run("alerts", "audit", "--model", "fraud", "--format", "json", *where))
    assert fraud and {e["model"] for e in fraud} == {"fraud"}
    assert {e["subject"] for e in fraud if e["action"] == "alert.fired"} == {alerting.accuracy}
    fired = _json(run("alerts", "audit", "--action", "alert.fired", "--format", "json", *where))
    assert {e["subject"] for e in fired} == {alerting.drift, alerting.accuracy, alerting.old}
    prefix = _json(run("alerts", "audit", "--action", "alert.", "--format", "json", *where))
    assert len(prefix) == sum(a.startswith("alert.") for a in actions)
    (last,) = _json(run("alerts", "audit", "--last", "1", "--format", "json", *where))
    assert last["action"] == "alert.acknowledged" and last["actor"] == "ana"
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert _json(run("alerts", "audit", "--since", later, "--format", "json", *where)) == []

    table = run("alerts", "audit", "--action", "alert.acknowledged", *where)
    assert table.exit_code == 0 and alerting.drift in table.stdout and "ana" in table.stdout


def test_measures(alerting: Alerting, run) -> None:
    where = ("--store", alerting.store)
    run("alerts", "ack", alerting.drift, "--by", "ana", "--not-a-problem", *where)
    run("alerts", "ack", alerting.accuracy, "--by", "ana", *where)
    measured = _json(run("alerts", "measures", "--format", "json", *where))

    times = measured["response_times"]
    assert times["overall"]["count"] == 2
    assert times["overall"]["median_s"] == pytest.approx(3600 - 300, abs=120)
    assert set(times["by_rule"]) == {"Model Drift Detected", "Accuracy Low"}

    noise = measured["false_alert_rate"]
    assert (noise["acknowledged"], noise["false_alerts"], noise["rate"]) == (2, 1, 0.5)
    assert noise["by_rule"][0] == {  # the noisiest rule first
        "rule": "Model Drift Detected",
        "acknowledged": 1,
        "false_alerts": 1,
        "rate": 1.0,
    }

    delivered = len(alerting.channel.sent)  # all in the last hour: a 30-day period holds them
    assert delivered >= 2
    cost = measured["notification_cost"]
    assert cost["messages"] == {"pager": delivered}
    assert cost["per_month"] == pytest.approx(delivered * PRICE)

    text = run("alerts", "measures", *where)
    assert text.exit_code == 0
    assert "False alert rate: 50.0% (1 of 2)" in text.stdout
    assert f"${delivered * PRICE:.2f}/month" in text.stdout


def test_commands_need_an_existing_store(tmp_path: Path, run, one_line_error) -> None:
    one_line_error(run("alerts", "list", "--store", tmp_path / "typo"), "does not exist")
