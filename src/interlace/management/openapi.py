"""The OpenAPI 3.1 document of the management API, made from its routes (never written by hand)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Final

from interlace.compiler.openapi import ERROR_SCHEMA
from interlace.management.routes import Route, Schema, ref

__all__ = ["ERROR_SCHEMA", "OPENAPI_PATH", "openapi_document"]

OPENAPI_PATH: Final = "/management/openapi.json"

_ROLE: Final = {
    "public": "none (no token)",
    "user": "admin, operator or monitor",
    "operator": "admin or operator",
    "admin": "admin",
}


def _json(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": dict(schema)}}


def _operation(route: Route) -> dict[str, Any]:
    access = route.required_access
    description = f"{route.description}\n\nRole: {_ROLE[access]}.".strip()
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in route.path_params
    ]
    parameters += [
        {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "description": param.description,
            "schema": dict(param.schema),
        }
        for param in route.query
    ]
    responses: dict[str, Any] = {
        str(route.status): {"description": HTTPStatus(route.status).phrase, "content": _json(route.response)}
    }
    for status in route.error_statuses():
        responses[str(status)] = {"description": HTTPStatus(status).phrase, "content": _json(ref("Error"))}
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "description": description,
        "tags": [route.tag],
        "x-required-role": access,
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {"required": route.body_required, "content": _json(route.body)}
    if route.uploads is not None:
        content = {media: {"schema": dict(schema)} for media, schema in route.uploads.items()}
        operation["requestBody"] = {"required": True, "content": content}
    if access == "public":
        operation["security"] = []
    return operation


def openapi_document(routes: Iterable[Route], schemas: Mapping[str, Schema], version: str) -> dict[str, Any]:
    """The document for ``routes``; ``schemas`` are the components their schemas refer to."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Interlace management API",
            "version": version,
            "description": "See and change what an Interlace server runs. Log in with "
            "`POST /management/login`, then send `Authorization: Bearer TOKEN`. Errors are "
            '`{"error": {"code": ..., "message": ..., "correlationId": ...}}`.',
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": dict(ERROR_SCHEMA),
                **{name: dict(schema) for name, schema in schemas.items()},
            },
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearerAuth": []}],
    }
