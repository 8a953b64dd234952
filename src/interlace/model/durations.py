"""Durations in definitions: ``"250ms"``, ``"30s"``, ``"2m"``, ``"1h"`` or a plain number of seconds.

Definitions declare a field as :data:`PositiveDuration` (must be > 0) or :data:`NonNegativeDuration`
(may be 0) and receive a ``float`` of seconds; :func:`parse_duration` is the same parser for other code.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Final

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

__all__ = ["DURATION_HINT", "NonNegativeDuration", "PositiveDuration", "format_duration", "parse_duration"]

DURATION_HINT: Final = "a duration like 30s or 250ms"

_PATTERN: Final = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(ms|s|m|h)\s*$", re.IGNORECASE)
_UNIT_SECONDS: Final = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: str | float) -> float:
    """Seconds in ``value``: a number of seconds or a number with a unit ``ms``, ``s``, ``m`` or ``h``.

    Raises :class:`ValueError` naming the accepted forms and what arrived. The sign is kept, so callers
    check the range they need and can say so (``timeout must be > 0 (got -1)``).
    """
    if isinstance(value, bool):  # bool is an int, but ``timeout: yes`` is a mistake, not one second
        raise ValueError(f"must be {DURATION_HINT} (got {value!r})")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _PATTERN.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    else:
        raise ValueError(f"must be {DURATION_HINT} (got {value!r})")
    if not math.isfinite(seconds):
        raise ValueError(f"must be {DURATION_HINT} (got {value!r})")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest readable form of ``seconds``: ``250ms``, ``30s``, ``1.5s``, ``2m``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"


def _to_seconds(value: object) -> float:
    # The message leaves out the value: the definition error adds "(got ...)" itself.
    if isinstance(value, str | int | float):
        try:
            return parse_duration(value)
        except ValueError:
            pass
    raise ValueError(f"must be {DURATION_HINT}")


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ValueError("must be > 0")
    return seconds


def _non_negative(seconds: float) -> float:
    if seconds < 0:
        raise ValueError("must be >= 0")
    return seconds


_DURATION_SCHEMA: Final = WithJsonSchema(
    {
        "anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*([mM][sS]|[sS]|[mM]|[hH])\s*$"},
        ],
        "description": f"Seconds, or {DURATION_HINT}.",
    }
)

PositiveDuration = Annotated[float, BeforeValidator(_to_seconds), AfterValidator(_positive), _DURATION_SCHEMA]
"""Seconds, written as a duration; must be > 0."""

NonNegativeDuration = Annotated[
    float, BeforeValidator(_to_seconds), AfterValidator(_non_negative), _DURATION_SCHEMA
]
"""Seconds, written as a duration; may be 0."""
