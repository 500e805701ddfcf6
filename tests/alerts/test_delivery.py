"""The outbox's delivery worker against a real HTTP receiver on 127.0.0.1 and a real
embedded store: marks, retries, dead letters, requeue, rate limits, receipts, secrets,
leases, and the background threads."""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.alerts.delivery import Deliverer, DeliveryReport
from driftscope.alerts.outbox import KIND, enqueue
from driftscope.alerts.rate_limit import RateLimit
from driftscope.alerts.retry import RetryPolicy
from driftscope.errors import ConfigError
from driftscope.store.embedded import EmbeddedStore
from driftscope.store.state import StateRecord
from tests.alerts.delivery_support import (
    T0,
    CarelessChannel,
    LeakyChannel,
    ManualClock,
    PostChannel,
    RecordingReceiver,
    notification,
)

EXACT = RetryPolicy(jitter="none")


@pytest.fixture
def receiver():
    # the outbox tests' own receiver (tests/alerts/delivery_support.py), not conftest's
    with RecordingReceiver() as server:
        yield server


@pytest.fixture
def clock():
    return ManualClock()


def _fill(store, count, channel="post", at=T0):
    for i in range(count):
        assert enqueue(store, notification(i, channel), now=at)


# ---------------------------------------------------------------------- the policy
def test_backoff_doubles_up_to_the_cap_and_jitter_stays_in_its_band():
    policy = RetryPolicy(first_delay=5, factor=2, max_delay=600, jitter="none")
    waits = [policy.delay(n).total_seconds() for n in range(1, 12)]
    assert waits == [5, 10, 20, 40, 80, 160, 320, 600, 600, 600, 600]
    assert policy.delay(10**6) == timedelta(minutes=10)  # no overflow after a long outage
    rng = random.Random(3)
    for n in range(1, 12):
        base = policy.backoff(n)
        equal = RetryPolicy(jitter="equal").delay(n, rng)
        full = RetryPolicy(jitter="full").delay(n, rng)
        assert base / 2 <= equal <= base
        assert timedelta(0) <= full <= base
    spread = {RetryPolicy().delay(4, rng) for _ in range(50)}
    assert len(spread) > 40  # jittered: workers that failed together come back apart
    a = [RetryPolicy().delay(n, random.Random(9)) for n in range(1, 8)]
    b = [RetryPolicy().delay(n, random.Random(9)) for n in range(1, 8)]
    assert a == b


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"first_delay": 0}, "first_delay"),
        ({"first_delay": -1}, "first_delay"),
        ({"first_delay": "5s"}, "first_delay"),
        ({"max_delay": 1}, "max_delay"),
        ({"factor": 0.5}, "factor"),
        ({"factor": True}, "factor"),
        ({"jitter": "half"}, "jitter"),
        ({"dead_after": timedelta(0)}, "dead_after"),
        ({"lease": float("nan")}, "lease"),
    ],
)
def test_retry_policy_is_validated_naming_the_field(options, field):
    with pytest.raises(ConfigError, match=field):
        RetryPolicy(**options)


def test_retry_policy_round_trips_through_json():
    policy = RetryPolicy(first_delay=1.5, max_delay=60, jitter="full", dead_after=3600, lease=30)
    assert RetryPolicy.from_dict(policy.to_dict()) == policy
    with pytest.raises(ConfigError, match="no field 'delay'"):
        RetryPolicy.from_dict({"delay": 3})


def test_rate_limits_are_written_as_text():
    assert RateLimit.parse("1/s") == RateLimit(1, timedelta(seconds=1))
    assert RateLimit.parse("30 / min") == RateLimit(30, timedelta(minutes=1))
    assert RateLimit.parse("100/hours") == RateLimit(100, timedelta(hours=1))
    assert RateLimit.parse("5/10s") == RateLimit(5, timedelta(seconds=10))
    assert RateLimit.parse("1000/day").per == timedelta(days=1)
    for bad in ["", "1", "1/ms", "0/s", "x/s", "1/0s", "-1/s", None]:
        with pytest.raises(ConfigError):
            RateLimit.parse(bad)


