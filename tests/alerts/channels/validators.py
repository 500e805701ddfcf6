"""Checks of each receiver's documented format, written from the receivers' own
references and independent of the channel code (no constant is imported from it):

- Slack Block Kit (api.slack.com/reference/block-kit: blocks, block elements, composition
  objects) and the incoming-webhook message;
- Adaptive Cards 1.4 as Teams takes them (adaptivecards.io/explorer; Teams: at most
  28 KB a message);
- PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event");
- Prometheus Alertmanager API v2 ``postableAlerts`` (api/v2/openapi.yaml);
- GitHub REST "Create an issue" and Jira REST v2 "Create issue".

Each ``check_*`` raises AssertionError naming the path of the first thing out of format.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit


def _fail(path: str, what: str) -> None:
    raise AssertionError(f"{path}: {what}")


def _keys(obj: dict[str, Any], allowed: set[str], required: set[str], path: str) -> None:
    if not isinstance(obj, dict):
        _fail(path, f"must be an object, got {type(obj).__name__}")
    unknown = set(obj) - allowed
    if unknown:
        _fail(path, f"unknown keys {sorted(unknown)}")
    missing = required - set(obj)
    if missing:
        _fail(path, f"missing keys {sorted(missing)}")


def _text(value: Any, path: str, *, limit: int | None = None, empty: bool = False) -> None:
    if not isinstance(value, str):
        _fail(path, f"must be a string, got {type(value).__name__}")
    if not empty and not value.strip():
        _fail(path, "must not be empty")
    if limit is not None and len(value) > limit:
        _fail(path, f"{len(value)} characters, the limit is {limit}")


def _url(value: Any, path: str) -> None:
    _text(value, path)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        _fail(path, f"must be an absolute http(s) URL, got {value!r}")


# -- Slack ---------------------------------------------------------------------------------

_SLACK_ESCAPE = re.compile(r"&(?!amp;|lt;|gt;)|[<>]")


def _slack_text(obj: Any, path: str, limit: int, *, kinds: tuple[str, ...]) -> None:
    _keys(obj, {"type", "text", "emoji", "verbatim"}, {"type", "text"}, path)
    if obj["type"] not in kinds:
        _fail(f"{path}.type", f"must be one of {kinds}, got {obj['type']!r}")
    if obj["type"] == "plain_text" and "verbatim" in obj:
        _fail(path, "verbatim is for mrkdwn only")
    if obj["type"] == "mrkdwn" and "emoji" in obj:
        _fail(path, "emoji is for plain_text only")
    _text(obj["text"], f"{path}.text", limit=limit)
    if obj["type"] == "mrkdwn" and _SLACK_ESCAPE.search(obj["text"]):
        _fail(f"{path}.text", "has an unescaped &, < or > (Slack reads them as links/mentions)")


def _slack_button(obj: Any, path: str) -> None:
    _keys(
        obj,
        {"type", "text", "action_id", "url", "value", "style", "confirm", "accessibility_label"},
        {"type", "text"},
        path,
    )
    _slack_text(obj["text"], f"{path}.text", 75, kinds=("plain_text",))
    if "action_id" in obj:
        _text(obj["action_id"], f"{path}.action_id", limit=255)
    if "url" in obj:
        _url(obj["url"], f"{path}.url")
        _text(obj["url"], f"{path}.url", limit=3000)
    if "value" in obj:
        _text(obj["value"], f"{path}.value", limit=2000)
    if "style" in obj and obj["style"] not in ("primary", "danger"):
        _fail(f"{path}.style", "must be primary or danger")


def check_slack_message(message: Any) -> None:
    """An incoming-webhook message with Block Kit blocks within Slack's limits."""
    _keys(
        message,
        {"text", "blocks", "attachments", "thread_ts", "mrkdwn", "unfurl_links", "unfurl_media"},
        {"text"},
        "message",
    )
    _text(message["text"], "message.text", limit=40_000)
    blocks = message.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > 50:
        _fail("message.blocks", "must be a list of at most 50 blocks")
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"blocks[{i}]"
        kind = block.get("type")
        if "block_id" in block:
            _text(block["block_id"], f"{path}.block_id", limit=255)
            if block["block_id"] in block_ids:
                _fail(f"{path}.block_id", "is not unique")
            block_ids.add(block["block_id"])
        if kind == "header":
            _keys(block, {"type", "text", "block_id"}, {"type", "text"}, path)
            _slack_text(block["text"], f"{path}.text", 150, kinds=("plain_text",))
        elif kind == "section":
            _keys(
                block, {"type", "text", "fields", "accessory", "block_id", "expand"}, {"type"}, path
            )
            if "text" not in block and "fields" not in block:
                _fail(path, "a section needs text or fields")
            if "text" in block:
                _slack_text(block["text"], f"{path}.text", 3000, kinds=("plain_text", "mrkdwn"))
            fields = block.get("fields", [])
            if "fields" in block and (not isinstance(fields, list) or not 0 < len(fields) <= 10):
                _fail(f"{path}.fields", "must hold 1 to 10 text objects")
            for j, item in enumerate(fields):
                _slack_text(item, f"{path}.fields[{j}]", 2000, kinds=("plain_text", "mrkdwn"))
        elif kind == "actions":
            _keys(block, {"type", "elements", "block_id"}, {"type", "elements"}, path)
            elements = block["elements"]
            if not isinstance(elements, list) or not 0 < len(elements) <= 25:
                _fail(f"{path}.elements", "must hold 1 to 25 elements")
            for j, element in enumerate(elements):
                if element.get("type") != "button":
                    _fail(f"{path}.elements[{j}]", "only buttons are expected here")
                _slack_button(element, f"{path}.elements[{j}]")
                if "action_id" in element:
                    if element["action_id"] in action_ids:
                        _fail(f"{path}.elements[{j}].action_id", "is not unique in the message")
                    action_ids.add(element["action_id"])
        elif kind == "context":
            _keys(block, {"type", "elements", "block_id"}, {"type", "elements"}, path)
            elements = block["elements"]
            if not isinstance(elements, list) or not 0 < len(elements) <= 10:
                _fail(f"{path}.elements", "must hold 1 to 10 elements")
            for j, element in enumerate(elements):
                _slack_text(element, f"{path}.elements[{j}]", 2000, kinds=("plain_text", "mrkdwn"))
        elif kind == "divider":
            _keys(block, {"type", "block_id"}, {"type"}, path)
        else:
            _fail(f"{path}.type", f"unexpected block type {kind!r}")


