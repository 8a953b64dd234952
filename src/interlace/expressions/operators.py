"""The operators of the expression language, as plain functions on values.

``+`` adds two numbers or joins two strings; mixing text and numbers is an error (convert with
``string()`` or ``integer()``). ``/`` gives a whole number when two whole numbers divide exactly;
``%`` keeps the sign of the left operand. Ordering comparisons need two numbers or two strings, and are
false when either side is null, so a filter such as ``[?(@.price > 10)]`` skips elements without a price.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any, Final

from interlace.errors import ExpressionError
from interlace.expressions.registry import describe
from interlace.expressions.values import is_number, is_truthy, values_equal

__all__ = ["BINARY", "negate", "not_"]


def _numbers(op: str, left: Any, right: Any) -> None:
    if not (is_number(left) and is_number(right)):
        raise ExpressionError(f"'{op}' needs two numbers (got {describe(left)} and {describe(right)})")


def _add(left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return left + right
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    hint = ""
    if isinstance(left, str) or isinstance(right, str):
        hint = "; convert with string(...) to join text, or integer(...)/float(...) to add numbers"
    raise ExpressionError(
        f"'+' needs two numbers or two strings (got {describe(left)} and {describe(right)}){hint}"
    )


def _subtract(left: Any, right: Any) -> Any:
    _numbers("-", left, right)
    return left - right


def _multiply(left: Any, right: Any) -> Any:
    _numbers("*", left, right)
    return left * right


def _divide(left: Any, right: Any) -> Any:
    _numbers("/", left, right)
    if right == 0:
        raise ExpressionError(f"division by zero in '/' (dividing {describe(left)})")
    if isinstance(left, int) and isinstance(right, int) and left % right == 0:
        return left // right
    return left / right


def _remainder(left: Any, right: Any) -> Any:
    _numbers("%", left, right)
    if right == 0:
        raise ExpressionError(f"division by zero in '%' (dividing {describe(left)})")
    if isinstance(left, int) and isinstance(right, int):
        rest = abs(left) % abs(right)
        return rest if left >= 0 else -rest
    return math.fmod(left, right)


def _ordering(op: str, compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def ordered(left: Any, right: Any) -> bool:
        kind = type(left)
        if kind is type(right) and (kind is int or kind is float or kind is str):
            return compare(left, right)
        if left is None or right is None:
            return False
        if (is_number(left) and is_number(right)) or (isinstance(left, str) and isinstance(right, str)):
            return compare(left, right)
        raise ExpressionError(
            f"'{op}' needs two numbers or two strings (got {describe(left)} and {describe(right)})"
        )

    return ordered


def _not_equal(left: Any, right: Any) -> bool:
    return not values_equal(left, right)


BINARY: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "%": _remainder,
    "==": values_equal,
    "!=": _not_equal,
    "<": _ordering("<", operator.lt),
    "<=": _ordering("<=", operator.le),
    ">": _ordering(">", operator.gt),
    ">=": _ordering(">=", operator.ge),
}
"""The strict binary operators (both operands evaluated); ``&&``, ``||`` and ``??`` short-circuit and are
compiled separately."""


def negate(value: Any) -> Any:
    """Unary ``-``."""
    if not is_number(value):
        raise ExpressionError(f"'-' needs a number (got {describe(value)})")
    return -value


def not_(value: Any) -> bool:
    """Unary ``!``."""
    return not is_truthy(value)
