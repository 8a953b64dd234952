"""The syntax tree of a ``${...}`` expression, as the parser builds it and the evaluator compiles it.

Nodes are immutable and carry the 1-based ``column`` where they start in the expression text, so the
compiler can point at the offending part. A path (``payload.items[0].name``) is one :class:`Path` node:
a base (a root such as ``payload`` or any other primary such as a call) followed by segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ROOT_NAMES",
    "ArrayLiteral",
    "Binary",
    "Call",
    "Conditional",
    "Descendant",
    "Field",
    "Filter",
    "Index",
    "Literal",
    "Node",
    "Path",
    "Root",
    "Segment",
    "Slice",
    "Unary",
    "Wildcard",
    "reads_payload",
]

# The names an expression may start with; "@" is the current element inside a filter.
ROOT_NAMES = frozenset(
    {"payload", "$", "vars", "headers", "params", "props", "properties", "configs", "env", "error", "@"}
)


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, boolean or null written in the expression."""

    value: Any
    column: int


@dataclass(frozen=True, slots=True)
class ArrayLiteral:
    """``[a, b, c]``."""

    items: tuple[Node, ...]
    column: int


@dataclass(frozen=True, slots=True)
class Root:
    """One of :data:`ROOT_NAMES`; ``properties`` is normalised to ``props`` and ``$`` to ``payload``."""

    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` or ``!x``."""

    op: str
    operand: Node
    column: int


@dataclass(frozen=True, slots=True)
class Binary:
    """An infix operator: arithmetic, comparison, ``&&``, ``||`` or ``??``."""

    op: str
    left: Node
    right: Node
    column: int


@dataclass(frozen=True, slots=True)
class Conditional:
    """``test ? then : otherwise``."""

    test: Node
    then: Node
    otherwise: Node
    column: int


@dataclass(frozen=True, slots=True)
class Call:
    """``name(arg, ...)``."""

    name: str
    args: tuple[Node, ...]
    column: int


@dataclass(frozen=True, slots=True)
class Field:
    """``.name`` or ``["name"]``: one key of an object."""

    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Index:
    """``[expr]``: an array index when the value is a number, an object key when it is a string."""

    key: Node
    column: int


@dataclass(frozen=True, slots=True)
class Slice:
    """``[start:end:step]``; each bound may be missing."""

    start: Node | None
    end: Node | None
    step: Node | None
    column: int


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``[*]`` or ``.*``: every element of an array or every value of an object."""

    column: int


@dataclass(frozen=True, slots=True)
class Descendant:
    """``..name`` (every value under a key ``name`` at any depth) or ``..*`` (``name`` is None)."""

    name: str | None
    column: int


@dataclass(frozen=True, slots=True)
class Filter:
    """``[?(predicate)]``: the elements for which the predicate, with ``@`` bound to each, is truthy."""

    predicate: Node
    column: int


Segment = Field | Index | Slice | Wildcard | Descendant | Filter


@dataclass(frozen=True, slots=True)
class Path:
    """A base followed by navigation segments, e.g. ``payload.items[0].name``."""

    base: Node
    segments: tuple[Segment, ...]
    column: int


Node = Literal | ArrayLiteral | Root | Unary | Binary | Conditional | Call | Path


_READS_PAYLOAD_FUNCTIONS = frozenset({"xpath"})
"""Functions that read the payload without naming it (``xpath('//id')``)."""


def reads_payload(node: Node | Segment | None) -> bool:
    """Whether evaluating ``node`` may read the message's payload (``payload``, ``$``, ``xpath(...)``)."""
    if node is None or isinstance(node, Literal | Field | Wildcard | Descendant):
        return False
    if isinstance(node, Root):
        return node.name == "payload"
    if isinstance(node, Call):
        return node.name in _READS_PAYLOAD_FUNCTIONS or any(reads_payload(arg) for arg in node.args)
    if isinstance(node, Path):
        return reads_payload(node.base) or any(reads_payload(segment) for segment in node.segments)
    if isinstance(node, ArrayLiteral):
        return any(reads_payload(item) for item in node.items)
    if isinstance(node, Unary):
        return reads_payload(node.operand)
    if isinstance(node, Binary):
        return reads_payload(node.left) or reads_payload(node.right)
    if isinstance(node, Conditional):
        return any(reads_payload(part) for part in (node.test, node.then, node.otherwise))
    if isinstance(node, Index):
        return reads_payload(node.key)
    if isinstance(node, Slice):
        return any(reads_payload(part) for part in (node.start, node.end, node.step))
    return reads_payload(node.predicate)
