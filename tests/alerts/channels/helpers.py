"""Notifications for the channel tests: firing, resolved, acknowledged, a large group, a
ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from driftscope.alerts.model import Alert, Notification

START = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)


def alert(
    severity: str = "warning",
    title: str = "Model Drift Detected",
    message: str = "age moved by 0.5 sd",
    *,
    labels: dict[str, str] | None = None,
    actions: list[Any] | None = None,
    resolved: bool = False,
) -> Alert:
    made = Alert.of(
        severity,
        title,
        message,
        labels={"model": "churn", **(labels or {})},
        actions=actions or [],
        starts_at=START,
    )
    return made.with_end(START + timedelta(minutes=30)) if resolved else made


def notify(
    *alerts: Alert, id: str = "n-1", group_key: str = "grp-1", **kwargs: Any
) -> Notification:
    return Notification(
        id,
        kwargs.pop("channel", "test"),
        group_key,
        {"model": "churn"},
        alerts or (alert(),),
        created_at=START + timedelta(minutes=1),
        **kwargs,
    )


def acknowledged(by: str = "alice") -> Notification:
    return notify(alert(), event="acknowledge", acknowledged_by=by)


def ticket(description: Any = "Look at age.", **fields: Any) -> Notification:
    body = {
        "id": "t-9",
        "title": "Investigate drift on churn",
        "description": description,
        "assignee": "octocat",
        "model": "churn",
        **fields,
    }
    return Notification("n-t9", "test", "t-9", {}, kind="ticket", ticket=body, created_at=START)


def big_group(count: int = 100, *, long: bool = True) -> Notification:
    """``count`` alerts with text far past every receiver's limits."""
    text = "x" * 10_000 if long else "short"
    many = [
        alert(
            "critical",
            f"Feature {i} drifted " + ("t" * 400 if long else ""),
            text,
            labels={"feature": f"f{i}", "long": "v" * 300},
            actions=[
                {
                    "label": f"Action {j} " + "l" * 100,
                    "action": f"act{j}",
                    "url": f"https://x.test/{j}",
                }
                for j in range(40)
            ],
        )
        for i in range(count)
    ]
    return notify(*many)
