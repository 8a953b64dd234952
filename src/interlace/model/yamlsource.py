"""YAML that remembers where each value came from, and refuses what a project file never needs.

``load_yaml`` returns plain-looking dicts and lists whose mappings are :class:`LineDict` (the line of
the mapping and of each key) and whose sequences are :class:`LineList` (the line of each item), so a
definition error can name ``file:line`` long after parsing.

It reads plain YAML only: mappings, lists, text, numbers, ``true``/``false`` and ``null``. Other tags
(``!!set``, ``!!binary``, ``!!timestamp``, ``!!python/...``, local ``!tags``) are problems at their
line; an unquoted date stays text. Nesting deeper than :data:`MAX_DEPTH` levels, aliases that expand
to more than :data:`MAX_EXPANDED` values, integers longer than :data:`MAX_DIGITS` digits and text
holding lone surrogates are problems too, so a hostile file is reported instead of exhausting the
checker.
"""

from __future__ import annotations

import re
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from interlace.errors import ConfigError, SourceLocation

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPANDED",
    "LineDict",
    "LineList",
    "decode_source",
    "line_of",
    "load_yaml",
]

MAX_DEPTH: Final = 100
"""How deeply mappings and lists may nest in one file."""
MAX_EXPANDED: Final = 100_000
"""How many values a file may hold once its aliases (``*name``) are expanded."""
MAX_DIGITS: Final = 1000
"""How many digits an integer may have."""

_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS: Final = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge")
)
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


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


def _tag_text(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds LineDict / LineList, rejects duplicate keys, tags other than the plain
    ones and nesting deeper than MAX_DEPTH."""

    def __init__(self, text: str, file: str) -> None:
        self._depth = 0
        super().__init__(text)
        self.name = file

    def _problem(self, message: str, node_or_line: Node | int) -> ConfigError:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        return ConfigError(message, location=SourceLocation(self.name, line))

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
                raise self._problem(
                    f"mappings and lists nest more than {MAX_DEPTH} levels deep here: "
                    "a project file needs far fewer",
                    line,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise self._problem(
                f"the YAML tag {_tag_text(node.tag)} is not supported: write plain mappings, lists, text, "
                "numbers, true/false or null (quote a value that starts with '!')",
                node,
            )
        if isinstance(node, ScalarNode) and _SURROGATE.search(node.value):
            raise self._problem(
                f"the text {node.value!r} holds a lone surrogate (an escape such as \\ud800 that is "
                "not a Unicode character)",
                node,
            )
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError) as exc:
            if not isinstance(node, ScalarNode):
                raise
            # an explicit !!int, !!float or !!bool of something else
            raise self._problem(f"{node.value!r} is not a valid {_tag_text(node.tag)}", node) from exc

    def construct_yaml_int(self, node: Node) -> int:
        assert isinstance(node, ScalarNode)
        digits = len(node.value.lstrip("+-"))
        if digits > MAX_DIGITS:
            raise self._problem(f"an integer may have at most {MAX_DIGITS} digits (got {digits})", node)
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = LineDict(node.start_mark.line + 1)
        own = sum(key_node.tag != _CORE + "merge" for key_node, _ in node.value)
        self.flatten_mapping(node)
        merged = len(node.value) - own  # `<<: *base` pairs come first; the mapping's own keys override them
        written: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = _key_text(key)
            if index >= merged and key in written:
                raise ConfigError(
                    f"duplicate key {key!r} (first at line {mapping.key_lines[key]})",
                    location=SourceLocation(self.name, key_node.start_mark.line + 1),
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
            if index >= merged:
                written.add(key)
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
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)

# Booleans as in YAML 1.2: only true/false. YAML 1.1 also reads on/off/yes/no as booleans, which would
# turn a `switch: {on: ...}` key or a `yes` value into True.
_BOOL = "tag:yaml.org,2002:bool"
# Dates and times stay text (as in YAML 1.2's core schema): a flow passes them on as written.
_DROPPED = {_BOOL, _CORE + "timestamp", _CORE + "value", _CORE + "yaml"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def decode_source(data: bytes, file: str) -> str:
    """The UTF-8 text of a project file; ConfigError at the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"the file must be UTF-8 text: byte 0x{data[exc.start]:02x} at column {column} is not",
            location=SourceLocation(file, line),
        ) from exc


def _expanded_size(root: Node, file: str) -> int:
    """How many values the document holds once aliases are expanded (aliases share their node);
    ConfigError for an alias inside the node it names."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(
                "an alias refers to the mapping or list that holds it",
                location=SourceLocation(file, node.start_mark.line + 1),
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = min(total, MAX_EXPANDED + 1)
        return sizes[key]

    return size(root)


def load_yaml(text: str, file: str) -> Any:
    """Parse one YAML document; syntax errors become :class:`ConfigError` with file:line."""
    try:
        loader = _Loader(text, file)
    except yaml.reader.ReaderError as exc:
        raise _unprintable(text, exc, file) from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text and _expanded_size(node, file) > MAX_EXPANDED:
            raise ConfigError(
                f"its aliases (*name) expand to more than {MAX_EXPANDED} values",
                location=SourceLocation(file, 1),
            )
        return loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        raise _unprintable(text, exc, file) from exc
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


def _unprintable(text: str, exc: yaml.reader.ReaderError, file: str) -> ConfigError:
    position = exc.position
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    name = "NUL" if exc.character == 0 else f"U+{exc.character:04X}"
    return ConfigError(
        f"invalid YAML: the character {name} at column {column} is not allowed (YAML files hold printable "
        "text; write it as an escape in a double-quoted string)",
        location=SourceLocation(file, line),
    )


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
