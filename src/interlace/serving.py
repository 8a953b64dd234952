"""The HTTP/1.1 protocol both ports serve with (the APIs and the management API): aiohttp's low-level
server with read timeouts, a connection limit and JSON answers to requests it cannot parse.

Per connection:

- an idle connection (before its first request, or between requests) is closed after
  ``keepalive_timeout``;
- once the first byte of a request has arrived, its request line and headers must be complete within
  ``header_timeout``, else the answer is 408 and the connection is closed;
- once the headers are read, the body must be complete within ``body_timeout``, else the answer is 408
  (when nothing was answered yet) and the connection is closed;
- beyond ``max_connections`` open connections, a new one is answered 503 and closed at once;
- a request that is not valid HTTP/1.1 (bad request line, header, chunking) is answered 400, and an
  unexpected failure in the protocol 500, both in the default error shape
  ``{"error": {code, message, correlationId}}`` and logged on one line, never with a traceback for
  the client's mistakes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

import orjson
from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from aiohttp.web_protocol import RequestHandler

from interlace.message import CORRELATION_HEADER, JSON_TYPE, error_body, new_correlation_id

__all__ = ["ConnectionLimits", "GuardedServer", "guarded_app_runner"]

_log = logging.getLogger("interlace.http")
_RequestFactory = Callable[
    [RawRequestMessage, StreamReader, RequestHandler, AbstractStreamWriter, "asyncio.Task[None]"],
    web.BaseRequest,
]
_MESSAGE_LIMIT: Final = 120
_LINGER: Final = 1.0
"""Seconds a connection answered and half-closed stays open, reading and dropping what the client still
sends, so that closing does not reset the connection before the client read the answer."""
_WARN_EVERY: Final = 10.0


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long a port waits for a client, and how many clients it holds at once (seconds; see the
    module docstring). The ``[server]`` table of ``interlace.toml`` sets them for both ports."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keepalive_timeout: float = 75.0
    max_connections: int = 1024

    @classmethod
    def of(cls, server: Any) -> ConnectionLimits:
        """The limits a ``[server]`` definition sets (anything with these four attributes)."""
        return cls(
            server.header_timeout, server.body_timeout, server.keepalive_timeout, server.max_connections
        )


def _error_json(code: str, message: str, correlation_id: str) -> bytes:
    return orjson.dumps(error_body(code, message, correlation_id))


def _raw_answer(status: int, code: str, message: str, extra: str = "") -> bytes:
    """A complete HTTP/1.1 error answer that closes the connection, written without a request object."""
    correlation_id = new_correlation_id()
    body = _error_json(code, message, correlation_id)
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: {JSON_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n{CORRELATION_HEADER}: {correlation_id}\r\n{extra}"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


class _GuardedHandler(RequestHandler):
    """aiohttp's request handler with the header and body timeouts, the connection limit and JSON
    answers for requests that cannot be parsed."""

    __slots__ = ("_answered", "_head_timer", "_limits")

    def __init__(self, manager: GuardedServer, *, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(manager, keepalive_timeout=limits.keepalive_timeout, **kwargs)
        self._limits = limits
        self._head_timer: asyncio.TimerHandle | None = None
        self._answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        manager = self._manager
        if isinstance(manager, GuardedServer) and manager.open_connections > self._limits.max_connections:
            manager.note_refused()
            self._answer_and_close(
                503,
                "SERVER_BUSY",
                f"the server holds at most {self._limits.max_connections} connections; try again later",
                "Retry-After: 1\r\n",
            )

    def data_received(self, data: bytes) -> None:
        waiting = self._request_count == self._answered
        if data and waiting and self._head_timer is None and not (self._force_close or self._close):
            self._head_timer = self._loop.call_later(self._limits.header_timeout, self._head_timed_out)
        super().data_received(data)
        if self._head_timer is not None and self._request_count > self._answered:
            self._head_timer.cancel()
            self._head_timer = None

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    async def finish_response(
        self, request: web.BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        self._answered += 1
        return await super().finish_response(request, resp, start_time)

    def watch_body(self, payload: StreamReader, writer: AbstractStreamWriter) -> None:
        """Close the connection when ``payload`` is not complete within the body timeout."""

        def check() -> None:
            if payload.is_eof() or self.transport is None:
                return
            _log.debug("closed a connection whose request body was not complete within the body timeout")
            if writer.output_size == 0:
                self._answer_and_close(
                    408,
                    "REQUEST_TIMEOUT",
                    f"the request body must arrive within {self._limits.body_timeout:g}s",
                )
            else:
                self.force_close()

        handle = self._loop.call_later(self._limits.body_timeout, check)
        payload.on_eof(handle.cancel)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._request_count == self._answered and self.transport is not None:
            _log.debug(
                "closed a connection whose request headers were not complete within the header timeout"
            )
            self._answer_and_close(
                408,
                "REQUEST_TIMEOUT",
                f"the request line and headers must arrive within {self._limits.header_timeout:g}s",
            )

    def _answer_and_close(self, status: int, code: str, message: str, extra: str = "") -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            self.force_close()
            return
        transport.write(_raw_answer(status, code, message, extra))
        if isinstance(transport, asyncio.WriteTransport) and transport.can_write_eof():
            transport.write_eof()
        self.close()  # from now on, what the client sends is dropped
        self._loop.call_later(_LINGER, self.force_close)

    def log_exception(self, *args: Any, **kw: Any) -> None:
        # aiohttp reads what is left of a body after the answer; a body that cannot be decoded, or a
        # client that went away, is the client's doing: one line at DEBUG, no traceback.
        exc = kw.get("exc_info")
        if isinstance(exc, web.RequestPayloadError | ConnectionError):
            _log.debug("the rest of a request body could not be read: %s", exc)
            return
        super().log_exception(*args, **kw)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            raise ConnectionError("the answer has begun; no error answer can follow it")
        correlation_id = new_correlation_id()
        if isinstance(exc, ConnectionError) or self.transport is None:
            _log.debug("the client closed the connection before the answer")
            code, text = "CLIENT_GONE", "the connection was closed"
        elif status < 500:
            reason = exc.message if isinstance(exc, HttpProcessingError) else (message or "")
            _log.debug("answered %d to a malformed request: %s", status, _short(str(reason)))
            code, text = "BAD_REQUEST", f"the request is not valid HTTP/1.1: {_short(str(reason))}"
        else:
            _log.error(
                "the HTTP protocol failed unexpectedly",
                exc_info=exc,
                extra={"correlation_id": correlation_id},
            )
            code, text = "INTERNAL_ERROR", "the request could not be processed"
        headers = {"Content-Type": JSON_TYPE, CORRELATION_HEADER: correlation_id}
        response = web.Response(status=status, body=_error_json(code, text, correlation_id), headers=headers)
        response.force_close()
        return response


class GuardedServer(web.Server):
    """aiohttp's low-level server whose connections keep to ``limits``."""

    def __init__(
        self,
        handler: Callable[[web.BaseRequest], Any],
        *,
        limits: ConnectionLimits,
        request_factory: _RequestFactory | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(handler, request_factory=request_factory, **kwargs)
        self.limits = limits
        self.refused = 0
        """Connections refused beyond the limit since the server started."""
        self._warned_at = -_WARN_EVERY
        self._refused_warned = 0
        inner = self.request_factory

        def watching(
            message: RawRequestMessage,
            payload: StreamReader,
            protocol: RequestHandler,
            writer: AbstractStreamWriter,
            task: asyncio.Task[None],
        ) -> web.BaseRequest:
            if (
                payload is not EMPTY_PAYLOAD
                and not payload.is_eof()
                and isinstance(protocol, _GuardedHandler)
            ):
                protocol.watch_body(payload, writer)
            return inner(message, payload, protocol, writer, task)

        self.request_factory = watching

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    def note_refused(self) -> None:
        """Count a connection refused beyond the limit; warn at most every few seconds, not per connection."""
        self.refused += 1
        now = self._loop.time()
        if now - self._warned_at >= _WARN_EVERY:
            _log.warning(
                "refused %d connection(s) since the last warning: %d are open (max-connections)",
                self.refused - self._refused_warned,
                self.limits.max_connections,
            )
            self._warned_at, self._refused_warned = now, self.refused

    def __call__(self) -> RequestHandler:
        return _GuardedHandler(self, loop=self._loop, limits=self.limits, **self._kwargs)


class _GuardedAppRunner(web.AppRunner):
    def __init__(self, app: web.Application, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._limits = limits

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        return GuardedServer(
            plain.request_handler,
            limits=self._limits,
            request_factory=plain.request_factory,
            **plain._kwargs,
        )


def guarded_app_runner(app: web.Application, limits: ConnectionLimits, **kwargs: Any) -> web.AppRunner:
    """An :class:`aiohttp.web.AppRunner` for ``app`` whose connections keep to ``limits``."""
    return _GuardedAppRunner(app, limits, **kwargs)