@settings(max_examples=200, deadline=None)
@given(
    failures=st.integers(1, 10_000),
    seed=st.integers(0, 2**32),
    first=st.floats(0.01, 60),
    factor=st.floats(1, 10),
    jitter=st.sampled_from(["equal", "full", "none"]),
)
def test_every_wait_is_within_its_band_and_the_cap(failures, seed, first, factor, jitter):
    policy = RetryPolicy(first_delay=first, factor=factor, max_delay=600, jitter=jitter)
    base = policy.backoff(failures)
    assert policy.backoff(max(1, failures - 1)) <= base <= timedelta(seconds=600)
    wait = policy.delay(failures, random.Random(seed))
    low = {"equal": base / 2, "full": timedelta(0), "none": base}[jitter]
    assert low <= wait <= base


@pytest.fixture(scope="module")
def rate_store(tmp_path_factory):
    with EmbeddedStore(tmp_path_factory.mktemp("rate")) as s:
        yield s


@settings(max_examples=60, deadline=None)
@given(
    messages=st.integers(1, 4),
    per_ms=st.integers(1, 5000),
    gaps_ms=st.lists(st.integers(0, 3000), min_size=1, max_size=25),
)
def test_a_rate_limit_never_lets_more_than_its_messages_into_any_window(
    rate_store, messages, per_ms, gaps_ms
):
    store = rate_store  # one store for every example: each gets a channel of its own
    channel = f"c{len(store.find_state('channel_rate'))}"
    limit = RateLimit(messages, timedelta(milliseconds=per_ms))
    now, granted = T0, []
    for gap in gaps_ms:
        now += timedelta(milliseconds=gap)
        free_at = limit.reserve(store, channel, now)
        if free_at is None:
            granted.append(now)
        else:  # refused: the window is full now, and has room exactly at free_at
            inside = [t for t in granted if t > now - limit.per]
            assert len(inside) >= messages and free_at > now
            assert free_at == sorted(inside)[-messages] + limit.per
    for i in range(messages, len(granted)):
        assert granted[i] - granted[i - messages] >= limit.per
    assert granted[0] == T0 + timedelta(milliseconds=gaps_ms[0])  # the first always goes


# ---------------------------------------------------------------------- delivering
def test_delivered_once_marked_and_audited(store, receiver, clock):
    _fill(store, 3)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], clock=clock)
    clock.advance(seconds=1)
    report = deliverer.deliver_due()
    assert report == DeliveryReport(claimed=3, delivered=3)
    assert sorted(receiver.delivered_ids()) == ["n-0", "n-1", "n-2"]
    for i in range(3):
        entry = deliverer.entry(f"n-{i}")
        assert entry.state == "delivered" and entry.attempts == 1
        assert entry.delivered_at == clock() and entry.due_at is None
        assert entry.enqueued_at == T0 and entry.model == "churn"
    assert deliverer.deliver_due() == DeliveryReport()  # nothing sent twice
    assert receiver.attempts() == 3 and deliverer.pending() == []
    audit = store.read_audit(action="notification.")
    assert [(e.action, e.subject) for e in audit] == [
        ("notification.delivered", f"n-{i}") for i in range(3)
    ]
    assert audit[0].model == "churn" and audit[0].details["channel"] == "post"


def test_a_failure_is_retried_after_the_backoff_then_delivered(store, receiver, clock):
    receiver.answer(200, then=[503, 503])
    _fill(store, 1)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], retry=EXACT, clock=clock)
    assert deliverer.deliver_due() == DeliveryReport(claimed=1, retried=1)
    entry = deliverer.entry("n-0")
    assert (entry.state, entry.attempts, entry.due_at) == ("pending", 1, T0 + timedelta(seconds=5))
    assert entry.last_error == "post: the receiver answered 503"
    clock.advance(seconds=4.9)
    assert deliverer.deliver_due().claimed == 0  # not before its time
    clock.advance(seconds=0.1)
    assert deliverer.deliver_due().retried == 1
    assert deliverer.entry("n-0").due_at == clock() + timedelta(seconds=10)
    clock.advance(seconds=10)
    assert deliverer.deliver_due().delivered == 1
    entry = deliverer.entry("n-0")
    assert (entry.state, entry.attempts) == ("delivered", 3)
    assert receiver.counts() == {"n-0": 1} and receiver.attempts() == 3
    retries = store.read_audit(action="notification.retry")
    assert len(retries) == 1 and retries[0].details["attempts"] == 1  # the first failure only


def test_retry_after_of_the_receiver_is_honoured(store, receiver, clock):
    receiver.answer(200, then=[429], retry_after=120)
    _fill(store, 1)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], retry=EXACT, clock=clock)
    deliverer.deliver_due()
    assert deliverer.entry("n-0").due_at == T0 + timedelta(seconds=120)


