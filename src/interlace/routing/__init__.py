"""Routing requests to API resources by context path, method and URI template (pure, no transport).

It sits below the compiler, which builds the route table once per deployment and reports conflicting
or malformed templates as configuration problems; the HTTP transport only calls ``match``.
"""

from interlace.routing.table import ApiRoutes, ResourceRoute, RouteConflict, RouteMatch, RouteMiss, RouteTable
from interlace.routing.templates import TemplateError

__all__ = [
    "ApiRoutes",
    "ResourceRoute",
    "RouteConflict",
    "RouteMatch",
    "RouteMiss",
    "RouteTable",
    "TemplateError",
]
