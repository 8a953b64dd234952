"""rabbitmq.consume against the local broker: every message once, acknowledged only when the test says,
requeued or dead-lettered when nacked, and no more in flight than the prefetch."""

from __future__ import annotations

from contextlib import aclosing
from typing import cast

import aio_pika
import orjson
import pytest
from tests.support import lags_while_acking, take, within

from interlace.connectors.rabbitmq import RabbitMqConnection, connector
from interlace.sdk import DEAD_LETTER_REASON, DeadLettering, FatalError

from .broker import Names, rabbit

pytestmark = pytest.mark.needs("rabbitmq")

CONSUME = connector.get_trigger("consume")


async def put(
    channel: aio_pika.abc.AbstractChannel, queue: str, *bodies: bytes, **properties: object
) -> None:
    for body in bodies:
        await channel.default_exchange.publish(aio_pika.Message(body, **properties), routing_key=queue)  # type: ignore[arg-type]


async def filled(
    channel: aio_pika.abc.AbstractChannel, queue: str, *bodies: bytes, **properties: object
) -> str:
    """``queue``, declared durable as the trigger declares it, holding a message for each of ``bodies``."""
    await channel.declare_queue(queue, durable=True)
    await put(channel, queue, *bodies, **properties)
    return queue


async def dead_letter_exchange(
    channel: aio_pika.abc.AbstractChannel, names: Names
) -> tuple[str, aio_pika.abc.AbstractQueue]:
    """A fanout exchange for dead letters and the queue bound to it (the parked messages)."""
    exchange = names.exchange("dlx")
    parked = await channel.declare_queue(names.queue("dlq"))
    await parked.bind(await channel.declare_exchange(exchange, aio_pika.ExchangeType.FANOUT))
    return exchange, parked


async def ready(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    """Messages waiting in the queue (not delivered to a consumer)."""
    declared = await channel.declare_queue(queue, passive=True)
    return int(declared.declaration_result.message_count or 0)


async def test_n_messages_in_give_n_events_and_acked_ones_leave_the_queue(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), *[f"order {n}".encode() for n in range(20)])
    async with aclosing(CONSUME.start(conn, {"queue": queue, "prefetch": 50})) as events:
        received = await take(events, 20)
        assert [event.payload.raw for event in received] == [f"order {n}".encode() for n in range(20)]
        for event in received:
            await event.ack()
    assert await ready(admin, queue) == 0


async def test_unacknowledged_events_come_again_after_the_consumer_stops(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), b"a", b"b", b"c")
    events = CONSUME.start(conn, {"queue": queue})
    received = await take(events, 3)
    assert [event.attributes["redelivered"] for event in received] == [False] * 3
    await events.aclose()  # stopped with nothing acknowledged

    async with aclosing(CONSUME.start(conn, {"queue": queue})) as again:
        redelivered = await take(again, 3)
        assert sorted(event.payload.raw for event in redelivered) == [b"a", b"b", b"c"]
        assert all(event.attributes["redelivered"] for event in redelivered)
        for event in redelivered:
            await event.ack()
    assert await ready(admin, queue) == 0


async def test_a_nacked_event_is_requeued_and_delivered_again(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), b"retry me")
    async with aclosing(CONSUME.start(conn, {"queue": queue})) as events:
        (failed,) = await take(events, 1)
        await failed.nack(requeue=True)
        (again,) = await take(events, 1)
        assert again.payload.raw == b"retry me"
        assert again.attributes["redelivered"] is True
        await again.ack()


