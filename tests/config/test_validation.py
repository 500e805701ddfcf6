"""The configuration file's errors name the file, the line and the field; secrets only
from the environment; durations, windows, cron and time zones checked at load."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from driftscope.alerts.channels.base import Secret
from driftscope.errors import ConfigError
from driftscope.ops import ConfigFileError, load_config, parse_config

MINIMAL = "models:\n  - name: churn\n"


def write(tmp_path: Path, text: str, name: str = "monitor.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    error = caught.value
    found = list(error.problems) if isinstance(error, ConfigFileError) else [str(error)]
    return [p.replace(str(path), "monitor.yaml") for p in found]


def test_a_minimal_file_loads_with_the_defaults(tmp_path):
    config = load_config(write(tmp_path, MINIMAL), environ={})
    model = config.model("churn")
    assert model.baseline == "stored" and model.window == "day" and model.rules == []
    assert config.store is None and config.channels == {}
    assert config.grouping.group_wait == timedelta(seconds=30)
    assert config.grouping.repeat_interval == timedelta(hours=4)
    assert config.delivery.tick == timedelta(seconds=30)


def test_wrong_type_names_file_line_and_field(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            rules:
              - name: accuracy-low
                metric: accuracy
                threshold: 0.85
              - name: drift
                metric: data_drift_score
                threshold: high
        """,
    )
    assert found == [
        "monitor.yaml:9: models[0].rules[1].threshold: Input should be a valid number, "
        "unable to parse string as a number"
    ]


def test_unknown_key_suggests_the_right_one(tmp_path):
    found = problems(tmp_path, "models:\n  - name: churn\n    windw: day\n")
    assert found == [
        "monitor.yaml:3: models[0].windw: unknown key 'windw' (did you mean 'window'?)"
    ]
    found = problems(tmp_path, "models: [{name: churn}]\nstores: x\n")
    assert found == ["monitor.yaml:2: stores: unknown key 'stores' (did you mean 'store'?)"]


def test_unknown_key_in_a_channel_of_some_kind(tmp_path):
    found = problems(
        tmp_path,
        """
        models: [{name: churn}]
        channels:
          mail:
            kind: email
            host: smtp.example.com
            sender: a@example.com
            recipients: [b@example.com]
            start_tls: true
        """,
    )
    assert found == [
        "monitor.yaml:8: channels.mail.start_tls: unknown key 'start_tls' "
        "(did you mean 'starttls'?)"
    ]


def test_missing_field_is_named_at_its_mapping(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            rules:
              - name: drift
                threshold: 0.2
        """,
    )
    assert found == ["monitor.yaml:4: models[0].rules[0].metric: is required but missing"]
    assert problems(tmp_path, "store: x\n") == ["monitor.yaml:1: models: is required but missing"]


def test_bad_cron_and_bad_time_zone(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            schedule:
              cron: "0 25 * * *"
          - name: fraud
            schedule: {cron: "0 2 * *"}
          - name: spam
            schedule: {cron: "0 2 * * *", timezone: Mars/Olympus}
          - name: both
            schedule: {cron: "0 2 * * *", every: 1h}
        """,
    )
    assert found[0].startswith("monitor.yaml:3: models[0].schedule: not a valid cron expression")
    assert "25" in found[0] and "maximum value (23)" in found[0]
    assert found[1].startswith("monitor.yaml:6: models[1].schedule: a cron expression has 5 fields")
    assert found[2].startswith("monitor.yaml:8: models[2].schedule.timezone: must be a time zone")
    assert found[3] == (
        "monitor.yaml:10: models[3].schedule: give either cron (e.g. '0 2 * * *') or every "
        "(e.g. 30m)"
    )


