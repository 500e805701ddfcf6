"""State records and the audit log: the same contract on the embedded store and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from driftscope.errors import ConfigError
from driftscope.store.state import AuditEntry, StateRecord

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_put_get_and_versions(store):
    assert store.get_state("alert", "a") is None
    first = store.put_state(StateRecord("alert", "a", "firing", {"n": 1}, model="churn"))
    assert (first.version, first.state, first.body, first.model) == (1, "firing", {"n": 1}, "churn")
    assert first.created_at is not None and first.created_at.tzinfo is not None
    second = store.put_state(first.with_changes(state="resolved"), if_version=1)
    assert second is not None and second.version == 2
    assert second.created_at == first.created_at
    assert store.put_state(first.with_changes(state="firing"), if_version=1) is None
    assert store.get_state("alert", "a").state == "resolved"
    assert store.put_state(StateRecord("alert", "a", "x"), if_version=0) is None
    assert store.put_state(StateRecord("alert", "b", "x"), if_version=0).version == 1
    assert store.get_state("silence", "a") is None  # kinds are apart


def test_body_must_be_plain_json(store):
    with pytest.raises(ConfigError, match="alert 'a'"):
        store.put_state(StateRecord("alert", "a", "firing", {"x": float("nan")}))
    with pytest.raises(ConfigError, match="alert 'a'"):
        store.put_state(StateRecord("alert", "a", "firing", {"x": object()}))
    assert store.get_state("alert", "a") is None


def test_find_filters_and_order(store):
    for key, model, state, due in [
        ("n3", "churn", "pending", T0 + timedelta(minutes=3)),
        ("n1", "churn", "pending", T0 + timedelta(minutes=1)),
        ("n2", "fraud", "pending", T0 + timedelta(minutes=2)),
        ("n0", "churn", "delivered", None),
    ]:
        store.put_state(StateRecord("notification", key, state, {}, model=model, due_at=due))
    keys = [r.key for r in store.find_state("notification")]
    assert keys == ["n1", "n2", "n3", "n0"]
    assert [r.key for r in store.find_state("notification", model="churn")] == ["n1", "n3", "n0"]
    assert [r.key for r in store.find_state("notification", states=["delivered"])] == ["n0"]
    due = store.find_state("notification", due_before=T0 + timedelta(minutes=2))
    assert [r.key for r in due] == ["n1", "n2"]
    assert [r.key for r in store.find_state("notification", limit=1)] == ["n1"]
    assert store.find_state("notification", states=[]) == []
    recent = store.find_state("notification", updated_since=datetime.now(UTC) + timedelta(hours=1))
    assert recent == []


def test_claim_due_leases_once(store):
    for i in range(5):
        store.put_state(
            StateRecord(
                "notification", f"n{i}", "pending", {"i": i}, due_at=T0 + timedelta(seconds=i)
            )
        )
    now = T0 + timedelta(seconds=10)
    lease = timedelta(seconds=30)
    got = store.claim_due("notification", states=["pending"], now=now, lease=lease, limit=3)
    assert [r.key for r in got] == ["n0", "n1", "n2"]
    assert all(r.due_at == now + lease and r.version == 2 for r in got)
    rest = store.claim_due("notification", states=["pending"], now=now, lease=lease, limit=10)
    assert [r.key for r in rest] == ["n3", "n4"]
    assert store.claim_due("notification", states=["pending"], now=now, lease=lease, limit=10) == []
    later = now + lease
    again = store.claim_due("notification", states=["pending"], now=later, lease=lease, limit=10)
    assert len(again) == 5  # leases ran out: a dead worker's records come back
    with pytest.raises(ConfigError):
        store.claim_due("notification", states=["pending"], now=now, lease=timedelta(0), limit=1)


def test_claims_from_threads_never_overlap(store):
    for i in range(40):
        store.put_state(StateRecord("notification", f"n{i:02d}", "pending", {}, due_at=T0))
    taken: list[str] = []
    lock = threading.Lock()

    def worker():
        while True:
            got = store.claim_due(
                "notification", states=["pending"], now=T0, lease=timedelta(minutes=5), limit=3
            )
            if not got:
                return
            with lock:
                taken.extend(r.key for r in got)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == [f"n{i:02d}" for i in range(40)]


def test_compare_and_set_from_threads_has_one_winner(store):
    wins = []

    def claim(i):
        if store.put_state(
            StateRecord("run", "daily:2026-12-01", "claimed", {"by": i}), if_version=0
        ):
            wins.append(i)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert store.get_state("run", "daily:2026-12-01").body == {"by": wins[0]}


def test_delete(store):
    store.put_state(StateRecord("silence", "s", "active"))
    assert store.delete_state("silence", "s") is True
    assert store.delete_state("silence", "s") is False
    assert store.get_state("silence", "s") is None


def test_audit_log(store):
    entries = [
        AuditEntry("alert.fired", model="churn", subject="f1", reason="accuracy low", at=T0),
        AuditEntry("alert.silenced", model="churn", subject="f1", at=T0 + timedelta(minutes=1)),
        AuditEntry(
            "retrain.triggered",
            model="churn",
            subject="job-1",
            details={"score": 0.31},
            at=T0 + timedelta(minutes=2),
        ),
        AuditEntry("alert_x.other", model="fraud", subject="f2", at=T0 + timedelta(minutes=3)),
    ]
    store.append_audit(entries)
    store.append_audit([])
    got = store.read_audit()
    assert [e.action for e in got] == [e.action for e in entries]
    assert got[0].id < got[1].id and got[2].details == {"score": 0.31}
    assert got[0].at == T0 and got[0].reason == "accuracy low"
    assert [e.action for e in store.read_audit(action="alert.")] == [
        "alert.fired",
        "alert.silenced",
    ]
    assert [e.action for e in store.read_audit(action="alert.fired")] == ["alert.fired"]
    assert [e.subject for e in store.read_audit(model="fraud")] == ["f2"]
    assert len(store.read_audit(subject="f1")) == 2
    window = store.read_audit(since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3))
    assert [e.action for e in window] == ["alert.silenced", "retrain.triggered"]
    assert [e.action for e in store.read_audit(limit=2)] == ["retrain.triggered", "alert_x.other"]
    with pytest.raises(ConfigError):
        store.append_audit([AuditEntry("bad", details={"x": float("inf")})])
    assert len(store.read_audit()) == 4


def test_state_survives_reopen(store_factory):
    store = store_factory()
    store.put_state(StateRecord("ticket", "t1", "open", {"title": "drift"}, model="churn"))
    store.append_audit([AuditEntry("ticket.opened", model="churn", subject="t1")])
    store.close()
    again = store_factory()
    assert again.get_state("ticket", "t1").body == {"title": "drift"}
    assert [e.subject for e in again.read_audit(model="churn")] == ["t1"]


def test_bodies_and_times_round_trip_exactly(store):
    body = {
        "big": 1e20,
        "huge": 1e300,
        "tiny": 5e-324,
        "one": 1.0,
        "int": 2**70,
        "negative": -0.5,
        "text": 'é 😀 a\x00b \\ "q"',
        "nested": {"list": [1, None, True, {"z": [], "a": {}}]},
    }
    due = datetime(2026, 12, 1, 8, 30, 15, 123457, tzinfo=UTC)
    put = store.put_state(StateRecord("alert", "a", "firing", body, model="churn", due_at=due))
    got = store.get_state("alert", "a")
    assert got == put
    assert got.body == body and got.due_at == due
    types = {k: type(v) for k, v in got.body.items()}
    assert types == {k: type(v) for k, v in body.items()}  # 1e20 stays a float
    assert got.created_at == got.updated_at and got.created_at.utcoffset() == timedelta(0)
    at = datetime(2026, 12, 1, 9, 0, 0, 999999, tzinfo=UTC)
    store.append_audit([AuditEntry("alert.fired", subject="a", details=body, at=at)])
    (entry,) = store.read_audit()
    assert entry.at == at and entry.details == body
    assert entry.at.utcoffset() == timedelta(0)


def test_updates_keep_created_at_and_move_updated_at(store):
    first = store.put_state(StateRecord("ticket", "t", "open", {"n": 1}, due_at=T0))
    second = store.put_state(StateRecord("ticket", "t", "closed", {}, model="m"))
    assert second.version == 2 and second.created_at == first.created_at
    assert second.updated_at >= first.updated_at
    assert (second.state, second.body, second.model, second.due_at) == ("closed", {}, "m", None)
    assert store.get_state("ticket", "t") == second
    recent = store.find_state("ticket", updated_since=second.updated_at)
    assert recent == [second]


def test_claim_due_takes_only_its_kind_and_states(store):
    now = T0 + timedelta(minutes=1)
    for kind, key, state, due in [
        ("notification", "a", "pending", T0),
        ("notification", "b", "delivered", T0),
        ("notification", "c", "pending", None),
        ("notification", "d", "pending", now + timedelta(microseconds=1)),
        ("silence", "e", "pending", T0),
        ("notification", "f", "retrying", now),
    ]:
        store.put_state(StateRecord(kind, key, state, due_at=due))
    got = store.claim_due(
        "notification", states=["pending", "retrying"], now=now, lease=timedelta(1), limit=10
    )
    assert [r.key for r in got] == ["a", "f"]  # earliest first
    assert store.get_state("notification", "b").due_at == T0
    assert store.get_state("silence", "e").version == 1
    assert store.claim_due("notification", states=[], now=now, lease=timedelta(1), limit=1) == []


def test_audit_prefix_is_not_a_pattern(store):
    actions = ["a_b.x", "axb.y", "50%.z", "50x.w", "back\\.v", "backx.u", "alert.", "alertx"]
    store.append_audit([AuditEntry(a) for a in actions])

    def read(action):
        return [e.action for e in store.read_audit(action=action)]

    assert read("a_b.") == ["a_b.x"]
    assert read("50%.") == ["50%.z"]
    assert read("back\\.") == ["back\\.v"]
    assert read("alert.") == ["alert."]
    assert read("a_b") == [] and read("alert") == []
    assert store.read_audit(limit=0) == []


def _in_processes(n, work):
    """Run ``work(i, ready)`` in ``n`` forked processes; what each returned, in order."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    ready, results = ctx.Barrier(n), ctx.Queue()

    def run(i):
        results.put((i, work(i, ready)))

    procs = [ctx.Process(target=run, args=(i,)) for i in range(n)]
    for p in procs:
        p.start()
    got = dict(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * n
    return [got[i] for i in range(n)]


def test_claims_from_processes_never_overlap(store_factory):
    store = store_factory()
    for i in range(60):
        store.put_state(StateRecord("notification", f"n{i:02d}", "pending", {}, due_at=T0))

    def work(i, ready):
        mine = store_factory()
        ready.wait(30)
        taken = []
        while got := mine.claim_due(
            "notification", states=["pending"], now=T0, lease=timedelta(minutes=5), limit=2
        ):
            taken += [r.key for r in got]
        mine.close()
        return taken

    taken = [key for keys in _in_processes(3, work) for key in keys]
    assert sorted(taken) == [f"n{i:02d}" for i in range(60)]
    assert all(r.version == 2 for r in store.find_state("notification"))


def test_compare_and_set_from_processes_has_one_winner(store_factory):
    store = store_factory()
    base = store.put_state(StateRecord("run", "daily", "open", {"round": 0}))

    def work(i, ready):
        mine = store_factory()
        ready.wait(30)
        new = mine.put_state(base.with_changes(state="claimed", body={"by": i}), if_version=1)
        mine.close()
        return new is not None

    wins = _in_processes(4, work)
    assert sum(wins) == 1
    final = store.get_state("run", "daily")
    assert final.version == 2 and final.body == {"by": wins.index(True)}


def test_put_states_writes_each_with_its_own_compare_and_set(store):
    store.put_state(StateRecord("alert", "a", "firing", {"n": 1}))
    written = store.put_states(
        [
            StateRecord("alert", "a", "resolved", {"n": 2}),
            StateRecord("alert", "b", "firing", {}),
            StateRecord("alert", "c", "firing", {}),
        ],
        if_versions=[1, 0, 5],
    )
    assert [None if r is None else (r.key, r.version) for r in written] == [
        ("a", 2),
        ("b", 1),
        None,
    ]
    assert store.get_state("alert", "a").body == {"n": 2}
    assert store.get_state("alert", "c") is None
    assert [r.version for r in store.put_states([StateRecord("alert", "b", "x")])] == [2]
    assert store.put_states([]) == []
    with pytest.raises(ConfigError, match="if_versions"):
        store.put_states([StateRecord("alert", "d", "x")], if_versions=[])


def test_put_states_writes_nothing_when_one_record_is_bad(store):
    with pytest.raises(ConfigError, match="alert 'b'"):
        store.put_states(
            [
                StateRecord("alert", "a", "firing", {}),
                StateRecord("alert", "b", "firing", {"x": float("nan")}),
            ]
        )
    assert store.get_state("alert", "a") is None


def test_put_states_one_key_twice_on_one_version_wins_once(store):
    store.put_state(StateRecord("run", "k", "claimed"))
    first, second = store.put_states(
        [StateRecord("run", "k", "a"), StateRecord("run", "k", "b")], if_versions=[1, 1]
    )
    assert first is not None and first.version == 2 and second is None
    assert store.get_state("run", "k").state == "a"


def test_wrong_argument_types_are_config_errors_naming_what_was_expected(store):
    with pytest.raises(ConfigError, match="takes a StateRecord"):
        store.put_state({"kind": "alert"})
    with pytest.raises(ConfigError, match="if_version must be None or an int"):
        store.put_state(StateRecord("alert", "a", "x"), if_version="1")
    with pytest.raises(ConfigError, match="takes AuditEntry"):
        store.append_audit([AuditEntry("ok"), "alert.fired"])
    assert store.get_state("alert", "a") is None and store.read_audit() == []
