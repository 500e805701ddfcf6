"""channel_kinds and build_channel: every kind by name, options checked with errors that
name the kind and the option, secrets kept as Secret, prices passed on."""

from __future__ import annotations

import inspect
import re

import pytest

from driftscope.alerts.channels import Channel, Secret, build_channel, channel_kinds
from driftscope.errors import ConfigError

MINIMAL = {
    "slack": {"webhook_url": "https://hooks.slack.com/services/T/B/x"},
    "email": {"host": "smtp.test", "port": 587, "sender": "a@b.test", "recipients": "c@d.test"},
    "pagerduty": {"routing_key": "k"},
    "teams": {"webhook_url": "https://x.logic.azure.com/workflows/1"},
    "webhook": {"url": "https://hooks.test/x"},
    "alertmanager": {"url": "http://127.0.0.1:9093"},
    "console": {},
    "github": {"repo": "acme/models", "token": "t"},
    "jira": {"base_url": "https://acme.atlassian.net", "project_key": "OPS", "email": "a@b.test",
             "api_token": "t"},
}  # fmt: skip

SECRET_OPTIONS = {
    "slack": ["webhook_url"],
    "email": ["password"],
    "pagerduty": ["routing_key"],
    "teams": ["webhook_url"],
    "webhook": ["secret"],
    "alertmanager": ["password", "bearer_token"],
    "github": ["token"],
    "jira": ["api_token"],
}


def test_every_kind_is_registered_by_its_name():
    kinds = channel_kinds()
    assert set(kinds) == set(MINIMAL)
    for kind, cls in kinds.items():
        assert issubclass(cls, Channel) and cls.kind == kind
    assert [k for k, c in kinds.items() if c.tickets] == ["github", "jira"]
    assert sorted(k for k, c in kinds.items() if c.dedups) == ["alertmanager", "pagerduty"]


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_build_each_kind_with_a_name_and_a_price(kind):
    channel = build_channel(kind, name=f"my-{kind}", price_per_message=0.01, **MINIMAL[kind])
    assert isinstance(channel, channel_kinds()[kind])
    assert (channel.name, channel.price_per_message) == (f"my-{kind}", 0.01)
    assert build_channel(kind, **MINIMAL[kind]).name == kind


@pytest.mark.parametrize("kind", sorted(SECRET_OPTIONS))
def test_secret_options_take_a_string_or_a_secret_and_keep_a_secret(kind, monkeypatch):
    monkeypatch.setenv("DS_TEST_SECRET", "from-env-s3cr3t")
    options = dict(MINIMAL[kind])
    for option in SECRET_OPTIONS[kind]:
        if option == "bearer_token":
            continue  # alertmanager: password or bearer_token, not both (tested below)
        options[option] = (
            "https://hooks.test/from-env-s3cr3t" if option == "webhook_url" else "from-env-s3cr3t"
        )
        if option == "password":
            options["username"] = "user"
    built = build_channel(kind, **options)
    for option in SECRET_OPTIONS[kind]:
        if option in options:
            assert isinstance(getattr(built, option), Secret), option
    assert "from-env-s3cr3t" not in repr(built)
    assert "from-env-s3cr3t" in " ".join(s.reveal() for s in built.secrets())
    options[SECRET_OPTIONS[kind][0]] = Secret.from_env("DS_TEST_SECRET")
    if SECRET_OPTIONS[kind][0] == "webhook_url":
        monkeypatch.setenv("DS_TEST_SECRET", "https://hooks.test/x")
        options["webhook_url"] = Secret.from_env("DS_TEST_SECRET")
    rebuilt = build_channel(kind, **options)
    assert getattr(rebuilt, SECRET_OPTIONS[kind][0]).source == "$DS_TEST_SECRET"


def test_unknown_kinds_and_options_and_missing_ones_are_named():
    with pytest.raises(ConfigError, match="unknown channel kind 'sms'; the kinds are alertmanager"):
        build_channel("sms")
    with pytest.raises(ConfigError, match="pagerduty channel: unknown option 'routingkey'"):
        build_channel("pagerduty", routingkey="k")
    with pytest.raises(ConfigError, match="email channel: the option 'sender' is required"):
        build_channel("email", host="h", port=25, recipients="a@b.test")


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("pagerduty", {"routing_key": ""}, "pagerduty channel: routing_key must be a non-empty"),
        (
            "pagerduty",
            {"routing_key": None},
            "routing_key must be a non-empty string or a Secret, got None",
        ),
        ("slack", {"webhook_url": "https://h.test/x", "timeout": 0}, "timeout must be a number"),
        (
            "slack",
            {"webhook_url": "https://h.test/x", "max_alerts": 16},
            "max_alerts must be a whole number from 1 to 15",
        ),
        (
            "slack",
            {"webhook_url": "https://h.test/x", "verify": "/nope/ca.pem"},
            "verify names a CA bundle that cannot be read",
        ),
        (
            "email",
            {**MINIMAL["email"], "starttls": "yes"},
            'starttls must be True, False or "auto"',
        ),
        ("email", {**MINIMAL["email"], "ssl": True, "starttls": True}, "exclude each other"),
        (
            "email",
            {**MINIMAL["email"], "recipients": ["nobody"]},
            "recipients must be an e-mail address",
        ),
        ("email", {**MINIMAL["email"], "recipients": []}, "at least one address"),
        ("email", {**MINIMAL["email"], "username": "u"}, "username and password go together"),
        ("email", {**MINIMAL["email"], "port": 70000}, "port must be 1 to 65535"),
        ("github", {"repo": "acme", "token": "t"}, "repo must be 'owner/name'"),
        (
            "jira",
            {**MINIMAL["jira"], "project_key": "ops"},
            "project_key must be a Jira project key",
        ),
        ("jira", {**MINIMAL["jira"], "assignee_by": "email"}, "assignee_by must be"),
        (
            "alertmanager",
            {"url": "http://a.test", "password": "p", "username": "u", "bearer_token": "t"},
            "not both",
        ),
        ("console", {"stream": object()}, "stream must have a write"),
        (
            "webhook",
            {"url": "https://h.test", "price_per_message": -1},
            "price_per_message must be a number >= 0",
        ),
    ],
)
def test_bad_options_are_config_errors_naming_the_option(kind, options, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_channel(kind, **options)


def test_every_constructor_takes_name_and_price_per_message():
    for cls in channel_kinds().values():
        parameters = inspect.signature(cls).parameters
        assert {"name", "price_per_message"} <= set(parameters), cls
