"""The routes every kind of service has (list, get, activate, deactivate), made by one factory from the
kind and its state model, so that processors, inbound endpoints and tasks answer alike.

A service's state is a pydantic model (:class:`~interlace.services.ServiceState`): its JSON form is
the answer and its JSON Schema the OpenAPI component, so the two cannot drift apart.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from interlace.management.context import PROJECT_FILTER, OwnedKind, owners
from interlace.management.routes import Call, Handler, Route, Schema, items_of, ref
from interlace.services import KIND_NAMES, ServiceKind, ServiceState

__all__ = ["ServiceRoutes", "component_schema", "service_routes", "state_view"]

_log = logging.getLogger("interlace.management")


_PROJECT: Final[Schema] = {
    "type": ["string", "null"],
    "description": "The project (deployment) it belongs to.",
}
_ARTIFACTS: Final[dict[ServiceKind, OwnedKind]] = {
    "processor": "processors",
    "inbound": "inbound",
    "task": "tasks",
}


def state_view(state: ServiceState, project: str | None) -> dict[str, Any]:
    """A state as the API answers it (camelCase, times in ISO 8601), with the project it belongs to."""
    return {"project": project, **state.model_dump(by_alias=True, mode="json")}


def component_schema(model: type[ServiceState]) -> Schema:
    """The JSON Schema of a state model's answers, as an OpenAPI component."""
    schema = model.model_json_schema(by_alias=True, mode="serialization")
    schema.pop("title", None)
    for value in schema.get("properties", {}).values():
        value.pop("title", None)
    schema["properties"] = {"project": _PROJECT, **schema.get("properties", {})}
    schema["required"] = ["project", *schema.get("required", [])]
    return schema


@dataclass(frozen=True, slots=True)
class ServiceRoutes:
    """The routes and component schema of one kind of service."""

    routes: tuple[Route, ...]
    schemas: Mapping[str, Schema]


def service_routes(
    kind: ServiceKind,
    model: type[ServiceState],
    *,
    path: str,
    tag: str,
    component: str,
    operation: str,
    activate_summary: str,
    deactivate_summary: str,
    deactivate_description: str,
) -> ServiceRoutes:
    """list, get, activate and deactivate for ``kind`` at ``path`` (``/management/processors``), named
    ``list{operation}s``, ``get{operation}``, ``activate{operation}``, ``deactivate{operation}``."""
    noun = KIND_NAMES[kind]

    async def list_all(call: Call) -> dict[str, Any]:
        projects, wanted = owners(call.context, _ARTIFACTS[kind]), call.query.get("project")
        return {
            "items": [
                state_view(state, projects.get(state.name))
                for state in call.context.runtime.services.states(kind)
                if wanted is None or projects.get(state.name) == wanted
            ]
        }

    def view(call: Call, state: ServiceState) -> dict[str, Any]:
        return state_view(state, owners(call.context, _ARTIFACTS[kind]).get(state.name))

    async def get_one(call: Call) -> dict[str, Any]:
        return view(call, call.context.runtime.services.state(kind, call.path["name"]))  # 404 if unknown

    async def activate(call: Call) -> dict[str, Any]:
        state = await call.context.runtime.services.activate(kind, call.path["name"])
        _log.info("management: %s activated %s %s", call.user, noun, state.name)
        return view(call, state)

    async def deactivate(call: Call) -> dict[str, Any]:
        state = await call.context.runtime.services.deactivate(kind, call.path["name"])
        _log.info("management: %s deactivated %s %s", call.user, noun, state.name)
        return view(call, state)

    one = ref(component)
    handlers: tuple[tuple[str, str, str, Handler, str, Schema, str], ...] = (
        (f"list{operation}s", "GET", path, list_all, f"The {noun}s and their states", items_of(one), ""),
        (f"get{operation}", "GET", path + "/{name}", get_one, f"One {noun}'s state", one, ""),
        (
            f"activate{operation}",
            "POST",
            path + "/{name}/activate",
            activate,
            activate_summary,
            one,
            "It starts with its deployment from now on, also after a restart or a redeploy.",
        ),
        (
            f"deactivate{operation}",
            "POST",
            path + "/{name}/deactivate",
            deactivate,
            deactivate_summary,
            one,
            deactivate_description
            + " It stays inactive, also after a restart or a redeploy, until activated.",
        ),
    )
    routes = tuple(
        Route(
            name,
            method,
            route_path,
            handler,
            summary,
            response,
            tag,
            description=description,
            access=None if method == "GET" else "operator",
            query=(PROJECT_FILTER,) if handler is list_all else (),
        )
        for name, method, route_path, handler, summary, response, description in handlers
    )
    return ServiceRoutes(routes, {component: component_schema(model)})
