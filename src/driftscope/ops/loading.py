"""Reading a configuration file: YAML with lines, environment variables, validation, and
errors that name the file, the line and the field.

>>> text = '''
... models:
...   - name: churn
...     window: fortnight
... '''
>>> parse_config(text, "monitor.yaml")
Traceback (most recent call last):
...
driftscope.ops.loading.ConfigFileError: monitor.yaml:4: models[0].window: must be hour, day, ...
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from driftscope.errors import ConfigError
from driftscope.ops._env import substitute_tree
from driftscope.ops._yaml_lines import LineDict, LocatedError, load_yaml, locate, spell
from driftscope.ops.schema import MonitoringConfig

#: The prefixes pydantic puts before the messages of validators.
_PREFIXES = ("Value error, ", "Assertion failed, ")


class ConfigFileError(ConfigError):
    """A configuration file that is not valid: ``problems`` holds one
    ``file:line: field: message`` text per error (the message shows them all).

    >>> text = "models:\\n  - name: churn\\n    windw: day\\n    metrics: [acuracy]\\n"
    >>> try:
    ...     parse_config(text, "monitor.yaml")
    ... except ConfigFileError as exc:
    ...     print("\\n".join(exc.problems))
    monitor.yaml:3: models[0].windw: unknown key 'windw' (did you mean 'window'?)
    monitor.yaml:4: models[0].metrics: unknown metric 'acuracy'; known: accuracy, auc, ...
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def load_config(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> MonitoringConfig:
    """Read and validate the configuration file at ``path`` (relative paths in it are read
    from its folder); a :class:`ConfigFileError` lists what is wrong, each with its line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"configuration file {str(file)!r} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"configuration file {str(file)!r} is a folder") from None
    except UnicodeDecodeError:
        raise ConfigError(f"configuration file {str(file)!r} is not UTF-8 text") from None
    return parse_config(text, str(file), base_dir=file.resolve().parent, environ=environ)


def parse_config(
    text: str,
    source: str = "<config>",
    *,
    base_dir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> MonitoringConfig:
    """Validate configuration ``text``; ``source`` names it in errors and ``base_dir`` is
    where its relative paths start (default: the current folder)."""
    tree = load_yaml(text, source)
    if not isinstance(tree, LineDict):
        raise ConfigFileError(
            [
                f"{source}:1: the file must hold a mapping, starting with models: (see "
                "docs/scheduling.md)"
            ]
        )
    tree = substitute_tree(tree, source, environ)
    context = {"base_dir": Path(base_dir) if base_dir is not None else Path.cwd()}
    try:
        config = MonitoringConfig.model_validate(tree, context=context)
    except ValidationError as exc:
        raise ConfigFileError(_problems(exc, tree, source)) from None
    found = [
        f"{source}:{line}: {where}: {message}"
        for line, where, message in (
            (*locate(tree, loc), message) for loc, message in _objects(config)
        )
    ]
    if found:
        raise ConfigFileError(found)
    return config


def _objects(config: MonitoringConfig) -> list[tuple[tuple[Any, ...], str]]:
    """Build what the configuration describes (channels, rules, routes, inhibit rules,
    silences: nothing is sent, nothing stored), so what the classes themselves refuse is
    reported at its line too; (location, message) pairs."""
    from datetime import UTC, datetime, timedelta

    from driftscope.ops import build

    problems: list[tuple[tuple[Any, ...], str]] = []

    def attempt(loc: tuple[Any, ...], make: Any) -> None:
        try:
            make()
        except ConfigError as exc:
            problems.append((loc, str(exc)))

    for name, channel in config.channels.items():
        attempt(("channels", name), lambda c=channel, n=name: build.channel(n, c))
    for i, model in enumerate(config.models):
        for j, rule in enumerate(model.rules):
            attempt(("models", i, "rules", j), lambda r=rule, m=model.name: build.rule(m, r))
    if config.routes is not None:
        attempt(("routes",), lambda: build.route(config.routes, root=True))
    for k, inhibit in enumerate(config.inhibit_rules or ()):
        attempt(("inhibit_rules", k), lambda r=inhibit: build.inhibit_rule(r))
    now = datetime.now(UTC)
    for k, section in enumerate(config.silences):
        # a silence that is over is fine (it mutes nothing): check it as if it were not
        earlier = min(now, section.ends_at - timedelta(seconds=1))
        attempt(("silences", k), lambda s=section, t=earlier: build.silence(s, t))
    return problems


def _problems(exc: ValidationError, tree: Any, source: str) -> list[str]:
    out: list[tuple[int, str]] = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, LocatedError):
            loc = cause.loc
        line, where = locate(tree, loc)
        message = _message(error, loc)
        text = f"{source}:{line}: {where}: {message}" if line else f"{source}: {where}: {message}"
        out.append((line, text))
    return [text for _, text in sorted(out, key=lambda item: item[0])]


def _message(error: Mapping[str, Any], loc: tuple[Any, ...]) -> str:
    kind, message = error["type"], str(error["msg"])
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        key = loc[-1] if loc else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        shown = f"; known: {', '.join(allowed)}" if allowed and not close else ""
        return f"unknown key {key!r}{hint}{shown}"
    if kind == "missing":
        return "is required but missing"
    if kind == "union_tag_not_found":
        return "needs a kind: " + message.split("discriminator", 1)[-1].strip()
    return message


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows at ``loc`` (best effort: [] when it cannot tell)."""
    node: Any = MonitoringConfig
    for part in loc:
        node = _step(node, part)
        if node is None:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [f.alias or name for name, f in node.model_fields.items()]
    return []


def _unwrap(node: Any) -> Any:
    while typing.get_origin(node) is typing.Annotated:
        node = typing.get_args(node)[0]
    return node


def _step(node: Any, part: Any) -> Any:
    node = _unwrap(node)
    origin = typing.get_origin(node)
    if origin in (typing.Union, types.UnionType):
        options = [_unwrap(a) for a in typing.get_args(node) if a is not type(None)]
        for option in options:  # a tagged union: the tag names the member
            if isinstance(option, type) and issubclass(option, BaseModel):
                kind = option.model_fields.get("kind")
                if kind is not None and part in typing.get_args(kind.annotation):
                    return option
        models = [o for o in options if not (isinstance(o, type) and issubclass(o, BaseModel))]
        if len(options) == 1 or not models:
            return _step(options[0], part) if len(options) == 1 else None
        return _step(models[0], part)
    if origin in (list, tuple) and isinstance(part, int):
        return typing.get_args(node)[0]
    if origin is dict:
        return typing.get_args(node)[1]
    if isinstance(node, type) and issubclass(node, BaseModel):
        for name, field in node.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        kind = node.model_fields.get("kind")
        if kind is not None and part in typing.get_args(kind.annotation):
            return node  # the tag of this very member
    return None


__all__ = ["ConfigFileError", "load_config", "parse_config", "spell"]