# -- Microsoft Teams: Adaptive Card --------------------------------------------------------

_TEXT_SIZES = {"Default", "Small", "Medium", "Large", "ExtraLarge"}
_WEIGHTS = {"Default", "Lighter", "Bolder"}
_COLORS = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}


def _card_element(element: Any, path: str) -> None:
    kind = element.get("type")
    common = {"type", "id", "spacing", "separator", "isVisible", "height", "horizontalAlignment"}
    if kind == "TextBlock":
        _keys(
            element,
            common
            | {"text", "wrap", "size", "weight", "color", "isSubtle", "maxLines", "fontType"},
            {"type", "text"},
            path,
        )
        _text(element["text"], f"{path}.text")
        for key, allowed in (("size", _TEXT_SIZES), ("weight", _WEIGHTS), ("color", _COLORS)):
            if key in element and element[key] not in allowed:
                _fail(f"{path}.{key}", f"{element[key]!r} is not one of {sorted(allowed)}")
        for key in ("wrap", "isSubtle", "separator"):
            if key in element and not isinstance(element[key], bool):
                _fail(f"{path}.{key}", "must be a boolean")
    elif kind == "FactSet":
        _keys(element, common | {"facts"}, {"type", "facts"}, path)
        if not isinstance(element["facts"], list) or not element["facts"]:
            _fail(f"{path}.facts", "must be a non-empty list")
        for j, fact in enumerate(element["facts"]):
            _keys(fact, {"title", "value"}, {"title", "value"}, f"{path}.facts[{j}]")
            _text(fact["title"], f"{path}.facts[{j}].title")
            _text(fact["value"], f"{path}.facts[{j}].value", empty=True)
    elif kind == "Container":
        _keys(element, common | {"items", "style"}, {"type", "items"}, path)
        for j, item in enumerate(element["items"]):
            _card_element(item, f"{path}.items[{j}]")
    else:
        _fail(f"{path}.type", f"unexpected element type {kind!r}")


