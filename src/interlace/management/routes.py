"""Route: one operation of the management API as data, from which both the aiohttp route and its
part of the OpenAPI document are made, so the two cannot drift apart.

A resource module declares ``ROUTES`` (its routes) and ``SCHEMAS`` (the JSON Schemas they refer to
with :func:`ref`). A handler takes a :class:`Call` (the request's checked path values, query values,
JSON body and the caller's identity) and returns the JSON value of the answer, or raises an error of
:mod:`interlace.management.errors` (or of the runtime) that the server turns into an error answer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from aiohttp import web

from interlace.management.errors import BadRequestError

if TYPE_CHECKING:
    from interlace.compiler.compile import Artifacts
    from interlace.management.context import ManagementContext
    from interlace.management.tokens import Identity
    from interlace.management.users import Role

__all__ = ["Access", "Call", "Handler", "QueryParam", "Route", "Schema", "items_of", "permits", "ref"]

Schema = Mapping[str, Any]
"""A JSON Schema (2020-12, as OpenAPI 3.1 uses it)."""
Access = Literal["public", "user", "operator", "admin"]
"""``public``: no token; ``user``: any logged-in user (admin, operator or monitor); ``operator``: admins
and operators (operating what runs); ``admin``: admins only."""

_PATH_PARAM: Final = re.compile(r"\{(\w+)\}")
_ALLOWED: Final[dict[Access, tuple[Role, ...]]] = {
    "user": ("admin", "operator", "monitor"),
    "operator": ("admin", "operator"),
    "admin": ("admin",),
}


def permits(role: Role, access: Access) -> bool:
    """Whether a user of ``role`` may call a route of ``access``."""
    return access == "public" or role in _ALLOWED[access]


def ref(name: str) -> Schema:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def items_of(schema: Schema) -> Schema:
    """The schema of a list answer: ``{"items": [...]}``."""
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": schema}},
    }


@dataclass(frozen=True, slots=True)
class QueryParam:
    """A query parameter; its schema's ``type`` is ``integer`` or ``string``, its ``default`` applies
    when the parameter is absent."""

    name: str
    description: str
    schema: Schema
    required: bool = False
    """The request must give it (400 otherwise)."""

    def parse(self, raw: str) -> int | str:
        if self.schema.get("type") != "integer":
            return raw
        try:
            return int(raw)
        except ValueError as exc:
            raise BadRequestError(f"query parameter {self.name} must be an integer (got {raw!r})") from exc


@dataclass(frozen=True, slots=True)
class Call:
    """One request to a route, checked against the route's schemas."""

    request: web.Request
    context: ManagementContext
    identity: Identity | None
    path: Mapping[str, str]
    query: Mapping[str, Any]
    body: Any
    served: Artifacts | None = None
    """What the server serves, read once before the handler runs (routes that need a deployment)."""

    @property
    def artifacts(self) -> Artifacts:
        """What the server serves (every deployment's artifacts), for a route that ``needs_deployment``:
        the server checked there is a deployment before calling the handler."""
        if self.served is None:
            raise RuntimeError("only a route that needs a deployment is handed the served artifacts")
        return self.served

    @property
    def user(self) -> str:
        return self.identity.user if self.identity is not None else "-"


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    """An operation: method, path (``{name}`` for a path value), handler and its contract.

    ``access`` defaults to ``user`` for GET (monitors may read) and ``admin`` for everything else.
    ``errors`` lists error statuses beyond the ones the route implies (400 for input, 401/403 for
    access, 404 for path values, 503 while there is no active deployment when ``needs_deployment``).

    ``needs_deployment`` (the default) is enforced by the server, in one place: once the caller's access
    is checked and before the query and body are, a route that needs a deployment answers 503
    ``NOT_READY`` while the runtime serves none (it is starting or stopping); otherwise its handler
    gets what is served as ``call.artifacts``.
    """

    name: str
    method: str
    path: str
    handler: Handler = field(repr=False, compare=False)
    summary: str
    response: Schema
    tag: str
    description: str = ""
    status: int = 200
    body: Schema | None = None
    body_required: bool = True
    query: tuple[QueryParam, ...] = ()
    access: Access | None = None
    errors: tuple[int, ...] = ()
    needs_deployment: bool = True
    uploads: Mapping[str, Schema] | None = None
    """A body other than JSON: its media types and their schemas (``application/zip``). The handler
    reads ``call.request`` itself; ``call.body`` is None."""
    every_worker: bool = False
    """The change holds in the process that makes it (a switch, a level): with several workers, the
    primary hands it to every follower once it succeeded (:mod:`interlace.management.fanout`)."""

    @property
    def required_access(self) -> Access:
        if self.access is not None:
            return self.access
        return "user" if self.method == "GET" else "admin"

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    def error_statuses(self) -> list[int]:
        """Every error status the route may answer with."""
        statuses = set(self.errors)
        if self.query or self.body is not None or self.uploads is not None:
            statuses.add(400)
        access = self.required_access
        if access != "public":
            statuses.add(401)
        if access in ("operator", "admin"):
            statuses.add(403)
        if self.path_params:
            statuses.add(404)
        if self.needs_deployment:
            statuses.add(503)
        return sorted(statuses)
