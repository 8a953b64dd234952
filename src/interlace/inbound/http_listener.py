"""HttpListener: an HTTP listener on a port of its own, serving some of the deployment's APIs.

Requests are dispatched exactly as on the main port (routing, default answers, body size limit): the
request handler comes from the HTTP transport through ``dispatch``, a factory given the listener's route
table (only the named APIs) and the body size limit. The transport sits above the runtime, so the
runtime is handed the factory (``Runtime(http_dispatch=...)``) rather than importing it. At most
``max_in_flight`` requests are processed at once; more wait for a free slot. The port guards its
connections as the main port does, with the project's ``[server]`` limits (read timeouts, connection
limit), given as ``limits``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler as _Protocol

from interlace.inbound.base import InboundCounters, InboundState
from interlace.routing import RouteTable
from interlace.services import ServiceFailedError, ServiceIdentity, ServiceKind
from interlace.serving import ConnectionLimits, GuardedServer

__all__ = ["HttpDispatch", "HttpListener", "RequestHandler"]

_log = logging.getLogger("interlace.inbound")

RequestHandler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
HttpDispatch = Callable[[RouteTable[Any], int], RequestHandler]
"""Makes the request handler for a route table and a body size limit (the transport's dispatcher)."""


class HttpListener(ServiceIdentity):
    """Serves the APIs ``apis`` (compiled into ``routes``) at host:port; a
    :class:`~interlace.inbound.base.Inbound` service, never coordinated (every node listens).
    ``port`` is the bound port once it listens."""

    kind: ServiceKind = "inbound"
    source_kind = "http"

    def __init__(
        self,
        name: str,
        *,
        host: str,
        port: int,
        apis: tuple[str, ...],
        routes: RouteTable[Any],
        max_body_size: int,
        dispatch: HttpDispatch | None,
        max_in_flight: int = 16,
        limits: ConnectionLimits | None = None,
        starts_active: bool = True,
        graceful_timeout: float = 10.0,
    ) -> None:
        super().__init__(name, starts_active=starts_active)
        self.host = host
        self.port = port
        self._configured_port = port
        self.apis = apis
        self.routes = routes
        self.max_body_size = max_body_size
        self._dispatch = dispatch
        self.max_in_flight = max_in_flight
        self.limits = limits or ConnectionLimits()
        self._graceful_timeout = graceful_timeout
        self._counters = InboundCounters()
        self.listening = asyncio.Event()

    def state(self) -> InboundState:
        source = f"http://{self.host}:{self.port}"
        return self._counters.snapshot(
            self._name, self.source_kind, source, ", ".join(self.apis), False, self.record
        )

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: _Protocol,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
    ) -> web.BaseRequest:
        loop = asyncio.get_running_loop()
        return web.BaseRequest(
            message, payload, protocol, writer, task, loop, client_max_size=self.max_body_size
        )

    def _counted(self, handler: RequestHandler) -> RequestHandler:
        counters = self._counters
        slots = asyncio.Semaphore(self.max_in_flight)

        async def handle(request: web.BaseRequest) -> web.StreamResponse:
            async with slots:
                counters.received += 1
                counters.in_flight += 1
                try:
                    response = await handler(request)
                finally:
                    counters.in_flight -= 1
            if response.status >= 500:
                counters.failed += 1
            else:
                counters.processed += 1
            return response

        return handle

    async def run(self, stop: asyncio.Event) -> None:
        if self._dispatch is None:
            raise ServiceFailedError(
                "no HTTP transport to dispatch with: the runtime was started without http_dispatch"
            )
        handler = self._counted(self._dispatch(self.routes, self.max_body_size))
        # the same read timeouts, connection limit and error answers as the main port
        server = GuardedServer(
            handler, limits=self.limits, request_factory=self._make_request, access_log=None
        )
        loop = asyncio.get_running_loop()
        try:
            listener = await loop.create_server(
                server, self.host, self._configured_port, reuse_address=True, family=socket.AF_INET
            )
        except OSError as exc:
            raise ServiceFailedError(f"cannot listen on {self.host}:{self._configured_port}: {exc}") from exc
        self.port = listener.sockets[0].getsockname()[1]
        self.listening.set()
        _log.info("inbound endpoint %s: APIs %s on http://%s:%d", self._name, self.apis, self.host, self.port)
        try:
            await stop.wait()
        finally:
            self.listening.clear()
            listener.close()
            await server.shutdown(self._graceful_timeout)
            await listener.wait_closed()
