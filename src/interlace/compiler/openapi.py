"""The OpenAPI 3.1 document of a compiled API, made from what the API already declares.

Paths are the resources' URI templates below the API's path (the server URL): ``{variables}`` become
path parameters, a ``/*`` tail the path parameter ``rest``, the query template's ``key={var}`` required
query parameters. Each method of a resource is an operation (``*``: every method), described by the
resource's ``description``. Its request body is the ``request`` the resource declares, else the JSON
Schema of a ``validate`` mediator that checks the payload at the start of its flow (before anything but
logging and variables ran, so the schema is the request's). Its responses are the ``responses`` it
declares (else 200, the flow's answer) and ``default``: the one error shape every failure answers.

Made once per API and deployment by whoever serves it (the HTTP transport caches the JSON).
"""

from __future__ import annotations

import re
from typing import Any, Final

from interlace.compiler.compile import ApiArtifact, ResourceArtifact
from interlace.mediators.header import HeaderMediator
from interlace.mediators.log import LogMediator
from interlace.mediators.property import PropertyMediator
from interlace.mediators.validate import ValidateMediator
from interlace.mediators.variable import VariableMediator
from interlace.model.api import HTTP_METHODS, BodyDefinition

__all__ = ["DOCUMENT_QUERIES", "ERROR_SCHEMA", "api_document"]

DOCUMENT_QUERIES: Final = frozenset({"openapi.json", "swagger.json"})
"""``CONTEXT?openapi.json`` and ``CONTEXT?swagger.json`` (as WSO2 MI names it) answer the document."""

ERROR_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "correlationId"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable: NOT_FOUND, UNAUTHORIZED, ..."},
                "message": {"type": "string", "description": "What must hold and what arrived."},
                "correlationId": {
                    "type": "string",
                    "description": "The request's X-Correlation-ID (sent or made): find it in the log.",
                },
                "details": {"description": "Extra, safe-to-show data, when there is any."},
            },
        }
    },
}
"""The one error shape (:func:`interlace.message.error_body`) as a JSON Schema."""

_VARIABLE: Final = re.compile(r"\{([^{}]+)\}")
_BEFORE_PAYLOAD_CHANGES: Final = (LogMediator, VariableMediator, PropertyMediator, HeaderMediator)
_ALL_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_WITHOUT_BODY: Final = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
assert set(_ALL_METHODS) == HTTP_METHODS


def api_document(api: ApiArtifact, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``api`` (``version``: the API's, else its project's)."""
    paths: dict[str, dict[str, Any]] = {}
    for resource in api.resources:
        path, parameters = _path(resource.uri_template)
        item = paths.setdefault(path, {})
        if parameters:
            item["parameters"] = parameters
        methods = _ALL_METHODS if "*" in resource.methods else sorted(resource.methods)
        for method in methods:
            item[method.lower()] = _operation(resource, method)
    info: dict[str, Any] = {"title": api.name, "version": api.version or version}
    if api.description:
        info["description"] = api.description
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": api.path}],
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_SCHEMA}},
    }


def _path(template: str) -> tuple[str, list[dict[str, Any]]]:
    path, _, query = template.partition("?")
    path = path.rstrip("/") or "/"
    if path == "/*" or path.endswith("/*"):
        path = path[:-1] + "{rest}"
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _VARIABLE.findall(path)
    ]
    for item in filter(None, query.split("&")):
        key, _, value = item.partition("=")
        variable = _VARIABLE.fullmatch(value)
        schema: dict[str, Any] = {"type": "string"} if variable else {"const": value}
        parameters.append({"name": key, "in": "query", "required": True, "schema": schema})
    return path, parameters


def _operation(resource: ResourceArtifact, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    if resource.description:
        operation["summary"] = resource.description
    body = _request_body(resource, method)
    if body is not None:
        operation["requestBody"] = body
    responses: dict[str, Any] = {
        str(status): _content(response, {"description": response.description})
        for status, response in sorted(resource.responses.items())
    }
    if not responses:
        responses["200"] = {"description": "The flow's answer."}
    responses["default"] = {
        "description": "An error: the flow failed, or the request was refused.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    operation["responses"] = responses
    return operation


def _request_body(resource: ResourceArtifact, method: str) -> dict[str, Any] | None:
    if resource.request is not None:
        body = {"description": resource.request.description} if resource.request.description else {}
        return _content(resource.request, {**body, "required": True})
    if method in _WITHOUT_BODY:
        return None
    schema = _validated_payload(resource)
    if schema is None:
        return None
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _validated_payload(resource: ResourceArtifact) -> dict[str, Any] | None:
    """The schema of a ``validate`` of the payload that runs before the flow changes the payload."""
    for mediator in resource.flow.mediators:
        if isinstance(mediator, ValidateMediator):
            if mediator.source_text.replace(" ", "") == "${payload}":
                schema = mediator.validator.schema
                return dict(schema) if isinstance(schema, dict) else None
            continue
        if not isinstance(mediator, _BEFORE_PAYLOAD_CHANGES):
            return None
    return None


def _content(body: BodyDefinition, into: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = {}
    if body.schema_ is not None:
        media["schema"] = body.schema_
    if body.example is not None:
        media["example"] = body.example
    if media or body.schema_ is not None:
        into["content"] = {body.content_type: media}
    return into
