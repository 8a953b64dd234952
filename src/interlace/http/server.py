"""The HTTP transport: a low-level aiohttp server (no per-request router or middleware) serving every
API of the runtime's active deployment on one port, with keep-alive, a request body size limit, and the
read timeouts and connection limit of :mod:`interlace.serving`."""

from __future__ import annotations

import asyncio
import logging
import socket
from types import TracebackType
from typing import Final

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler

from interlace.http.dispatch import Dispatcher
from interlace.runtime import Runtime
from interlace.serving import ConnectionLimits, GuardedServer

__all__ = ["HttpServer"]

_log = logging.getLogger("interlace.http")
_LINGER: Final = 1.0
"""Seconds a stopping server leaves its kept-alive connections to close after one more answer."""


class HttpServer:
    """Serves ``runtime`` at host:port (port 0 picks a free one: see ``port`` after ``start()``).

    ``limits`` default to those of the project's ``[server]`` table; ``reuse_port``: other processes
    (the other workers of the same server) listen on the same port, and the kernel spreads connections
    over them."""

    def __init__(
        self,
        runtime: Runtime,
        host: str,
        port: int,
        max_body_size: int,
        graceful_timeout: float = 10.0,
        *,
        limits: ConnectionLimits | None = None,
        reuse_port: bool = False,
    ) -> None:
        self.runtime = runtime
        self.reuse_port = reuse_port
        self.limits = limits
        self.host = host
        self.port = port
        self.max_body_size = max_body_size
        self.graceful_timeout = graceful_timeout
        self._server: GuardedServer | None = None
        self._dispatcher: Dispatcher | None = None
        self._listener: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
    ) -> web.BaseRequest:
        loop = asyncio.get_running_loop()
        return web.BaseRequest(
            message, payload, protocol, writer, task, loop, client_max_size=self.max_body_size
        )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        dispatcher = Dispatcher(lambda: self.runtime.artifacts, self.max_body_size, self.runtime.metrics)
        self._dispatcher = dispatcher
        if self.limits is None:
            project = self.runtime.project
            self.limits = ConnectionLimits.of(project.server) if project is not None else ConnectionLimits()
        self._server = GuardedServer(
            dispatcher, limits=self.limits, request_factory=self._make_request, access_log=None
        )
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            self._server,
            self.host,
            self.port,
            reuse_address=True,
            reuse_port=self.reuse_port or None,
            backlog=1024,
            family=socket.AF_INET,
        )
        self.port = self._listener.sockets[0].getsockname()[1]
        _log.info("HTTP APIs listening on http://%s:%d", self.host, self.port)

    async def aclose(self) -> None:
        """Stop accepting, let requests in flight finish (up to ``graceful_timeout``), then close.

        Connections kept alive get a moment (:data:`_LINGER`) to carry the request a client or proxy
        may be sending on them already, answered with ``Connection: close``, before the idle ones are
        closed: a proxy does not send a POST again once it went out, so a connection closed under it
        would cost its client the answer."""
        listener, self._listener = self._listener, None
        server, self._server = self._server, None
        if listener is not None:
            listener.close()
        if self._dispatcher is not None:
            self._dispatcher.closing = True
        if server is not None:
            linger = asyncio.get_running_loop().time() + min(_LINGER, self.graceful_timeout)
            # aiohttp forgets a closed connection in a callback of its own: there is no event to wait on.
            while server.open_connections and asyncio.get_running_loop().time() < linger:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            await server.shutdown(self.graceful_timeout)
        if listener is not None:
            await listener.wait_closed()

    async def __aenter__(self) -> HttpServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
