"""Deployments: the deployed versions and which is active; uploading a bundle, rolling back, undeploying."""

from __future__ import annotations

import logging
from typing import Any, Final

from aiohttp import BodyPartReader, web

from interlace.management.context import ManagementContext, iso_time
from interlace.management.errors import BadRequestError, ManagementError
from interlace.management.routes import Call, Route, Schema, items_of, ref
from interlace.runtime.bundles import MAX_BUNDLE_SIZE
from interlace.runtime.versions import DeploymentInfo

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")
_BUNDLE_PART: Final = "bundle"

SCHEMAS: dict[str, Schema] = {
    "Deployment": {
        "type": "object",
        "required": ["name", "version", "active", "bundle", "deployedAt"],
        "properties": {
            "name": {"type": "string", "description": "The project's name."},
            "version": {"type": "string"},
            "active": {"type": "boolean", "description": "Whether this version is the one running."},
            "bundle": {
                "type": "boolean",
                "description": "False for a project folder (such as the one the server started with).",
            },
            "source": {"type": "string", "description": "The folder it is loaded from."},
            "created": {"type": ["string", "null"], "description": "When the bundle's content last changed."},
            "deployedAt": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When it last became active (null: never on this server).",
            },
            "profile": {"type": ["string", "null"], "description": "The active version's profile."},
            "artifacts": {
                "type": "object",
                "description": "How many artifacts of each kind the active version holds.",
                "additionalProperties": {"type": "integer"},
            },
            "notes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "What the change found worth knowing: connectors used in a new version, or "
                "an upgrade that needs a restart.",
            },
        },
    },
    "DeploymentVersions": {
        "type": "object",
        "required": ["name", "active", "versions"],
        "properties": {
            "name": {"type": "string"},
            "active": {"type": ["string", "null"], "description": "The active version, if one is."},
            "versions": {"type": "array", "items": ref("Deployment")},
        },
    },
}


class _TooLargeError(ManagementError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413


def _view(context: ManagementContext, info: DeploymentInfo) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": info.name,
        "version": info.version,
        "active": info.active,
        "bundle": info.bundle,
        "source": str(info.source),
        "created": info.created,
        "deployedAt": iso_time(info.deployed_at) if info.deployed_at is not None else None,
    }
    running = context.runtime.deployments.running.get(info.name)
    if info.active and running is not None:
        artifacts = running.artifacts
        view["profile"] = running.project.profile
        view["artifacts"] = {
            "apis": len(artifacts.apis),
            "sequences": len(artifacts.sequences),
            "endpoints": len(artifacts.endpoints),
            "stores": len(artifacts.stores),
            "processors": len(artifacts.processors),
            "connections": len(artifacts.connections),
            "tasks": len(artifacts.tasks),
            "inbound": len(artifacts.inbound),
        }
    if info.notes:
        view["notes"] = list(info.notes)
    return view


async def _list(call: Call) -> dict[str, Any]:
    context = call.context
    deployments = context.runtime.deployments
    running = deployments.running
    return {"items": [_view(context, deployments.info(running[name])) for name in sorted(running)]}


async def _versions(call: Call) -> dict[str, Any]:
    context = call.context
    name = call.path["name"]
    versions = context.runtime.deployments.versions_of(name)  # UnknownDeploymentError: 404
    active = next((info.version for info in versions if info.active), None)
    return {"name": name, "active": active, "versions": [_view(context, info) for info in versions]}


