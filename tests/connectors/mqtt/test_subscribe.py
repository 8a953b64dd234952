"""mqtt.subscribe against the local Mosquitto: every message once, acknowledged (PUBACK) only when the
test says, delivered again after a restart or a nack, dead-lettered when not to be retried, and no more
in flight than ``inFlight``."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager

import aiomqtt
import pytest
from tests.support import take, unique, within

from interlace.connectors.mqtt import MqttConnection, connector
from interlace.sdk import DEAD_LETTER_REASON, DeadLettering, TriggerEvent

from .broker import HOST, PORT, open_session, publish

pytestmark = pytest.mark.needs("mqtt")

SUBSCRIBE = connector.get_trigger("subscribe")


async def session(conn: MqttConnection) -> tuple[dict[str, object], str]:
    """Trigger values for a fresh topic and client id whose session already waits on the broker."""
    topic, client_id = unique("test/orders"), unique("subscriber")
    await open_session(client_id, topic)
    return {"topic": topic, "clientId": client_id}, topic


async def test_n_messages_in_give_n_events_and_acked_ones_do_not_come_again(conn: MqttConnection) -> None:
    values, topic = await session(conn)
    await publish(topic, *[f"reading {n}".encode() for n in range(20)])
    async with aclosing(SUBSCRIBE.start(conn, {**values, "inFlight": 20})) as events:
        received = await take(events, 20)
        assert sorted(event.payload.raw for event in received) == sorted(
            f"reading {n}".encode() for n in range(20)
        )
        for event in received:
            await event.ack()

    async with aclosing(SUBSCRIBE.start(conn, values)) as again:
        await publish(topic, b"marker")
        (first,) = await take(again, 1)
        assert first.payload.raw == b"marker"  # nothing acknowledged came back before it
        await first.ack()


async def test_unacknowledged_messages_come_again_when_the_trigger_restarts(conn: MqttConnection) -> None:
    values, topic = await session(conn)
    await publish(topic, b"a", b"b", b"c")
    events = SUBSCRIBE.start(conn, values)
    await take(events, 3)
    await events.aclose()  # stopped with nothing acknowledged

    async with aclosing(SUBSCRIBE.start(conn, values)) as again:
        redelivered = await take(again, 3)
        assert sorted(event.payload.raw for event in redelivered) == [b"a", b"b", b"c"]
        for event in redelivered:
            await event.ack()


@asynccontextmanager
async def dead_lettering(
    conn: MqttConnection,
) -> AsyncIterator[tuple[AsyncGenerator[TriggerEvent, None], aiomqtt.Client, str]]:
    """The events of a subscription with a dead-letter topic, whose first message is ``poison``; a client
    subscribed to the dead-letter topic; and the subscription's topic."""
    values, topic = await session(conn)
    dead = unique("test/dead")
    async with aiomqtt.Client(HOST, PORT, protocol=aiomqtt.ProtocolVersion.V5) as watcher:
        await watcher.subscribe(dead, qos=1)
        await publish(topic, b"poison")
        async with aclosing(SUBSCRIBE.start(conn, {**values, "deadLetterTopic": dead})) as events:
            yield events, watcher, topic


async def test_a_nacked_message_is_delivered_again(conn: MqttConnection) -> None:
    values, topic = await session(conn)
    await publish(topic, b"retry me")
    async with aclosing(SUBSCRIBE.start(conn, values)) as events:
        (failed,) = await take(events, 1)
        await failed.nack(requeue=True)
        (again,) = await take(events, 1)
        assert again.payload.raw == b"retry me"
        await again.ack()


async def test_a_nack_without_requeue_goes_to_the_dead_letter_topic_and_not_again(
    conn: MqttConnection,
) -> None:
    async with dead_lettering(conn) as (events, watcher, topic):
        (poison,) = await take(events, 1)
        await poison.nack(requeue=False)
        copy = await within(anext(aiter(watcher.messages)))
        assert copy.payload == b"poison"
        await publish(topic, b"marker")
        (next_event,) = await take(events, 1)
        assert next_event.payload.raw == b"marker"
        await next_event.ack()


async def test_dead_lettering_publishes_the_message_with_its_reason_as_a_user_property(
    conn: MqttConnection,
) -> None:
    async with dead_lettering(conn) as (events, watcher, _):
        (poison,) = await take(events, 1)
        assert isinstance(poison.delivery, DeadLettering)
        assert await poison.delivery.dead_letter("failed 5 of 5 attempts")
        copy = await within(anext(aiter(watcher.messages)))
    assert copy.payload == b"poison"
    assert (DEAD_LETTER_REASON, "failed 5 of 5 attempts") in copy.properties.UserProperty  # type: ignore[union-attr]


async def test_the_broker_sends_no_more_than_in_flight_unacknowledged_messages(conn: MqttConnection) -> None:
    values, topic = await session(conn)
    await publish(topic, *[str(n).encode() for n in range(5)])
    async with aclosing(SUBSCRIBE.start(conn, {**values, "inFlight": 2})) as events:
        held = await take(events, 2)
        # QoS 0 is outside the receive maximum: the broker sends it at once, ahead of the QoS 1 messages
        # it holds back while two are unacknowledged.
        await publish(topic, b"marker", qos=0)
        (marker,) = await take(events, 1)
        assert marker.payload.raw == b"marker"
        await held[0].ack()
        (event,) = await take(events, 1)
        assert event.payload.raw == b"2"
