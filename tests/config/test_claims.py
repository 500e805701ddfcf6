"""Claims: each window of a model runs once across processes, restarts and failures; on the
embedded store and on PostgreSQL (the ``store`` fixture of the store contract tests)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from driftscope.ops import claims

DAY = timedelta(days=1)
T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def test_first_claim_then_nothing_new_until_a_window_ends(store):
    first = claims.claim(store, "churn", DAY, now=T0, owner="a")
    assert (
        first is not None
        and first.since is None
        and first.until == datetime(2026, 11, 3, tzinfo=UTC)
    )
    assert claims.finish(store, first, now=T0)
    assert claims.claim(store, "churn", DAY, now=T0 + timedelta(hours=20), owner="a") is None
    second = claims.claim(store, "churn", DAY, now=T0 + DAY, owner="b")
    assert second is not None
    assert (second.since, second.until) == (first.until, first.until + DAY)


def test_a_held_claim_blocks_others_until_its_lease_lapses(store):
    held = claims.claim(store, "churn", DAY, now=T0, owner="a", lease=timedelta(minutes=10))
    assert held is not None
    later = T0 + DAY
    assert claims.claim(store, "churn", DAY, now=T0 + timedelta(minutes=5), owner="b") is None
    # the holder died: after the lease, its span is retried together with the new window
    retried = claims.claim(store, "churn", DAY, now=later, owner="b")
    assert retried is not None and retried.since is None and retried.until == held.until + DAY
    # the dead holder coming back cannot mark the span done over the new claim
    assert not claims.finish(store, held, now=later)
    assert store.get_state(claims.CURSOR, "churn").state == claims.CLAIMED


def test_a_failed_run_gives_its_windows_back(store):
    first = claims.claim(store, "churn", DAY, now=T0, owner="a")
    claims.finish(store, first, now=T0)
    second = claims.claim(store, "churn", DAY, now=T0 + DAY, owner="a")
    claims.finish(store, second, now=T0 + DAY, failed="baseline file is corrupt")
    assert store.get_state(claims.RUN, second.key).body["error"] == "baseline file is corrupt"
    third = claims.claim(store, "churn", DAY, now=T0 + 2 * DAY, owner="a")
    assert (third.since, third.until) == (second.since, second.until + DAY)
    actions = [e.action for e in store.read_audit(model="churn", action="schedule.")]
    assert actions == [
        "schedule.claimed",
        "schedule.done",
        "schedule.claimed",
        "schedule.failed",
        "schedule.claimed",
    ]


def test_concurrent_claims_one_winner_per_span(store):
    winners = []
    barrier = threading.Barrier(8)

    def race(i: int) -> None:
        barrier.wait()
        got = claims.claim(store, "churn", DAY, now=T0, owner=f"t{i}")
        if got is not None:
            winners.append(got)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_models_are_claimed_independently(store):
    assert claims.claim(store, "churn", DAY, now=T0) is not None
    assert claims.claim(store, "fraud", timedelta(hours=1), now=T0) is not None
