"""The server itself: what runs (project, version, profile, uptime), health, readiness, and the active
deployment."""

from __future__ import annotations

import platform
from typing import Any

from interlace import __version__
from interlace.management.context import ManagementContext, iso_time
from interlace.management.errors import NotFoundError
from interlace.management.routes import Call, Route, Schema, items_of, ref

__all__ = ["ROUTES", "SCHEMAS"]

SCHEMAS: dict[str, Schema] = {
    "ServerInfo": {
        "type": "object",
        "required": ["name", "version", "profile", "interlaceVersion", "startedAt", "uptime", "apiUrl"],
        "properties": {
            "name": {"type": "string", "description": "The project's name."},
            "version": {"type": "string", "description": "The project's version."},
            "profile": {"type": ["string", "null"]},
            "interlaceVersion": {"type": "string"},
            "pythonVersion": {"type": "string"},
            "startedAt": {"type": "string", "format": "date-time"},
            "uptime": {"type": "number", "description": "Seconds since the management server started."},
            "apiUrl": {"type": "string", "description": "Where the HTTP APIs are served."},
        },
    },
    "Status": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
    "Deployment": {
        "type": "object",
        "required": ["name", "version", "profile", "deployedAt", "active", "artifacts"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "profile": {"type": ["string", "null"]},
            "deployedAt": {"type": "string", "format": "date-time"},
            "active": {"type": "boolean"},
            "source": {"type": "string", "description": "The project folder it was loaded from."},
            "artifacts": {
                "type": "object",
                "description": "How many artifacts of each kind it holds.",
                "additionalProperties": {"type": "integer"},
            },
        },
    },
}


async def _server(call: Call) -> dict[str, Any]:
    context = call.context
    project = context.runtime.project
    artifacts = context.artifacts()
    now = context.clock()
    return {
        "name": artifacts.name,
        "version": artifacts.version,
        "profile": project.profile if project is not None else None,
        "interlaceVersion": __version__,
        "pythonVersion": platform.python_version(),
        "startedAt": iso_time(context.started_at),
        "uptime": round(max(0.0, now - context.started_at), 3),
        "apiUrl": context.api_url,
    }


async def _health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


async def _ready(call: Call) -> dict[str, Any]:
    call.context.artifacts()  # NotReadyError (503) while there is no active deployment
    return {"status": "ready"}


def _deployment(context: ManagementContext) -> dict[str, Any]:
    artifacts = context.artifacts()
    project = context.runtime.project
    return {
        "name": artifacts.name,
        "version": artifacts.version,
        "profile": project.profile if project is not None else None,
        "deployedAt": iso_time(context.deployments.deployed_at(artifacts)),
        "active": True,
        "source": str(context.runtime.root),
        "artifacts": {
            "apis": len(artifacts.apis),
            "sequences": len(artifacts.sequences),
            "endpoints": len(artifacts.endpoints),
            "stores": len(artifacts.stores),
            "processors": len(artifacts.processors),
            "connections": len(artifacts.connections),
        },
    }


async def _deployments(call: Call) -> dict[str, Any]:
    return {"items": [_deployment(call.context)]}


async def _deployment_named(call: Call) -> dict[str, Any]:
    found = _deployment(call.context)
    if found["name"] != call.path["name"]:
        raise NotFoundError(f"no deployment named {call.path['name']!r} (deployments: {found['name']})")
    return found


ROUTES = (
    Route(
        "getServer",
        "GET",
        "/management/server",
        _server,
        "The server: project, profile, uptime",
        ref("ServerInfo"),
        "server",
    ),
    Route(
        "getHealth",
        "GET",
        "/management/health",
        _health,
        "Liveness: the server answers",
        ref("Status"),
        "server",
        access="public",
        needs_deployment=False,
        description="Needs no token, for load balancers and orchestrators; it shows nothing else.",
    ),
    Route(
        "getReadiness",
        "GET",
        "/management/ready",
        _ready,
        "Readiness: a deployment is active",
        ref("Status"),
        "server",
        access="public",
        description="Needs no token. 503 with `NOT_READY` while the runtime is starting or stopping.",
    ),
    Route(
        "listDeployments",
        "GET",
        "/management/deployments",
        _deployments,
        "The deployments: the active one (bundles will add more)",
        items_of(ref("Deployment")),
        "deployments",
    ),
    Route(
        "getDeployment",
        "GET",
        "/management/deployments/{name}",
        _deployment_named,
        "One deployment by its project name",
        ref("Deployment"),
        "deployments",
    ),
)
