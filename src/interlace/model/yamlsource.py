"""YAML that remembers where each value came from.

``load_yaml`` returns plain-looking dicts and lists whose mappings are :class:`LineDict` (the line of
the mapping and of each key) and whose sequences are :class:`LineList` (the line of each item), so a
definition error can name ``file:line`` long after parsing.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from interlace.errors import ConfigError, SourceLocation

__all__ = ["LineDict", "LineList", "line_of", "load_yaml"]


class LineDict(dict[str, Any]):
    """A mapping with the 1-based ``line`` where it starts and ``key_lines`` for each key."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class LineList(list[Any]):
    """A sequence with the 1-based ``line`` where it starts and ``item_lines`` for each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def _key_text(key: Any) -> str:
    # Keys are text (JSON object keys, switch case labels): spell true/false/null as YAML and JSON do,
    # not as Python's str() would ("True", "None").
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds LineDict / LineList and rejects duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = LineDict(node.start_mark.line + 1)
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = _key_text(key)
            if key in mapping:
                raise ConfigError(
                    f"duplicate key {key!r} (first at line {mapping.key_lines[key]})",
                    location=SourceLocation(self.name, key_node.start_mark.line + 1),
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> list[Any]:
        items = LineList(node.start_mark.line + 1)
        for child in node.value:
            items.append(self.construct_object(child, deep=True))
            items.item_lines.append(child.start_mark.line + 1)
        return items


def _construct_map(loader: _Loader, node: Node) -> dict[Any, Any]:
    assert isinstance(node, MappingNode)
    return loader.construct_mapping(node)


def _construct_seq(loader: _Loader, node: Node) -> list[Any]:
    assert isinstance(node, SequenceNode)
    return loader.construct_sequence(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)

# Booleans as in YAML 1.2: only true/false. YAML 1.1 also reads on/off/yes/no as booleans, which would
# turn a `switch: {on: ...}` key or a `yes` value into True.
_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_yaml(text: str, file: str) -> Any:
    """Parse one YAML document; syntax errors become :class:`ConfigError` with file:line."""
    loader = _Loader(text)
    loader.name = file
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # A problem found at the end of the text is reported past its last line: name the last line.
        last_line = max(1, len(text.splitlines()))
        line = min(mark.line + 1, last_line) if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark is not None:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise ConfigError(f"invalid YAML: {problem}", location=SourceLocation(file, line)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", location=SourceLocation(file, 1)) from exc
    finally:
        loader.dispose()


def line_of(tree: Any, path: tuple[int | str, ...], default: int = 1) -> int:
    """The line of the value at ``path`` (keys and indexes) in a loaded tree, or of its nearest parent."""
    line = getattr(tree, "line", default) or default
    node = tree
    for step in path:
        if isinstance(node, LineDict) and isinstance(step, str) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line
