"""The APIs (with their URLs and resources) and the sequences of every deployment, each with its project."""

from __future__ import annotations

from typing import Any

from interlace.compiler.compile import ApiArtifact
from interlace.compiler.openapi import api_document
from interlace.management.context import PROJECT_FILTER, owners
from interlace.management.errors import NotFoundError
from interlace.management.routes import Call, Route, Schema, items_of, ref
from interlace.mediators.sequence import SequenceMediator

__all__ = ["ROUTES", "SCHEMAS"]

SCHEMAS: dict[str, Schema] = {
    "Api": {
        "type": "object",
        "required": ["name", "project", "context", "version", "path", "url", "location", "resources"],
        "properties": {
            "name": {"type": "string"},
            "project": {"type": "string", "description": "The project (deployment) it belongs to."},
            "context": {"type": "string"},
            "version": {"type": ["string", "null"]},
            "path": {"type": "string", "description": "The context, then the version when there is one."},
            "url": {"type": "string"},
            "location": {"type": "string", "description": "file:line of its definition"},
            "resources": {"type": "array", "items": ref("ApiResource")},
        },
    },
    "ApiResource": {
        "type": "object",
        "required": ["methods", "uriTemplate", "url"],
        "properties": {
            "methods": {"type": "array", "items": {"type": "string"}},
            "uriTemplate": {"type": "string"},
            "url": {"type": "string"},
            "location": {"type": "string"},
        },
    },
    "Sequence": {
        "type": "object",
        "required": ["name", "project", "mediators", "onError", "location"],
        "properties": {
            "name": {"type": "string"},
            "project": {"type": "string", "description": "The project (deployment) it belongs to."},
            "mediators": {"type": "integer", "description": "How many mediators it runs."},
            "onError": {"type": "boolean", "description": "Whether it has its own on-error flow."},
            "location": {"type": "string"},
        },
    },
}


def _api_view(api: ApiArtifact, base_url: str, project: str) -> dict[str, Any]:
    url = base_url.rstrip("/") + api.path
    return {
        "name": api.name,
        "project": project,
        "context": api.context,
        "version": api.version,
        "path": api.path,
        "url": url,
        "location": str(api.location),
        "resources": [
            {
                "methods": sorted(resource.methods),
                "uriTemplate": resource.uri_template,
                "url": url.rstrip("/") + resource.uri_template,
                "location": str(resource.location),
            }
            for resource in api.resources
        ],
    }


def _sequence_view(sequence: SequenceMediator, project: str) -> dict[str, Any]:
    return {
        "name": sequence.name,
        "project": project,
        "mediators": len(sequence.mediators),
        "onError": sequence.on_error is not None,
        "location": str(sequence.location),
    }


async def _apis(call: Call) -> dict[str, Any]:
    context = call.context
    projects = owners(context, "apis")
    wanted = call.query.get("project")
    return {
        "items": [
            _api_view(api, context.api_url, projects[api.name])
            for api in call.artifacts.apis
            if wanted is None or projects[api.name] == wanted
        ]
    }


def _named_api(call: Call) -> ApiArtifact:
    apis = call.artifacts.apis
    name = call.path["name"]
    for api in apis:
        if api.name == name:
            return api
    known = ", ".join(api.name for api in apis) or "none"
    raise NotFoundError(f"no API named {name!r} (APIs: {known})")


async def _api(call: Call) -> dict[str, Any]:
    api = _named_api(call)
    return _api_view(api, call.context.api_url, owners(call.context, "apis")[api.name])


async def _api_openapi(call: Call) -> dict[str, Any]:
    api = _named_api(call)
    context = call.context
    project = context.runtime.deployments.running[owners(context, "apis")[api.name]]
    document = api_document(api, project.version)
    document["servers"] = [{"url": f"{context.api_url}{api.path}"}]
    return document


async def _sequences(call: Call) -> dict[str, Any]:
    sequences = call.artifacts.sequences
    projects = owners(call.context, "sequences")
    wanted = call.query.get("project")
    return {
        "items": [
            _sequence_view(sequences[name], projects[name])
            for name in sorted(sequences)
            if wanted is None or projects[name] == wanted
        ]
    }


async def _sequence(call: Call) -> dict[str, Any]:
    sequences = call.artifacts.sequences
    name = call.path["name"]
    sequence = sequences.get(name)
    if sequence is None:
        known = ", ".join(sorted(sequences)) or "none"
        raise NotFoundError(f"no sequence named {name!r} (sequences: {known})")
    return _sequence_view(sequence, owners(call.context, "sequences")[name])


ROUTES = (
    Route(
        "listApis",
        "GET",
        "/management/apis",
        _apis,
        "The APIs with their URLs and resources",
        items_of(ref("Api")),
        "apis",
        query=(PROJECT_FILTER,),
    ),
    Route("getApi", "GET", "/management/apis/{name}", _api, "One API", ref("Api"), "apis"),
    Route(
        "getApiOpenApi",
        "GET",
        "/management/apis/{name}/openapi",
        _api_openapi,
        "One API's OpenAPI 3.1 document (as the API serves it at CONTEXT?openapi.json)",
        {"type": "object", "required": ["openapi", "info", "paths"]},
        "apis",
    ),
    Route(
        "listSequences",
        "GET",
        "/management/sequences",
        _sequences,
        "The named sequences",
        items_of(ref("Sequence")),
        "sequences",
        query=(PROJECT_FILTER,),
    ),
    Route(
        "getSequence",
        "GET",
        "/management/sequences/{name}",
        _sequence,
        "One sequence",
        ref("Sequence"),
        "sequences",
    ),
)
