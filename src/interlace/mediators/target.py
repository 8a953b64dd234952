"""Where a mediator writes a value: ``payload``, ``payload.a.b``, ``vars.x``, ``vars.x.y``, ``headers.X``
or ``props.x``; used by enrich, foreach and scatter-gather.

Targets are parsed once at load time. Writing into the payload copies it first, so copies of a message
made for parallel branches never see each other's changes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import orjson

from interlace.errors import MediationError
from interlace.message import MessageContext, Payload

__all__ = ["ACTIONS", "Target", "parse_target"]

ACTIONS = ("replace", "merge", "append", "child")
_SEGMENT = re.compile(r"[A-Za-z_][\w-]*|\d+")
_ROOTS = ("payload", "vars", "headers", "props")


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed target: a root and a path of keys (str) and indexes (int) below it."""

    root: str
    path: tuple[str | int, ...]
    text: str

    def assign(self, ctx: MessageContext, value: Any, action: str = "replace") -> None:
        """Write ``value`` at the target; raise MediationError when the target's shape does not allow it."""
        if self.root == "headers":
            ctx.headers[str(self.path[0])] = value if isinstance(value, str) else orjson.dumps(value).decode()
        elif self.root == "payload":
            current = copy.deepcopy(ctx.payload.json()) if self.path and ctx.payload.kind != "empty" else None
            ctx.payload = Payload.of_json(self._write(current, value, action))
        else:
            scope = ctx.variables if self.root == "vars" else ctx.properties
            name = str(self.path[0])
            if len(self.path) == 1:
                scope[name] = _combine(scope.get(name), value, action, self.text)
            else:
                inner = Target(self.root, self.path[1:], self.text)
                scope[name] = inner._write(copy.deepcopy(scope.get(name)), value, action)

    def _write(self, document: Any, value: Any, action: str) -> Any:
        if not self.path:
            return _combine(document, value, action, self.text)
        root: Any = document if document is not None else ({} if isinstance(self.path[0], str) else [])
        node = root
        for step, following in zip(self.path, (*self.path[1:], None), strict=True):
            if following is None:
                _put(node, step, _combine(_get(node, step), value, action, self.text), self.text)
                break
            child = _get(node, step)
            if child is None:
                child = {} if isinstance(following, str) else []
                _put(node, step, child, self.text)
            node = child
        return root


def _get(node: Any, step: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(str(step))
    if isinstance(node, list) and isinstance(step, int) and -len(node) <= step < len(node):
        return node[step]
    return None


def _put(node: Any, step: str | int, value: Any, text: str) -> None:
    if isinstance(node, dict):
        node[str(step)] = value
    elif isinstance(node, list) and isinstance(step, int) and step <= len(node):
        if step == len(node):
            node.append(value)
        else:
            node[step] = value
    else:
        raise MediationError(
            f"cannot write {text}: {step!r} is not a key of an object or an index of an array"
        )


def _combine(current: Any, value: Any, action: str, text: str) -> Any:
    if action == "replace" or (action == "child" and current is None):
        return value
    if action == "child":
        action = "append" if isinstance(current, list) else "merge"
    if action == "merge":
        if current is None:
            return value
        if isinstance(current, dict) and isinstance(value, dict):
            return {**current, **value}
        raise MediationError(
            f"merge into {text} needs two objects (got {type(current).__name__} and {type(value).__name__})"
        )
    if current is None:
        return [value]
    if isinstance(current, list):
        return [*current, value]
    raise MediationError(f"append to {text} needs an array there (got {type(current).__name__})")


def parse_target(text: str) -> Target:
    """Parse ``vars.order.items`` into a Target; raise ValueError saying what is accepted."""
    cleaned = text.strip()
    if cleaned.startswith("${") and cleaned.endswith("}"):
        cleaned = cleaned[2:-1].strip()
    head, _, rest = cleaned.partition(".")
    if head not in _ROOTS:
        raise ValueError(f"target must start with one of {', '.join(_ROOTS)} (got {text!r})")
    steps: list[str | int] = []
    for part in rest.split(".") if rest else []:
        if not _SEGMENT.fullmatch(part):
            raise ValueError(f"target {text!r} has an invalid segment {part!r}")
        steps.append(int(part) if part.isdigit() else part)
    if head != "payload" and not steps:
        raise ValueError(
            f"target {text!r} must name a {head[:-1] if head.endswith('s') else head}: {head}.NAME"
        )
    if head == "headers" and len(steps) != 1:
        raise ValueError(f"a header target is headers.NAME (got {text!r})")
    return Target(head, tuple(steps), text)