async def _read_limited(reader: Any) -> bytes:
    """At most MAX_BUNDLE_SIZE bytes of a stream (``StreamReader`` or a body part)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk: bytes = await (
            reader.read_chunk() if isinstance(reader, BodyPartReader) else reader.read(65536)
        )
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BUNDLE_SIZE:
            raise _TooLargeError(f"a bundle may have at most {MAX_BUNDLE_SIZE} bytes")
        chunks.append(chunk)


async def _uploaded(request: web.Request) -> bytes:
    if request.content_type != "multipart/form-data":
        return await _read_limited(request.content)
    try:
        form = await request.multipart()
        while (part := await form.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == _BUNDLE_PART:
                return await _read_limited(part)
    except ManagementError:
        raise
    except Exception as exc:  # whatever a malformed form makes the parser raise is the client's doing
        raise BadRequestError(f"the body is not a readable multipart form ({exc})") from exc
    raise BadRequestError(f"the multipart form has no {_BUNDLE_PART!r} part holding the bundle")


async def _deploy(call: Call) -> dict[str, Any]:
    context = call.context
    # In-process callers (the console's upload form) hand the bundle's bytes over as the body.
    data = call.body if isinstance(call.body, bytes) else await _uploaded(call.request)
    info = await context.runtime.deployments.deploy(data)
    _log.info("management: %s deployed bundle %s %s", call.user, info.name, info.version)
    return _view(context, info)


async def _rollback(call: Call) -> dict[str, Any]:
    context = call.context
    info = await context.runtime.deployments.rollback(call.path["name"])
    _log.info("management: %s rolled %s back to %s", call.user, info.name, info.version)
    return _view(context, info)


async def _undeploy(call: Call) -> dict[str, Any]:
    context = call.context
    info = await context.runtime.deployments.undeploy(call.path["name"])
    _log.info("management: %s undeployed %s %s", call.user, info.name, info.version)
    return _view(context, info)


async def _remove_version(call: Call) -> dict[str, Any]:
    context = call.context
    info = await context.runtime.deployments.remove_version(call.path["name"], call.path["version"])
    _log.info("management: %s removed %s %s", call.user, info.name, info.version)
    return _view(context, info)


_UPLOADS: Final[dict[str, Schema]] = {
    "application/zip": {"type": "string", "format": "binary"},
    "multipart/form-data": {
        "type": "object",
        "required": [_BUNDLE_PART],
        "properties": {_BUNDLE_PART: {"type": "string", "format": "binary"}},
    },
}

ROUTES = (
    Route(
        "listDeployments",
        "GET",
        "/management/deployments",
        _list,
        "The projects the server runs, each with its active version",
        items_of(ref("Deployment")),
        "deployments",
    ),
    Route(
        "getDeployment",
        "GET",
        "/management/deployments/{name}",
        _versions,
        "The versions of one project, and which one is active",
        ref("DeploymentVersions"),
        "deployments",
    ),
    Route(
        "deployBundle",
        "POST",
        "/management/deployments",
        _deploy,
        "Deploy a bundle made by `interlace build`",
        ref("Deployment"),
        "deployments",
        status=201,
        uploads=_UPLOADS,
        errors=(409, 413, 422),
        description="The body is the bundle (`application/zip`) or a form whose `bundle` part is. It is "
        "verified against its manifest (400 `INVALID_BUNDLE`), loaded and compiled (422 "
        "`DEPLOYMENT_REFUSED` with the problems), then becomes its project's active version beside the "
        "other projects, which are not touched: requests in flight finish on the old version. 409 "
        "`CONFLICT` when the project claims an API path, a port or an artifact name another project "
        "holds (the message names both), or the version is deployed with other content. A refused "
        "bundle changes nothing.",
    ),
    Route(
        "rollbackDeployment",
        "POST",
        "/management/deployments/{name}/rollback",
        _rollback,
        "Make the version of a project active before the current one active again",
        ref("Deployment"),
        "deployments",
        errors=(409,),
        description="Other projects are not touched. 409 when the project has no earlier version.",
    ),
    Route(
        "undeployDeployment",
        "DELETE",
        "/management/deployments/{name}",
        _undeploy,
        "Stop a project and remove it from the server",
        ref("Deployment"),
        "deployments",
        description="Its services stop, its APIs leave the route table and its deployed bundles and "
        "history are removed; the other projects keep running. The answer is the version that ran.",
    ),
    Route(
        "removeDeploymentVersion",
        "DELETE",
        "/management/deployments/{name}/{version}",
        _remove_version,
        "Remove a deployed version of a project that is not active",
        ref("Deployment"),
        "deployments",
        errors=(409,),
        description="409 for the active version (roll back or deploy another first) and for a project "
        "folder.",
    ),
)