def check_teams_message(message: Any) -> None:
    """A Workflows-webhook message with one Adaptive Card of version 1.4 or later."""
    size = len(json.dumps(message).encode())
    if size > 28 * 1024:
        _fail("message", f"{size} bytes; Teams takes at most 28 KB")
    _keys(message, {"type", "attachments", "summary", "text"}, {"type", "attachments"}, "message")
    if message["type"] != "message":
        _fail("message.type", "must be 'message'")
    attachments = message["attachments"]
    if not isinstance(attachments, list) or not attachments:
        _fail("message.attachments", "must be a non-empty list")
    for i, attachment in enumerate(attachments):
        path = f"attachments[{i}]"
        _keys(
            attachment, {"contentType", "contentUrl", "content"}, {"contentType", "content"}, path
        )
        if attachment["contentType"] != "application/vnd.microsoft.card.adaptive":
            _fail(f"{path}.contentType", "must be application/vnd.microsoft.card.adaptive")
        card = attachment["content"]
        _keys(
            card,
            {"$schema", "type", "version", "body", "actions", "msteams", "fallbackText", "speak"},
            {"type", "version", "body"},
            f"{path}.content",
        )
        if card["type"] != "AdaptiveCard":
            _fail(f"{path}.content.type", "must be AdaptiveCard")
        version = tuple(int(p) for p in str(card["version"]).split("."))
        if version < (1, 4):
            _fail(f"{path}.content.version", f"must be 1.4 or later, got {card['version']}")
        if not isinstance(card["body"], list) or not card["body"]:
            _fail(f"{path}.content.body", "must be a non-empty list")
        for j, element in enumerate(card["body"]):
            _card_element(element, f"{path}.content.body[{j}]")
        for j, action in enumerate(card.get("actions", [])):
            apath = f"{path}.content.actions[{j}]"
            if action.get("type") != "Action.OpenUrl":
                _fail(f"{apath}.type", "only Action.OpenUrl works from a webhook")
            _keys(
                action,
                {"type", "title", "url", "iconUrl", "style", "id"},
                {"type", "title", "url"},
                apath,
            )
            _text(action["title"], f"{apath}.title")
            _url(action["url"], f"{apath}.url")


# -- PagerDuty Events API v2 ---------------------------------------------------------------

_PD_SEVERITIES = {"critical", "error", "warning", "info"}


def check_pagerduty_event(event: Any) -> None:
    _keys(
        event,
        {
            "routing_key",
            "event_action",
            "dedup_key",
            "payload",
            "images",
            "links",
            "client",
            "client_url",
        },
        {"routing_key", "event_action"},
        "event",
    )
    _text(event["routing_key"], "event.routing_key")
    action = event["event_action"]
    if action not in ("trigger", "acknowledge", "resolve"):
        _fail("event.event_action", f"{action!r} is not trigger, acknowledge or resolve")
    if "dedup_key" in event:
        _text(event["dedup_key"], "event.dedup_key", limit=255)
    if action in ("acknowledge", "resolve"):
        if "dedup_key" not in event:
            _fail("event", f"{action} needs a dedup_key")
        return
    payload = event.get("payload")
    _keys(
        payload,
        {
            "summary",
            "source",
            "severity",
            "timestamp",
            "component",
            "group",
            "class",
            "custom_details",
        },
        {"summary", "source", "severity"},
        "event.payload",
    )
    _text(payload["summary"], "event.payload.summary", limit=1024)
    _text(payload["source"], "event.payload.source")
    if payload["severity"] not in _PD_SEVERITIES:
        _fail(
            "event.payload.severity",
            f"{payload['severity']!r} is not one of {sorted(_PD_SEVERITIES)}",
        )
    if "timestamp" in payload:
        datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00"))
    if "custom_details" in payload and not isinstance(payload["custom_details"], dict | str):
        _fail("event.payload.custom_details", "must be an object or a string")
    for j, link in enumerate(event.get("links", [])):
        _keys(link, {"href", "text"}, {"href"}, f"event.links[{j}]")
        _url(link["href"], f"event.links[{j}].href")
    if len(json.dumps(event).encode()) > 512 * 1024:
        _fail("event", "larger than PagerDuty's 512 KB")


