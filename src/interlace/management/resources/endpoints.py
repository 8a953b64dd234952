"""The endpoints of the active deployment: their state, and switching them off and on."""

from __future__ import annotations

import logging
from typing import Any

from interlace.endpoints import Endpoint, EndpointState, SwitchableEndpoint
from interlace.management.context import PROJECT_FILTER, owned, owners
from interlace.management.errors import ConflictError, NotFoundError
from interlace.management.routes import Call, Route, Schema, items_of, ref

__all__ = ["ROUTES", "SCHEMAS"]

_log = logging.getLogger("interlace.management")

SCHEMAS: dict[str, Schema] = {
    "Endpoint": {
        "type": "object",
        "required": [
            "name",
            "project",
            "kind",
            "state",
            "deactivated",
            "consecutiveFailures",
            "resumesIn",
            "url",
            "members",
        ],
        "properties": {
            "name": {"type": "string"},
            "project": {"type": ["string", "null"], "description": "The project (deployment) it belongs to."},
            "kind": {"enum": ["http", "load-balance", "failover"]},
            "state": {
                "enum": ["active", "suspended", "half-open"],
                "description": "suspended: calls are refused (by the circuit breaker, or deactivated); "
                "half-open: the next call is a trial.",
            },
            "deactivated": {"type": "boolean", "description": "Switched off by an operator."},
            "consecutiveFailures": {"type": "integer"},
            "resumesIn": {
                "type": ["number", "null"],
                "description": "Seconds until a circuit-broken endpoint takes a trial call.",
            },
            "url": {"type": "string", "description": "Without any user or password."},
            "members": {"type": "array", "items": ref("Endpoint")},
        },
    },
}


def _view(state: EndpointState, project: str | None = None) -> dict[str, Any]:
    return {
        "name": state.name,
        "project": project,
        "kind": state.kind,
        "state": state.state,
        "deactivated": state.deactivated,
        "consecutiveFailures": state.consecutive_failures,
        "resumesIn": None if state.resumes_in is None else round(state.resumes_in, 3),
        "url": state.url,
        "members": [_view(member, project) for member in state.members],
    }


def _endpoint(call: Call) -> Endpoint:
    endpoints = call.artifacts.endpoints
    name = call.path["name"]
    endpoint = endpoints.get(name)
    if endpoint is None:
        known = ", ".join(sorted(endpoints)) or "none"
        raise NotFoundError(f"no endpoint named {name!r} (endpoints: {known})")
    return endpoint


def _switchable(call: Call) -> SwitchableEndpoint:
    endpoint = _endpoint(call)
    if not isinstance(endpoint, SwitchableEndpoint):
        raise ConflictError(f"endpoint {endpoint.name} cannot be activated or deactivated")
    return endpoint


async def _list(call: Call) -> dict[str, Any]:
    endpoints = call.artifacts.endpoints
    found = owned(call.context, "endpoints", call.query.get("project"))
    return {"items": [_view(endpoints[name].state(), project) for name, project in found]}


async def _get(call: Call) -> dict[str, Any]:
    endpoint = _endpoint(call)
    return _view(endpoint.state(), owners(call.context, "endpoints").get(endpoint.name))


async def _activate(call: Call) -> dict[str, Any]:
    endpoint = _switchable(call)
    endpoint.activate()
    _log.info("management: %s activated endpoint %s", call.user, endpoint.name)
    return _view(endpoint.state(), owners(call.context, "endpoints").get(endpoint.name))


async def _deactivate(call: Call) -> dict[str, Any]:
    endpoint = _switchable(call)
    endpoint.deactivate()
    _log.info("management: %s deactivated endpoint %s", call.user, endpoint.name)
    return _view(endpoint.state(), owners(call.context, "endpoints").get(endpoint.name))


ROUTES = (
    Route(
        "listEndpoints",
        "GET",
        "/management/endpoints",
        _list,
        "The endpoints and their states",
        items_of(ref("Endpoint")),
        "endpoints",
        query=(PROJECT_FILTER,),
    ),
    Route(
        "getEndpoint",
        "GET",
        "/management/endpoints/{name}",
        _get,
        "One endpoint's state",
        ref("Endpoint"),
        "endpoints",
    ),
    Route(
        "activateEndpoint",
        "POST",
        "/management/endpoints/{name}/activate",
        _activate,
        "Let the endpoint take calls again (ends a suspension too)",
        ref("Endpoint"),
        "endpoints",
        access="operator",
        errors=(409,),
        every_worker=True,
    ),
    Route(
        "deactivateEndpoint",
        "POST",
        "/management/endpoints/{name}/deactivate",
        _deactivate,
        "Refuse every call to the endpoint until it is activated",
        ref("Endpoint"),
        "endpoints",
        description="Calls fail at once with `ENDPOINT_SUSPENDED`; the flow's on-error runs and "
        "forwarding processors keep their messages and retry. Lasts until activated or redeployed.",
        access="operator",
        errors=(409,),
        every_worker=True,
    ),
)
