"""The ``rabbitmq.publish`` operation: one message to an exchange, confirmed by the broker."""

from __future__ import annotations

from typing import Annotated

import aio_pika
import aiormq.exceptions
from pydantic import Field

from interlace.connectors.rabbitmq.connection import BROKER_ERRORS, RabbitMqConnection, broker_failure
from interlace.sdk import FatalError, OperationResult, Param, RetryableError, encode_body

__all__ = ["publish"]

HeaderValue = str | int | float | bool


async def publish(
    conn: RabbitMqConnection,
    message: Annotated[
        object,
        Param(
            "The message's body: text is sent as UTF-8 (`text/plain` unless `contentType` says otherwise),"
            " bytes as they are, any other value as JSON.",
            example="${payload}",
        ),
    ],
    *,
    exchange: Annotated[
        str, Param('The exchange to publish to; `""` (the default exchange) routes by queue name.')
    ] = "",
    routingKey: Annotated[str, Param("The routing key: with the default exchange, the queue's name.")] = "",
    contentType: Annotated[
        str | None, Param("The message's `content_type`; by default it follows from the body.")
    ] = None,
    headers: Annotated[
        dict[str, HeaderValue] | None, Param("The message's headers.", example={"x-source": "clinic"})
    ] = None,
    persistent: Annotated[
        bool, Param("Delivery mode 2: a durable queue keeps the message across a broker restart.")
    ] = True,
    mandatory: Annotated[
        bool, Param("Fail when no queue is bound to take the message, instead of the broker dropping it.")
    ] = True,
    messageId: Annotated[str | None, Param("The message's `message_id`.")] = None,
    correlationId: Annotated[str | None, Param("The message's `correlation_id`.")] = None,
    replyTo: Annotated[str | None, Param("The message's `reply_to`: where an answer is expected.")] = None,
    priority: Annotated[int | None, Param("The message's priority, 0 to 255."), Field(ge=0, le=255)] = None,
    expiration: Annotated[
        float | None,
        Param("Seconds after which the broker drops the message if no one took it."),
        Field(gt=0),
    ] = None,
) -> OperationResult:
    """Publish a message to an exchange and wait for the broker's confirm.

    Returns:
        Nothing as payload; the attributes `exchange`, `routingKey` and `messageId`. An unroutable
        message (with `mandatory`), a missing exchange or refused access is an error that names them;
        a lost connection or a broker that did not confirm is transient.
    """
    doing = (
        f"rabbitmq.publish to exchange {exchange!r} with routing key {routingKey!r} on connection {conn.name}"
    )
    body, content_type = encode_body(message, contentType, doing)
    outgoing = aio_pika.Message(
        body,
        content_type=content_type,
        headers=dict(headers) if headers else None,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        if persistent
        else aio_pika.DeliveryMode.NOT_PERSISTENT,
        message_id=messageId,
        correlation_id=correlationId,
        reply_to=replyTo,
        priority=priority,
        expiration=expiration,
    )
    channel = await conn.publishing_channel(doing)
    try:
        target = (
            channel.default_exchange if not exchange else await channel.get_exchange(exchange, ensure=False)
        )
        await target.publish(outgoing, routingKey, mandatory=mandatory, timeout=conn.config.timeout)
    except aiormq.exceptions.PublishError as exc:
        raise FatalError(f"{doing}: no queue is bound to take the message ({exc})") from exc
    except aiormq.exceptions.DeliveryError as exc:
        raise RetryableError(f"{doing}: the broker did not store the message ({exc})") from exc
    except BROKER_ERRORS as exc:
        raise broker_failure(exc, doing) from exc
    return OperationResult(
        None, attributes={"exchange": exchange, "routingKey": routingKey, "messageId": messageId}
    )
