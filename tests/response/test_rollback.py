"""Rollback for real: MLflow's model registry on a local SQLite backend (two versions of a
small pyfunc model registered, the alias moved back and read back), a webhook receiver,
a callable; every outcome in the audit log."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from driftscope.alerts.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from driftscope.response import CallableRollback, MLflowRollback, RollbackError, WebhookRollback

mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A real MLflow registry (SQLite) holding versions 1, 2 and 3 of 'churn-classifier',
    the alias 'champion' on version 3."""
    import mlflow.pyfunc
    from mlflow import MlflowClient

    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder}/mlflow.db"
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)

    class Threshold(mlflow.pyfunc.PythonModel):
        def __init__(self, cut: float):
            self.cut = cut

        def predict(self, model_input: list[float]) -> list[int]:
            return [int(x > self.cut) for x in model_input]

    experiment = mlflow.create_experiment("churn", artifact_location=(folder / "art").as_uri())
    for cut in (0.4, 0.5, 0.6):
        with mlflow.start_run(experiment_id=experiment):
            mlflow.pyfunc.log_model(
                name="model",
                python_model=Threshold(cut),
                registered_model_name="churn-classifier",
                pip_requirements=[],
            )
    client = MlflowClient(tracking_uri=uri)
    client.set_registered_model_alias("churn-classifier", "champion", "3")
    yield uri, client
    mlflow.set_tracking_uri(previous)


def champion(client) -> str:
    return str(client.get_model_version_by_alias("churn-classifier", "champion").version)


def test_mlflow_rollback_moves_the_alias_back_one_version_and_audits_it(registry, store):
    uri, client = registry
    undo = MLflowRollback("churn-classifier", tracking_uri=uri, store=store)
    facts = undo.rollback("churn", "accuracy 0.78 < 0.85 since version 3")
    assert facts == {
        "registered_model": "churn-classifier",
        "alias": "champion",
        "from_version": "3",
        "to_version": "2",
        "rollback": "mlflow",
    }
    assert champion(client) == "2"  # read back from the registry itself
    loaded = mlflow.pyfunc.load_model("models:/churn-classifier@champion")
    assert list(loaded.predict([0.55, 0.45])) == [1, 0]  # version 2: cut 0.5

    (entry,) = store.read_audit(action="rollback.done")
    assert (entry.model, entry.subject, entry.reason) == (
        "churn",
        "2",
        "accuracy 0.78 < 0.85 since version 3",
    )
    assert entry.details["from_version"] == "3"

    # again: 2 -> 1; then nothing before 1
    assert undo.rollback("churn", "still bad")["to_version"] == "1"
    with pytest.raises(RollbackError, match="no ready version before version 1"):
        undo.rollback("churn", "still bad")
    assert champion(client) == "1"
    assert [e.action for e in store.read_audit(action="rollback.")] == [
        "rollback.done",
        "rollback.done",
        "rollback.failed",
    ]
    client.set_registered_model_alias("churn-classifier", "champion", "3")


def test_mlflow_rollback_to_an_explicit_version_and_its_errors(registry, store):
    uri, client = registry
    MLflowRollback("churn-classifier", tracking_uri=uri, to_version=1, store=store).rollback(
        "churn", "back to the audited one"
    )
    assert champion(client) == "1"
    with pytest.raises(RollbackError, match="already points at version 1"):
        MLflowRollback("churn-classifier", tracking_uri=uri, to_version=1, store=store).rollback(
            "churn", "again"
        )
    with pytest.raises(RollbackError, match=r"cannot move alias 'champion' .* to version 9"):
        MLflowRollback("churn-classifier", tracking_uri=uri, to_version=9, store=store).rollback(
            "churn", "no such version"
        )
    with pytest.raises(RollbackError, match="has no version with alias 'production'"):
        MLflowRollback(
            "churn-classifier", alias="production", tracking_uri=uri, store=store
        ).rollback("churn", "no alias")
    assert champion(client) == "1"
    client.set_registered_model_alias("churn-classifier", "champion", "3")


def test_webhook_rollback_posts_signed_and_records_the_answer(receiver, store):
    secret = "rb-secret-1"
    server = receiver(lambda request: (200, {"from_version": "7", "to_version": "6"}))
    undo = WebhookRollback(f"{server.url}/deploy/rollback", secret, store=store)
    facts = undo.rollback("churn", "error rate doubled")
    assert facts["to_version"] == "6" and facts["rollback"] == "webhook"
    (post,) = server.requests
    assert post.json()["event"] == "rollback" and post.json()["model"] == "churn"
    stamp = post.headers.get(TIMESTAMP_HEADER.lower())
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + post.body, hashlib.sha256)
    assert post.headers.get(SIGNATURE_HEADER.lower()) == "sha256=" + mac.hexdigest()
    assert store.read_audit(action="rollback.done")[0].details["from_version"] == "7"
    assert secret not in json.dumps([e.to_dict() for e in store.read_audit()])


def test_failed_rollbacks_are_audited_and_raised(receiver, store):
    server = receiver(lambda request: (503, {"error": "deployer busy"}))
    with pytest.raises(RollbackError, match="503 Service Unavailable"):
        WebhookRollback(server.url, store=store).rollback("churn", "drift")

    def broken(model, reason):
        raise RuntimeError("kubectl not found")

    with pytest.raises(RollbackError, match="RuntimeError: kubectl not found"):
        CallableRollback(broken, store=store).rollback("churn", "drift")
    failed = store.read_audit(action="rollback.failed")
    assert [e.reason.split(":")[0] for e in failed] == [
        "rollback webhook for model 'churn'",
        "RuntimeError",
    ]
    assert all(e.details["why"] == "drift" for e in failed)
