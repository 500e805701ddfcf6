"""How often a model may be retrained: a cooldown after each run and a daily maximum,
agreed on by every process that shares the store.

The count is of *launched* runs (a trigger accepted them; see
:attr:`RetrainJob.launched <driftscope.response.jobs.RetrainJob.launched>`): a dry run, a
refused job, one awaiting approval or one whose trigger call failed never counts. "Per
day" is the last 24 hours, not the calendar day.

Two processes (or threads) asking at the same instant must not both pass: before starting
a run, a retrainer *claims* it on the model's gate record (kind ``"retrain_gate"``) by
compare-and-set. The gate lists the claims of the last day; a claim counts until its job
shows that nothing was started (the trigger call failed), so a run being started right now
by another process counts before its job is stored. A claim lost to a concurrent writer is
re-decided on what that writer stored.

>>> from datetime import UTC, datetime, timedelta
>>> limits = RetrainLimits(cooldown=timedelta(hours=24), max_runs_per_day=2)
>>> now = datetime(2026, 11, 2, 12, tzinfo=UTC)
>>> limits.refusal([], now) is None
True
>>> limits.refusal([now - timedelta(hours=3)], now).rule
'cooldown'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from driftscope.errors import ConfigError, StoreError
from driftscope.response.jobs import FAILED, KIND, RetrainJob
from driftscope.store.state import StateRecord, StateStore

GATE_KIND = "retrain_gate"
DAY = timedelta(days=1)
#: Compare-and-set attempts before giving up (each loss means another writer made progress).
MAX_ATTEMPTS = 100


@dataclass(frozen=True)
class Refusal:
    """Why a run may not start now: ``rule`` is ``"cooldown"``, ``"daily_limit"`` or
    ``"awaiting_approval"``; ``text`` says it in words with the times; ``retry_at`` is
    when it would be allowed (``None``: when the pending job is decided).

    >>> from datetime import UTC
    >>> now = datetime(2026, 11, 2, 12, tzinfo=UTC)
    >>> limits = RetrainLimits(cooldown=timedelta(hours=1), max_runs_per_day=2)
    >>> refusal = limits.refusal([now - timedelta(hours=20), now - timedelta(hours=9)], now)
    >>> refusal.rule, refusal.retry_at == now + timedelta(hours=4)
    ('daily_limit', True)
    >>> print(refusal.text)
    daily limit: 2 runs started in the last 24 h (max_runs_per_day=2);
    next allowed at 2026-11-02 16:00 UTC
    """

    rule: str
    text: str
    retry_at: datetime | None = None


@dataclass(frozen=True)
class RetrainLimits:
    """``cooldown``: the least time between two runs' starts; ``max_runs_per_day``: the
    most runs started in any 24 hours (``None``: no limit).

    >>> RetrainLimits(max_runs_per_day=0)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: max_runs_per_day must be an int >= 1 or None, got 0
    """

    cooldown: timedelta = timedelta(hours=24)
    max_runs_per_day: int | None = 2

    def __post_init__(self) -> None:
        if not isinstance(self.cooldown, timedelta) or self.cooldown < timedelta(0):
            raise ConfigError(f"cooldown must be a timedelta >= 0, got {self.cooldown!r}")
        runs = self.max_runs_per_day
        if runs is not None and (isinstance(runs, bool) or not isinstance(runs, int) or runs < 1):
            raise ConfigError(f"max_runs_per_day must be an int >= 1 or None, got {runs!r}")

    @property
    def horizon(self) -> timedelta:
        """How far back launches matter."""
        return max(self.cooldown, DAY)

    def refusal(self, launches: Sequence[datetime], now: datetime) -> Refusal | None:
        """Why a run may not start at ``now`` given the start times of earlier runs, or
        ``None`` when it may."""
        recent = sorted(t for t in launches if t > now - self.horizon)
        if recent and self.cooldown > timedelta(0) and now - recent[-1] < self.cooldown:
            last = recent[-1]
            return Refusal(
                "cooldown",
                f"cooldown: the last run started {_ago(now - last)} ago ({last:%Y-%m-%d %H:%M} "
                f"UTC) and the cooldown is {_ago(self.cooldown)}; next allowed at "
                f"{last + self.cooldown:%Y-%m-%d %H:%M} UTC",
                last + self.cooldown,
            )
        today = [t for t in recent if t > now - DAY]
        if self.max_runs_per_day is not None and len(today) >= self.max_runs_per_day:
            first = today[-self.max_runs_per_day]
            return Refusal(
                "daily_limit",
                f"daily limit: {len(today)} runs started in the last 24 h "
                f"(max_runs_per_day={self.max_runs_per_day}); next allowed at "
                f"{first + DAY:%Y-%m-%d %H:%M} UTC",
                first + DAY,
            )
        return None


def _ago(span: timedelta) -> str:
    """A duration in the largest unit that keeps it readable.

    >>> _ago(timedelta(hours=24)), _ago(timedelta(minutes=359)), _ago(timedelta(minutes=9.5))
    ('24 h', '5.98 h', '9.5 min')
    >>> _ago(timedelta(seconds=5.4)), _ago(timedelta(seconds=0.01))
    ('5 s', 'less than a second')
    """
    seconds = span.total_seconds()
    if seconds >= 3600:
        return f"{round(seconds / 3600, 2):g} h"
    if seconds >= 60:
        return f"{round(seconds / 60, 1):g} min"
    if seconds >= 1:
        return f"{seconds:.0f} s"
    return "less than a second"


def launch_times(
    store: StateStore, model: str, gate: StateRecord | None, now: datetime, horizon: timedelta
) -> dict[str, datetime]:
    """Start times of the model's runs within ``horizon``, by job id: the jobs stored as
    launched, and the gate's claims whose job is not stored as failed before starting."""
    since = now - horizon
    jobs = {r.key: RetrainJob.from_record(r) for r in store.find_state(KIND, model=model)}
    times = {
        job.id: job.started_at or job.created_at
        for job in jobs.values()
        if job.launched and (job.started_at or job.created_at) > since
    }
    for job_id, at_text in _claims(gate).items():
        at = datetime.fromisoformat(at_text)
        job = jobs.get(job_id)
        never_started = job is not None and job.status == FAILED and job.receipt is None
        if at > since and not never_started and job_id not in times:
            times[job_id] = at
    return times


