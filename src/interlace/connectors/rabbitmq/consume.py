"""The ``rabbitmq.consume`` trigger: a queue's messages, acknowledged only after their flow has finished.

Failed messages take RabbitMQ's own path: ``nack(requeue=True)`` puts one back in the queue,
``nack(requeue=False)`` rejects it, and a queue with a dead-letter exchange (``x-dead-letter-exchange``)
hands it there. The channel's prefetch is the backpressure: the broker delivers at most that many
messages the consumer has not settled, and keeps the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Annotated, Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, FieldValue
from pydantic import Field

from interlace.connectors.rabbitmq.connection import BROKER_ERRORS, RabbitMqConnection, broker_failure
from interlace.connectors.rabbitmq.connector import connector
from interlace.sdk import Param, Payload, RetryableError, TriggerEvent

__all__ = ["consume"]

QueueArgument = str | int | float | bool


@connector.trigger
async def consume(
    conn: RabbitMqConnection,
    queue: Annotated[str, Param("The queue to consume.", example="orders")],
    *,
    prefetch: Annotated[
        int,
        Param(
            "How many messages the broker delivers before earlier ones are acknowledged; it keeps the rest."
        ),
        Field(gt=0, le=65535),
    ] = 10,
    declare: Annotated[
        bool,
        Param(
            "Declare the queue (create it if missing) with `durable`, `arguments` and the dead-letter"
            " settings; a queue that exists with other settings is an error. Off: the queue must exist."
        ),
    ] = True,
    durable: Annotated[bool, Param("When declaring: the queue survives a broker restart.")] = True,
    arguments: Annotated[
        dict[str, QueueArgument] | None,
        Param(
            "When declaring: the queue's arguments (`x-message-ttl`, `x-queue-type`, `x-max-length`, ...).",
            example={"x-queue-type": "quorum"},
        ),
    ] = None,
    deadLetterExchange: Annotated[
        str | None,
        Param(
            "When declaring: the exchange that takes messages rejected without requeue"
            ' (the argument `x-dead-letter-exchange`; `""` is the default exchange).',
            example="orders.dlx",
        ),
    ] = None,
    deadLetterRoutingKey: Annotated[
        str | None,
        Param(
            "When declaring: the routing key dead-lettered messages get (`x-dead-letter-routing-key`);"
            " their own routing key if not given."
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The payload's content type for messages that carry none;"
            " `application/octet-stream` if not given."
        ),
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each message of a queue, as it arrives.

    The payload is the message's body with its `content_type`; headers are the message's headers (as
    text); attributes are `exchange`, `routingKey`, `deliveryTag`, `redelivered`, `messageId`,
    `correlationId`, `replyTo`, `type`, `appId`, `priority` and `timestamp` (ISO 8601). A message is
    acknowledged after its flow has finished; a failed one is requeued, or rejected to the queue's
    dead-letter exchange when it is not to be retried. Messages not yet acknowledged when the trigger
    stops or the connection is lost are delivered again.

    Dead-lettering is RabbitMQ's: a queue whose argument `x-dead-letter-exchange` names an exchange
    hands rejected messages to it, with an `x-death` header saying where and why. Give
    `deadLetterExchange` (and `deadLetterRoutingKey`) when the trigger declares the queue, or set them
    on the broker with a policy (`rabbitmqctl set_policy orders-dlx '^orders$'
    '{"dead-letter-exchange":"orders.dlx"}' --apply-to queues`) and consume with `declare: false`.
    The dead-letter exchange and a queue bound to it must exist; without them a rejected message is
    dropped.
    """
    doing = f"consuming queue {queue!r} on connection {conn.name} ({conn.where})"
    queue_arguments = _queue_arguments(arguments, deadLetterExchange, deadLetterRoutingKey)
    channel = await conn.channel(doing)
    try:
        try:
            await channel.set_qos(prefetch_count=prefetch)
            if declare:
                source = await channel.declare_queue(queue, durable=durable, arguments=queue_arguments)
            else:
                source = await channel.get_queue(queue, ensure=True)
        except BROKER_ERRORS as exc:
            raise broker_failure(exc, doing) from exc
        async with source.iterator() as messages:
            while True:
                try:
                    message = await anext(messages)
                except StopAsyncIteration:
                    raise RetryableError(f"{doing}: the broker cancelled the consumer") from None
                except BROKER_ERRORS as exc:
                    raise broker_failure(exc, doing) from exc
                yield _event(message, contentType, doing)
    finally:
        # A channel already gone is fine: the broker requeues what it had delivered on it.
        with contextlib.suppress(*BROKER_ERRORS):
            await channel.close()


class _AmqpDelivery:
    """Settles one delivered message on the channel it came on."""

    __slots__ = ("_doing", "_message")

    def __init__(self, message: AbstractIncomingMessage, doing: str) -> None:
        self._message = message
        self._doing = doing

    async def ack(self) -> None:
        try:
            await self._message.ack()
        except BROKER_ERRORS as exc:
            raise RetryableError(
                f"{self._doing}: acknowledging delivery {self._message.delivery_tag} failed ({exc});"
                " the broker will deliver the message again"
            ) from exc

    async def nack(self, *, requeue: bool) -> None:
        try:
            await self._message.nack(requeue=requeue)
        except BROKER_ERRORS as exc:
            raise RetryableError(
                f"{self._doing}: rejecting delivery {self._message.delivery_tag} failed ({exc});"
                " the broker will deliver the message again"
            ) from exc


def _event(message: AbstractIncomingMessage, content_type: str | None, doing: str) -> TriggerEvent:
    payload = Payload(message.body, message.content_type or content_type or "application/octet-stream")
    timestamp = message.timestamp
    attributes: dict[str, Any] = {
        "exchange": message.exchange,
        "routingKey": message.routing_key,
        "deliveryTag": message.delivery_tag,
        "redelivered": bool(message.redelivered),
        "messageId": message.message_id,
        "correlationId": message.correlation_id,
        "replyTo": message.reply_to,
        "type": message.type,
        "appId": message.app_id,
        "priority": message.priority,
        "timestamp": timestamp.isoformat() if isinstance(timestamp, datetime) else None,
    }
    return TriggerEvent(
        payload,
        headers=_text_headers(message.headers),
        attributes=attributes,
        delivery=_AmqpDelivery(message, doing),
    )


def _text_headers(headers: Mapping[str, FieldValue]) -> dict[str, str]:
    return {name: _text(value) for name, value in headers.items() if value is not None}


def _text(value: FieldValue) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _queue_arguments(
    arguments: Mapping[str, QueueArgument] | None, exchange: str | None, routing_key: str | None
) -> dict[str, aio_pika.abc.FieldValue]:
    table: dict[str, aio_pika.abc.FieldValue] = dict(arguments or {})
    if exchange is not None:
        table["x-dead-letter-exchange"] = exchange
    if routing_key is not None:
        table["x-dead-letter-routing-key"] = routing_key
    return table
