"""Math, conversion and type functions of the expression language (``round``, ``integer``, ``type``, ...)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

import orjson

from interlace.errors import ExpressionError
from interlace.expressions.registry import describe, expect_integer, expect_number, function
from interlace.expressions.values import is_number, is_truthy, json_text, type_name, xml_text

__all__: list[str] = []

_EXACT_LIMIT: Final = 2**53  # beyond this a float result is not turned back into an exact integer


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < _EXACT_LIMIT else value


@function("abs(number)", "abs(-4.5) → 4.5")
def _abs(number: Any) -> int | float:
    """The absolute value."""
    return abs(expect_number("abs", number))


@function("ceil(number)", "ceil(4.2) → 5")
def _ceil(number: Any) -> int:
    """The smallest whole number not below the number."""
    return math.ceil(expect_number("ceil", number))


@function("floor(number)", "floor(4.8) → 4")
def _floor(number: Any) -> int:
    """The largest whole number not above the number."""
    return math.floor(expect_number("floor", number))


@function("round(number[, decimals])", "round(2.5) → 3; round(3.14159, 2) → 3.14")
def _round(number: Any, decimals: Any = 0) -> int | float:
    """The number rounded half up (away from zero for halves) to ``decimals`` places (default 0, giving a
    whole number)."""
    value = expect_number("round", number)
    places = expect_integer("round", decimals, "the number of decimals")
    if not math.isfinite(value):
        raise ExpressionError(f"round() needs a finite number (got {value})")
    try:
        rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ExpressionError(f"round() cannot round {value} to {places} decimals") from exc
    return int(rounded) if places <= 0 else float(rounded)


@function("sqrt(number)", "sqrt(16) → 4")
def _sqrt(number: Any) -> int | float:
    """The square root; the number must not be negative."""
    value = expect_number("sqrt", number)
    if value < 0:
        raise ExpressionError(f"sqrt() needs a number >= 0 (got {value})")
    return _whole(math.sqrt(value))


@function("log(number)", "log(1) → 0")
def _log(number: Any) -> int | float:
    """The natural logarithm; the number must be above 0."""
    value = expect_number("log", number)
    if value <= 0:
        raise ExpressionError(f"log() needs a number > 0 (got {value})")
    return _whole(math.log(value))


@function("pow(base, exponent)", "pow(2, 10) → 1024")
def _pow(base: Any, exponent: Any) -> int | float:
    """``base`` raised to ``exponent``."""
    x = expect_number("pow", base, "the base")
    y = expect_number("pow", exponent, "the exponent")
    try:
        result = math.pow(x, y)
    except (OverflowError, ValueError) as exc:
        raise ExpressionError(f"pow({x}, {y}) has no finite real result") from exc
    return _whole(result) if isinstance(x, int) and isinstance(y, int) and y >= 0 else result


def _parse_number(function_name: str, text: str) -> int | float:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        return float(stripped)
    except ValueError as exc:
        raise ExpressionError(f"{function_name}() cannot read {text!r} as a number") from exc


@function("integer(value)", "integer('42') → 42; integer(3.9) → 3")
def _integer(value: Any) -> int:
    """A whole number from a number (cut toward zero) or from numeric text."""
    number = _parse_number("integer", value) if isinstance(value, str) else expect_number("integer", value)
    if not math.isfinite(number):
        raise ExpressionError(f"integer() needs a finite number (got {describe(value)})")
    return int(number)


@function("float(value)", "float('2.5') → 2.5")
def _float(value: Any) -> float:
    """A decimal number from a number or from numeric text."""
    number = _parse_number("float", value) if isinstance(value, str) else expect_number("float", value)
    return float(number)


@function("string(value)", 'string(42) → "42"; string([1, 2]) → "[1,2]"')
def _string(value: Any) -> str:
    """The value as text: strings as they are, other values as compact JSON (``null`` gives "null"), XML
    as XML text."""
    if isinstance(value, str):
        return value
    if type_name(value) == "xml":
        return xml_text(value)
    return json_text(value)


@function("boolean(value)", "boolean('TRUE') → true")
def _boolean(value: Any) -> bool:
    """A boolean from a boolean, from the text "true" or "false" (any case), or from a number (0 is false)."""
    if isinstance(value, bool):
        return value
    if is_number(value):
        return bool(value != 0)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ExpressionError(f"boolean() needs a boolean, a number or 'true'/'false' (got {describe(value)})")


def _parse_json(function_name: str, value: Any, kind: type) -> Any:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise ExpressionError(f"{function_name}() cannot read the text as JSON: {exc}") from exc
    if kind is dict and isinstance(value, Mapping):
        return dict(value)
    if kind is list and isinstance(value, list | tuple):
        return list(value)
    wanted = "an object" if kind is dict else "an array"
    raise ExpressionError(f"{function_name}() needs {wanted} or JSON text of one (got {describe(value)})")


@function("object(value)", 'object(\'{"a": 1}\') → {"a": 1}')
def _object(value: Any) -> Any:
    """An object from an object or from JSON text of an object."""
    return _parse_json("object", value, dict)


@function("array(value)", "array('[1, 2]') → [1, 2]")
def _array(value: Any) -> Any:
    """An array from an array or from JSON text of an array."""
    return _parse_json("array", value, list)


@function("type(value)", 'type([1, 2]) → "array"')
def _type(value: Any) -> str:
    """The type of the value: "string", "number", "boolean", "object", "array" or "null" (and "xml" for
    an XML element, "binary" for bytes)."""
    return type_name(value)


@function("isNumber(value)", "isNumber(42) → true; isNumber('42') → false")
def _is_number(value: Any) -> bool:
    """Whether the value is a number (numeric text is not)."""
    return is_number(value)


@function("isString(value)", "isString('a') → true")
def _is_string(value: Any) -> bool:
    """Whether the value is a string."""
    return isinstance(value, str)


@function("isBoolean(value)", "isBoolean(false) → true")
def _is_boolean(value: Any) -> bool:
    """Whether the value is true or false."""
    return isinstance(value, bool)


@function("isArray(value)", "isArray([1, 2]) → true")
def _is_array(value: Any) -> bool:
    """Whether the value is an array."""
    return isinstance(value, list | tuple)


@function("isObject(value)", "isObject(payload) → true for a JSON object payload")
def _is_object(value: Any) -> bool:
    """Whether the value is an object."""
    return isinstance(value, Mapping)


@function("exists(value)", "exists(payload.customer.email) → false when the key is missing")
def _exists(value: Any) -> bool:
    """Whether the value is present and not null. A missing key, index, variable, configuration key or
    environment variable gives false instead of an error."""
    return value is not None


@function("not(value)", "not(0) → true")
def _not(value: Any) -> bool:
    """The negation of the value's truthiness, like ``!value``."""
    return not is_truthy(value)
