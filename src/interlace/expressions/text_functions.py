"""String functions of the expression language (``toUpper``, ``subString``, ``split``, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interlace.errors import ExpressionError
from interlace.expressions.registry import describe, expect_integer, expect_text, function
from interlace.expressions.values import to_text, values_equal

__all__: list[str] = []


@function("length(value)", "length('hello') → 5")
def _length(value: Any) -> int:
    """The number of characters of a string, elements of an array or keys of an object."""
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise ExpressionError(f"length() needs a string, an array or an object (got {describe(value)})")


@function("toUpper(text)", "toUpper('abc') → \"ABC\"")
def _to_upper(text: Any) -> str:
    """The text in upper case."""
    return expect_text("toUpper", text).upper()


@function("toLower(text)", "toLower('ABC') → \"abc\"")
def _to_lower(text: Any) -> str:
    """The text in lower case."""
    return expect_text("toLower", text).lower()


@function("trim(text)", "trim('  a b  ') → \"a b\"")
def _trim(text: Any) -> str:
    """The text without leading and trailing whitespace."""
    return expect_text("trim", text).strip()


@function("subString(text, start[, end])", "subString('integration', 0, 5) → \"integ\"")
def _sub_string(text: Any, start: Any, end: Any = None) -> str:
    """The characters from index ``start`` (0-based, included) to ``end`` (excluded; default: the end of
    the text). Indexes must not be negative; indexes past the end are clamped to the length."""
    value = expect_text("subString", text)
    first = expect_integer("subString", start, "the start index")
    last = len(value) if end is None else expect_integer("subString", end, "the end index")
    if first < 0 or last < 0:
        raise ExpressionError(f"subString() needs indexes >= 0 (got {first} and {last})")
    return value[first:last]


@function("startsWith(text, prefix)", "startsWith('interlace', 'inter') → true")
def _starts_with(text: Any, prefix: Any) -> bool:
    """Whether the text begins with the prefix."""
    return expect_text("startsWith", text).startswith(expect_text("startsWith", prefix, "the prefix"))


@function("endsWith(text, suffix)", "endsWith('report.pdf', '.pdf') → true")
def _ends_with(text: Any, suffix: Any) -> bool:
    """Whether the text ends with the suffix."""
    return expect_text("endsWith", text).endswith(expect_text("endsWith", suffix, "the suffix"))


@function("contains(value, part)", "contains('interlace', 'lace') → true")
def _contains(value: Any, part: Any) -> bool:
    """Whether a string contains the substring ``part``, or an array contains an element equal to ``part``."""
    if isinstance(value, str):
        return expect_text("contains", part, "the part to look for") in value
    if isinstance(value, list | tuple):
        return any(values_equal(item, part) for item in value)
    raise ExpressionError(f"contains() needs a string or an array (got {describe(value)})")


@function("replace(text, old, new)", "replace('a-b-c', '-', '+') → \"a+b+c\"")
def _replace(text: Any, old: Any, new: Any) -> str:
    """The text with every occurrence of ``old`` replaced by ``new`` (plain text, not a pattern)."""
    value = expect_text("replace", text)
    return value.replace(
        expect_text("replace", old, "the text to replace"), expect_text("replace", new, "the new text")
    )


@function("split(text, separator)", 'split(\'a,b,c\', \',\') → ["a", "b", "c"]')
def _split(text: Any, separator: Any) -> list[str]:
    """The parts of the text between occurrences of the separator (plain text, not a pattern); an empty
    separator splits into single characters."""
    value = expect_text("split", text)
    sep = expect_text("split", separator, "the separator")
    return value.split(sep) if sep else list(value)


@function("charAt(text, index)", "charAt('abc', 1) → \"b\"")
def _char_at(text: Any, index: Any) -> str:
    """The character at the 0-based index."""
    value = expect_text("charAt", text)
    position = expect_integer("charAt", index, "the index")
    if not 0 <= position < len(value):
        raise ExpressionError(f"charAt() index must be within 0..{len(value) - 1} (got {position})")
    return value[position]


@function("indexOf(text, part[, from])", "indexOf('a-b-c', '-') → 1")
def _index_of(text: Any, part: Any, start: Any = 0) -> int:
    """The 0-based index of the first occurrence of ``part`` at or after ``from`` (default 0), or -1."""
    value = expect_text("indexOf", text)
    first = max(expect_integer("indexOf", start, "the start index"), 0)
    return value.find(expect_text("indexOf", part, "the part to look for"), first)


@function("join(array, separator)", "join(['a', 'b', 1], '/') → \"a/b/1\"")
def _join(array: Any, separator: Any) -> str:
    """The elements of the array as text (as in a string template), separated by ``separator``."""
    if not isinstance(array, list | tuple):
        raise ExpressionError(f"join() needs an array as its first argument (got {describe(array)})")
    return expect_text("join", separator, "the separator").join(to_text(item) for item in array)
