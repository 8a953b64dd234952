"""Dispatching an HTTP request to the resource that answers it, and the default answers.

Per request: match the route (precompiled), take the body (:func:`~interlace.http.codec.request_payload`:
a small one is read now, within the size limit; a larger one stays unread until a mediator needs it,
and is then read within the limit, or is sent on to a back-end as it arrives), run the resource's flow
with :func:`~interlace.mediators.flow.run_flow`, and answer its
:class:`~interlace.mediators.flow.FlowResult` (:func:`answer`):

- ``replied`` → the reply;
- ``finished`` → the current message, with its status (or 200);
- ``dropped`` → 202 Accepted, no body;
- ``failed`` and handled → the reply the on-error flow gave (with the error's headers, ``Retry-After``,
  unless it set them itself, when it answers with the error's own status), else the default error
  answer;
- ``failed`` and not handled → the default error answer.

``GET CONTEXT?openapi.json`` (or ``?swagger.json``) of an API's path answers the API's OpenAPI
document (:mod:`interlace.compiler.openapi`) instead of a resource.

A request is counted in flight on its deployment from the match to the answer, so that a replaced version
drains its requests before it closes (:mod:`interlace.compiler.in_flight`).

A resource that always stores into a store that refuses when full has gates
(:class:`~interlace.mediators.store.FullStoreGate`): while the store is full, its requests are answered
with the store's error (503, ``Retry-After``) before their bodies are read, and their flows do not run
(:func:`refused_at_gates`).

A body that cannot be read (``Content-Encoding`` that does not match it, broken chunking, a client that
closed the connection while sending it) answers 400 ``BAD_REQUEST_BODY``, and one above the size limit
413 ``PAYLOAD_TOO_LARGE``, both closing the connection: before the flow runs when the body is read at
once, else as the error of the mediator that needed it (an on-error flow sees it). A flow that ends
with the request's own body as its answer reads it first (a client may not read an answer before it
has sent its request). An answer whose body is a back-end's answer still unread is streamed
(:class:`~interlace.http.codec.StreamedAnswer`); an unread body the answer did not use is closed.

Every error answer, the routing's 404 and 405 included, has the one shape of
:func:`~interlace.message.error_body` with the error's status and headers (``Retry-After``) and the
message a client may see (the full one is logged); an unexpected failure answers 500 with no internal
detail (the log has it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

import orjson
from aiohttp import web

from interlace.compiler.compile import Artifacts, ResourceArtifact
from interlace.compiler.openapi import DOCUMENT_QUERIES, api_document
from interlace.errors import PayloadError
from interlace.http.codec import (
    StreamedAnswer,
    error_response,
    message_from_request,
    message_of,
    request_payload,
    response_from_reply,
)
from interlace.mediators.flow import FlowResult, run_flow
from interlace.message import CORRELATION_HEADER, MessageContext, Reply, new_correlation_id
from interlace.observability.access_log import log_access
from interlace.observability.metrics import Metrics, RequestMetrics
from interlace.routing import RouteMiss

__all__ = ["Dispatcher", "answer", "answer_message", "finished_at_gates", "miss_answer", "refused_at_gates"]

_log = logging.getLogger("interlace.http")


def answer(result: FlowResult, ctx: MessageContext) -> web.StreamResponse:
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


def miss_answer(miss: RouteMiss, method: str, path: str, correlation_id: str) -> web.Response:
    """The answer when no resource takes a request: 405 with ``Allow``, or 404."""
    if miss.status == 405:
        allowed = ", ".join(sorted(miss.allowed))
        return error_response(
            405,
            "METHOD_NOT_ALLOWED",
            f"{method} is not allowed on {path}; allowed: {allowed}",
            correlation_id,
            {"Allow": allowed},
        )
    return error_response(404, "NOT_FOUND", f"no resource matches {method} {path}", correlation_id)


async def refused_at_gates(resource: ResourceArtifact, correlation_id: str) -> web.Response | None:
    """The default error answer when a gate of ``resource`` refuses the request (its store is full), else
    None. Awaited before the request's body is read; it may hold the request for its turn. A request let
    through calls :func:`finished_at_gates` when its flow ends."""
    for number, gate in enumerate(resource.gates):
        error = await gate.refusal(correlation_id)
        if error is not None:
            for admitted in resource.gates[:number]:
                admitted.finished()
            return error_response(
                error.status, error.code, error.public_message, correlation_id, error.headers,
                details=error.detail,
            )  # fmt: skip
    return None


def finished_at_gates(resource: ResourceArtifact) -> None:
    """The flow of a request :func:`refused_at_gates` let run has ended (the gates count it no more)."""
    for gate in resource.gates:
        gate.finished()


async def answer_message(
    artifacts: Artifacts,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: dict[str, str],
    body: bytes,
) -> tuple[web.Response, MessageContext | None, FlowResult | None]:
    """Answer a request held in memory as the transport answers one read from a socket (routing's 404
    and 405 included), for callers without a socket (the test runner). Returns the answer, and the
    message the resource's flow ran on with how it ended (``None`` when no resource took the request, or
    the gate of its full store refused it)."""
    match = artifacts.routes.match(method, path, query)
    if isinstance(match, RouteMiss):
        correlation_id = headers.get(CORRELATION_HEADER) or new_correlation_id()
        return miss_answer(match, method, path, correlation_id), None, None
    resource = match.target
    with resource.in_flight.counting():
        if resource.gates:
            correlation_id = headers.get(CORRELATION_HEADER) or new_correlation_id()
            refused = await refused_at_gates(resource, correlation_id)
            if refused is not None:
                return refused, None, None
        try:
            ctx = message_of(method, path, headers, query, body, match.path_params)
            what = f"{method} {path}"
            result = await run_flow(resource.flow, ctx, what=what, artifact=("api", resource.api))
            for payload in (ctx.payload, ctx.reply.payload if ctx.reply is not None else None):
                if payload is not None:
                    await payload.read()  # the answer is held in memory, whole
        finally:
            finished_at_gates(resource)
    response = answer(result, ctx)
    if not isinstance(response, web.Response):
        raise RuntimeError("an answer in memory was given a body still unread")
    return response, ctx, result


class Dispatcher:
    """The request handler of the HTTP transport; ``artifacts`` is read once per request.

    With ``metrics``, each request whose flow ran is counted under its resource and method, with the
    children bound once per route table (see :meth:`_bind`); the APIs that keep an access log get one
    line per such request (:mod:`interlace.observability.access_log`)."""

    __slots__ = (
        "_bound",
        "_bound_for",
        "_documents",
        "_logged",
        "artifacts",
        "closing",
        "max_body_size",
        "metrics",
    )

    def __init__(
        self, artifacts: Callable[[], Artifacts], max_body_size: int, metrics: Metrics | None = None
    ) -> None:
        self.artifacts = artifacts
        self.max_body_size = max_body_size
        self.metrics = metrics
        self._bound: dict[tuple[int, str], RequestMetrics] = {}
        self._logged: frozenset[int] = frozenset()
        self._documents: dict[str, bytes] = {}
        self._bound_for: Artifacts | None = None
        self.closing = False
        """The server is stopping: each answer closes its connection (``Connection: close``), so a
        client or proxy keeping connections alive sends its next request elsewhere."""

    def _bind(self, artifacts: Artifacts) -> None:
        """Bind the metrics of every resource and declared method (``HEAD`` with ``GET``; ``*`` for a
        resource of any method, whatever a client sends) and note the resources whose API keeps an
        access log, keyed by the resources' identity while ``artifacts`` holds them."""
        bound: dict[tuple[int, str], RequestMetrics] = {}
        metrics = self.metrics
        resources = [(api, r) for api in artifacts.apis for r in api.resources] if metrics else []
        for api, resource in resources:
            assert metrics is not None
            methods = set(resource.methods) | ({"HEAD"} if "GET" in resource.methods else set())
            for method in methods:
                bound[id(resource), method] = metrics.resource(api.name, resource.uri_template, method)
        logged = frozenset(id(r) for api in artifacts.apis if api.access_log for r in api.resources)
        self._bound, self._logged, self._bound_for = bound, logged, artifacts
        self._documents = {}

    def _document(self, artifacts: Artifacts, path: str) -> bytes | None:
        """The OpenAPI document of the API served at ``path`` exactly, made once per route table."""
        if artifacts is not self._bound_for:
            self._bind(artifacts)
        path = path.rstrip("/") or "/"
        document = self._documents.get(path)
        if document is None:
            api = next((api for api in artifacts.apis if api.path == path), None)
            if api is None:
                return None
            document = self._documents[path] = orjson.dumps(api_document(api, artifacts.version))
        return document

    def _account(
        self,
        artifacts: Artifacts,
        resource: ResourceArtifact,
        request: web.BaseRequest,
        response: web.StreamResponse,
        correlation_id: str,
        started: float,
    ) -> None:
        """Count the answered request, and log it when its API keeps an access log; while the server
        stops, the answer closes its connection."""
        if self.closing:
            response.force_close()
        if artifacts is not self._bound_for:
            self._bind(artifacts)
        if self.metrics is None and not self._logged:
            return
        seconds = time.perf_counter() - started
        if self.metrics is not None:
            key = id(resource)
            bound = self._bound.get((key, request.method)) or self._bound.get((key, "*"))
            if bound is None:  # a request in flight across a redeploy: counted, never lost
                method = request.method if request.method in resource.methods else "*"
                bound = self.metrics.resource(resource.api, resource.uri_template, method)
            bound.observe(response.status, seconds)
        if id(resource) in self._logged:
            body = response.body if isinstance(response, web.Response) else None
            if isinstance(body, bytes | bytearray):
                size = len(body)
            elif isinstance(response, StreamedAnswer):
                size = response.body_length
            else:
                size = response.content_length or 0
            log_access(
                resource.api, request.remote, request.method, request.path, response.status, size,
                seconds, correlation_id,
            )  # fmt: skip

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        started = time.perf_counter()
        artifacts = self.artifacts()
        path, _, query = request.raw_path.partition("?")
        if query in DOCUMENT_QUERIES and request.method == "GET":
            document = self._document(artifacts, path)
            if document is not None:
                return web.Response(body=document, content_type="application/json")
        match = artifacts.routes.match(request.method, path, request.query)
        if isinstance(match, RouteMiss):
            correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
            missed = miss_answer(match, request.method, request.path, correlation_id)
            if self.closing:
                missed.force_close()
            return missed
        # counted on its deployment from the match to the answer: a replaced version drains it
        resource = match.target
        with resource.in_flight.counting():
            if resource.gates:  # before the body is read: a full store refuses cheaply
                correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
                refused = await refused_at_gates(resource, correlation_id)
                if refused is not None:
                    self._account(artifacts, resource, request, refused, correlation_id, started)
                    return refused
            try:
                try:
                    payload = await request_payload(request, self.max_body_size)
                except PayloadError as exc:
                    correlation_id = request.headers.get(CORRELATION_HEADER) or new_correlation_id()
                    return error_response(exc.status, exc.code, exc.message, correlation_id, exc.headers)
                ctx = message_from_request(request, payload, match.path_params)
                what = f"{request.method} {request.path}"
                try:
                    result = await run_flow(resource.flow, ctx, what=what, artifact=("api", resource.api))
                    unread = ctx.payload.unread
                    if unread is not None and unread.origin == "request" and result.outcome == "finished":
                        response = await _answer_read(result, ctx)
                    else:
                        response = answer(result, ctx)
                    if isinstance(response, StreamedAnswer):
                        if self.closing:
                            response.force_close()  # decided before its head is sent
                        await response.send(request)
                finally:
                    ctx.payload.close()
            finally:
                finished_at_gates(resource)
            self._account(artifacts, resource, request, response, ctx.correlation_id, started)
            return response


async def _answer_read(result: FlowResult, ctx: MessageContext) -> web.StreamResponse:
    """:func:`answer` for a flow that finished with the request's body unread: it is read first."""
    try:
        await ctx.payload.read()
    except PayloadError as exc:
        return error_response(exc.status, exc.code, exc.message, ctx.correlation_id, exc.headers)
    return answer(result, ctx)
