"""The management API's resources, one module each; ``ROUTES`` and ``SCHEMAS`` gather them."""

from __future__ import annotations

from interlace.management.resources import (
    artifacts,
    authorizations,
    connectors,
    deployments,
    diagrams,
    endpoints,
    inbound,
    loglevels,
    processors,
    server,
    session,
    sources,
    steps,
    stores,
    traces,
)
from interlace.management.routes import Route, Schema

__all__ = ["ROUTES", "SCHEMAS"]

_MODULES = (
    session,
    server,
    deployments,
    artifacts,
    endpoints,
    connectors,
    authorizations,
    stores,
    processors,
    inbound,
    loglevels,
    traces,
    diagrams,
    steps,
    sources,
)

ROUTES: tuple[Route, ...] = tuple(route for module in _MODULES for route in module.ROUTES)
SCHEMAS: dict[str, Schema] = {name: schema for module in _MODULES for name, schema in module.SCHEMAS.items()}
