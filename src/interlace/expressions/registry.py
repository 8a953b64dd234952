"""How expression functions are declared: :class:`FunctionSpec`, the ``@function`` decorator and the
argument checks every function uses so its errors read the same way.

A function's signature text (``"subString(text, start[, end])"``) is its single description of arity:
bracketed parameters are optional. The docstring is the reference text; ``example`` shows a call and its
result. Functions receive evaluated argument values and raise :class:`ExpressionError` on bad input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from interlace.errors import ExpressionError
from interlace.expressions.values import is_number, json_text, type_name

__all__ = [
    "REGISTRY",
    "FunctionSpec",
    "describe",
    "expect_integer",
    "expect_number",
    "expect_text",
    "function",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_SIGNATURE: Final = re.compile(r"(\w+)\((.*)\)")


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function of the language, as the compiler, the checker and the reference docs see it.

    ``call`` takes the evaluated arguments (preceded by the MessageContext when ``needs_context``).
    ``pure`` functions give the same result for the same arguments, so calls on constants are folded at
    load time; ``max_args`` is ``min_args`` or more.
    """

    name: str
    min_args: int
    max_args: int
    doc: str
    call: Callable[..., Any]
    signature: str = ""
    example: str = ""
    pure: bool = True
    needs_context: bool = False


REGISTRY: dict[str, FunctionSpec] = {}


def _arity(signature: str) -> tuple[str, int, int]:
    match = _SIGNATURE.fullmatch(signature)
    if match is None:
        raise ValueError(f"malformed function signature {signature!r}")
    name, params = match.groups()
    required = re.sub(r"\[[^\]]*\]", "", params)
    return name, _count_params(required), _count_params(params.replace("[", "").replace("]", ""))


def _count_params(text: str) -> int:
    return len([param for param in text.split(",") if param.strip()])


def function(
    signature: str, example: str, *, pure: bool = True, needs_context: bool = False
) -> Callable[[_F], _F]:
    """Register the decorated callable as the function named in ``signature``."""

    def register(call: _F) -> _F:
        name, min_args, max_args = _arity(signature)
        doc = " ".join((call.__doc__ or "").split())
        REGISTRY[name] = FunctionSpec(
            name, min_args, max_args, doc, call, signature, example, pure=pure, needs_context=needs_context
        )
        return call

    return register


def describe(value: Any) -> str:
    """A short description of a value for error messages: its type and, if small, the value."""
    kind = type_name(value)
    if value is None or kind in ("object", "array", "xml", "binary"):
        return kind
    text = json_text(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def expect_text(function_name: str, value: Any, what: str = "the text") -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"{function_name}() needs {what} to be a string (got {describe(value)})")
    return value


def expect_number(function_name: str, value: Any, what: str = "its argument") -> int | float:
    if not is_number(value):
        raise ExpressionError(f"{function_name}() needs {what} to be a number (got {describe(value)})")
    number: int | float = value
    return number


def expect_integer(function_name: str, value: Any, what: str) -> int:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if type(value) is not int:
        raise ExpressionError(f"{function_name}() needs {what} to be a whole number (got {describe(value)})")
    return value
