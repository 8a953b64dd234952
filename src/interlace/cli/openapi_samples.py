"""Sample values for an operation's parameters, so that the tests of a generated package can call every
operation: an ``enum``'s first value, a bound respected, a required property filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema

from interlace.sdk.openapi import ApiOperation
from interlace.sdk.openapi.operations import schema_check
from interlace.sdk.urls import quote_value

__all__ = ["sample", "sample_call"]

_NO_SAMPLE = object()


def sample(schema: Mapping[str, Any], depth: int = 0) -> Any:
    """A value ``schema`` accepts, as far as a simple reading tells (checked by the caller)."""
    if depth > 8:
        return None
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("default", "example"):
        if key in schema and schema[key] is not None:
            return schema[key]
    for key in ("oneOf", "anyOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return sample(schema[key][0], depth + 1)
    kinds = schema.get("type")
    kind = next((k for k in kinds if k != "null"), None) if isinstance(kinds, list) else kinds
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "string":
        if schema.get("format") == "binary":
            return b"sample"
        return "x" * max(1, int(schema.get("minLength") or 1))
    if kind == "integer":
        return max(1, int(schema.get("minimum") or 1))
    if kind == "number":
        return float(max(1, schema.get("minimum") or 1))
    if kind == "boolean":
        return True
    if kind == "array":
        items = schema.get("items")
        count = max(1, int(schema.get("minItems") or 1))
        return [sample(items, depth + 1) for _ in range(count)] if isinstance(items, Mapping) else []
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: sample(properties.get(name) or {}, depth + 1) for name in schema.get("required") or ()}
    return "x"


def sample_call(operation: ApiOperation) -> tuple[dict[str, Any], str] | None:
    """Values for the required parameters and body, with the path the request then goes to; ``None``
    when no sample body satisfies the body's schema."""
    values: dict[str, Any] = {}
    path = operation.path
    for parameter in operation.parameters:
        if not parameter.required:
            continue
        value = sample(parameter.schema)
        if value is None:
            value = "x"
        values[parameter.key] = value
        if parameter.location == "path":
            items = value if isinstance(value, list) else [value]
            text = ",".join(quote_value(_text(item)) for item in items)
            path = path.replace(f"{{{parameter.name}}}", text)
    body = operation.body
    if body is not None and body.required:
        value = sample(body.schema)
        if body.kind == "binary":
            value = b"sample"
        elif body.kind == "text":
            value = "sample"
        elif body.schema:
            try:
                schema_check(body.schema)(value)
            except (ValueError, jsonschema.SchemaError):
                return None
        values[body.key] = value
    return values, path


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
