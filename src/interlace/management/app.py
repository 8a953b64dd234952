"""The management API as an aiohttp application: each :class:`Route` becomes a handler that checks the
token and role, the query and the body (against the route's schemas) before the route's handler runs,
and one middleware turns every error into ``{"error": {"code", "message", "correlationId"}}`` (never a
stack trace)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

import jsonschema
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
from interlace.management.openapi import OPENAPI_PATH, openapi_document
from interlace.management.resources import ROUTES, SCHEMAS
from interlace.management.routes import Access, Call, Route, Schema
from interlace.management.tokens import Identity

__all__ = ["CONTEXT", "MAX_BODY_SIZE", "all_routes", "create_app"]

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
    checker = jsonschema.Draft202012Validator({**schema, "components": {"schemas": dict(components)}})

    def validate(value: Any) -> None:
        error = jsonschema.exceptions.best_match(checker.iter_errors(value))
        if error is not None:
            where = "".join(f"/{part}" for part in error.absolute_path)
            message = error.message
            excluded = error.validator_value.get("required") if error.validator == "not" else None
            if isinstance(excluded, list):  # {"not": {"required": [a, b]}}: a and b exclude each other
                message = f"give at most one of {', '.join(map(str, excluded))}"
            raise BadRequestError(f"{what}{where}: {message}")

    return validate


def _identity(
    context: ManagementContext, request: web.Request, access: Access, route: Route
) -> Identity | None:
    if access == "public":
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError(
            "this needs a token: log in with POST /management/login and send Authorization: Bearer TOKEN"
        )
    identity = context.tokens.verify(token.strip())
    user = context.users.get(identity.user)
    if user is None:
        raise UnauthorizedError(f"user {identity.user!r} no longer exists: log in again")
    identity = replace(identity, role=user.role)  # the role the user has now, not at login
    if access == "admin" and identity.role != "admin":
        raise ForbiddenError(
            f"{identity.user} is a {identity.role}: only an admin may {route.summary.lower()}"
        )
    return identity


def _handler(
    route: Route, components: Mapping[str, Schema]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    body_check = _validator(route.body, components, "body") if route.body is not None else None
    query_checks = {
        param.name: (param, _validator(param.schema, components, f"query parameter {param.name}"))
        for param in route.query
    }
    access = route.required_access

    async def handle(request: web.Request) -> web.Response:
        context = request.app[CONTEXT]
        identity = _identity(context, request, access, route)
        served = context.artifacts() if route.needs_deployment else None  # NotReadyError: 503
        unknown = sorted(set(request.query) - query_checks.keys())
        if unknown:
            known = ", ".join(query_checks) or "none"
            raise BadRequestError(f"unknown query parameter {unknown[0]!r} (parameters: {known})")
        query: dict[str, Any] = {}
        for name, (param, check) in query_checks.items():
            raw = request.query.get(name)
            if raw is None:
                if "default" in param.schema:
                    query[name] = param.schema["default"]
                continue
            query[name] = param.parse(raw)
            check(query[name])
        body: Any = None
        if route.uploads is not None and request.content_type not in route.uploads:
            expected = " or ".join(route.uploads)
            raise BadRequestError(f"the body must be {expected} (got {request.content_type or 'none'})")
        if body_check is not None:
            raw_body = await request.read()
            if raw_body.strip():
                try:
                    body = orjson.loads(raw_body)
                except orjson.JSONDecodeError as exc:
                    raise BadRequestError(f"the body must be JSON ({exc})") from exc
                body_check(body)
            elif route.body_required:
                raise BadRequestError("this needs a JSON body")
        call = Call(request, context, identity, dict(request.match_info), query, body, served)
        answer = json_response(await route.handler(call), route.status)
        if route.every_worker and context.fanout is not None:
            await context.fanout.forward(request)
        return answer

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


def create_app(
    context: ManagementContext, routes: Sequence[Route] = ROUTES, schemas: Mapping[str, Schema] = SCHEMAS
) -> web.Application:
    """The application serving ``routes`` (and the OpenAPI document) for ``context``."""
    app = web.Application(middlewares=[_errors], client_max_size=MAX_BODY_SIZE)
    app[CONTEXT] = context
    for route in all_routes(routes, schemas):
        app.router.add_route(route.method, route.path, _handler(route, schemas))
    return app
