"""Dispatching an HTTP request to the resource that answers it, and the default answers.

Per request: match the route (precompiled), read the body within the size limit, run the resource's
flow, and turn its reply (or its error) into a response. Outcomes:

- the flow responded → that reply;
- the flow ended without responding → the current message, with its status (or 200);
- the flow dropped the message → 202 Accepted, no body;
- the body cannot be read (``Content-Encoding`` that does not match it, broken chunking) → 400; the
  client closed the connection while sending it → nothing is answered, one line is logged at DEBUG;
- the flow failed → the default error answer: JSON ``{"error": {code, message, correlationId}}`` with
  the error's status and headers (``Retry-After``) and the message a client may see (the full one is
  logged); an unexpected failure answers 500 with no internal detail and is logged;
- an on-error flow answered with the error's own status → its answer, with the error's headers unless
  it set them itself (a 503 keeps its ``Retry-After``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from interlace.compiler.compile import Artifacts
from interlace.errors import InterlaceError
from interlace.http.codec import error_response, message_from_request, response_from_reply
from interlace.message import CORRELATION_HEADER, Reply, new_correlation_id
from interlace.routing import RouteMiss

__all__ = ["Dispatcher"]

_log = logging.getLogger("interlace.http")


class Dispatcher:
    """The request handler of the HTTP transport; ``artifacts`` is read once per request."""

    __slots__ = ("artifacts", "max_body_size")

    def __init__(self, artifacts: Callable[[], Artifacts], max_body_size: int) -> None:
        self.artifacts = artifacts
        self.max_body_size = max_body_size

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        artifacts = self.artifacts()
        match = artifacts.routes.match(request.method, request.raw_path.partition("?")[0], request.query)
        if isinstance(match, RouteMiss):
            correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
            if match.status == 405:
                allowed = ", ".join(sorted(match.allowed))
                return error_response(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"{request.method} is not allowed on {request.path}; allowed: {allowed}",
                    correlation_id,
                    {"Allow": allowed},
                )
            return error_response(
                404, "NOT_FOUND", f"no resource matches {request.method} {request.path}", correlation_id
            )
        length = request.content_length
        if length is not None and length > self.max_body_size:
            return self._too_large(request, length)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._too_large(request, None)
        except web.RequestPayloadError as exc:
            correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
            _log.debug("the body of %s %s cannot be read: %s", request.method, request.path, exc)
            # nothing more is read from this connection: the answer closes it
            request.content.feed_eof()
            return error_response(
                400,
                "BAD_REQUEST_BODY",
                "the request body cannot be read as its Content-Encoding and Transfer-Encoding say",
                correlation_id,
                {"Connection": "close"},
            )
        except ConnectionError:
            _log.debug(
                "the client of %s %s closed the connection while sending the body",
                request.method,
                request.path,
            )
            return web.Response(status=400)
        ctx = message_from_request(request, body, match.path_params)
        resource = match.target
        try:
            if await resource.flow.mediate(ctx):
                reason = ctx.transport.get("reason")
                reply = Reply(ctx.status or 200, ctx.payload, reason=str(reason) if reason else None)
                return response_from_reply(reply, ctx.correlation_id)
        except InterlaceError as exc:
            if exc.status >= 500:
                _log.warning(
                    "%s %s failed: %s",
                    request.method,
                    request.path,
                    exc,
                    extra={"correlation_id": ctx.correlation_id},
                )
            return error_response(exc.status, exc.code, exc.public_message, ctx.correlation_id, exc.headers)
        except Exception:
            _log.exception(
                "%s %s failed unexpectedly",
                request.method,
                request.path,
                extra={"correlation_id": ctx.correlation_id},
            )
            return error_response(
                500, "INTERNAL_ERROR", "the request could not be processed", ctx.correlation_id
            )
        if ctx.reply is not None:
            if ctx.error is not None and ctx.error.headers and ctx.reply.status == ctx.error.status:
                for name, value in ctx.error.headers.items():
                    ctx.reply.headers.setdefault(name, value)
            return response_from_reply(ctx.reply, ctx.correlation_id)
        if ctx.error is not None:
            error = ctx.error
            return error_response(error.status, error.code, error.message, ctx.correlation_id, error.headers)
        return web.Response(status=202, headers={CORRELATION_HEADER: ctx.correlation_id})

    def _too_large(self, request: web.BaseRequest, length: int | None) -> web.Response:
        correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
        got = f" (got {length} bytes)" if length is not None else ""
        return error_response(
            413,
            "PAYLOAD_TOO_LARGE",
            f"the request body must be at most {self.max_body_size} bytes{got}",
            correlation_id,
            {"Connection": "close"},
        )
