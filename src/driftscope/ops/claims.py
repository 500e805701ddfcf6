"""Claims: a model's windows are run once, however many schedulers share the store.

Before running a model, a process claims the windows that ended since the last run by a
compare-and-set on the model's cursor, a :class:`~driftscope.store.state.StateRecord` of
kind ``"schedule_cursor"`` keyed by the model (``put_state(..., if_version=...)``, atomic
across processes): of two schedulers firing at the same moment, one wins and the other
skips; a scheduler restarted after a run finds the cursor past those windows. The claimed
span, ``[since, until)``, is also a ``"schedule_run"`` record (state ``running``, then
``done`` or ``failed``) and an audit entry, so every run can be followed.

A run that fails gives its windows back (the cursor says ``failed``): the next claim
retries them. A process that dies while running holds its claim until the ``lease`` runs
out; the next claim after that retries the span too. While a claim is held and its lease
runs, nobody else runs that model.

>>> import tempfile
>>> from datetime import UTC, datetime, timedelta
>>> from driftscope.store import open_store
>>> now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
>>> with open_store(tempfile.mkdtemp()) as store:
...     first = claim(store, "churn", timedelta(days=1), now=now, owner="a")
...     second = claim(store, "churn", timedelta(days=1), now=now, owner="b")
...     _ = finish(store, first, now=now)
...     third = claim(store, "churn", timedelta(days=1), now=now + timedelta(hours=1))
>>> first.until.isoformat(), second, third
('2026-11-03T00:00:00+00:00', None, None)
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from driftscope.core.windows import window_start
from driftscope.store.state import AuditEntry, StateRecord, StateStore

CURSOR = "schedule_cursor"
RUN = "schedule_run"
#: How long a claim is held by a process that stops answering (a crash) before another
#: process may retry its windows.
DEFAULT_LEASE = timedelta(hours=1)
CLAIMED, DONE, FAILED = "claimed", "done", "failed"


def default_owner() -> str:
    """``host:pid``: who holds a claim, for people reading the records."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Claim:
    """The windows ``[since, until)`` of ``model`` this process may run (``since`` None:
    from after the last stored window, as ``run_checks`` decides); :func:`claim` takes
    one, :func:`finish` ends it.

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> at = datetime(2026, 11, 3, 2, 30, tzinfo=UTC)
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     taken = claim(store, "churn", timedelta(hours=1), now=at, owner="host-1:42")
    >>> taken.since, taken.until.isoformat(), taken.key
    (None, '2026-11-03T02:00:00+00:00', 'churn|2026-11-03T02:00:00+00:00')
    """

    model: str
    since: datetime | None
    until: datetime
    owner: str
    cursor_version: int

    @property
    def key(self) -> str:
        """The key of this run's ``"schedule_run"`` record."""
        return f"{self.model}|{self.until.isoformat()}"


def _time(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def claim(
    store: StateStore,
    model: str,
    window: timedelta,
    *,
    now: datetime | None = None,
    owner: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim | None:
    """Claim ``model``'s windows of length ``window`` that ended by ``now``; ``None``
    when there is none new, or another process holds the model's claim."""
    now = now or datetime.now(UTC)
    owner = owner or default_owner()
    until = window_start(now, window)
    cursor = store.get_state(CURSOR, model)
    since: datetime | None = None
    if cursor is not None:
        body = cursor.body
        held = cursor.state == CLAIMED and cursor.due_at is not None and cursor.due_at > now
        if held:
            return None
        # done: go on after it; failed or a lapsed claim: retry its span
        since = _time(body.get("until")) if cursor.state == DONE else _time(body.get("since"))
        if since is not None and until <= since:
            return None
    body = {
        "since": None if since is None else since.isoformat(),
        "until": until.isoformat(),
        "owner": owner,
    }
    record = StateRecord(CURSOR, model, CLAIMED, body, model=model, due_at=now + lease)
    stored = store.put_state(record, if_version=0 if cursor is None else cursor.version)
    if stored is None:  # another process got there first
        return None
    taken = Claim(model, since, until, owner, stored.version)
    run = StateRecord(
        RUN, taken.key, "running", {**body, "started_at": now.isoformat()}, model=model
    )
    store.put_state(run)
    store.append_audit(
        [
            AuditEntry(
                "schedule.claimed",
                model=model,
                subject=taken.key,
                reason=f"windows {body['since'] or '(after the last stored)'} to {body['until']}",
                actor=owner,
                details=body,
                at=now,
            )
        ]
    )
    return taken


def finish(
    store: StateStore,
    taken: Claim,
    *,
    now: datetime | None = None,
    failed: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Mark the claim done (or ``failed`` with the reason: its windows are retried at the
    next claim); False when the claim had lapsed and another process took it over."""
    now = now or datetime.now(UTC)
    state = FAILED if failed else DONE
    cursor = store.get_state(CURSOR, taken.model)
    ours = cursor is not None and cursor.version == taken.cursor_version
    if ours and cursor is not None:
        changed = cursor.with_changes(state=state, due_at=None)
        ours = store.put_state(changed, if_version=taken.cursor_version) is not None
    run = store.get_state(RUN, taken.key)
    body = {**(run.body if run else {}), "finished_at": now.isoformat(), **(details or {})}
    if failed:
        body["error"] = failed
    store.put_state(StateRecord(RUN, taken.key, state, body, model=taken.model))
    store.append_audit(
        [
            AuditEntry(
                f"schedule.{state}",
                model=taken.model,
                subject=taken.key,
                reason=failed or "",
                actor=taken.owner,
                details=details or {},
                at=now,
            )
        ]
    )
    return ours