def _claims(gate: StateRecord | None) -> dict[str, str]:
    return dict(gate.body.get("claims", {})) if gate is not None else {}


def check(store: StateStore, model: str, limits: RetrainLimits, now: datetime) -> Refusal | None:
    """Whether a run of ``model`` may start at ``now`` (without claiming it)."""
    gate = store.get_state(GATE_KIND, model)
    return limits.refusal(list(launch_times(store, model, gate, now, limits.horizon).values()), now)


def claim(
    store: StateStore, model: str, job_id: str, limits: RetrainLimits, now: datetime
) -> Refusal | None:
    """Claim the start of ``job_id``'s run on the model's gate; ``None`` when claimed,
    else why not. A job already claimed (by another process starting it) is refused."""
    for _ in range(MAX_ATTEMPTS):
        gate = store.get_state(GATE_KIND, model)
        claims = _claims(gate)
        if job_id in claims:
            return Refusal("claimed", f"job {job_id} is being started by another process")
        launches = launch_times(store, model, gate, now, limits.horizon)
        refused = limits.refusal(list(launches.values()), now)
        if refused is not None:
            return refused
        since = now - limits.horizon
        kept = {k: v for k, v in claims.items() if datetime.fromisoformat(v) > since}
        kept[job_id] = now.isoformat()
        record = StateRecord(GATE_KIND, model, "open", {"claims": kept}, model=model)
        if store.put_state(record, if_version=0 if gate is None else gate.version) is not None:
            return None
    raise StoreError(
        f"could not claim a retraining run of model {model!r}: the gate record kept changing"
    )
