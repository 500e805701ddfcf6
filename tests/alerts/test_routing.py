"""The routing tree: first matching child wins, continue, inherited settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from driftscope.alerts.routing import Route, RouteSettings, RouteTree
from driftscope.errors import ConfigError
from driftscope.store import open_store
from tests.alerts.engine_support import setup

TREE = Route(
    channels=["slack"],
    group_by=["alertname", "model"],
    group_wait="30s",
    routes=[
        Route(
            matchers='severity="critical"',
            channels=["pagerduty"],
            group_wait="5s",
            continue_=True,
            routes=[Route(matchers='model="fraud"', channels=["fraud-oncall"])],
        ),
        Route(matchers='team="risk"', channels=["email"], repeat_interval="1h"),
        Route(matchers='team=~"risk|ml"', channels=["teams"]),
        Route(matchers={"model": "churn"}, group_by=["..."]),
    ],
)


def names(labels):
    return [t.channels for t in RouteTree(TREE, RouteSettings()).match(labels)]


def test_first_matching_child_wins():
    assert names({"team": "risk"}) == [("email",)]  # the team=~ route is not reached
    assert names({"team": "ml"}) == [("teams",)]


def test_continue_goes_on_to_later_siblings():
    assert names({"severity": "critical", "team": "risk"}) == [("pagerduty",), ("email",)]


def test_deepest_matching_route_takes_the_alert():
    assert names({"severity": "critical", "model": "fraud"}) == [("fraud-oncall",)]
    assert names({"severity": "critical", "model": "churn"}) == [("pagerduty",), ("slack",)]


def test_nothing_matching_falls_back_to_the_root():
    assert names({"severity": "warning"}) == [("slack",)]


def test_settings_are_inherited_and_overridden():
    tree = RouteTree(TREE, RouteSettings())
    (critical,) = [t for t in tree.match({"severity": "critical", "model": "fraud"})][:1]
    assert critical.channels == ("fraud-oncall",)
    assert critical.group_wait == timedelta(seconds=5)  # from its parent
    assert critical.group_by == ("alertname", "model")  # from the root
    (risk,) = tree.match({"team": "risk"})
    assert (risk.repeat_interval, risk.group_wait) == (timedelta(hours=1), timedelta(seconds=30))
    (churn,) = tree.match({"model": "churn", "x": "1"})
    assert churn.channels == ("slack",) and churn.group_labels({"model": "churn", "x": "1"}) == {
        "model": "churn",
        "x": "1",
    }


def test_route_keys_change_with_the_settings():
    a = RouteTree(Route(channels=["slack"]), RouteSettings()).match({})[0]
    b = RouteTree(Route(channels=["slack"], group_wait="1m"), RouteSettings()).match({})[0]
    assert a.key != b.key and a.path == b.path == "root"


def test_from_dict_reads_alertmanager_keys():
    route = Route.from_dict(
        {
            "receiver": "slack",
            "routes": [{"matchers": ['severity="critical"'], "receiver": "pd", "continue": True}],
        }
    )
    assert route.routes[0].continue_ and route.routes[0].channels == ("pd",)
    with pytest.raises(ConfigError, match="unknown keys: recevier"):
        Route.from_dict({"recevier": "slack"})


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda: Route(channels=["a"], receiver="b"), "not both"),
        (lambda: Route(group_wait="soon"), "group_wait"),
        (lambda: Route(group_interval=0), "group_interval must be more than 0"),
        (lambda: Route(matchers="x"), "looks like"),
        (lambda: Route(routes=Route()), "routes must be a list"),
        (lambda: RouteTree(Route(matchers="a=b", channels=["x"]), RouteSettings()), "root route"),
        (lambda: RouteTree(Route(), RouteSettings()), "no channel"),
    ],
)
def test_bad_routes_are_config_errors(make, says):
    with pytest.raises(ConfigError, match=says):
        make()


def test_manager_refuses_routes_to_unknown_channels(tmp_path):
    with open_store(tmp_path) as store, pytest.raises(ConfigError) as caught:
        setup(store, ["slack", "email"], routes=[Route(channels=["pagerduty"])])
    assert "'pagerduty'" in str(caught.value) and "configured: email, slack" in str(caught.value)


def test_manager_routes_alerts_through_the_tree(tmp_path):
    with open_store(tmp_path) as store:
        s = setup(
            store,
            ["slack", "pagerduty"],
            routes=Route(
                channels=["slack"],
                routes=[Route(matchers='severity="critical"', channels=["pagerduty"])],
            ),
        )
        s.manager.send_alert("critical", "Accuracy low", model="churn")
        s.manager.send_alert("warning", "Drift", model="fraud")
        assert s["pagerduty"].alerts() == [[("Accuracy low", "firing")]]
        assert s["slack"].alerts() == [[("Drift", "firing")]]