def test_a_4xx_is_dead_at_once_with_the_receivers_answer(store, receiver, clock):
    receiver.answer(400)
    _fill(store, 1)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], clock=clock)
    assert deliverer.deliver_due() == DeliveryReport(claimed=1, dead=1)
    [dead] = deliverer.dead_letters()
    assert dead.id == "n-0" and dead.attempts == 1 and dead.due_at is None
    assert dead.dead_reason == 'post: the receiver refused it (400: {"error": "scripted 400"})'
    assert receiver.attempts() == 1
    clock.advance(hours=1)
    assert deliverer.deliver_due().claimed == 0  # never tried again
    [entry] = store.read_audit(action="notification.dead")
    assert entry.subject == "n-0" and entry.reason == dead.dead_reason


def test_an_unknown_channel_is_dead_without_an_attempt(store, receiver, clock):
    enqueue(store, notification(1, "pagerduty"), now=T0)
    deliverer = Deliverer(store, {"post": PostChannel(receiver.url)}, clock=clock)
    assert deliverer.deliver_due().dead == 1
    [dead] = deliverer.dead_letters()
    assert dead.dead_reason == "no channel named 'pagerduty' is configured"
    assert dead.attempts == 0 and receiver.attempts() == 0


def test_an_unreadable_record_is_dead_with_the_reason(store, receiver, clock):
    record = StateRecord(KIND, "broken", "pending", {"notification": {"id": "x"}}, due_at=T0)
    store.put_state(record)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], clock=clock)
    assert deliverer.deliver_due().dead == 1
    assert deliverer.entry("broken").dead_reason.startswith("the record cannot be read")


def test_requeue_puts_a_dead_letter_back_with_a_fresh_age(store, receiver, clock):
    receiver.answer(404)
    _fill(store, 2)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], clock=clock)
    deliverer.deliver_due()
    assert [e.id for e in deliverer.dead_letters()] == ["n-0", "n-1"]
    receiver.answer(200)  # the receiver was fixed
    clock.advance(days=3)
    entry = deliverer.requeue("n-0", actor="ana")
    assert (entry.state, entry.attempts, entry.enqueued_at, entry.due_at) == (
        "pending",
        0,
        clock(),
        clock(),
    )
    assert deliverer.deliver_due() == DeliveryReport(claimed=1, delivered=1)
    assert deliverer.entry("n-0").state == "delivered"
    assert [e.id for e in deliverer.dead_letters()] == ["n-1"]
    [audit] = store.read_audit(action="notification.requeued")
    assert audit.actor == "ana" and audit.subject == "n-0" and "404" in audit.reason
    with pytest.raises(ConfigError, match="'n-0' is delivered, not dead"):
        deliverer.requeue("n-0")
    with pytest.raises(ConfigError, match="no notification 'n-9'"):
        deliverer.requeue("n-9")


def test_a_receipt_is_kept_in_the_record(store, receiver, clock):
    receiver.answer(201, receipts=True)
    _fill(store, 1)
    deliverer = Deliverer(store, [PostChannel(receiver.url)], clock=clock)
    deliverer.deliver_due()
    entry = deliverer.entry("n-0")
    assert entry.receipt == {"id": 1, "url": f"http://127.0.0.1:{receiver.port}/issues/1"}
    [audit] = store.read_audit(action="notification.delivered")
    assert audit.details["receipt"] == entry.receipt


# ---------------------------------------------------------------------- rate limits
def test_a_channel_over_its_rate_is_postponed_not_failed(store, receiver, clock):
    _fill(store, 5)
    enqueue(store, notification("other", "other"), now=T0)
    deliverer = Deliverer(
        store,
        [PostChannel(receiver.url), PostChannel(receiver.url, name="other")],
        rate_limits={"post": RateLimit(2, timedelta(seconds=10))},
        clock=clock,
    )
    assert deliverer.deliver_due() == DeliveryReport(claimed=6, delivered=3, postponed=3)
    assert sorted(receiver.delivered_ids()) == ["n-0", "n-1", "n-other"]  # others unaffected
    waiting = deliverer.pending()
    assert [(e.id, e.attempts, e.last_error) for e in waiting] == [
        ("n-2", 0, None),
        ("n-3", 0, None),
        ("n-4", 0, None),
    ]
    assert all(e.due_at == T0 + timedelta(seconds=10) for e in waiting[:2])
    assert waiting[2].due_at == T0 + timedelta(seconds=20)
    times = []
    for _ in range(30):
        clock.advance(seconds=1)
        if deliverer.deliver_due().delivered:
            times.append(clock())
    assert sorted(receiver.counts()) == ["n-0", "n-1", "n-2", "n-3", "n-4", "n-other"]
    assert max(receiver.counts().values()) == 1 and deliverer.dead_letters() == []
    sends = sorted(e.delivered_at for e in map(deliverer.entry, [f"n-{i}" for i in range(5)]))
    for i in range(2, 5):  # never more than 2 in any 10 s
        assert sends[i] - sends[i - 2] >= timedelta(seconds=10)
    assert store.read_audit(action="notification.retry") == []


