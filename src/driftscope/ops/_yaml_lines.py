"""YAML read with the line of every key and list item, so an error can name its line.

:func:`load_yaml` parses with PyYAML's safe loader, but every mapping becomes a
:class:`LineDict` and every sequence a :class:`LineList` that remember where each entry
starts in the file. :func:`locate` follows an error's location (pydantic's ``loc``: keys
and indices, with the tags of tagged unions in between) through that tree to the nearest
line, and spells the location as a reader writes it: ``models[0].rules[2].threshold``.

A key written twice in one mapping is an error (PyYAML would keep the last one silently).

>>> tree = load_yaml("models:\\n  - name: churn\\n    rules:\\n      - threshold: high\\n")
>>> locate(tree, ("models", 0, "rules", 0, "threshold"))
(4, 'models[0].rules[0].threshold')
>>> locate(tree, ("models", 0, "window"))  # a missing field: the line of its mapping
(2, 'models[0].window')
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

import yaml

from driftscope.errors import ConfigError


class LineDict(dict[Any, Any]):
    """A mapping read from YAML: ``line`` is where it starts, ``lines[key]`` where each key
    is written (1-based)."""

    def __init__(self, *args: Any, line: int = 0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = line
        self.lines: dict[Any, int] = {}


class LineList(list[Any]):
    """A sequence read from YAML: ``line`` is where it starts, ``lines[i]`` where item ``i``
    starts (1-based)."""

    def __init__(self, *args: Any, line: int = 0):
        super().__init__(*args)
        self.line = line
        self.lines: list[int] = []


class _Loader(yaml.SafeLoader):
    """The safe loader, building :class:`LineDict` and :class:`LineList`."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    explicit = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # merge keys (<<: *defaults) first, explicit keys after
    first_explicit = len(node.value) - explicit
    out = LineDict(line=node.start_mark.line + 1)
    written: set[Any] = set()
    for i, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark
            )
        if i >= first_explicit:  # a merged key may be overridden, an explicit one not
            if key in written:
                raise ConfigError(
                    f"line {line}: key {key!r} is written twice (first on line {out.lines[key]})"
                )
            written.add(key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(line=node.start_mark.line + 1)
    for item in node.value:
        out.append(loader.construct_object(item, deep=True))
        out.lines.append(item.start_mark.line + 1)
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load_yaml(text: str, source: str = "<config>") -> Any:
    """The YAML document in ``text``, mappings and sequences with their lines; a syntax
    error is a :class:`~driftscope.errors.ConfigError` naming ``source`` and the line.

    >>> load_yaml("a: [1, 2]\\nb: {c: x}\\n").lines
    {'a': 1, 'b': 2}
    >>> load_yaml("a: [1, 2\\n", "monitor.yaml")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: monitor.yaml:2: not valid YAML: expected ',' or ']', ...
    """
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except ConfigError as exc:  # a duplicate key: "line N: ..."
        raise ConfigError(f"{source}:{str(exc)[len('line ') :]}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "cannot be read"
        raise ConfigError(f"{source}{line}: not valid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def spell(loc: Sequence[Any]) -> str:
    """``("models", 0, "rules", 2, "threshold")`` as ``models[0].rules[2].threshold``; a
    key that is not a plain name is quoted: ``channels['team slack']``.

    >>> spell(("channels", "team slack", "url")), spell(())
    ("channels['team slack'].url", '(the file)')
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _NAME.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(the file)"


class LocatedError(ValueError):
    """An error about a place in the data (``loc``, as pydantic spells a location), raised
    by a validator that checks one part against another; the loader finds its line with
    :func:`locate`."""

    def __init__(self, loc: tuple[Any, ...], message: str):
        super().__init__(message)
        self.loc = loc


def locate(tree: Any, loc: Sequence[Any]) -> tuple[int, str]:
    """The line nearest to ``loc`` in ``tree`` (from :func:`load_yaml`; 0 when unknown) and
    ``loc`` spelt for a reader. Parts of ``loc`` that are not in the data (the tags of
    tagged unions, pydantic's ``function-after[...]``) are left out, except a last one:
    the name of a missing or unknown field."""
    node, line, path = tree, getattr(tree, "line", 0), []
    for i, part in enumerate(loc):
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
            path.append(part)
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            node = node[part]
            path.append(part)
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path.append(part)  # a missing field, named at its mapping's line
        # else: a tag pydantic adds between the levels of the data
    return line, spell(path)
