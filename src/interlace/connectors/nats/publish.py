"""The ``nats.publish`` operation: one message to JetStream, acknowledged by the stream that stored it."""

from __future__ import annotations

from typing import Annotated

import nats.errors
import nats.js.errors
import orjson

from interlace.connectors.nats.connection import CLIENT_ERRORS, NatsConnection, nats_failure
from interlace.connectors.nats.connector import connector
from interlace.sdk import FatalError, InvalidInput, OperationResult, Param

__all__ = ["publish"]


@connector.operation
async def publish(
    conn: NatsConnection,
    subject: Annotated[str, Param("The subject; a stream must capture it.", example="orders.new")],
    message: Annotated[
        object,
        Param(
            "The message's data: text is sent as UTF-8, bytes as they are, any other value as JSON; its"
            " `Content-Type` header says which unless `contentType` does.",
            example="${payload}",
        ),
    ],
    *,
    headers: Annotated[
        dict[str, str] | None, Param("The message's headers.", example={"Source": "clinic"})
    ] = None,
    contentType: Annotated[
        str | None, Param("The `Content-Type` header; by default it follows from the message.")
    ] = None,
    messageId: Annotated[
        str | None,
        Param("`Nats-Msg-Id`: JetStream stores a message with an id it saw recently only once."),
    ] = None,
    stream: Annotated[
        str | None, Param("The stream expected to store the message; an error if another does.")
    ] = None,
) -> OperationResult:
    """Publish a message to JetStream and wait for the stream's acknowledgement.

    Returns:
        Nothing as payload; the attributes `stream`, `sequence` and `duplicate` (the stream had the
        `messageId` already). No stream capturing the subject is an error naming it; no answer in time is
        transient.
    """
    doing = f"nats.publish to subject {subject!r} on connection {conn.name}"
    data, media = _encode(message, contentType, doing)
    all_headers = {**(headers or {}), "Content-Type": media}
    if messageId is not None:
        all_headers["Nats-Msg-Id"] = messageId
    try:
        ack = await conn.jetstream.publish(subject, data, stream=stream, headers=all_headers)
    except (nats.errors.NoRespondersError, nats.js.errors.NoStreamResponseError) as exc:
        raise FatalError(f"{doing}: no stream captures the subject") from exc
    except CLIENT_ERRORS as exc:
        raise nats_failure(exc, doing) from exc
    return OperationResult(
        None, attributes={"stream": ack.stream, "sequence": ack.seq, "duplicate": bool(ack.duplicate)}
    )


def _encode(message: object, content_type: str | None, doing: str) -> tuple[bytes, str]:
    if isinstance(message, bytes | bytearray):
        return bytes(message), content_type or "application/octet-stream"
    if isinstance(message, str):
        return message.encode("utf-8"), content_type or "text/plain; charset=utf-8"
    try:
        return orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS), content_type or "application/json"
    except TypeError as exc:
        raise InvalidInput(
            f"{doing}: message must be text, bytes or a JSON value (got {type(message).__name__})"
        ) from exc
