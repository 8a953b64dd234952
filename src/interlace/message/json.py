"""JSON values as Python types, and the one JSON shape of every error answer."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JsonValue", "error_body"]

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
"""A value that JSON can carry: what a parsed JSON payload, a variable or an error's details hold."""


def error_body(
    code: str, message: str, correlation_id: str, details: JsonValue = None
) -> dict[str, JsonValue]:
    """The JSON of every error answer Interlace gives, from the HTTP transport and the management API
    alike: ``{"error": {"code", "message", "correlationId"[, "details"]}}``. ``code`` is machine-readable
    (``NOT_FOUND``, ``${error.code}``), ``message`` says what must hold and what arrived, without file,
    line or internal detail; ``details`` (when not None) is safe-to-show extra data."""
    error: dict[str, JsonValue] = {"code": code, "message": message, "correlationId": correlation_id}
    if details is not None:
        error["details"] = details
    return {"error": error}
