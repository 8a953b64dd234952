"""The management API as an aiohttp application: each :class:`Route` becomes a handler that checks the
token and role, the query and the body (against the route's schemas) before the route's handler runs,
and one middleware turns every error into ``{"error": {"code", "message", "correlationId"}}`` (never a
stack trace)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

import orjson
from aiohttp import web

from interlace import __version__
from interlace.errors import InterlaceError
from interlace.management.context import ManagementContext
from interlace.management.errors import (
    BadRequestError,
    ForbiddenError,
    ManagementError,
    UnauthorizedError,
    error_answer,
)
from interlace.management.fanout import concrete_path
from interlace.management.openapi import OPENAPI_PATH, openapi_document
from interlace.management.resources import ROUTES, SCHEMAS
from interlace.management.routes import Access, Call, Route, Schema, permits
from interlace.management.tokens import Identity

if TYPE_CHECKING:
    import jsonschema

__all__ = ["API", "CONTEXT", "MAX_BODY_SIZE", "ManagementApi", "RouteInvoker", "all_routes", "create_app"]

CONTEXT: Final = web.AppKey("management_context", ManagementContext)
MAX_BODY_SIZE: Final = 1024 * 1024
"""Bytes a request body may have (a replayed payload is the largest thing sent)."""

_log = logging.getLogger("interlace.management")
_HTTP_CODES: Final = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
_Validate = Callable[[Any], None]


def json_response(value: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    body = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str)
    return web.Response(body=body, status=status, content_type="application/json", headers=headers)


def _validator(schema: Schema, components: Mapping[str, Schema], what: str) -> _Validate:
    # The components ride along in the root, so "#/components/schemas/X" references resolve.
    root = {**schema, "components": {"schemas": dict(components)}}

    @functools.cache
    def checker() -> jsonschema.Draft202012Validator:  # made by the first request it checks
        import jsonschema

        return jsonschema.Draft202012Validator(root)

    def validate(value: Any) -> None:
        from jsonschema.exceptions import best_match

        error = best_match(checker().iter_errors(value))
        if error is not None:
            where = "".join(f"/{part}" for part in error.absolute_path)
            message = error.message
            excluded = error.validator_value.get("required") if error.validator == "not" else None
            if isinstance(excluded, list):  # {"not": {"required": [a, b]}}: a and b exclude each other
                message = f"give at most one of {', '.join(map(str, excluded))}"
            raise BadRequestError(f"{what}{where}: {message}")

    return validate


def _identity(context: ManagementContext, token: str | None, access: Access, route: Route) -> Identity | None:
    if access == "public":
        return None
    if token is None or not token.strip():
        raise UnauthorizedError(
            "this needs a token: log in with POST /management/login and send Authorization: Bearer TOKEN"
        )
    identity = context.tokens.verify(token.strip())
    user = context.users.get(identity.user)
    if user is None:
        raise UnauthorizedError(f"user {identity.user!r} no longer exists: log in again")
    identity = replace(identity, role=user.role)  # the role the user has now, not at login
    if not permits(identity.role, access):
        allowed = "an admin or operator" if access == "operator" else "an admin"
        article = "an" if identity.role[0] in "aeiou" else "a"
        raise ForbiddenError(
            f"{identity.user} is {article} {identity.role}: only {allowed} may {route.summary.lower()}"
        )
    return identity


class RouteInvoker:
    """One route's checks and handler: the caller's token and role, the deployment, the query and the
    body, then the handler. The HTTP server runs one per request; the console runs the same ones
    in-process with its session's token (see :class:`ManagementApi`), so both obey one authorisation.

    Raises what the handler raises (a :class:`ManagementError` or an :class:`InterlaceError` carrying
    the status, code and message the API would answer with)."""

    def __init__(self, route: Route, components: Mapping[str, Schema]) -> None:
        self.route = route
        self._body_check = _validator(route.body, components, "body") if route.body is not None else None
        self._query_checks = {
            param.name: (param, _validator(param.schema, components, f"query parameter {param.name}"))
            for param in route.query
        }

    async def invoke(
        self,
        context: ManagementContext,
        request: web.Request,
        token: str | None,
        path: Mapping[str, str],
        query: Mapping[str, str],
        body: Any = None,
    ) -> Any:
        """The JSON value the route answers with for ``token`` (None: no token), the path values, the
        raw query values and the parsed JSON ``body`` (None: none)."""
        route = self.route
        identity = _identity(context, token, route.required_access, route)
        served = context.artifacts() if route.needs_deployment else None  # NotReadyError: 503
        unknown = sorted(set(query) - self._query_checks.keys())
        if unknown:
            known = ", ".join(self._query_checks) or "none"
            raise BadRequestError(f"unknown query parameter {unknown[0]!r} (parameters: {known})")
        checked: dict[str, Any] = {}
        for name, (param, check) in self._query_checks.items():
            raw = query.get(name)
            if raw is None:
                if param.required:
                    raise BadRequestError(f"query parameter {name} is required")
                if "default" in param.schema:
                    checked[name] = param.schema["default"]
                continue
            checked[name] = param.parse(raw)
            check(checked[name])
        if self._body_check is not None:
            if body is not None:
                self._body_check(body)
            elif route.body_required:
                raise BadRequestError("this needs a JSON body")
        call = Call(request, context, identity, dict(path), checked, body, served)
        value = await route.handler(call)
        if route.every_worker and context.fanout is not None:
            # A change each process keeps for itself: the followers make it too (the console's as well).
            await context.fanout.forward(route.method, concrete_path(route.path, path), query, body, token)
        return value


def _handler(invoker: RouteInvoker) -> Callable[[web.Request], Awaitable[web.Response]]:
    route = invoker.route

    async def handle(request: web.Request) -> web.Response:
        context = request.app[CONTEXT]
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        bearer = token if scheme.lower() == "bearer" else None
        # Access and readiness are answered before the body is read (the invoker checks them again).
        _identity(context, bearer, route.required_access, route)
        if route.needs_deployment:
            context.artifacts()  # NotReadyError: 503
        if route.uploads is not None and request.content_type not in route.uploads:
            expected = " or ".join(route.uploads)
            raise BadRequestError(f"the body must be {expected} (got {request.content_type or 'none'})")
        body: Any = None
        if route.body is not None:
            raw_body = await request.read()
            if raw_body.strip():
                try:
                    body = orjson.loads(raw_body)
                except orjson.JSONDecodeError as exc:
                    raise BadRequestError(f"the body must be JSON ({exc})") from exc
        value = await invoker.invoke(context, request, bearer, request.match_info, request.query, body)
        return json_response(value, route.status)

    return handle


@web.middleware
async def _errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except ManagementError as exc:
        return error_answer(request, exc.status, exc.code, exc.message, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, f"HTTP_{exc.status}")
        message = f"no such route: {request.method} {request.path}" if exc.status == 404 else exc.reason
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_answer(request, exc.status, code, message, headers)
    except InterlaceError as exc:
        return error_answer(request, exc.status, exc.code, exc.message)
    except asyncio.CancelledError:
        raise
    except (web.RequestPayloadError, ConnectionError) as exc:
        # the client's doing: a body that does not match its encodings, or a client that went away
        _log.debug("management: the body of %s %s cannot be read: %s", request.method, request.path, exc)
        message = "the request body cannot be read as its Content-Encoding and Transfer-Encoding say"
        return error_answer(request, 400, "BAD_REQUEST", message, {"Connection": "close"})
    except Exception:
        _log.exception("management: %s %s failed", request.method, request.path)
        return error_answer(request, 500, "INTERNAL_ERROR", "the management API failed: see the server's log")


def all_routes(routes: Sequence[Route] = ROUTES, schemas: Mapping[str, Schema] = SCHEMAS) -> list[Route]:
    """``routes`` and the route of the OpenAPI document that describes them all."""
    document: dict[str, Any] = {}

    async def openapi(call: Call) -> dict[str, Any]:
        return document

    served = [
        *routes,
        Route(
            "getOpenApi",
            "GET",
            OPENAPI_PATH,
            openapi,
            "This document: the management API in OpenAPI 3.1",
            {"type": "object"},
            "server",
            access="public",
            needs_deployment=False,
        ),
    ]
    document.update(openapi_document(served, schemas, __version__))
    return served


class ManagementApi:
    """The management API's routes by name, to call in-process (the console does, with its session's
    token): the same checks, authorisation and handlers as over HTTP, without a loopback request."""

    def __init__(self, context: ManagementContext, invokers: Sequence[RouteInvoker]) -> None:
        self.context = context
        self._invokers = {invoker.route.name: invoker for invoker in invokers}

    def route(self, name: str) -> Route:
        """The route named ``name`` (KeyError for no route of that name: a programming error)."""
        return self._invokers[name].route

    async def call(
        self,
        name: str,
        request: web.Request,
        token: str | None,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        """The JSON answer of route ``name``; raises the error the route would answer with."""
        invoker = self._invokers[name]
        return await invoker.invoke(self.context, request, token, path or {}, query or {}, body)


API: Final = web.AppKey("management_api", ManagementApi)


def create_app(
    context: ManagementContext, routes: Sequence[Route] = ROUTES, schemas: Mapping[str, Schema] = SCHEMAS
) -> web.Application:
    """The application serving ``routes`` (and the OpenAPI document) for ``context``; ``app[API]`` is
    the same routes to call in-process."""
    app = web.Application(middlewares=[_errors], client_max_size=MAX_BODY_SIZE)
    app[CONTEXT] = context
    invokers = [RouteInvoker(route, schemas) for route in all_routes(routes, schemas)]
    for invoker in invokers:
        app.router.add_route(invoker.route.method, invoker.route.path, _handler(invoker))
    app[API] = ManagementApi(context, invokers)
    return app