def test_rate_limits_name_configured_channels(store, receiver):
    with pytest.raises(ConfigError, match="rate limit for 'slack'"):
        Deliverer(store, [PostChannel(receiver.url)], rate_limits={"slack": "1/s"})
    with pytest.raises(ConfigError, match="'1 per s'"):
        Deliverer(store, [PostChannel(receiver.url)], rate_limits={"post": "1 per s"})


# ---------------------------------------------------------------------- secrets
@pytest.mark.parametrize("channel_class", [CarelessChannel, LeakyChannel])
def test_secrets_never_reach_the_record_the_audit_or_the_log(
    store, receiver, clock, caplog, channel_class
):
    secret_url = receiver.url + "/T000/B000/s3cr3t-t0ken"
    channel = channel_class(secret_url)
    receiver.answer(503)
    _fill(store, 1)
    deliverer = Deliverer(store, [channel], retry=RetryPolicy(dead_after=60), clock=clock)
    with caplog.at_level(logging.DEBUG, logger="driftscope"):
        deliverer.deliver_due()
        clock.advance(seconds=61)
        deliverer.deliver_due()
    entry = deliverer.entry("n-0")
    assert entry.state == "dead"
    stored = [entry.last_error, entry.dead_reason]
    audit = [e.reason for e in store.read_audit(action="notification.")]
    logged = [r.getMessage() for r in caplog.records]
    assert "503" in entry.last_error and "***" in entry.last_error  # said, with the secret out
    for text in [*stored, *audit, *logged, repr(deliverer), repr(channel)]:
        assert "s3cr3t" not in text and "T000" not in text
    raw = store.get_state(KIND, "n-0").body
    assert "s3cr3t" not in str(raw)


# ---------------------------------------------------------------------- leases
class _Overtaking(PostChannel):
    """Sends, then plays a worker whose lease ran out: another deliverer takes the same
    notification and marks it before this one returns."""

    kind = "overtaking"
    other: Deliverer | None = None

    def send(self, notification):
        result = super().send(notification)
        if self.other is not None:
            later = T0 + timedelta(minutes=5)
            other, self.other = self.other, None
            assert other.deliver_due(now=later).delivered == 1
        return result


def test_a_worker_overtaken_after_its_lease_writes_nothing(tmp_path, receiver):
    home = tmp_path / "home"
    with EmbeddedStore(home) as first, EmbeddedStore(home) as second:
        _fill(first, 1)
        slow = _Overtaking(receiver.url, name="post")
        slow.other = Deliverer(second, [PostChannel(receiver.url)])
        report = Deliverer(first, [slow]).deliver_due(now=T0)
        assert report == DeliveryReport(claimed=1, overtaken=1)
        record = first.get_state(KIND, "n-0")
        assert record.state == "delivered"
        assert record.body["delivered_at"] == (T0 + timedelta(minutes=5)).isoformat()
        assert len(first.read_audit(action="notification.delivered")) == 1
    assert receiver.counts() == {"n-0": 2}  # the window the lease exists for, documented


class _SlowClockChannel(PostChannel):
    """Each send takes 40 s by the test's clock."""

    kind = "slow"

    def __init__(self, url, clock):
        super().__init__(url, name="post")
        self.clock = clock

    def send(self, notification):
        self.clock.advance(seconds=40)
        return super().send(notification)


def test_no_send_starts_once_half_the_lease_is_gone(store, receiver, clock):
    _fill(store, 3)
    deliverer = Deliverer(
        store, [_SlowClockChannel(receiver.url, clock)], retry=RetryPolicy(lease=60), clock=clock
    )
    assert deliverer.deliver_due() == DeliveryReport(claimed=3, delivered=1, released=2)
    assert [e.due_at for e in deliverer.pending()] == [T0 + timedelta(seconds=40)] * 2
    assert deliverer.deliver_due() == DeliveryReport(claimed=2, delivered=1, released=1)
    assert deliverer.deliver_due() == DeliveryReport(claimed=1, delivered=1)
    assert sorted(receiver.counts().values()) == [1, 1, 1]