def test_bad_durations_and_windows(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            window: fortnight
            label_delay: 30
        grouping:
          group_wait: 10 minutes
          repeat_interval: -4h
        """,
    )
    assert found == [
        "monitor.yaml:3: models[0].window: must be hour, day, week or a duration such as 30s, "
        "5m, 4h or 1d, got 'fortnight'",
        "monitor.yaml:4: models[0].label_delay: must be a duration such as 30s, 5m, 4h or 1d, "
        "got 30",
        "monitor.yaml:6: grouping.group_wait: must be a duration such as 30s, 5m, 4h or 1d, "
        "got '10 minutes'",
        "monitor.yaml:7: grouping.repeat_interval: must be a duration such as 30s, 5m, 4h or "
        "1d, got '-4h'",
    ]


@pytest.mark.parametrize(
    ("channel", "field"),
    [
        ("kind: slack\n    webhook_url: https://hooks.slack.com/services/T0/B0/abc", "webhook_url"),
        ("kind: teams\n    webhook_url: https://example.webhook.office.com/x", "webhook_url"),
        ("kind: pagerduty\n    routing_key: R0UT1NGKEY", "routing_key"),
        (
            "kind: email\n    host: h\n    sender: a@b.c\n    recipients: [d@e.f]\n"
            "    username: u\n    password: hunter2",
            "password",
        ),
        ("kind: github\n    repo: acme/models\n    token: ghp_abc", "token"),
        ("kind: webhook\n    url: http://127.0.0.1:1/x\n    secret: s3cr3t", "secret"),
    ],
)
def test_an_inline_secret_is_refused_without_echoing_it(tmp_path, channel, field):
    text = f"models: [{{name: churn}}]\nchannels:\n  out:\n    {channel}\n"
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith(field))
    assert found[0].startswith(f"monitor.yaml:{line}: channels.out.{field}: is a secret written")
    assert "environment variable" in found[0] and "${" in found[0]
    secret = text.splitlines()[line - 1].split(":", 1)[1].strip()
    assert secret not in found[0]


def test_an_inline_secret_header_and_database_password_are_refused(tmp_path):
    found = problems(
        tmp_path,
        """
        store: postgresql://monitor:hunter2@db.example/monitoring
        models: [{name: churn}]
        channels:
          hook:
            kind: webhook
            url: http://127.0.0.1:1/x
            headers: {Authorization: Bearer abc123, X-Team: risk}
        """,
    )
    assert len(found) == 2
    assert found[0].startswith("monitor.yaml:1: store: holds a password written inline")
    assert found[1].startswith("monitor.yaml:7: channels.hook.headers: header 'Authorization'")
    assert "hunter2" not in " ".join(found) and "abc123" not in " ".join(found)


def test_secrets_come_from_the_environment(tmp_path):
    path = write(
        tmp_path,
        """
        store: postgresql://monitor:${PGPASSWORD}@db.example/monitoring
        models: [{name: churn}]
        channels:
          team-slack: {kind: slack, webhook_url: "${SLACK_URL}"}
          hook:
            kind: webhook
            url: http://127.0.0.1:1/x
            secret: ${HOOK_SECRET}
            headers: {Authorization: "Bearer ${HOOK_TOKEN}"}
        """,
    )
    env = {
        "PGPASSWORD": "pw",
        "SLACK_URL": "https://hooks.slack.com/services/T0/B0/abc",
        "HOOK_SECRET": "s3cr3t",
        "HOOK_TOKEN": "tok",
    }
    config = load_config(path, environ=env)
    slack = config.channels["team-slack"]
    assert isinstance(slack.webhook_url, Secret)
    assert slack.webhook_url.reveal() == env["SLACK_URL"]
    assert config.channels["hook"].secret.reveal() == "s3cr3t"
    assert config.channels["hook"].headers == {"Authorization": "Bearer tok"}
    assert config.store == "postgresql://monitor:pw@db.example/monitoring"
    for text in (repr(config), str(config), config.model_dump_json()):
        assert "hooks.slack.com" not in text and "s3cr3t" not in text


def test_an_unset_variable_is_named_at_load(tmp_path):
    found = problems(
        tmp_path,
        """
        models: [{name: churn}]
        channels:
          oncall:
            kind: pagerduty
            routing_key: ${PD_ROUTING_KEY}
        """,
        environ={},
    )
    assert found == [
        "monitor.yaml:5: channels.oncall.routing_key: environment variable PD_ROUTING_KEY is "
        "not set"
    ]


def test_a_literal_dollar_brace_and_a_malformed_reference(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "models:\n  - name: churn\n    rules:\n      - {name: r, metric: m, "
            'threshold: 1, annotations: {note: "costs $${x}"}}\n',
        ),
        environ={},
    )
    assert config.model("churn").rules[0].annotations == {"note": "costs ${x}"}
    found = problems(tmp_path, "models:\n  - name: ${churn-model}\n")
    assert found[0].startswith("monitor.yaml:2: models[0].name: '${churn-model}' is not a variable")


def test_a_retraining_trigger_must_be_configured(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            response:
              retrain: {trigger: nightly}
        """,
    )
    assert found == [
        "monitor.yaml:4: models[0].response.retrain.trigger: no retraining trigger named "
        "'nightly' (retraining: none); add it under retraining:",
    ]


