"""The ``kafka.produce`` operation: one record to a topic, acknowledged by all in-sync replicas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from interlace.connectors.kafka.connection import KAFKA_ERRORS, KafkaConnection, kafka_failure
from interlace.sdk import OperationResult, Param, encode_body

__all__ = ["encode_value", "produce"]


async def produce(
    conn: KafkaConnection,
    topic: Annotated[str, Param("The topic to produce to.", example="orders")],
    value: Annotated[
        object,
        Param(
            "The record's value: text is sent as UTF-8, bytes as they are, any other value as JSON;"
            " nothing (null) produces a tombstone.",
            example="${payload}",
        ),
    ],
    *,
    key: Annotated[
        str | None,
        Param(
            "The record's key: records with one key go to one partition, in order.",
            example="${payload.patientId}",
        ),
    ] = None,
    headers: Annotated[
        dict[str, str] | None, Param("The record's headers.", example={"x-source": "clinic"})
    ] = None,
    partition: Annotated[
        int | None, Param("The partition; chosen from the key if not given."), Field(ge=0)
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The `content-type` header the record gets; by default it follows from the value"
            " (a `content-type` in `headers` wins)."
        ),
    ] = None,
) -> OperationResult:
    """Produce a record to a topic and wait until all in-sync replicas have it (`acks=all`).

    Returns:
        Nothing as payload; the attributes `topic`, `partition`, `offset` and `timestamp` (milliseconds
        since the epoch) of the stored record. An oversized record or an invalid topic is invalid input,
        refused access fatal, an unreachable broker or a topic that does not appear in time transient.
    """
    doing = f"kafka.produce to topic {topic!r} on connection {conn.name} ({conn.where})"
    raw, content_type = encode_value(value, contentType, doing)
    record_headers = {name: text.encode() for name, text in (headers or {}).items()}
    if content_type is not None and not any(name.lower() == "content-type" for name in record_headers):
        record_headers["content-type"] = content_type.encode()
    try:
        stored = await conn.producer.send_and_wait(
            topic,
            raw,
            key=key.encode() if key is not None else None,
            partition=partition,
            headers=list(record_headers.items()),
        )
    except KAFKA_ERRORS as exc:
        raise kafka_failure(exc, doing) from exc
    return OperationResult(
        None,
        attributes={
            "topic": stored.topic,
            "partition": stored.partition,
            "offset": stored.offset,
            "timestamp": stored.timestamp,
        },
    )


def encode_value(value: object, content_type: str | None, doing: str) -> tuple[bytes | None, str | None]:
    """The value as bytes with its content type (see :func:`~interlace.sdk.encode_body`); None is a
    tombstone."""
    if value is None:
        return None, content_type
    return encode_body(value, content_type, doing, "value")
