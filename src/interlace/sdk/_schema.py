"""JSON Schema of parameter mappings: each parameter's type schema with its description, default and
example; secret parameters are write-only and show neither default nor example."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter
from pydantic_core import PydanticSerializationError

if TYPE_CHECKING:
    from interlace.sdk.spec import ParameterSpec


def described(parameter: ParameterSpec, schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` (the type's) with the parameter's description, default and example added."""
    result = dict(schema)
    if parameter.description:
        result["description"] = parameter.description
    if parameter.secret:
        result["writeOnly"] = True
        return result
    if not parameter.required:
        # A default without a JSON form is left to the description.
        with contextlib.suppress(PydanticSerializationError, ValueError, TypeError):
            result["default"] = parameter.adapter.dump_python(parameter.default, mode="json")
    if parameter.example is not None:
        result["examples"] = [parameter.example]
    return result


def object_schema(
    title: str,
    description: str,
    parameters: Sequence[ParameterSpec],
    schema_of: Callable[[ParameterSpec], Mapping[str, Any]],
) -> dict[str, Any]:
    """The JSON Schema of a mapping of these parameters (no unknown keys), each described by ``schema_of``."""
    schema: dict[str, Any] = {"title": title, "type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = {
        parameter.name: described(parameter, schema_of(parameter)) for parameter in parameters
    }
    required = [parameter.name for parameter in parameters if parameter.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def parameters_schema(title: str, description: str, parameters: Sequence[ParameterSpec]) -> dict[str, Any]:
    """:func:`object_schema` as a standalone schema with its own ``$defs``."""
    schemas, definitions = TypeAdapter.json_schemas(
        [(parameter.name, "validation", parameter.adapter) for parameter in parameters]
    )
    schema = object_schema(title, description, parameters, lambda p: schemas[(p.name, "validation")])
    return {**schema, **definitions}
