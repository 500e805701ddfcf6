"""Silences (matchers, time windows, expiry) and inhibition (a critical on a model mutes
its warnings); both recorded in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from driftscope.alerts.inhibition import InhibitRule
from driftscope.errors import ConfigError
from tests.alerts.engine_support import setup


def test_an_active_silence_mutes_matching_alerts_only(store):
    s = setup(store, group_interval="1m")
    silence = s.manager.silence(
        {"model": "churn"}, duration="2h", created_by="ana", comment="retraining"
    )
    muted = s.manager.send_alert("warning", "Drift", model="churn")
    other = s.manager.send_alert("warning", "Drift", model="fraud")
    assert (muted.outcome, muted.muted_by) == ("silenced", f"silence:{silence.id}")
    assert other.outcome == "notified"
    assert s["slack"].alerts() == [[("Drift", "firing")]]
    assert s.manager.alert(muted.fingerprint).silenced  # firing, recorded, not notified
    (entry,) = s.manager.audit("alert.silenced")
    assert (entry.subject, entry.reason) == (muted.fingerprint, f"silence {silence.id}")
    assert s.manager.audit("silence.created")[0].actor == "ana"


def test_a_silence_mutes_only_inside_its_time_window(store):
    s = setup(store, group_interval="1m")
    start = s.clock.now + timedelta(hours=1)
    s.manager.silence(
        'severity=~"warning|info"',
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        created_by="ana",
    )
    assert s.manager.send_alert("warning", "Before", model="m").outcome == "notified"
    s.clock.advance(hours=1)
    assert s.manager.send_alert("warning", "During", model="m").outcome == "silenced"
    assert s.manager.send_alert("critical", "Critical", model="x").outcome == "notified"
    s.clock.advance(hours=1)  # the silence has ended: the muted alert is notified now
    s.manager.tick()
    assert [a for n in s["slack"].alerts() for (a, _) in n].count("During") == 1
    assert [x.id for x in s.manager.silences()] == []  # expired at the tick
    assert len(s.manager.silences(include_expired=True)) == 1


def test_expiring_a_silence_lets_its_alerts_through_at_the_next_check(store):
    s = setup(store, group_interval="1m")
    silence = s.manager.silence('model="churn"', duration="1d", created_by="ana")
    s.manager.send_alert("warning", "Drift", model="churn")
    s.manager.tick()
    assert s["slack"].sent == []
    assert s.manager.expire_silence(silence.id, by="bob").id == silence.id
    assert s.manager.expire_silence(silence.id) is None  # once
    s.clock.advance(60)
    s.manager.tick()
    assert s["slack"].alerts() == [[("Drift", "firing")]]
    assert [e.action for e in s.manager.audit("alert.")][-2:] == ["alert.unmuted", "alert.notified"]


@pytest.mark.parametrize(
    "matchers, says",
    [('model=~".*"', "does not match an empty label"), ("", "does not match an empty label")],
)
def test_a_silence_cannot_mute_everything(store, matchers, says):
    s = setup(store)
    with pytest.raises(ConfigError, match=says):
        s.manager.silence(matchers, duration="1h", created_by="ana")
    with pytest.raises(ConfigError, match="duration or ends_at"):
        s.manager.silence('model="a"', created_by="ana")


def test_a_critical_on_a_model_inhibits_its_warnings(store):
    s = setup(store, group_interval="1m")
    crit = s.manager.send_alert("critical", "Accuracy low", model="churn")
    warn = s.manager.send_alert("warning", "Drift", model="churn")
    info = s.manager.send_alert("info", "Minor drift", model="churn")
    other = s.manager.send_alert("warning", "Drift", model="fraud")
    bare = s.manager.send_alert("warning", "No model")  # a critical without model: none here
    assert crit.outcome == "notified" and other.outcome == "notified" and bare.outcome == "notified"
    assert (warn.outcome, warn.muted_by) == ("inhibited", f"inhibited:{crit.fingerprint}")
    assert info.outcome == "inhibited"
    sent = [a for n in s["slack"].alerts() for (a, _) in n]
    assert sorted(sent) == ["Accuracy low", "Drift", "No model"]
    # the critical resolves: its warnings are notified at their next check
    s.manager.resolve(crit.fingerprint)
    s.clock.advance(60)
    s.manager.tick()
    later = [a for n in s["slack"].alerts()[3:] for a in n]
    assert ("Drift", "firing") in later and ("Minor drift", "firing") in later
    assert len(s.manager.audit("alert.inhibited")) == 2


def test_a_critical_without_a_model_inhibits_nothing(store):
    s = setup(store)
    s.manager.send_alert("critical", "Everything is down")
    assert s.manager.send_alert("warning", "Drift").outcome == "notified"


def test_custom_inhibit_rules_and_none(store):
    rules = [InhibitRule('alertname="ModelDown"', 'alertname!="ModelDown"', equal=["model"])]
    s = setup(store, inhibit_rules=rules)
    s.manager.send_alert("warning", "ModelDown", model="m")
    assert s.manager.send_alert("critical", "Accuracy low", model="m").outcome == "inhibited"
    none = setup(store, ["email"], inhibit_rules=[], clock=s.clock)
    none.manager.send_alert("critical", "X", model="q")
    assert none.manager.send_alert("warning", "Y", model="q").outcome == "notified"


def test_an_alert_never_inhibits_itself(store):
    rules = [InhibitRule('model="m"', 'model="m"', equal=["model"])]
    s = setup(store, inhibit_rules=rules)
    assert s.manager.send_alert("warning", "Only", model="m").outcome == "notified"
