"""The ``sqs.send`` operation: one message to a queue."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from interlace.connectors.sqs.connection import SQS_ERRORS, SqsConnection, sqs_failure
from interlace.connectors.sqs.receive import CONTENT_TYPE
from interlace.sdk import InvalidInput, OperationResult, Param, encode_body

__all__ = ["send"]


async def send(
    conn: SqsConnection,
    queueUrl: Annotated[
        str,
        Param("The queue's URL.", example="https://sqs.eu-west-1.amazonaws.com/123456789012/orders"),
    ],
    messageBody: Annotated[
        object,
        Param("The message's body: text as it is, any other value as JSON.", example="${payload}"),
    ],
    *,
    messageAttributes: Annotated[
        dict[str, str] | None,
        Param(
            "The message's string attributes (ten at most, with `content-type`).",
            example={"source": "clinic"},
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The `content-type` attribute the message gets; by default it follows from the body"
            " (a `content-type` in `messageAttributes` wins)."
        ),
    ] = None,
    delaySeconds: Annotated[
        int | None,
        Param("Seconds before the message can be received, up to 900; the queue's delay if not given."),
        Field(ge=0, le=900),
    ] = None,
    messageGroupId: Annotated[
        str | None, Param("FIFO queues: the group whose messages are received in order.")
    ] = None,
    messageDeduplicationId: Annotated[
        str | None,
        Param("FIFO queues: messages with one id within five minutes are stored once."),
    ] = None,
) -> OperationResult:
    """Send a message to a queue (`SendMessage`).

    Returns:
        Nothing as payload; the attributes `messageId` and, for FIFO queues, `sequenceNumber`. A missing
        queue or refused credentials are fatal, a refused message (too long, bad characters, a FIFO
        queue without `messageGroupId`) invalid input, throttling or an unreachable service transient.
    """
    doing = f"sqs.send to queue {queueUrl} on connection {conn.name}"
    body, content_type = _encode(messageBody, contentType, doing)
    attributes = dict(messageAttributes or {})
    if not any(name.lower() == CONTENT_TYPE for name in attributes):
        attributes[CONTENT_TYPE] = content_type
    request: dict[str, Any] = {
        "QueueUrl": queueUrl,
        "MessageBody": body,
        "MessageAttributes": {
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
        },
    }
    if delaySeconds is not None:
        request["DelaySeconds"] = delaySeconds
    if messageGroupId is not None:
        request["MessageGroupId"] = messageGroupId
    if messageDeduplicationId is not None:
        request["MessageDeduplicationId"] = messageDeduplicationId
    try:
        answer = await conn.client.send_message(**request)
    except SQS_ERRORS as exc:
        raise sqs_failure(exc, doing) from exc
    return OperationResult(
        None,
        attributes={"messageId": answer.get("MessageId"), "sequenceNumber": answer.get("SequenceNumber")},
    )


def _encode(body: object, content_type: str | None, doing: str) -> tuple[str, str]:
    data, media = encode_body(body, content_type, doing, "messageBody")
    try:
        return data.decode("utf-8"), media
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{doing}: messageBody must be text; SQS does not carry binary bodies") from exc
