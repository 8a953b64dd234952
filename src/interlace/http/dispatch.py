"""Dispatching an HTTP request to the resource that answers it, and the default answers.

Per request: match the route (precompiled), read the body within the size limit, run the resource's
flow with :func:`~interlace.mediators.flow.run_flow`, and answer its
:class:`~interlace.mediators.flow.FlowResult` (:func:`answer`):

- ``replied`` → the reply;
- ``finished`` → the current message, with its status (or 200);
- ``dropped`` → 202 Accepted, no body;
- ``failed`` and handled → the reply the on-error flow gave (with the error's headers, ``Retry-After``,
  unless it set them itself, when it answers with the error's own status), else the default error
  answer;
- ``failed`` and not handled → the default error answer.

Before the flow runs: a body that cannot be read (``Content-Encoding`` that does not match it, broken
chunking) answers 400; a client that closed the connection while sending it gets nothing, and one line is
logged at DEBUG.

Every error answer, the routing's 404 and 405 included, has the one shape of
:func:`~interlace.message.error_body` with the error's status and headers (``Retry-After``) and the
message a client may see (the full one is logged); an unexpected failure answers 500 with no internal
detail (the log has it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

from interlace.compiler.compile import Artifacts, ResourceArtifact
from interlace.http.codec import error_response, message_from_request, response_from_reply
from interlace.mediators.flow import FlowResult, run_flow
from interlace.message import CORRELATION_HEADER, MessageContext, Reply, new_correlation_id
from interlace.observability.metrics import Metrics, RequestMetrics
from interlace.routing import RouteMiss

__all__ = ["Dispatcher", "answer"]

_log = logging.getLogger("interlace.http")


def answer(result: FlowResult, ctx: MessageContext) -> web.Response:
    """The HTTP response for how a request's flow ended (see the module docstring)."""
    if result.outcome == "finished":
        reason = ctx.transport.get("reason")
        reply = Reply(ctx.status or 200, ctx.payload, reason=str(reason) if reason else None)
        return response_from_reply(reply, ctx.correlation_id)
    error = result.error
    if ctx.reply is not None and (result.outcome == "replied" or result.handled):
        if error is not None and error.headers and ctx.reply.status == error.status:
            for name, value in error.headers.items():
                ctx.reply.headers.setdefault(name, value)
        return response_from_reply(ctx.reply, ctx.correlation_id)
    if error is not None:
        return error_response(
            error.status, error.code, error.message, ctx.correlation_id, error.headers, details=error.detail
        )
    return web.Response(status=202, headers={CORRELATION_HEADER: ctx.correlation_id})


class Dispatcher:
    """The request handler of the HTTP transport; ``artifacts`` is read once per request.

    With ``metrics``, each request whose flow ran is counted under its resource and method, with the
    children bound once per route table (see :meth:`_bind`)."""

    __slots__ = ("_bound", "_bound_for", "artifacts", "max_body_size", "metrics")

    def __init__(
        self, artifacts: Callable[[], Artifacts], max_body_size: int, metrics: Metrics | None = None
    ) -> None:
        self.artifacts = artifacts
        self.max_body_size = max_body_size
        self.metrics = metrics
        self._bound: dict[tuple[int, str], RequestMetrics] = {}
        self._bound_for: Artifacts | None = None

    def _bind(self, artifacts: Artifacts, metrics: Metrics) -> None:
        """Bind the children of every resource and declared method (``HEAD`` with ``GET``; ``*`` for
        a resource of any method, whatever a client sends), keyed by the resource's identity while
        ``artifacts`` holds it."""
        bound: dict[tuple[int, str], RequestMetrics] = {}
        for api in artifacts.apis:
            for resource in api.resources:
                methods = set(resource.methods) | ({"HEAD"} if "GET" in resource.methods else set())
                for method in methods:
                    bound[id(resource), method] = metrics.resource(api.name, resource.uri_template, method)
        self._bound, self._bound_for = bound, artifacts

    def _metrics_of(self, artifacts: Artifacts, resource: ResourceArtifact, method: str) -> RequestMetrics:
        assert self.metrics is not None
        if artifacts is not self._bound_for:
            self._bind(artifacts, self.metrics)
        bound = self._bound.get((id(resource), method)) or self._bound.get((id(resource), "*"))
        if bound is None:  # a resource of another view than the one bound: counted, never lost
            bound = self.metrics.resource(resource.api, resource.uri_template, "*")
        return bound

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        started = time.perf_counter()
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
        result = await run_flow(resource.flow, ctx, what=f"{request.method} {request.path}")
        response = answer(result, ctx)
        if self.metrics is not None:
            metered = self._metrics_of(artifacts, resource, request.method)
            metered.observe(response.status, time.perf_counter() - started)
        return response

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
