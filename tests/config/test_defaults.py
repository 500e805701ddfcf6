"""``AlertManager()`` without arguments takes the configuration file's channels, routes
and rules: found through the entry point the package declares, with nothing registered."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from driftscope.alerts import AlertManager
from driftscope.errors import ConfigError
from driftscope.ops.defaults import manager_defaults
from tests.alerts.receiver import Receiver


def test_alert_manager_reads_the_configuration_file(tmp_path, monkeypatch):
    with Receiver() as receiver:
        (tmp_path / "driftscope.yaml").write_text(
            textwrap.dedent(
                f"""
                store: ./store
                models: [{{name: churn}}]
                channels:
                  hook: {{kind: webhook, url: "{receiver.url}/hook"}}
                grouping: {{group_wait: 0s}}
                """
            )
        )
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("DRIFTSCOPE_CONFIG", raising=False)
        manager = AlertManager()
        try:
            assert sorted(manager.channels) == ["hook"]
            manager.send_alert("critical", "Model Drift Detected", "age moved", model="churn")
            manager.tick()
            (request,) = receiver.wait_for(1)
        finally:
            manager.close()
    assert request.path == "/hook"
    assert request.json()["alerts"][0]["labels"]["alertname"] == "Model Drift Detected"
    assert (tmp_path / "store" / "catalog.sqlite").exists()  # the configured store


def test_driftscope_config_names_the_file_and_a_bad_one_is_an_error(tmp_path, monkeypatch):
    bad = tmp_path / "monitor.yaml"
    bad.write_text("models: [{name: churn, window: fortnight}]\n")
    with pytest.raises(ConfigError, match=r"monitor.yaml:1: models\[0\].window"):
        manager_defaults(environ={"DRIFTSCOPE_CONFIG": str(bad)})
    monkeypatch.chdir(tmp_path)
    assert manager_defaults(environ={}) is None  # no ./driftscope.yaml here


def test_the_hook_costs_no_optional_package_without_a_file(tmp_path):
    """Asking for the defaults with no configuration file imports neither pydantic nor
    PyYAML."""
    code = (
        "import sys; from driftscope.ops.defaults import manager_defaults; "
        "print(manager_defaults(environ={}), 'pydantic' in sys.modules, 'yaml' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["None", "False", "False"]
