"""The ``nats.publish`` operation: one message to JetStream, acknowledged by the stream that stored it."""

from __future__ import annotations

from typing import Annotated

import nats.errors
import nats.js.errors

from interlace.connectors.nats.connection import CLIENT_ERRORS, NatsConnection, nats_failure
from interlace.sdk import FatalError, OperationResult, Param, encode_body

__all__ = ["publish"]


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
    data, media = encode_body(message, contentType, doing)
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