async def test_a_nack_without_requeue_goes_to_the_dead_letter_exchange(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue, (exchange, parked) = names.queue(), await dead_letter_exchange(admin, names)
    # Declared as the trigger declares it, so the message waits for it.
    await admin.declare_queue(queue, durable=True, arguments={"x-dead-letter-exchange": exchange})
    await put(admin, queue, b"poison")
    async with aclosing(CONSUME.start(conn, {"queue": queue, "deadLetterExchange": exchange})) as events:
        (poison,) = await take(events, 1)
        await poison.nack(requeue=False)
        async with parked.iterator() as arriving:  # the broker dead-letters after the nack, not with it
            message = await within(anext(arriving))
            await message.ack()
        assert message.body == b"poison"
        death = cast("list[dict[str, object]]", message.headers["x-death"])
        assert (death[0]["queue"], death[0]["reason"]) == (queue, "rejected")
    assert await ready(admin, queue) == 0


async def test_dead_lettering_copies_the_message_with_its_reason_to_the_dead_letter_exchange(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue, (exchange, parked) = names.queue(), await dead_letter_exchange(admin, names)
    await admin.declare_queue(queue, durable=True, arguments={"x-dead-letter-exchange": exchange})
    await put(admin, queue, b"{not json", headers={"x-clinic": "north"}, content_type="application/json")
    async with aclosing(CONSUME.start(conn, {"queue": queue, "deadLetterExchange": exchange})) as events:
        (poison,) = await take(events, 1)
        assert isinstance(poison.delivery, DeadLettering)
        assert await poison.delivery.dead_letter("failed 5 of 5 attempts; last error: not JSON")
        async with parked.iterator() as arriving:
            message = await within(anext(arriving))
            await message.ack()
    assert (message.body, message.content_type) == (b"{not json", "application/json")
    assert message.headers["x-clinic"] == "north"
    assert message.headers[DEAD_LETTER_REASON] == "failed 5 of 5 attempts; last error: not JSON"
    assert await ready(admin, queue) == 0


async def test_without_a_dead_letter_exchange_the_message_is_left_to_the_runtime(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), b"poison")
    async with aclosing(CONSUME.start(conn, {"queue": queue})) as events:
        (poison,) = await take(events, 1)
        assert isinstance(poison.delivery, DeadLettering)
        assert not await poison.delivery.dead_letter("out of attempts")
        await poison.ack()


async def test_a_quorum_queue_gives_each_redelivery_its_attempt_number(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = names.queue()
    arguments = {"x-queue-type": "quorum"}
    await admin.declare_queue(queue, durable=True, arguments=arguments)  # type: ignore[arg-type]
    await put(admin, queue, b"again")
    async with aclosing(CONSUME.start(conn, {"queue": queue, "arguments": arguments})) as events:
        attempts = []
        for _ in range(3):
            (event,) = await take(events, 1)
            attempts.append(event.attempt or 1)
            await event.nack(requeue=True)
        (last,) = await take(events, 1)
        await last.ack()
    assert attempts == [1, 2, 3]


async def test_the_prefetch_bounds_the_messages_in_flight(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), *[str(n).encode() for n in range(5)])
    async with aclosing(CONSUME.start(conn, {"queue": queue, "prefetch": 2})) as events:
        held = await take(events, 2)
        assert await ready(admin, queue) == 3  # the broker keeps what is past the prefetch
        await held[0].ack()
        (third,) = await take(events, 1)
        assert third.payload.raw == b"2"
        assert await ready(admin, queue) == 2


async def test_an_event_carries_the_messages_type_headers_and_properties(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = names.queue()
    await admin.declare_queue(queue, durable=True)
    await put(
        admin,
        queue,
        orjson.dumps({"patient": "p-1"}),
        content_type="application/json",
        headers={"x-source": "clinic", "x-attempt": 2},
        message_id="m-1",
        correlation_id="c-1",
    )
    async with aclosing(CONSUME.start(conn, {"queue": queue})) as events:
        (event,) = await take(events, 1)
        assert event.payload.json() == {"patient": "p-1"}
        assert event.headers == {"x-source": "clinic", "x-attempt": "2"}
        assert event.attributes["messageId"] == "m-1"
        assert event.attributes["correlationId"] == "c-1"
        assert event.attributes["routingKey"] == queue
        await event.ack()


async def test_a_message_without_a_content_type_takes_the_triggers(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), b"plain words")
    async with aclosing(CONSUME.start(conn, {"queue": queue, "contentType": "text/plain"})) as events:
        (event,) = await take(events, 1)
        assert event.payload.content_type == "text/plain"
        assert event.payload.text() == "plain words"
        await event.ack()


async def test_consuming_a_missing_queue_without_declaring_it_is_fatal(
    conn: RabbitMqConnection, names: Names
) -> None:
    queue = names.queue("missing")
    events = CONSUME.start(conn, {"queue": queue, "declare": False})
    with pytest.raises(FatalError, match=rf"consuming queue '{queue}' on connection orders .*not found"):
        await anext(events)


async def test_a_queue_declared_with_other_arguments_is_fatal(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = names.queue()
    await admin.declare_queue(queue, durable=True)
    events = CONSUME.start(conn, {"queue": queue, "arguments": {"x-message-ttl": 1000}})
    with pytest.raises(FatalError, match="definition differs"):
        await anext(events)


async def test_events_in_flight_when_the_connection_dies_come_again_on_a_new_one(
    admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), b"x", b"y")
    dying = rabbit()
    await dying.open()
    events = CONSUME.start(dying, {"queue": queue})
    await take(events, 2)
    await dying.aclose()  # as a runtime that is killed: nothing was acknowledged
    await events.aclose()

    async with rabbit() as fresh, aclosing(CONSUME.start(fresh, {"queue": queue})) as again:
        redelivered = await take(again, 2)
        assert sorted(event.payload.raw for event in redelivered) == [b"x", b"y"]
        for event in redelivered:
            await event.ack()


async def test_events_carry_the_queue_backlog_which_drops_to_zero_once_consumed(
    conn: RabbitMqConnection, admin: aio_pika.abc.AbstractChannel, names: Names
) -> None:
    queue = await filled(admin, names.queue(), *[f"order {n}".encode() for n in range(30)])
    async with aclosing(CONSUME.start(conn, {"queue": queue, "prefetch": 5})) as events:
        lags = await lags_while_acking(events, 30)
    # Read from the broker: the ready messages, less those already prefetched to this consumer.
    assert lags[0] is not None and 25 <= lags[0] < 30, lags
    assert all(lag is not None and lag >= 0 for lag in lags), lags
    assert lags[-1] == 0, lags
