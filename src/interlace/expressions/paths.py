"""Navigation inside values: the steps a path such as ``payload.items[0].name`` is compiled into.

A missing key or index, or a step into something that is not a container, gives ``None`` (null) rather
than an error, so ``exists(payload.x)`` and ``payload.x ?? 'default'`` work. Segments that select many
values (``[*]``, ``..name``, ``[1:3]``, ``[?(...)]``) turn the rest of the path into a node list: later
steps apply to each node, nodes that come out missing are dropped, and the path's value is a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from interlace.message import MessageContext

__all__ = [
    "Evaluator",
    "Step",
    "chain_steps",
    "descendants",
    "field_of",
    "index_of",
    "members_of",
    "slice_of",
]

Evaluator = Callable[[MessageContext, Any], Any]
"""A compiled expression: called with the message and the current element ``@`` (None outside filters)."""

Step = Callable[[MessageContext, Any, Any], Any]
"""One path segment: ``(ctx, current, value) -> value``, or a list of nodes for a many-valued segment."""


def field_of(value: Any, name: str) -> Any:
    """``value.name``: the key of an object (case-insensitively for headers), else None."""
    if type(value) is dict:
        return value.get(name)
    if isinstance(value, Mapping):
        return value.get(name)
    return None


def index_of(value: Any, key: Any) -> Any:
    """``value[key]``: an array element for an integer (negative counts from the end), a key for a string."""
    if isinstance(key, str):
        return field_of(value, key)
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    if type(key) is not int or not isinstance(value, list | tuple):
        return None
    if -len(value) <= key < len(value):
        return value[key]
    return None


def members_of(value: Any) -> list[Any]:
    """``[*]``: the elements of an array or the values of an object; nothing for anything else."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, Mapping):
        return list(value.values())
    return []


def _walk(value: Any) -> Iterator[Any]:
    # pre-order, the document order JSONPath uses for ".."
    stack = [iter(members_of(value))]
    while stack:
        for child in stack[-1]:
            yield child
            if isinstance(child, list | tuple | Mapping):
                stack.append(iter(members_of(child)))
            break
        else:
            stack.pop()


def _walk_containers(value: Any) -> Iterator[Any]:
    if isinstance(value, list | tuple | Mapping):
        yield value
    for child in _walk(value):
        if isinstance(child, list | tuple | Mapping):
            yield child


def descendants(value: Any, name: str | None) -> list[Any]:
    """``..name``: every value under key ``name`` at any depth; ``..*``: every value below ``value``."""
    if name is None:
        return list(_walk(value))
    found = []
    for container in _walk_containers(value):
        if isinstance(container, Mapping) and name in container:
            found.append(container[name])
    return found


def slice_of(value: Any, start: Any, end: Any, step: Any) -> list[Any]:
    """``[start:end:step]`` of an array (Python slice rules); nothing for anything else."""
    if not isinstance(value, list | tuple):
        return []
    return list(value[start:end:step])


def chain_steps(base: Evaluator, steps: list[tuple[bool, Step]]) -> Evaluator:
    """Compose a base and its steps (``many`` flag, step) into one evaluator.

    Single-valued steps run on the value until the first many-valued step; from there each step maps
    over the node list, dropping missing results and flattening many-valued steps.
    """
    split = next((i for i, (many, _) in enumerate(steps) if many), len(steps))
    single = tuple(step for _, step in steps[:split])
    rest = tuple(steps[split:])

    def run_single(ctx: MessageContext, current: Any) -> Any:
        value = base(ctx, current)
        for step in single:
            if value is None:
                return None
            value = step(ctx, current, value)
        return value

    if not rest:
        return run_single

    def run_many(ctx: MessageContext, current: Any) -> Any:
        value = run_single(ctx, current)
        nodes: list[Any] = [] if value is None else [value]
        for many, step in rest:
            if many:
                nodes = [found for node in nodes for found in step(ctx, current, node)]
            else:
                nodes = [found for node in nodes if (found := step(ctx, current, node)) is not None]
        return nodes

    return run_many