# -- Alertmanager API v2 -------------------------------------------------------------------

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _rfc3339(value: Any, path: str) -> datetime:
    _text(value, path)
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        _fail(path, f"{value!r} is not RFC 3339")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_alertmanager_alerts(alerts: Any) -> None:
    """``postableAlerts``: a list of {labels (required), annotations, startsAt, endsAt,
    generatorURL}."""
    if not isinstance(alerts, list) or not alerts:
        _fail("alerts", "must be a non-empty list")
    for i, alert in enumerate(alerts):
        path = f"alerts[{i}]"
        _keys(
            alert, {"labels", "annotations", "startsAt", "endsAt", "generatorURL"}, {"labels"}, path
        )
        for key in ("labels", "annotations"):
            for name, value in alert.get(key, {}).items():
                if not _LABEL_NAME.fullmatch(name):
                    _fail(f"{path}.{key}", f"{name!r} is not a valid label name")
                _text(value, f"{path}.{key}.{name}", empty=True)
        if not alert["labels"]:
            _fail(f"{path}.labels", "must not be empty")
        start = _rfc3339(alert["startsAt"], f"{path}.startsAt") if "startsAt" in alert else None
        if "endsAt" in alert:
            end = _rfc3339(alert["endsAt"], f"{path}.endsAt")
            if start is not None and end < start:
                _fail(f"{path}.endsAt", "is before startsAt")
        if "generatorURL" in alert:
            _url(alert["generatorURL"], f"{path}.generatorURL")


# -- GitHub and Jira -----------------------------------------------------------------------


def check_github_issue(issue: Any) -> None:
    _keys(
        issue,
        {"title", "body", "assignee", "assignees", "milestone", "labels", "type"},
        {"title"},
        "issue",
    )
    _text(issue["title"], "issue.title", limit=256)
    if "\n" in issue["title"]:
        _fail("issue.title", "must be one line")
    _text(issue.get("body", ""), "issue.body", limit=65_536, empty=True)
    for key in ("assignees", "labels"):
        values = issue.get(key, [])
        if not isinstance(values, list):
            _fail(f"issue.{key}", "must be a list")
        for j, value in enumerate(values):
            _text(value, f"issue.{key}[{j}]")


def check_jira_issue(document: Any) -> None:
    _keys(document, {"fields", "update"}, {"fields"}, "issue")
    fields = document["fields"]
    _keys(
        fields,
        {"project", "summary", "description", "issuetype", "assignee", "labels", "priority"},
        {"project", "summary", "issuetype"},
        "issue.fields",
    )
    if not ({"key"} == set(fields["project"]) or {"id"} == set(fields["project"])):
        _fail("issue.fields.project", "must be {key} or {id}")
    _text(fields["summary"], "issue.fields.summary", limit=255)
    if "\n" in fields["summary"]:
        _fail("issue.fields.summary", "must be one line")
    if not ({"name"} == set(fields["issuetype"]) or {"id"} == set(fields["issuetype"])):
        _fail("issue.fields.issuetype", "must be {name} or {id}")
    _text(fields.get("description", ""), "issue.fields.description", limit=32_767, empty=True)
    if "assignee" in fields and set(fields["assignee"]) not in ({"accountId"}, {"name"}):
        _fail("issue.fields.assignee", "must be {accountId} or {name}")
    for j, label in enumerate(fields.get("labels", [])):
        _text(label, f"issue.fields.labels[{j}]")
        if re.search(r"\s", label):
            _fail(f"issue.fields.labels[{j}]", "a Jira label cannot hold spaces")
