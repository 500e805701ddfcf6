"""What a run would do, changing nothing (``driftscope run --dry-run``): per model, its
baseline, the windows it would claim and the schedule; the channels and retraining
triggers are built (so a bad option or an unset secret shows) but nothing is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from driftscope.core.windows import due_windows, window_size, window_start
from driftscope.ops import claims
from driftscope.ops._schema_models import STORED
from driftscope.ops.schema import MonitoringConfig
from driftscope.store import Store


def plan(
    config: MonitoringConfig,
    store: Store,
    *,
    models: list[str] | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """One entry per model: ``{"model", "plan", "windows", "baseline"}``."""
    if config.channels:
        from driftscope.ops import build

        build.channels(config)  # options and secrets checked; nothing sent
    now = until or datetime.now(UTC)
    out = []
    for cfg in config.models:
        if models and cfg.name not in models:
            continue
        size = window_size(cfg.window)
        end = window_start(now, size)
        cursor = store.get_state(claims.CURSOR, cfg.name)
        since = None
        if cursor is not None:
            key = "until" if cursor.state == claims.DONE else "since"
            text = cursor.body.get(key)
            since = datetime.fromisoformat(text) if isinstance(text, str) else None
        stored = bool(store.reference_history(cfg.name))
        baseline = (
            "stored"
            if stored
            else (
                "none stored" if cfg.baseline == STORED else f"would be saved from {cfg.baseline}"
            )
        )
        if since is None:
            windows = None
            what = f"the due windows up to {end.isoformat()} (after the last stored one)"
        else:
            windows = len(due_windows(size, since=since, now=end)) if end > since else 0
            what = (
                f"{windows} window(s) from {since.isoformat()} to {end.isoformat()}"
                if windows
                else "nothing new since the last run"
            )
        schedule = cfg.schedule
        when = (
            f"; schedule {schedule.cron or schedule.every} ({schedule.timezone})"
            if schedule is not None
            else ""
        )
        out.append(
            {
                "model": cfg.name,
                "plan": f"{what}; baseline {baseline}; {len(cfg.rules)} rule(s){when}",
                "windows": windows,
                "baseline": baseline,
            }
        )
    return out
