"""Typed values for the variable and property mediators (``type: integer`` ...)."""

from __future__ import annotations

from typing import Any

import orjson

from interlace.errors import MediationError, SourceLocation

__all__ = ["convert_value"]


def _fail(value: Any, kind: str, location: SourceLocation) -> MediationError:
    return MediationError(f"cannot convert {value!r} to {kind}", location=location)


def convert_value(value: Any, kind: str, location: SourceLocation) -> Any:
    """Convert ``value`` to ``kind`` (string, integer, number, boolean, json, auto); MediationError if not."""
    if kind == "auto" or value is None:
        return value
    try:
        if kind == "string":
            if isinstance(value, str):
                return value
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, dict | list):
                return orjson.dumps(value).decode()
            return str(value)
        if kind == "integer":
            if isinstance(value, bool):
                raise _fail(value, kind, location)
            if isinstance(value, float) and not value.is_integer():
                raise _fail(value, kind, location)
            return int(value)
        if kind == "number":
            if isinstance(value, bool):
                raise _fail(value, kind, location)
            number = float(value)
            return int(number) if isinstance(value, int) else number
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes"):
                return True
            if text in ("false", "0", "no", ""):
                return False
            raise _fail(value, kind, location)
        if kind == "json":
            return orjson.loads(value) if isinstance(value, str | bytes) else value
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise _fail(value, kind, location) from exc
    raise _fail(value, kind, location)
