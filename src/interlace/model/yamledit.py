"""Editing one mediator of a flow in a project file's YAML text, keeping everything else as written.

The console's builder edits the project's files, which stay the source of truth. An edit goes through
ruamel.yaml's round trip: comments, quoting, key order and indentation elsewhere in the file are kept
(the indentation is read from the file itself, so a file indented its own way stays so). Only the
edited mediator is written anew, and of a mediator whose settings change only the changed keys are.

A place in the file is a path of keys and list positions from the document's root, as the flow
diagrams name it (``["resources", 1, "flow", 5]``). PyYAML stays the loader: the edited text is then
loaded and checked like any other.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from interlace.errors import ConfigError

__all__ = ["YamlPath", "insert_step", "replace_step", "step_at"]

YamlPath = Sequence[str | int]
_WIDTH: Final = 4096
"""Long lines stay on one line (ruamel would fold them at 80 columns)."""


def _load(text: str, file: str) -> tuple[Any, YAML]:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    try:
        _, indent, offset = load_yaml_guess_indent(text)
        document = yaml.load(text)
    except YAMLError as exc:
        raise ConfigError(f"{file} is not valid YAML: {exc}") from exc
    # The guess gives a list's indentation and its dash's offset; a mapping's is the difference.
    sequence, offset = indent or 2, offset or 0
    yaml.indent(mapping=max(sequence - offset, 2), sequence=max(sequence, offset + 2), offset=offset)
    return document, yaml


def _dump(document: Any, yaml: YAML) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _walk(document: Any, path: YamlPath, file: str) -> Any:
    node = document
    for depth, part in enumerate(path):
        where = list(path[: depth + 1])
        in_list = isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, CommentedMap) and isinstance(part, str) and part in node):
            node = node[part]
        else:
            raise ConfigError(f"{file} has nothing at {where}: the file changed; reload it")
    return node


def _flow_and_position(document: Any, path: YamlPath, file: str) -> tuple[CommentedSeq, int]:
    if not path or not isinstance(path[-1], int):
        raise ConfigError(f"{list(path)} does not name a place in a flow of {file} (it ends with a position)")
    flow = _walk(document, path[:-1], file)
    if not isinstance(flow, CommentedSeq):
        raise ConfigError(f"{file} has no flow at {list(path[:-1])}: the file changed; reload it")
    return flow, path[-1]


def _check_step(step: Mapping[str, Any]) -> None:
    if len(step) != 1:
        raise ConfigError(f"a step is one mediator, `kind: {{options}}` (got {len(step)} keys)")


def _plain(value: Any) -> Any:
    """``value`` as plain data (ruamel's commented containers compare by identity of their comments)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _merge(existing: CommentedMap, wanted: Mapping[str, Any]) -> None:
    """``existing`` made equal to ``wanted``, touching only the keys that differ."""
    for key in [key for key in existing if key not in wanted]:
        del existing[key]
    for key, value in wanted.items():
        if key not in existing or _plain(existing[key]) != _plain(value):
            existing[key] = value


def step_at(text: str, path: YamlPath, file: str) -> Any:
    """The mediator at ``path`` of the flow in ``text``, as plain data; ConfigError when there is none."""
    document, _ = _load(text, file)
    flow, position = _flow_and_position(document, path, file)
    if not 0 <= position < len(flow):
        raise ConfigError(f"{file} has no step at {list(path)}: the file changed; reload it")
    return _plain(flow[position])


def insert_step(text: str, path: YamlPath, step: Mapping[str, Any], file: str) -> str:
    """``text`` with ``step`` inserted into a flow at ``path`` (its last part the position, up to the
    flow's length to append)."""
    _check_step(step)
    document, yaml = _load(text, file)
    flow, position = _flow_and_position(document, path, file)
    if not 0 <= position <= len(flow):
        raise ConfigError(f"position {position} is outside the flow at {list(path[:-1])} of {file}")
    flow.insert(position, dict(step))
    return _dump(document, yaml)


def replace_step(text: str, path: YamlPath, step: Mapping[str, Any], file: str) -> str:
    """``text`` with the mediator at ``path`` replaced by ``step``; the same kind keeps the keys that do
    not change as they were written (with their comments)."""
    _check_step(step)
    document, yaml = _load(text, file)
    flow, position = _flow_and_position(document, path, file)
    if not 0 <= position < len(flow):
        raise ConfigError(f"{file} has no step at {list(path)}: the file changed; reload it")
    current = flow[position]
    ((kind, options),) = step.items()
    kept = isinstance(current, CommentedMap) and list(current) == [kind]
    if kept and isinstance(current[kind], CommentedMap) and isinstance(options, Mapping):
        _merge(current[kind], options)
    elif not (kept and _plain(current[kind]) == _plain(options)):
        flow[position] = dict(step)
    return _dump(document, yaml)