def test_a_stop_mid_round_gives_back_what_was_not_sent(store, receiver, clock):
    stop = threading.Event()

    class Stopping(PostChannel):
        def send(self, notification):
            stop.set()  # as if the process were asked to stop during this send
            return super().send(notification)

    _fill(store, 5)
    deliverer = Deliverer(store, [Stopping(receiver.url)], clock=clock)
    report = deliverer.deliver_due(stop=stop)
    assert report == DeliveryReport(claimed=5, delivered=1, released=4)
    assert [e.due_at for e in deliverer.pending()] == [T0] * 4  # due at once, not leased
    assert receiver.counts() == {"n-0": 1}


# ---------------------------------------------------------------------- running
def test_drain_delivers_everything_due(store, receiver):
    _fill(store, 250, at=datetime.now(UTC))
    report = Deliverer(store, [PostChannel(receiver.url)]).drain(timeout=60)
    assert report.delivered == 250 and report.claimed == 250
    assert sorted(receiver.counts().values()) == [1] * 250


def test_drain_can_wait_for_retries(store, receiver):
    receiver.answer(200, then=[503, 503])
    _fill(store, 1, at=datetime.now(UTC))
    quick = RetryPolicy(first_delay=0.05, max_delay=0.2, jitter="none")
    deliverer = Deliverer(store, [PostChannel(receiver.url)], retry=quick)
    assert deliverer.drain(timeout=10).retried == 1  # does not wait by default
    report = deliverer.drain(timeout=10, wait_for_retries=True)
    assert (report.retried, report.delivered) == (1, 1)
    assert receiver.counts() == {"n-0": 1}


def test_background_threads_deliver_each_once_and_stop(store, receiver):
    deliverer = Deliverer(store, [PostChannel(receiver.url)])
    deliverer.start(threads=4, poll=0.02, limit=10)
    with pytest.raises(ConfigError, match="already running"):
        deliverer.start()
    _fill(store, 200, at=datetime.now(UTC))
    deadline = time.monotonic() + 60
    while deliverer.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert deliverer.stop(timeout=10) and not deliverer.running
    assert len(receiver.counts()) == 200 and set(receiver.counts().values()) == {1}
    assert not any(t.name.startswith("driftscope-delivery") for t in threading.enumerate())


def test_run_forever_survives_a_failing_round(store, receiver, caplog):
    class Flaky(PostChannel):
        calls = 0

        def send(self, notification):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("a bug in the channel")
            return super().send(notification)

    _fill(store, 1, at=datetime.now(UTC))
    quick = RetryPolicy(first_delay=0.01, max_delay=0.02)
    deliverer = Deliverer(store, [Flaky(receiver.url)], retry=quick)
    stop = threading.Event()
    worker = threading.Thread(target=deliverer.run_forever, args=(stop, 0.01))
    worker.start()
    deadline = time.monotonic() + 30
    while deliverer.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    worker.join(10)
    entry = deliverer.entry("n-0")
    assert entry.state == "delivered" and entry.attempts == 2
    assert entry.last_error == "RuntimeError: a bug in the channel"


def test_deliverer_arguments_are_checked(store, receiver):
    post = PostChannel(receiver.url)
    with pytest.raises(ConfigError, match="two channels are named 'post'"):
        Deliverer(store, [post, PostChannel(receiver.url)])
    with pytest.raises(ConfigError, match="channel 'x' is not a Channel"):
        Deliverer(store, {"x": object()})
    with pytest.raises(ConfigError, match="retry must be a RetryPolicy"):
        Deliverer(store, [post], retry={"lease": 3})
    with pytest.raises(ConfigError, match="store"):
        Deliverer(object(), [post])
    with pytest.raises(ConfigError, match="timezone-aware"):
        Deliverer(store, [post]).deliver_due(now=datetime(2026, 1, 1))
    with pytest.raises(ConfigError, match="timezone-aware"):
        Deliverer(store, [post], clock=lambda: datetime(2026, 1, 1)).deliver_due()
    assert "s3cr3t" not in repr(Deliverer(store, [PostChannel(receiver.url + "/s3cr3t")]))
