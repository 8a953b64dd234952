"""An OpenAPI operation as a connector operation: its parameters typed from their schemas, so a flow's
values are checked at load time like any operation's (unknown keys, missing required ones, a literal
outside an ``enum``), and a request body checked against its JSON Schema (:func:`schema_check`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, cast

import jsonschema
from pydantic import AfterValidator, TypeAdapter

from interlace.sdk.openapi.model import ApiBody, ApiOperation, ApiParameter
from interlace.sdk.openapi.types import annotation_of
from interlace.sdk.operation import OperationResult, OperationSpec, ResultSpec
from interlace.sdk.spec import ParameterSpec, looks_secret, type_name

__all__ = ["Send", "body_annotation", "operation_spec", "parameter_annotation", "schema_check"]

Send = Callable[[Any, ApiOperation, Mapping[str, object]], Awaitable[OperationResult]]
"""Sends an operation's request on a connection with the flow's values (by parameter key)."""

_RESULT = ResultSpec(OperationResult, "payload with headers and attributes", "The API's answer.")
_SHOWN = 300


def schema_check(schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    """A pydantic after-validator that checks a value against a JSON Schema (draft 2020-12)."""
    validator = jsonschema.Draft202012Validator(dict(schema))

    def check(value: Any) -> Any:
        error = jsonschema.exceptions.best_match(validator.iter_errors(_as_json(value)))
        if error is not None:
            where = "".join(f"[{part!r}]" for part in error.absolute_path)
            text = f"{where or 'the body'} {error.message}" if where else error.message
            raise ValueError(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")
        return value

    return check


def _as_json(value: Any) -> Any:
    """Bytes (a file in a form) are checked as the text a ``format: binary`` string stands for."""
    if isinstance(value, bytes | bytearray):
        return ""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return value


def parameter_annotation(parameter: ApiParameter) -> object:
    """The type of a parameter's value; optional ones also take ``None`` (not sent)."""
    annotation = annotation_of(parameter.schema)
    if parameter.required or annotation is Any:
        return annotation
    return annotation | None  # type: ignore[operator]


def body_annotation(body: ApiBody) -> object:
    """The type of a body's value: bytes, text, or a JSON value checked against the body's schema."""
    if body.kind == "binary":
        return bytes
    if body.kind == "text":
        return str | bytes
    base: object = dict[str, Any] if body.kind in ("form", "multipart") else Any
    if not body.schema:
        return base
    return Annotated[base, AfterValidator(schema_check(body.schema))]


def _parameter_spec(
    key: str, annotation: object, required: bool, default: object, description: str
) -> ParameterSpec:
    shown = annotation.__origin__ if hasattr(annotation, "__metadata__") else annotation  # type: ignore[attr-defined]
    return ParameterSpec(
        name=key,
        annotation=annotation,
        type_name=type_name(shown),
        required=required,
        default=default,
        description=description,
        secret=looks_secret(key),
        adapter=TypeAdapter(cast(Any, annotation)),
    )


def operation_spec(connector: str, operation: ApiOperation, send: Send) -> OperationSpec:
    """The operation ``connector.NAME`` that calls ``send(connection, operation, values)``."""
    parameters = [
        _parameter_spec(
            p.key,
            parameter_annotation(p),
            p.required,
            p.schema.get("default"),
            p.description or str(p.schema.get("description") or ""),
        )
        for p in operation.parameters
    ]
    if operation.body is not None:
        body = operation.body
        parameters.append(
            _parameter_spec(body.key, body_annotation(body), body.required, None, body.description)
        )

    async def call(connection: Any, **values: object) -> OperationResult:
        return await send(connection, operation, values)

    description = "\n\n".join(part for part in (operation.summary, operation.description) if part)
    return OperationSpec(
        connector=connector,
        name=operation.name,
        description=description or f"{operation.title}.",
        parameters=tuple(parameters),
        result=_RESULT,
        function=call,
        scopes=operation.scopes,
    )
