"""The value model of the expression language: type names, truthiness, equality and text form.

Values are JSON values (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``dict``) plus what a
payload may be besides JSON: an lxml element (XML payloads) and ``bytes`` (binary payloads).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

import orjson
from lxml import etree

__all__ = ["is_number", "is_truthy", "json_text", "to_text", "type_name", "values_equal", "xml_text"]

_JSON_OPTIONS: Final = orjson.OPT_NON_STR_KEYS
_SCALARS: Final = frozenset({str, int, float, bool})


def is_number(value: Any) -> bool:
    """True for ints and floats; booleans are not numbers in this language."""
    kind = type(value)
    return kind is int or kind is float or (isinstance(value, int | float) and not isinstance(value, bool))


def type_name(value: Any) -> str:
    """The language's name of the value's type: null, boolean, number, string, array, object, xml, binary."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, etree._Element):
        return "xml"
    if isinstance(value, bytes | bytearray):
        return "binary"
    return type(value).__name__


def is_truthy(value: Any) -> bool:
    """The language's truthiness, used by ``!``, ``&&``, ``||``, ``?:`` and filters.

    ``null``, ``false``, ``0``, ``""``, ``[]`` and ``{}`` (and empty binary) are false; everything else,
    including every XML element, is true.
    """
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, etree._Element):
        return True
    if isinstance(value, int | float | str | list | tuple | Mapping | bytes | bytearray):
        return bool(value)
    return True


def values_equal(left: Any, right: Any) -> bool:
    """``==``: numbers compare numerically, other values only equal values of the same type (deeply)."""
    kind = type(left)
    if kind is type(right) and kind in _SCALARS:
        return bool(left == right)
    if is_number(left) and is_number(right):
        return bool(left == right)
    left_type, right_type = type_name(left), type_name(right)
    if left_type != right_type:
        return False
    if left_type == "array":
        return len(left) == len(right) and all(values_equal(a, b) for a, b in zip(left, right, strict=True))
    if left_type == "object":
        return left.keys() == right.keys() and all(values_equal(left[k], right[k]) for k in left)
    if left_type == "xml":
        return bool(etree.tostring(left) == etree.tostring(right))
    return bool(left == right)


def xml_text(element: etree._Element) -> str:
    """An XML element as text, without the text that follows it in its parent."""
    return etree.tostring(element, encoding="unicode", with_tail=False)


def _json_default(value: Any) -> Any:
    if isinstance(value, etree._Element):
        return xml_text(value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def json_text(value: Any) -> str:
    """Compact JSON for a value; XML elements become XML text, bytes are decoded as UTF-8."""
    if type(value) is int:
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        return orjson.dumps(value, default=_json_default, option=_JSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        # integers beyond 64 bits, which orjson refuses; the standard library writes them exactly
        return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False)


def to_text(value: Any) -> str:
    """How a value reads inside a string template.

    Strings as they are, ``null`` as the empty string, numbers and booleans as JSON (``true``), objects and
    arrays as compact JSON, XML elements as XML text, bytes decoded as UTF-8.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, etree._Element):
        return xml_text(value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return json_text(value)
