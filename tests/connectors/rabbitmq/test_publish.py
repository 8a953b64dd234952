"""rabbitmq.publish against the local broker: confirmed messages with their properties, and sorted errors
for what cannot be routed or reached."""

from __future__ import annotations

import aio_pika
import pytest

from interlace.connectors.rabbitmq import RabbitMqConnection, connector
from interlace.sdk import FatalError, OperationResult

from .broker import Names

pytestmark = pytest.mark.needs("rabbitmq")

PUBLISH = connector.get_operation("publish")


async def test_a_published_json_value_arrives_persistent_with_its_properties(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = names.queue()
    target = await admin.declare_queue(queue, durable=True)
    result = await PUBLISH.invoke(
        conn,
        {
            "routingKey": queue,
            "message": {"patient": "p-1", "amount": 12.5},
            "headers": {"x-source": "clinic"},
            "messageId": "m-7",
            "correlationId": "c-7",
        },
    )
    assert isinstance(result, OperationResult)
    assert result.attributes == {"exchange": "", "routingKey": queue, "messageId": "m-7"}
    message = await target.get(timeout=10, fail=True)
    assert message is not None
    assert message.body == b'{"patient":"p-1","amount":12.5}'
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.headers == {"x-source": "clinic"}
    assert (message.message_id, message.correlation_id) == ("m-7", "c-7")
    await message.ack()


async def test_text_is_published_through_a_named_exchange(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue, exchange = names.queue(), names.exchange()
    topic = await admin.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC)
    target = await admin.declare_queue(queue)
    await target.bind(topic, routing_key="orders.*")
    await PUBLISH.invoke(
        conn, {"exchange": exchange, "routingKey": "orders.new", "message": "hello", "persistent": False}
    )
    message = await target.get(timeout=10, fail=True)
    assert message is not None
    assert (message.body, message.content_type) == (b"hello", "text/plain; charset=utf-8")
    assert message.delivery_mode == aio_pika.DeliveryMode.NOT_PERSISTENT
    await message.ack()


async def test_an_unroutable_mandatory_message_is_fatal(conn: RabbitMqConnection, names: Names) -> None:
    with pytest.raises(FatalError, match="no queue is bound to take the message"):
        await PUBLISH.invoke(conn, {"routingKey": names.queue("nobody"), "message": "lost"})


async def test_a_missing_exchange_is_fatal_and_the_next_publish_still_works(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    missing = names.exchange("missing")
    with pytest.raises(FatalError, match=rf"exchange '{missing}' .* on connection orders: not found"):
        await PUBLISH.invoke(conn, {"exchange": missing, "message": "lost"})
    queue = names.queue()
    target = await admin.declare_queue(queue)
    await PUBLISH.invoke(conn, {"routingKey": queue, "message": "after"})
    message = await target.get(timeout=10, fail=True)
    assert message is not None
    assert message.body == b"after"
