"""Environment variables in the configuration: ``${NAME}`` in any text value.

Every ``${NAME}`` in a string of the file is replaced, when the file is loaded, by the
value of the environment variable ``NAME``; a variable that is unset (or empty) is an
error naming it and the line, at load, not at the first send. ``$${`` writes a literal
``${``. Only a text that took a variable is an :class:`EnvText`, which is how the secret
fields of the schema (webhook URLs, routing keys, passwords, tokens) tell a value that
came from the environment from one written inline, which they refuse.

>>> env = {"SMTP_HOST": "smtp.example.com"}
>>> text = substitute("${SMTP_HOST}:587", "monitor.yaml", 3, environ=env)
>>> str(text), text.variables, text  # its repr names the variable, never the value
('smtp.example.com:587', ('SMTP_HOST',), EnvText(${SMTP_HOST}))
>>> substitute("cost $${HOME}", "monitor.yaml", 3)
'cost ${HOME}'
>>> substitute("${SLACK_URL}", "monitor.yaml", 4, "channels.slack.webhook_url", environ={})
Traceback (most recent call last):
...
driftscope.errors.ConfigError: monitor.yaml:4: channels.slack.webhook_url: environment variable ...
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from driftscope.errors import ConfigError
from driftscope.ops._yaml_lines import LineDict, LineList, spell

#: ``$${`` (a literal ``${``) or ``${NAME}``; anything else after ``${`` is an error.
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class EnvText(str):
    """Text that took its value, or part of it, from environment variables (named in
    ``variables``). Its repr never shows the value: it may be a secret."""

    variables: tuple[str, ...]

    def __new__(cls, value: str, variables: tuple[str, ...]) -> EnvText:
        out = super().__new__(cls, value)
        out.variables = variables
        return out

    def __repr__(self) -> str:
        return "EnvText(" + ", ".join(f"${{{name}}}" for name in self.variables) + ")"


def substitute(
    text: str,
    source: str,
    line: int,
    where: str = "",
    environ: Mapping[str, str] | None = None,
) -> str:
    """``text`` with its ``${NAME}`` references replaced (an :class:`EnvText` when there
    was one); an unset variable or a malformed reference is a ConfigError naming
    ``source``, ``line`` and ``where`` (the field)."""
    if "$" not in text:
        return text
    env = os.environ if environ is None else environ
    names: list[str] = []
    at = f"{source}:{line}: {where + ': ' if where else ''}"

    def replace(found: re.Match[str]) -> str:
        if found.group(0) == "$${":
            return "${"
        name = found.group(1)
        if not found.group(0).endswith("}") or not _VARIABLE.match(name or ""):
            raise ConfigError(
                f"{at}{found.group(0)!r} is not a variable reference: write ${{NAME}} "
                "(letters, digits and _), or $${ for a literal ${"
            )
        value = env.get(name, "")
        if not value:
            raise ConfigError(f"{at}environment variable {name} is not set")
        names.append(name)
        return value

    out = _REFERENCE.sub(replace, text)
    return EnvText(out, tuple(names)) if names else out


def substitute_tree(tree: Any, source: str, environ: Mapping[str, str] | None = None) -> Any:
    """Every string in ``tree`` (from :func:`~driftscope.ops._yaml_lines.load_yaml`)
    substituted in place (mapping keys are left as written); returns ``tree``."""

    def walk(node: Any, path: list[Any], line: int) -> Any:
        if isinstance(node, str):
            return substitute(node, source, line, spell(path), environ)
        if isinstance(node, LineDict):
            for key in list(node):
                node[key] = walk(node[key], [*path, key], node.lines.get(key, line))
        elif isinstance(node, LineList):
            for i, item in enumerate(node):
                node[i] = walk(item, [*path, i], node.lines[i])
        return node

    return walk(tree, [], getattr(tree, "line", 0))
