"""GitHubIssueChannel and JiraChannel against a receiver answering as GitHub's and Jira's
REST APIs do: the created issue, its readable description (a real drift result's tables),
what send() reports back, and their errors."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

import driftscope as ds
from driftscope.alerts.channels import DeliveryError, GitHubIssueChannel, JiraChannel
from tests.alerts.channels.helpers import acknowledged, alert, notify, ticket
from tests.alerts.channels.validators import check_github_issue, check_jira_issue
from tests.alerts.receiver import Reply


@pytest.fixture(scope="module")
def drift_result() -> dict:
    rng = np.random.default_rng(14)
    before = pd.DataFrame({"age": rng.normal(40, 10, 800), "plan": rng.choice(["a", "b"], 800)})
    after = pd.DataFrame({"age": rng.normal(46, 10, 800), "plan": rng.choice(["a", "b"], 800)})
    detector = ds.DriftDetector(baseline_data=before)
    return detector.detect_feature_drift(production_data=after).to_dict()


def _github(receiver, **options) -> GitHubIssueChannel:
    receiver.reply(
        Reply(
            201,
            json={"id": 99, "number": 12, "html_url": "https://github.test/acme/models/issues/12"},
        ),
        path="/repos/acme/models/issues",
    )
    return GitHubIssueChannel("acme/models", "ghp_token", api_url=receiver.url, **options)


def test_a_github_issue_with_the_drift_result_as_tables(receiver, drift_result):
    channel = _github(receiver, labels=["drift", "ml"])
    receipt = channel.send(ticket(drift_result, labels=["churn"]))
    assert receipt == {
        "id": "acme/models#12",
        "number": 12,
        "url": "https://github.test/acme/models/issues/12",
    }
    [request] = receiver.wait_for(1)
    assert (request.method, request.path) == ("POST", "/repos/acme/models/issues")
    assert request.headers["authorization"] == "Bearer ghp_token"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    issue = request.json()
    check_github_issue(issue)
    assert issue["title"] == "Investigate drift on churn"
    assert issue["assignees"] == ["octocat"] and issue["labels"] == ["drift", "ml", "churn"]
    body = issue["body"]
    assert body.startswith("Model: churn.\n\n| field | value |\n| --- | --- |\n")
    assert "| has_drift | yes |" in body and "| drifted_features | age |" in body
    assert "### features" in body
    header = next(line for line in body.splitlines() if line.startswith("| name |"))
    assert {"kind", "drifted", "p_value", "method"} <= {c.strip() for c in header.split("|")}
    age = next(line for line in body.splitlines() if line.startswith("| age |"))
    assert "| numerical | yes |" in age
    assert "<!-- driftscope-ticket: t-9 -->" in body


def test_a_text_description_stays_as_written_and_pipes_are_escaped(receiver):
    channel = _github(receiver)
    issue = channel.payload(ticket("Line one\n\n- a list"))
    assert issue["body"].startswith("Model: churn.\n\nLine one\n\n- a list")
    from driftscope.alerts.channels.github import markdown_description

    table = markdown_description({"a|b": "c|d\ne"})
    assert table.splitlines()[2] == "| a\\|b | c\\|d e |"


def test_github_errors(receiver):
    channel = GitHubIssueChannel("acme/models", "ghp_token", api_url=receiver.url)
    receiver.default = Reply(
        422, json={"message": "Validation Failed", "errors": [{"field": "assignees"}]}
    )
    with pytest.raises(
        DeliveryError, match=r"422 Unprocessable Entity.*Validation Failed"
    ) as caught:
        channel.send(ticket())
    assert not caught.value.retryable
    receiver.default = Reply(
        403,
        json={"message": "API rate limit exceeded for installation"},
        headers={"X-RateLimit-Remaining": "0", "Retry-After": "60"},
    )
    with pytest.raises(DeliveryError) as limited:
        channel.send(ticket())
    assert limited.value.retryable and limited.value.retry_after == 60
    receiver.default = Reply(403, json={"message": "Resource not accessible by integration"})
    with pytest.raises(DeliveryError) as forbidden:
        channel.send(ticket())
    assert not forbidden.value.retryable


def test_an_alert_sent_to_github_opens_an_issue_and_acknowledgements_are_skipped(receiver):
    channel = _github(receiver)
    assert channel.send(acknowledged()) is None
    channel.send(notify(alert("critical")))
    issue = receiver.wait_for(1)[0].json()
    check_github_issue(issue)
    assert issue["title"] == "[CRITICAL] Model Drift Detected"
    assert issue["body"].startswith("- [CRITICAL] Model Drift Detected (model=churn): age moved")


def _jira(receiver, **options) -> JiraChannel:
    receiver.reply(
        Reply(
            201,
            json={"id": "10042", "key": "OPS-7", "self": receiver.url + "/rest/api/2/issue/10042"},
        ),
        path="/rest/api/2/issue",
    )
    return JiraChannel(
        receiver.url + "/", "OPS", email="bot@acme.test", api_token="jira-tok", **options
    )


def test_a_jira_issue_with_basic_auth_and_wiki_tables(receiver, drift_result):
    channel = _jira(receiver, labels=["model drift"], issue_type="Bug")
    receipt = channel.send(ticket(drift_result, assignee="alice"))
    assert receipt == {
        "id": "OPS-7",
        "key": "OPS-7",
        "url": receiver.url + "/browse/OPS-7",
        "api_id": "10042",
    }
    [request] = receiver.wait_for(1)
    assert request.path == "/rest/api/2/issue"
    scheme, credentials = request.headers["authorization"].split()
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == "bot@acme.test:jira-tok"
    document = request.json()
    check_jira_issue(document)
    fields = document["fields"]
    assert fields["project"] == {"key": "OPS"} and fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == "Investigate drift on churn"
    assert fields["assignee"] == {"name": "alice"}  # a user name: Jira Server
    assert fields["labels"] == ["model-drift"]
    description = fields["description"]
    assert "||field||value||" in description and "|has_drift|yes|" in description
    assert "h3. features" in description
    assert "driftscope-ticket: t-9" in description


@pytest.mark.parametrize(
    ("who", "by", "expected"),
    [
        ("5b10ac8d82e05b22cc7d4ef5", "auto", "accountId"),
        ("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "auto", "accountId"),
        ("jsmith", "auto", "name"),
        ("jsmith", "accountId", "accountId"),
    ],
)
def test_jira_assignee_by_account_id_or_name(who, by, expected):
    channel = JiraChannel(
        "https://acme.atlassian.net", "OPS", email="b@a.test", api_token="t", assignee_by=by
    )
    fields = channel.payload(ticket(assignee=who))["fields"]
    assert fields["assignee"] == {expected: who}


def test_jira_errors_say_which_field(receiver):
    receiver.default = Reply(
        400, json={"errorMessages": [], "errors": {"assignee": "User 'x' does not exist."}}
    )
    channel = JiraChannel(receiver.url, "OPS", email="b@a.test", api_token="jira-token-xyz")
    with pytest.raises(DeliveryError, match="User 'x' does not exist") as caught:
        channel.send(ticket(assignee="x"))
    assert not caught.value.retryable


def test_jira_wiki_markup_is_escaped():
    from driftscope.alerts.channels.jira import wiki_description

    text = wiki_description({"a": "x|y {code} [link]"})
    assert text.splitlines()[1] == "|a|x\\|y \\{code\\} \\[link\\]|"