def test_duplicate_model_and_bad_channel_in_a_route(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
          - name: churn
        """,
    )
    assert found == [
        "monitor.yaml:3: models[1].name: model 'churn' is configured twice (also models[0])"
    ]
    found = problems(
        tmp_path,
        """
        models: [{name: churn}]
        channels:
          log: {kind: console}
        routes:
          channels: [log]
          routes:
            - matchers: ['severity="critical"']
              channels: [pager]
        """,
    )
    assert found == [
        "monitor.yaml:8: routes.routes[0].channels: no channel named 'pager' is configured "
        "(channels: log); add it under channels:"
    ]


def test_a_key_written_twice_and_broken_yaml(tmp_path):
    found = problems(tmp_path, "models:\n  - name: churn\n    window: day\n    window: hour\n")
    assert found == ["monitor.yaml:4: key 'window' is written twice (first on line 3)"]
    found = problems(tmp_path, "models:\n  - name: [churn\n")
    assert found[0].startswith("monitor.yaml:3: not valid YAML")
    assert problems(tmp_path, "- just a list\n")[0].startswith("monitor.yaml:1: the file must")


def test_unknown_channel_kind_and_missing_kind(tmp_path):
    found = problems(
        tmp_path,
        "models: [{name: churn}]\nchannels:\n  a: {kind: sms}\n  b: {url: http://x}\n",
    )
    assert found[0].startswith("monitor.yaml:3: channels.a: Input tag 'sms' found using 'kind'")
    assert found[1].startswith("monitor.yaml:4: channels.b: needs a kind")


def test_names_the_library_knows(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            metrics: [acuracy]
            thresholds: {data_drift: 0.2}
            methods: [ks, kolmogorov]
            checks: [drift, vibes]
        """,
    )
    assert found[0].startswith("monitor.yaml:3: models[0].metrics: unknown metric 'acuracy'")
    assert found[1].startswith("monitor.yaml:4: models[0].thresholds: unknown name 'data_drift'")
    assert found[2].startswith("monitor.yaml:5: models[0].methods: unknown drift method")
    assert found[3].startswith("monitor.yaml:6: models[0].checks[1]: Input should be 'drift'")


def test_baseline_paths_are_read_from_the_file_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.parquet").write_bytes(b"")
    path = write(tmp_path, "models:\n  - name: churn\n    baseline: data/train.parquet\n")
    assert load_config(path, environ={}).model("churn").baseline == str(
        tmp_path / "data" / "train.parquet"
    )
    found = problems(tmp_path, "models:\n  - name: churn\n    baseline: data/nope.parquet\n")
    assert found[0].startswith("monitor.yaml:3: models[0].baseline: no file ")


def test_a_store_folder_is_read_from_the_file_folder(tmp_path):
    path = write(tmp_path, "store: ./state\nmodels: [{name: churn}]\n")
    assert load_config(path, environ={}).store == str(tmp_path / "state")


def test_parse_config_and_the_file_itself(tmp_path):
    config = parse_config(MINIMAL, "inline")
    assert config.models[0].name == "churn"
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=r"must hold a mapping"):
        parse_config("", "empty.yaml")


def test_every_error_is_reported_sorted_by_line(tmp_path):
    found = problems(
        tmp_path,
        """
        models:
          - name: churn
            window: never
        grouping:
          group_wait: soon
        channels:
          log: {kind: console, price: 1}
        """,
    )
    assert [p.split(":")[1] for p in found] == ["3", "5", "7"]
