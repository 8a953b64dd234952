"""What the server serves: the artifacts of every deployment in one view, with one combined route table.

The HTTP transport reads the view once per request; it is immutable and replaced whole whenever a
deployment changes, so a request never sees half of a change. Artifact names are unique server-wide
(see :mod:`~interlace.runtime.claims`), so the view's mappings are the deployments' merged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from interlace.compiler.compile import ApiArtifact, Artifacts, ResourceArtifact
from interlace.routing import ApiRoutes, ResourceRoute, RouteTable

__all__ = ["serve_together"]

T = TypeVar("T")


def _merged(parts: Iterable[Mapping[str, T]]) -> dict[str, T]:
    merged: dict[str, T] = {}
    for part in parts:
        merged.update(part)
    return merged


def _routes(api: ApiArtifact) -> ApiRoutes[ResourceArtifact]:
    resources = tuple(ResourceRoute(r.methods, r.uri_template, r) for r in api.resources)
    return ApiRoutes(api.name, api.context, api.version, resources)


def serve_together(name: str, version: str, deployments: Iterable[Artifacts]) -> Artifacts:
    """One view of ``deployments`` named ``name`` ``version``; RouteConflict (with the two APIs'
    ``ApiRoutes`` as ``first`` and ``second``) when two APIs are served at one path."""
    parts = list(deployments)
    apis = tuple(api for artifacts in parts for api in artifacts.apis)
    routes = RouteTable.build([_routes(api) for api in apis])
    return Artifacts(
        name,
        version,
        apis,
        _merged(a.sequences for a in parts),
        _merged(a.endpoints for a in parts),
        routes,
        {},
        _merged(a.stores for a in parts),
        _merged(a.processors for a in parts),
        _merged(a.connections for a in parts),
        _merged(a.tasks for a in parts),
        _merged(a.inbound for a in parts),
    )
