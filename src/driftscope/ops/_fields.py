"""The value types of the configuration schema: durations, windows, secrets, matchers.

Each is an ``Annotated`` type whose validator raises a pydantic error with a message for
a person (``must be a duration such as 30s, 5m, 4h or 1d``), which the loader prefixes
with the file, the line and the field.

>>> from pydantic import TypeAdapter
>>> TypeAdapter(Duration).validate_python("4h")
datetime.timedelta(seconds=14400)
>>> TypeAdapter(Matcher).validate_python("severity =~ 'warning|info'")
'severity=~"warning|info"'
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic_core import PydanticCustomError

from driftscope.alerts.channels.base import Secret
from driftscope.errors import ConfigError
from driftscope.ops._env import EnvText
from driftscope.ops.timing import parse_duration, parse_timezone, parse_window


class Strict(BaseModel):
    """The base of every section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True
    )


def _custom(kind: str, exc: ConfigError) -> PydanticCustomError:
    return PydanticCustomError(kind, "{why}", {"why": str(exc)})


def _duration(value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except ConfigError as exc:
        raise _custom("duration", exc) from None


def _wait(value: Any) -> timedelta:
    try:
        return parse_duration(value, zero=True)
    except ConfigError as exc:
        raise _custom("duration", exc) from None


def _window(value: Any) -> str | timedelta:
    try:
        return parse_window(value)
    except ConfigError as exc:
        raise _custom("window", exc) from None


def _timezone(value: Any) -> str:
    try:
        return parse_timezone(value).key
    except ConfigError as exc:
        raise _custom("timezone", exc) from None


def _text_of(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"  # 0s, 0.25s


#: ``"30s"``, ``"5m"``, ``"4h"``, ``"1d"``: a positive timedelta.
Duration = Annotated[
    timedelta, BeforeValidator(_duration), PlainSerializer(_text_of, return_type=str)
]
#: A duration that may be ``"0s"`` (a group that does not wait).
Wait = Annotated[timedelta, BeforeValidator(_wait), PlainSerializer(_text_of, return_type=str)]
#: ``"hour"``, ``"day"``, ``"week"`` or a duration of whole seconds.
Window = Annotated[
    str | timedelta,
    BeforeValidator(_window),
    PlainSerializer(lambda w: w if isinstance(w, str) else _text_of(w)),
]
#: An IANA time zone name.
TimeZone = Annotated[str, BeforeValidator(_timezone)]


def _secret(value: Any) -> Secret:
    if isinstance(value, Secret):
        return value
    if isinstance(value, EnvText):
        return Secret(str(value), "$" + ",$".join(value.variables))
    if isinstance(value, str):
        raise PydanticCustomError(
            "inline_secret",
            "is a secret written inline: put it in an environment variable and write "
            "${NAME} here (e.g. ${SLACK_WEBHOOK_URL})",
        )
    raise PydanticCustomError("secret_type", "must be text from an environment variable: ${NAME}")


#: A secret: only from an environment variable (``${NAME}``); inline text is refused.
SecretText = Annotated[Secret, BeforeValidator(_secret), PlainSerializer(lambda s: str(s))]

_MATCHER = re.compile(
    r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|(\S.*?))?\s*\Z"
)


def _matcher(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "matcher", 'must be a matcher such as severity="critical" or model=~"churn.*"'
        )
    found = _MATCHER.match(value)
    if found is None:
        raise PydanticCustomError(
            "matcher",
            "must be a matcher: a label, one of = != =~ !~ and a value, "
            'e.g. severity="critical", got {text}',
            {"text": repr(value)},
        )
    name, op, dq, sq, bare = found.groups()
    text = dq if dq is not None else sq if sq is not None else bare or ""
    if dq is not None:
        text = re.sub(r"\\(.)", r"\1", text)
    if op in ("=~", "!~"):
        try:
            re.compile(text)
        except re.error as exc:
            raise PydanticCustomError(
                "matcher",
                "the regular expression of {name} is invalid: {why}",
                {"name": name, "why": str(exc)},
            ) from None
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'{name}{op}"{escaped}"'


#: A label matcher: ``label=value``, ``!=``, ``=~`` (anchored regex) or ``!~``.
Matcher = Annotated[str, BeforeValidator(_matcher)]


def _matchers(value: Any) -> Any:
    """A list of matcher strings, or a mapping ``{label: value}`` meaning equality."""
    if isinstance(value, dict):
        return [f"{k}={json.dumps(str(v))}" for k, v in value.items()]
    if isinstance(value, str):
        return [value]
    return value


#: Matchers: a list of matcher strings, or ``{label: value}`` (all equal).
Matchers = Annotated[list[Matcher], BeforeValidator(_matchers)]

#: A name of a model, channel or trigger: non-empty, no surrounding blanks.
_NAME_TEXT = re.compile(r"\S(?:.*\S)?\Z")


def _name(value: Any) -> str:
    if not isinstance(value, str) or not _NAME_TEXT.match(value):
        raise PydanticCustomError("name", "must be a non-empty name without surrounding spaces")
    return value


Name = Annotated[str, BeforeValidator(_name)]


def _rate(value: Any) -> tuple[int, timedelta]:
    text = value.strip() if isinstance(value, str) else ""
    count, slash, per = text.partition("/")
    if slash and count.strip().isdigit() and int(count) >= 1:
        per = per.strip()
        try:
            return int(count), parse_duration(per if per[:1].isdigit() else "1" + per)
        except ConfigError:
            pass
    raise PydanticCustomError(
        "rate_limit",
        "must be a count per duration such as 1/s, 30/1m or 100/1h, got {text}",
        {"text": repr(value)},
    )


#: ``"1/s"``, ``"30/1m"``: at most that many messages per that time.
RateLimitText = Annotated[
    tuple[int, timedelta],
    BeforeValidator(_rate),
    PlainSerializer(lambda r: f"{r[0]}/{_text_of(r[1])}", return_type=str),
]
