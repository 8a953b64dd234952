"""The compiled form of an expression node, and the load-time scope folded into it.

The compiler turns each node into a :class:`Code`: a closure ``(ctx, current) -> value`` plus, when the
node does not depend on the message, its constant value (so enclosing nodes can fold too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from interlace.expressions.paths import Evaluator

__all__ = ["Code", "CompileScope", "constant_code", "copy_value"]


@dataclass(frozen=True, slots=True)
class CompileScope:
    """Values known at load time and folded into compiled expressions.

    ``configs`` is the active profile's configuration (``${configs.x}``, nested mappings allowed);
    ``env`` the environment (``${env.X}``). A reference to a missing key is a load-time error unless it
    is the argument of ``exists()`` or the left side of ``??``, or ``configs_known`` is False (the
    configuration could not be read, which is reported once, where it is).
    """

    configs: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    configs_known: bool = True


@dataclass(slots=True)
class Code:
    """A compiled node: ``run`` evaluates it; ``constant`` nodes also carry their ``value``."""

    run: Evaluator
    constant: bool = False
    value: Any = None


def copy_value(value: Any) -> Any:
    """A deep copy, as plain ``dict`` and ``list``, of the containers of a JSON value; scalars are shared."""
    if isinstance(value, dict):
        return {key: copy_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_value(item) for item in value]
    return value


def constant_code(value: Any) -> Code:
    """A node whose value is known; lists and dicts are copied per evaluation, so callers may change them."""
    if isinstance(value, list | dict):
        return Code(lambda ctx, current: copy_value(value), True, value)
    return Code(lambda ctx, current: value, True, value)
