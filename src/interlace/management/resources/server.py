"""The server itself: what runs (project, version, profile, uptime), health and readiness."""

from __future__ import annotations

import platform
from typing import Any

from interlace import __version__
from interlace.management.context import iso_time
from interlace.management.errors import NotReadyError
from interlace.management.routes import Call, Route, Schema, ref

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
            "workers": {
                "type": "integer",
                "description": "Processes serving the APIs now (interlace run --workers; 1: a single one).",
            },
        },
    },
    "Status": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
}


async def _server(call: Call) -> dict[str, Any]:
    context = call.context
    project = context.runtime.project
    artifacts = call.artifacts
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
        "workers": 1 + (len(context.fanout.role.followers()) if context.fanout is not None else 0),
    }


async def _health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


async def _ready(call: Call) -> dict[str, Any]:
    fanout = call.context.fanout
    behind = call.context.runtime.out_of_step() + (fanout.role.follower_problems() if fanout else [])
    if behind:
        raise NotReadyError("this node does not run what the other nodes run: " + "; ".join(behind))
    return {"status": "ready"}


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
        description=(
            "Needs no token. 503 with `NOT_READY` while the runtime is starting or stopping, and while a "
            "bundle that the other nodes run (`[coordination] share-deployments`) cannot run here, or a "
            "version the primary of several workers runs cannot run in one of the others."
        ),
    ),
)
