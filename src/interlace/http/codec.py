"""Between aiohttp and the message model: requests in, replies and error answers out.

A request's body comes in unread when it may be large (:func:`request_payload`), and a reply whose
body is a back-end's answer still unread goes out as it arrives (:class:`StreamedAnswer`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

import orjson
from aiohttp import web
from multidict import CIMultiDict

from interlace.endpoints import READ_AT_ONCE, StreamedBody
from interlace.errors import InterlaceError, PayloadError
from interlace.message import (
    CORRELATION_HEADER,
    JSON_TYPE,
    BodyStream,
    JsonValue,
    MessageContext,
    Params,
    Payload,
    Reply,
    error_body,
)

__all__ = [
    "StreamedAnswer",
    "error_response",
    "first_values",
    "message_from_request",
    "message_of",
    "request_payload",
    "response_from_reply",
]

_log = logging.getLogger("interlace.http")

_CLOSE: Final = {"Connection": "close"}


def first_values(query: Mapping[str, str]) -> dict[str, str]:
    """A query multi-dict as a dict that keeps the first value of a repeated parameter."""
    values: dict[str, str] = {}
    for key, value in query.items():
        values.setdefault(key, value)
    return values


def message_from_request(
    request: web.BaseRequest, payload: Payload, path_params: dict[str, str]
) -> MessageContext:
    """A fresh context for an inbound request; the caller's correlation id is kept when it sends one.
    Headers are kept as they arrived: endpoints drop hop-by-hop headers when they send."""
    query = first_values(request.query) if request.query_string else {}
    return message_of(request.method, request.path, request.headers, query, payload, path_params)


async def request_payload(request: web.BaseRequest, max_body_size: int) -> Payload:
    """The payload of ``request``: read now when it is small (:data:`~interlace.endpoints.READ_AT_ONCE`,
    and within the limit), else unread, to be read within ``max_body_size`` when a flow needs it.
    Raises :class:`PayloadError` when a body read now cannot be read (400)."""
    content_type = request.headers.get("Content-Type", "application/octet-stream")
    if not request.body_exists:
        return Payload(b"", content_type)
    declared = request.content_length
    # the chunks are decoded: the declared length holds for them only when nothing was encoded
    length = None if "Content-Encoding" in request.headers else declared
    if length is not None and length <= min(READ_AT_ONCE, max_body_size):
        try:  # the common case, on the hot path: aiohttp reads it whole, within the same limit
            return Payload(await request.read(), content_type)
        except Exception as exc:
            raise _unreadable(request, exc) from exc
    body = StreamedBody(
        request.content,
        "request",
        failure=lambda exc: _unreadable(request, exc),
        length=length,
        limit=max_body_size,
        declared=length,
    )
    return Payload.streamed(body, content_type)


def _unreadable(request: web.BaseRequest, exc: Exception) -> PayloadError:
    """The error for a request body that cannot be read: encoded or chunked other than it says, or cut
    short (the client closed the connection, or the body timeout did)."""
    if isinstance(exc, ConnectionError):
        _log.debug(
            "the client of %s %s closed the connection while sending the body", request.method, request.path
        )
        return PayloadError(
            "the client closed the connection while sending the body", code="BAD_REQUEST_BODY", headers=_CLOSE
        )
    _log.debug("the body of %s %s cannot be read: %s", request.method, request.path, exc)
    # nothing more is read from this connection: the answer closes it
    request.content.feed_eof()
    return PayloadError(
        "the request body cannot be read as its Content-Encoding and Transfer-Encoding say",
        code="BAD_REQUEST_BODY",
        headers=_CLOSE,
    )


def message_of(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: dict[str, str],
    body: bytes | Payload,
    path_params: dict[str, str],
) -> MessageContext:
    """A fresh context for a request held in memory (:func:`message_from_request` for one read from a
    socket)."""
    if isinstance(body, bytes):
        body = Payload(body, headers.get("Content-Type", "application/octet-stream"))
    return MessageContext(
        body,
        headers=CIMultiDict(headers),
        params=Params(path=path_params, query=query),
        method=method,
        path=path,
        correlation_id=headers.get(CORRELATION_HEADER) or None,
    )


def response_from_reply(reply: Reply, correlation_id: str) -> web.StreamResponse:
    """The HTTP response for a flow's reply: its body and content type, headers and status (a
    :class:`StreamedAnswer` to send when the body is a back-end's answer still unread)."""
    payload = reply.payload
    headers = CIMultiDict(reply.headers)
    headers[CORRELATION_HEADER] = correlation_id
    if payload.kind != "empty" and "Content-Type" not in headers:
        headers["Content-Type"] = payload.content_type
    unread = payload.unread
    if unread is not None:
        return StreamedAnswer(reply.status, reply.reason, headers, unread)
    return web.Response(
        status=reply.status, body=payload.raw if payload.kind != "empty" else None, headers=headers
    )


class StreamedAnswer(web.StreamResponse):
    """A response whose body is a back-end's answer still unread: :meth:`send` writes it as it arrives,
    with its length when known (else chunked), so it is never held whole."""

    def __init__(self, status: int, reason: str | None, headers: CIMultiDict[str], body: BodyStream) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._unread = body
        if body.length is not None:
            self.content_length = body.length

    async def send(self, request: web.BaseRequest) -> None:
        """Write the answer to ``request``'s client. When the back-end's body breaks off (or the client
        goes), the connection is closed without ending the body, so the client sees it cut short rather
        than complete."""
        body = self._unread
        try:
            await self.prepare(request)
            async for chunk in body.chunks():
                await self.write(chunk)
        except (InterlaceError, ConnectionError) as exc:
            _log.warning("the answer to %s %s was cut short: %s", request.method, request.path, exc)
            body.close()
            transport = request.transport
            if transport is not None:
                transport.close()
            return
        await self.write_eof()


def error_response(
    status: int,
    code: str,
    message: str,
    correlation_id: str,
    extra_headers: Mapping[str, str] | None = None,
    *,
    details: JsonValue = None,
) -> web.Response:
    """The default error answer (:func:`~interlace.message.error_body`): JSON with the code, a message,
    the correlation id and the details if any, never a trace."""
    body = orjson.dumps(error_body(code, message, correlation_id, details), default=str)
    headers = {"Content-Type": JSON_TYPE, CORRELATION_HEADER: correlation_id, **(extra_headers or {})}
    return web.Response(status=status, body=body, headers=headers)
