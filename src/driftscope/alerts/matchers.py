"""Label matchers, as Prometheus Alertmanager writes them: ``name="value"`` (equal),
``name!="value"``, ``name=~"regex"`` and ``name!~"regex"``. A regex must match the whole
value (it is anchored at both ends), and a label an alert does not have counts as the empty
string: ``team=""`` matches alerts without a team, ``team!=""`` those with one.

Routes, silences and inhibition rules take matchers in any of these forms (see
:func:`parse_matchers`): a string (``'severity="critical"'``, or several in braces,
``'{severity="critical", model=~"churn.*"}'``), a mapping of label to value (equality), an
Alertmanager API dict (``{"name", "value", "isRegex", "isEqual"}``), a :class:`Matcher`,
or a list of these.

>>> ms = parse_matchers('{severity="critical", model=~"churn.*"}')
>>> [str(m) for m in ms]
['severity="critical"', 'model=~"churn.*"']
>>> matches_all(ms, {"severity": "critical", "model": "churn_v2"})
True
>>> matches_all(ms, {"severity": "critical", "model": "fraud"})
False
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from driftscope.errors import ConfigError

#: The matcher operators: equal, not equal, regex match, regex no match.
OPERATORS = ("=", "!=", "=~", "!~")

_ONE = re.compile(
    r"""\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*
        (?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,}\s"']*)\s*""",
    re.X,
)


@dataclass(frozen=True)
class Matcher:
    """One label matcher (see the module's text).

    >>> m = Matcher.parse('model!~"test_.*"')
    >>> m.matches({"model": "churn"}), m.matches({"model": "test_a"}), m.matches({})
    (True, False, True)
    """

    name: str
    op: str
    value: str
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"a matcher's label name must be non-empty text, got {self.name!r}")
        if self.op not in OPERATORS:
            raise ConfigError(
                f"matcher on {self.name!r}: operator must be one of {', '.join(OPERATORS)}, "
                f"got {self.op!r}"
            )
        if not isinstance(self.value, str):
            raise ConfigError(f"matcher on {self.name!r}: value must be text, got {self.value!r}")
        if self.op in ("=~", "!~"):
            try:
                object.__setattr__(self, "_regex", re.compile(self.value))
            except re.error as exc:
                raise ConfigError(
                    f"matcher on {self.name!r}: {self.value!r} is not a regular expression ({exc})"
                ) from exc

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set passes this matcher (a missing label is ``""``)."""
        got = labels.get(self.name, "")
        if self.op == "=":
            return got == self.value
        if self.op == "!=":
            return got != self.value
        assert self._regex is not None
        found = self._regex.fullmatch(got) is not None
        return found if self.op == "=~" else not found

    @classmethod
    def parse(cls, text: str) -> Matcher:
        """One matcher from text: ``name="value"`` (quotes optional for simple values).

        >>> Matcher.parse("severity = critical")
        Matcher(name='severity', op='=', value='critical')
        """
        found = _ONE.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise ConfigError(
                f'a matcher looks like name="value", name!="value", name=~"regex" or '
                f'name!~"regex", got {text!r}'
            )
        return cls(found["name"], found["op"], _unquote(found["value"]))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Matcher:
        """A matcher from Alertmanager's API form ``{"name", "value", "isRegex",
        "isEqual"}`` (``isEqual`` defaults to true)."""
        unknown = set(data) - {"name", "value", "isRegex", "isEqual"}
        if unknown or "name" not in data or "value" not in data:
            raise ConfigError(
                'a matcher mapping needs "name" and "value" (and optionally "isRegex", '
                f'"isEqual"), got {dict(data)!r}'
            )
        regex, equal = bool(data.get("isRegex", False)), bool(data.get("isEqual", True))
        op = ("=~" if equal else "!~") if regex else ("=" if equal else "!=")
        name = str(data["name"])
        return cls(name, op, _text(data["value"], name))

    def __str__(self) -> str:
        return f"{self.name}{self.op}{json.dumps(self.value)}"

    def to_dict(self) -> dict[str, Any]:
        """Alertmanager's API form."""
        return {
            "name": self.name,
            "value": self.value,
            "isRegex": self.op in ("=~", "!~"),
            "isEqual": self.op in ("=", "=~"),
        }


def _unquote(value: str) -> str:
    """A quoted value without its quotes, escapes undone (``\\"`` -> ``"``, ``\\n`` ->
    newline)."""
    if value[:1] not in ('"', "'"):
        return value
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), value[1:-1])


def _split(text: str) -> list[str]:
    """``'{a="x, y", b=~"z"}'`` -> ``['a="x, y"', 'b=~"z"']`` (commas inside quotes stay)."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    parts: list[str] = []
    current: list[str] = []
    quote, escaped = "", False
    for ch in body:
        if escaped:
            escaped = False
        elif ch == "\\" and quote:
            escaped = True
        elif ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
        elif ch == "," and not quote:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_matchers(value: Any) -> tuple[Matcher, ...]:
    """Matchers from any of the forms in the module's text (None: no matcher).

    >>> [str(m) for m in parse_matchers({"model": "churn", "team": "risk"})]
    ['model="churn"', 'team="risk"']
    >>> [str(m) for m in parse_matchers(['severity=~"warning|info"', {"name": "a",
    ...     "value": "b", "isEqual": False}])]
    ['severity=~"warning|info"', 'a!="b"']
    """
    if value is None:
        return ()
    if isinstance(value, Matcher):
        return (value,)
    if isinstance(value, str):
        return tuple(Matcher.parse(part) for part in _split(value))
    if isinstance(value, Mapping):
        if (
            "name" in value
            and "value" in value
            and set(value)
            <= {
                "name",
                "value",
                "isRegex",
                "isEqual",
            }
        ):
            return (Matcher.from_dict(value),)
        return tuple(Matcher(str(k), "=", _text(v, str(k))) for k, v in value.items())
    if isinstance(value, Iterable):
        return tuple(m for item in value for m in parse_matchers(item))
    raise ConfigError(
        f"matchers must be text, a mapping, a Matcher or a list of them, got {value!r}"
    )


def _text(value: Any, name: str) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ConfigError(f"matcher on {name!r}: value must be text, got {value!r}")


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether ``labels`` pass every matcher (no matcher: True)."""
    return all(m.matches(labels) for m in matchers)


def matchers_text(matchers: Iterable[Matcher]) -> str:
    """Matchers as one line.

    >>> matchers_text(parse_matchers({"a": "b"}))
    '{a="b"}'
    """
    return "{" + ", ".join(str(m) for m in matchers) + "}"
