"""ConsoleChannel: one line per alert on standard error or through logging; never raises."""

from __future__ import annotations

import io
import logging

from driftscope.alerts.channels import ConsoleChannel
from tests.alerts.channels.helpers import acknowledged, alert, notify, ticket


def test_one_line_per_alert_on_standard_error(capsys):
    group = notify(
        alert("critical", message="line one\nline two", actions=["Retrain"]),
        alert("info", "Volume low", "", labels={"feature": "age"}, resolved=True),
    )
    assert ConsoleChannel().send(group) is None
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "2026-12-08 03:01:00 UTC [CRITICAL] Model Drift Detected (model=churn): line one line two"
        " | actions: Retrain",
        "2026-12-08 03:01:00 UTC [RESOLVED] Volume low (feature=age, model=churn)",
    ]


def test_control_characters_cannot_forge_lines_or_drive_the_terminal():
    out = io.StringIO()
    ConsoleChannel(out).send(notify(alert(title="Drift\x1b[2J", message="a\rb\u2028c")))
    [line] = out.getvalue().splitlines()
    assert "\x1b" not in line and "\\x1b[2J" in line and "a b c" in line


def test_through_logging_at_the_alerts_severity(caplog):
    caplog.set_level(logging.DEBUG, logger="ops.alerts")
    channel = ConsoleChannel(logger="ops.alerts")
    channel.send(notify(alert("critical"), alert("warning"), alert("info"), alert(resolved=True)))
    channel.send(acknowledged("erin"))
    channel.send(ticket({"has_drift": True}))
    levels = [(r.levelname, r.getMessage().split(" ", 3)[3][:12]) for r in caplog.records]
    assert levels == [
        ("CRITICAL", "[CRITICAL] M"),
        ("WARNING", "[WARNING] Mo"),
        ("INFO", "[INFO] Model"),
        ("INFO", "[RESOLVED] M"),
        ("INFO", "[ACK] Model "),
        ("INFO", "[TICKET] Inv"),
    ]
    assert caplog.records[4].getMessage().endswith("Model Drift Detected acknowledged by erin")
    assert (
        caplog.records[5]
        .getMessage()
        .endswith("[TICKET] Investigate drift on churn (assignee=octocat): has_drift: yes")
    )


def test_a_broken_stream_never_raises():
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    assert ConsoleChannel(Broken()).send(notify()) is None
