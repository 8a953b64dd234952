"""The ``s3.notifications`` trigger: S3's event notifications, received from the SQS queue a bucket
sends them to.

It runs the ``sqs.receive`` trigger on an SQS client made from the s3 connection's own settings (one
region, endpoint and credentials for both), so a message is deleted only after its flow, made visible
again when handed back, and redriven by the queue's policy, exactly as ``sqs.receive`` does. Each
record of a notification is one event; a message with several records is settled when all of them
are: deleted when every one was processed, handed back when one was handed back. S3's test event (sent
when the notification is configured) is deleted without a flow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import unquote_plus

import orjson
from pydantic import Field

from interlace.connectors.aws import AwsConfig
from interlace.connectors.s3.connection import S3Connection
from interlace.connectors.sqs import SqsConfig, SqsConnection
from interlace.connectors.sqs import receive as sqs_receive
from interlace.sdk import Delivery, Param, Payload, TriggerEvent

__all__ = ["notifications"]


async def notifications(
    conn: S3Connection,
    queueUrl: Annotated[
        str,
        Param(
            "The SQS queue the bucket sends its event notifications to.",
            example="https://sqs.eu-west-1.amazonaws.com/123456789012/uploads",
        ),
    ],
    *,
    waitTime: Annotated[
        int, Param("Seconds one receive waits for messages (long polling), 0 to 20."), Field(ge=0, le=20)
    ] = 20,
    maxInFlight: Annotated[
        int, Param("Notifications in flight at most: received, not yet settled."), Field(gt=0, le=10_000)
    ] = 10,
) -> AsyncIterator[TriggerEvent]:
    """Each object event S3 reports (created, removed, restored...) through an SQS queue: configure the
    bucket's event notifications to send to `queueUrl`.

    The payload is `{bucket, key, size, etag, eventName, eventTime, versionId}` (the key decoded), the
    same as properties; read the object with `s3.getObject`. The queue's message is deleted only after
    the flow of each of its records has finished, and made visible again when one was handed back, as
    `sqs.receive` does; the queue's redrive policy moves a message that keeps failing."""
    settings = {name: getattr(conn.config, name) for name in AwsConfig.model_fields}
    queue = SqsConnection(SqsConfig(**settings), name=conn.name)
    await queue.open()
    try:
        events = sqs_receive(queue, queueUrl, waitTime=waitTime, maxInFlight=maxInFlight)
        async for message in events:
            records = _records(message.payload.raw)
            if not records:  # S3's test event, or a message that is no notification: nothing to run
                await message.ack()
                continue
            settlement = _Settlement(message.delivery, len(records))
            for record in records:
                yield TriggerEvent(
                    Payload.of_json(record),
                    attributes={
                        **record,
                        "queueUrl": queueUrl,
                        "messageId": message.attributes.get("messageId"),
                    },
                    delivery=settlement,
                    attempt=message.attempt,
                    key=f"{message.attributes.get('messageId')}/{record['key']}",
                )
    finally:
        await queue.aclose()


def _records(body: bytes) -> list[dict[str, Any]]:
    try:
        notification = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    found = []
    for record in notification.get("Records", []) if isinstance(notification, dict) else []:
        s3 = record.get("s3", {}) if isinstance(record, dict) else {}
        item = s3.get("object", {})
        if "key" not in item:
            continue
        found.append(
            {
                "bucket": s3.get("bucket", {}).get("name"),
                "key": unquote_plus(str(item["key"])),
                "size": item.get("size"),
                "etag": item.get("eTag"),
                "versionId": item.get("versionId"),
                "eventName": record.get("eventName"),
                "eventTime": record.get("eventTime"),
            }
        )
    return found


class _Settlement:
    """The delivery of each record of one SQS message: the message is settled once every record is,
    deleted if all were done, handed back if one was."""

    __slots__ = ("_delivery", "_left", "_requeue")

    def __init__(self, delivery: Delivery, records: int) -> None:
        self._delivery = delivery
        self._left = records
        self._requeue: bool | None = None

    async def ack(self) -> None:
        await self._settle(None)

    async def nack(self, *, requeue: bool) -> None:
        await self._settle(requeue)

    async def _settle(self, requeue: bool | None) -> None:
        if requeue is not None:
            self._requeue = requeue or bool(self._requeue)
        self._left -= 1
        if self._left:
            return
        if self._requeue is None:
            await self._delivery.ack()
        else:
            await self._delivery.nack(requeue=self._requeue)
