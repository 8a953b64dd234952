"""StoredMessage: a message at rest in a store, and its byte encoding shared by every store kind."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from multidict import CIMultiDict

from interlace.errors import InterlaceError
from interlace.message import MessageContext, Payload

__all__ = ["StoreError", "StoredMessage", "decode_message", "encode_message"]


class StoreError(InterlaceError):
    """A message store failed (unreachable, full, corrupt): the message was not stored or not read."""

    code = "STORE_ERROR"
    status = 503


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message at rest: what a flow needs to go on with it, and its delivery metadata.

    ``id`` is stable for the message's whole life (it is sent as the ``Idempotency-Key`` when the message
    is forwarded); ``origin`` is the store the message was first stored in, so a dead-letter message can
    be replayed where it came from. Variables and properties must be JSON values. ``traceparent`` is the
    W3C trace context of the flow that stored it (when OpenTelemetry was on), so that its delivery joins
    that trace.
    """

    id: str
    payload: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    properties: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str = ""
    created: float = 0.0
    attempts: int = 0
    last_error: str | None = None
    origin: str | None = None
    traceparent: str = ""

    @classmethod
    def from_context(
        cls, ctx: MessageContext, *, origin: str, clock: Callable[[], float] = time.time
    ) -> StoredMessage:
        """Capture ``ctx`` (payload bytes, headers, variables, properties) as a new message."""
        return cls(
            id=uuid.uuid4().hex,
            payload=ctx.payload.raw,
            content_type=ctx.payload.content_type,
            headers=tuple(ctx.headers.items()),
            variables=dict(ctx.variables),
            properties=dict(ctx.properties),
            correlation_id=ctx.correlation_id,
            created=clock(),
            origin=origin,
            traceparent=ctx.traceparent or "",
        )

    def to_context(self) -> MessageContext:
        """A fresh context to run a flow on (its payload parsed lazily, as for a request)."""
        ctx = MessageContext(
            Payload(self.payload, self.content_type),
            headers=CIMultiDict(self.headers),
            variables=dict(self.variables),
            correlation_id=self.correlation_id or None,
        )
        ctx.properties.update(self.properties)
        ctx.traceparent = self.traceparent or None
        return ctx

    def failed(self, error: str) -> StoredMessage:
        """This message after one more failed delivery attempt."""
        return replace(self, attempts=self.attempts + 1, last_error=error)


def encode_message(message: StoredMessage) -> bytes:
    """One JSON document (payload in base64): the form stores keep when they keep one blob."""
    return orjson.dumps(
        {
            "id": message.id,
            "payload": base64.b64encode(message.payload).decode("ascii"),
            "content_type": message.content_type,
            "headers": message.headers,
            "variables": message.variables,
            "properties": message.properties,
            "correlation_id": message.correlation_id,
            "created": message.created,
            "attempts": message.attempts,
            "last_error": message.last_error,
            "origin": message.origin,
            "traceparent": message.traceparent,
        },
        option=orjson.OPT_NON_STR_KEYS,
    )


def decode_message(data: bytes | str) -> StoredMessage:
    """The message :func:`encode_message` wrote; raises StoreError for anything else."""
    try:
        record = orjson.loads(data)
        return StoredMessage(
            id=str(record["id"]),
            payload=base64.b64decode(record["payload"]),
            content_type=str(record["content_type"]),
            headers=tuple((str(name), str(value)) for name, value in record["headers"]),
            variables=dict(record.get("variables") or {}),
            properties=dict(record.get("properties") or {}),
            correlation_id=str(record.get("correlation_id") or ""),
            created=float(record.get("created") or 0.0),
            attempts=int(record.get("attempts") or 0),
            last_error=record.get("last_error"),
            origin=record.get("origin"),
            traceparent=str(record.get("traceparent") or ""),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"a stored message is corrupt: {exc}") from exc
