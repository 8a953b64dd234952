"""The ``rabbitmq.consume`` trigger: a queue's messages, acknowledged only after their flow has finished.

Failed messages take RabbitMQ's own path: ``nack(requeue=True)`` puts one back in the queue,
``nack(requeue=False)`` rejects it, and a queue with a dead-letter exchange (``x-dead-letter-exchange``)
hands it there. The runtime counts the attempts (a quorum queue's ``x-delivery-count``, else per message
id); after the last one a copy with the reason goes to the dead-letter exchange, confirmed before the
message is acknowledged. The channel's prefetch is the backpressure: the broker delivers at most that many
messages the consumer has not settled, and keeps the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, FieldValue
from pydantic import Field

from interlace.connectors.rabbitmq.connection import BROKER_ERRORS, RabbitMqConnection, broker_failure
from interlace.sdk import DEAD_LETTER_REASON, Backlog, Param, Payload, RetryableError, TriggerEvent

__all__ = ["consume"]

QueueArgument = str | int | float | bool


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
            "The exchange that takes messages whose attempts ran out, with the header"
            " `x-interlace-dead-letter-reason` added; when declaring, also the queue's argument"
            ' `x-dead-letter-exchange` (`""` is the default exchange). If not given, the inbound'
            " endpoint's dead-letter store takes them.",
            example="orders.dlx",
        ),
    ] = None,
    deadLetterRoutingKey: Annotated[
        str | None,
        Param(
            "The routing key dead-lettered messages get (when declaring, also `x-dead-letter-routing-key`);"
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
    stops or the connection is lost are delivered again. An event's lag is the queue's ready messages
    (a passive declare, at most once a second, counted down by the events taken in between).

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
    dead_letters = None
    if deadLetterExchange is not None:
        dead_letters = _DeadLetters(channel, deadLetterExchange, deadLetterRoutingKey)
    try:
        try:
            await channel.set_qos(prefetch_count=prefetch)
            if declare:
                source = await channel.declare_queue(queue, durable=durable, arguments=queue_arguments)
            else:
                source = await channel.get_queue(queue, ensure=True)
        except BROKER_ERRORS as exc:
            raise broker_failure(exc, doing) from exc
        backlog = Backlog(_ready_count(channel, queue, doing))
        async with source.iterator() as messages:
            while True:
                try:
                    message = await anext(messages)
                except StopAsyncIteration:
                    raise RetryableError(f"{doing}: the broker cancelled the consumer") from None
                except BROKER_ERRORS as exc:
                    raise broker_failure(exc, doing) from exc
                delivery = _AmqpDelivery(message, doing, dead_letters)
                yield _event(message, contentType, delivery, await backlog.lag())
    finally:
        # A channel already gone is fine: the broker requeues what it had delivered on it.
        with contextlib.suppress(*BROKER_ERRORS):
            await channel.close()


def _ready_count(channel: AbstractChannel, queue: str, doing: str) -> Callable[[], Awaitable[int | None]]:
    """Reads the queue's ready messages (a passive declare's message count): those not yet delivered to
    any consumer. The declare goes to the broker itself: aio-pika answers a passive declare of a queue
    the channel already holds from that queue's first answer."""

    async def read() -> int | None:
        try:
            underlay = await channel.get_underlay_channel()
            declared = await underlay.queue_declare(queue=queue, passive=True)
        except BROKER_ERRORS as exc:
            raise broker_failure(exc, f"{doing}, reading its message count") from exc
        count = declared.message_count
        return None if count is None else int(count)

    return read


class _AmqpDelivery:
    """Settles one delivered message on the channel it came on."""

    __slots__ = ("_dead_letters", "_doing", "_message")

    def __init__(
        self, message: AbstractIncomingMessage, doing: str, dead_letters: _DeadLetters | None
    ) -> None:
        self._message = message
        self._doing = doing
        self._dead_letters = dead_letters

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

    async def dead_letter(self, reason: str) -> bool:
        if self._dead_letters is None:
            return False
        message = self._message
        copy = aio_pika.Message(
            message.body,
            headers={**message.headers, DEAD_LETTER_REASON: reason},
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            timestamp=message.timestamp,
            type=message.type,
            app_id=message.app_id,
        )
        try:
            await self._dead_letters.publish(copy, message.routing_key or "")
        except BROKER_ERRORS as exc:
            raise RetryableError(
                f"{self._doing}: copying delivery {message.delivery_tag} to dead-letter exchange"
                f" {self._dead_letters.exchange!r} failed ({exc}); the broker will deliver the message again"
            ) from exc
        await self.ack()
        return True


class _DeadLetters:
    """The dead-letter exchange, published to on the consuming channel (confirmed by the broker)."""

    __slots__ = ("channel", "exchange", "routing_key")

    def __init__(self, channel: AbstractChannel, exchange: str, routing_key: str | None) -> None:
        self.channel = channel
        self.exchange = exchange
        self.routing_key = routing_key

    async def publish(self, message: aio_pika.Message, routing_key: str) -> None:
        channel = self.channel
        target = (
            channel.default_exchange
            if not self.exchange
            else await channel.get_exchange(self.exchange, ensure=False)
        )
        await target.publish(message, self.routing_key if self.routing_key is not None else routing_key)


def _event(
    message: AbstractIncomingMessage, content_type: str | None, delivery: _AmqpDelivery, lag: int | None
) -> TriggerEvent:
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
    count = message.headers.get("x-delivery-count")  # quorum queues: earlier deliveries
    return TriggerEvent(
        payload,
        headers=_text_headers(message.headers),
        attributes=attributes,
        delivery=delivery,
        attempt=count + 1 if isinstance(count, int) else None,
        key=message.message_id,
        lag=lag,
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
