"""Date functions of the expression language: ``now()`` and ``formatDateTime`` with Java-style patterns.

Patterns use the letters of Java's ``SimpleDateFormat`` that integrations use: ``yyyy yy MMMM MMM MM M
dd d HH H hh h mm m ss s SSS a EEEE EEE Z X XX XXX``; text in single quotes is literal (``''`` is a quote).
Epoch milliseconds are read and written in UTC. Each pattern is translated once and cached.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from interlace.errors import ExpressionError
from interlace.expressions.registry import describe, expect_text, function

__all__: list[str] = []

_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")  # fmt: skip
_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LETTERS: Final = "yMdHhmsSaEZX"
_Token = tuple[str, int | str]  # (letter, count) or ("'", literal text)


@functools.lru_cache(maxsize=256)
def _tokens(pattern: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'" and pattern[i + 1 : i + 2] == "'":
            tokens.append(("'", "'"))
            i += 2
        elif char == "'":
            end, literal = i + 1, []
            while True:
                if end >= len(pattern):
                    raise ExpressionError(f"unclosed quote in the date pattern {pattern!r}")
                if pattern[end] == "'":
                    if pattern[end + 1 : end + 2] != "'":
                        break
                    end += 1
                literal.append(pattern[end])
                end += 1
            tokens.append(("'", "".join(literal)))
            i = end + 1
        elif char.isascii() and char.isalpha():
            if char not in _LETTERS:
                raise ExpressionError(
                    f"the date pattern {pattern!r} uses the letter {char!r}; supported letters are "
                    f"{' '.join(_LETTERS)} (quote literal text: 'T')"
                )
            count = len(pattern[i:]) - len(pattern[i:].lstrip(char))
            tokens.append((char, count))
            i += count
        else:
            tokens.append(("'", char))
            i += 1
    return tuple(tokens)


def _offset_text(dt: datetime, letter: str, count: int) -> str:
    offset = dt.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if letter == "X" and minutes == 0:
        return "Z"
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    if letter == "X" and count == 1:
        return f"{sign}{hours:02d}"
    separator = ":" if letter == "X" and count >= 3 else ""
    return f"{sign}{hours:02d}{separator}{rest:02d}"


def _field_text(dt: datetime, letter: str, count: int) -> str:
    if letter == "y":
        return f"{dt.year % 100:02d}" if count == 2 else f"{dt.year:0{count}d}"
    if letter == "M":
        return _MONTHS[dt.month - 1][: 3 if count == 3 else None] if count >= 3 else f"{dt.month:0{count}d}"
    if letter == "E":
        return _DAYS[dt.weekday()][: 3 if count <= 3 else None]
    if letter == "a":
        return "AM" if dt.hour < 12 else "PM"
    if letter in "ZX":
        return _offset_text(dt, letter, count)
    number = {"d": dt.day, "H": dt.hour, "h": (dt.hour % 12) or 12, "m": dt.minute, "s": dt.second,
              "S": dt.microsecond // 1000}[letter]  # fmt: skip
    return f"{number:0{count}d}"


def _format(dt: datetime, pattern: str) -> str:
    return "".join(
        str(value) if letter == "'" else _field_text(dt, letter, int(value))
        for letter, value in _tokens(pattern)
    )


def _group_pattern(letter: str, count: int) -> str:
    if letter == "y":
        return r"\d{2}" if count == 2 else r"\d{4}"
    if letter == "M" and count >= 3:
        return "|".join(name[: 3 if count == 3 else None] for name in _MONTHS)
    if letter == "E":
        return "|".join(name[: 3 if count <= 3 else None] for name in _DAYS)
    if letter == "a":
        return "AM|PM"
    if letter == "Z":
        return r"Z|[+-]\d{4}"
    if letter == "X":
        return r"Z|[+-]\d{2}(?::?\d{2})?"
    if letter == "S":
        return rf"\d{{{count}}}" if count > 1 else r"\d{1,3}"
    return r"\d{1,2}" if count == 1 else rf"\d{{{count}}}"


@functools.lru_cache(maxsize=256)
def _parser(pattern: str) -> tuple[re.Pattern[str], tuple[tuple[str, int], ...]]:
    parts, fields = [], []
    for letter, value in _tokens(pattern):
        if letter == "'":
            parts.append(re.escape(str(value)))
        else:
            parts.append(f"({_group_pattern(letter, int(value))})")
            fields.append((letter, int(value)))
    return re.compile("".join(parts), re.IGNORECASE), tuple(fields)


def _parse(text: str, pattern: str) -> datetime:
    regex, fields = _parser(pattern)
    match = regex.fullmatch(text.strip())
    if match is None:
        raise ExpressionError(f"formatDateTime() cannot read {text!r} with the pattern {pattern!r}")
    parts: dict[str, Any] = {"y": 1970, "M": 1, "d": 1, "H": 0, "m": 0, "s": 0, "S": 0}
    pm: bool | None = None
    zone = None
    for (letter, count), raw in zip(fields, match.groups(), strict=True):
        if letter == "M" and count >= 3:
            parts["M"] = [m[:3].lower() for m in _MONTHS].index(raw[:3].lower()) + 1
        elif letter == "y":
            parts["y"] = int(raw) + (2000 if int(raw) < 69 else 1900) * (count == 2)
        elif letter == "a":
            pm = raw.upper() == "PM"
        elif letter in "ZX":
            zone = _zone(raw)
        elif letter == "S":
            parts["S"] = int(raw) * 1000 if count <= 3 else int(raw.ljust(6, "0")[:6])
        elif letter != "E":
            parts["H" if letter == "h" else letter] = int(raw)
    if pm is not None:
        parts["H"] = parts["H"] % 12 + (12 if pm else 0)
    try:
        return datetime(
            parts["y"], parts["M"], parts["d"], parts["H"], parts["m"], parts["s"], parts["S"], zone
        )
    except ValueError as exc:
        raise ExpressionError(f"formatDateTime() read an impossible date from {text!r}: {exc}") from exc


def _zone(raw: str) -> timezone:
    if raw.upper() == "Z":
        return UTC
    digits = raw[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(timedelta(minutes=-minutes if raw[0] == "-" else minutes))


def _from_epoch(millis: int | float) -> datetime:
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ExpressionError(f"formatDateTime() cannot use {millis} as epoch milliseconds") from exc


def _guarded(action: Callable[[], str]) -> str:
    try:
        return action()
    except ValueError as exc:  # years before 1 or after 9999 in arithmetic on the date
        raise ExpressionError(f"formatDateTime() failed: {exc}") from exc


@function("now()", "now() → 1735689600000", pure=False)
def _now() -> int:
    """The current time as milliseconds since 1970-01-01T00:00:00Z."""
    return time.time_ns() // 1_000_000


@function(
    "formatDateTime(value[, fromPattern], toPattern)",
    "formatDateTime('2025-01-31', 'yyyy-MM-dd', 'dd/MM/yyyy') → \"31/01/2025\"",
)
def _format_date_time(value: Any, pattern: Any, to_pattern: Any = None) -> str:
    """Reformat a date. With three arguments, ``value`` is text read with ``fromPattern``. With two, it
    is epoch milliseconds (such as ``now()``) or ISO-8601 text. The result is written with ``toPattern``."""
    if to_pattern is not None:
        text = expect_text("formatDateTime", value, "the date")
        source = expect_text("formatDateTime", pattern, "the source pattern")
        target = expect_text("formatDateTime", to_pattern, "the target pattern")
        return _guarded(lambda: _format(_parse(text, source), target))
    target = expect_text("formatDateTime", pattern, "the pattern")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _guarded(lambda: _format(_from_epoch(value), target))
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ExpressionError(
                f"formatDateTime() needs ISO-8601 text such as 2025-01-31T10:00:00Z or a source pattern "
                f"(got {describe(value)})"
            ) from exc
        return _guarded(lambda: _format(moment, target))
    raise ExpressionError(f"formatDateTime() needs epoch milliseconds or text (got {describe(value)})")
