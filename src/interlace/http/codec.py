"""Between aiohttp and the message model: requests in, replies and error answers out."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from aiohttp import web
from multidict import CIMultiDict

from interlace.message import (
    CORRELATION_HEADER,
    JSON_TYPE,
    JsonValue,
    MessageContext,
    Params,
    Payload,
    Reply,
    error_body,
)

__all__ = ["error_response", "first_values", "message_from_request", "message_of", "response_from_reply"]


def first_values(query: Mapping[str, str]) -> dict[str, str]:
    """A query multi-dict as a dict that keeps the first value of a repeated parameter."""
    values: dict[str, str] = {}
    for key, value in query.items():
        values.setdefault(key, value)
    return values


def message_from_request(
    request: web.BaseRequest, body: bytes, path_params: dict[str, str]
) -> MessageContext:
    """A fresh context for an inbound request; the caller's correlation id is kept when it sends one.
    Headers are kept as they arrived: endpoints drop hop-by-hop headers when they send."""
    query = first_values(request.query) if request.query_string else {}
    return message_of(request.method, request.path, request.headers, query, body, path_params)


def message_of(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: dict[str, str],
    body: bytes,
    path_params: dict[str, str],
) -> MessageContext:
    """A fresh context for a request held in memory (:func:`message_from_request` for one read from a
    socket)."""
    content_type = headers.get("Content-Type", "application/octet-stream")
    return MessageContext(
        Payload(body, content_type),
        headers=CIMultiDict(headers),
        params=Params(path=path_params, query=query),
        method=method,
        path=path,
        correlation_id=headers.get(CORRELATION_HEADER) or None,
    )


def response_from_reply(reply: Reply, correlation_id: str) -> web.Response:
    """The HTTP response for a flow's reply: its body and content type, headers and status."""
    payload = reply.payload
    headers = CIMultiDict(reply.headers)
    headers[CORRELATION_HEADER] = correlation_id
    if payload.kind != "empty" and "Content-Type" not in headers:
        headers["Content-Type"] = payload.content_type
    return web.Response(
        status=reply.status, body=payload.raw if payload.kind != "empty" else None, headers=headers
    )


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
