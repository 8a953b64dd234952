"""kafka.consume against a Tansu broker: every record once, offsets committed only after the test acks and
never past an unacked record, nacked records read again or dead-lettered, and no more in flight than
``maxInFlight``."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest
from tests.support import take, unique, waiting_for_room, within

from interlace.connectors.kafka import KafkaConnection, connector
from interlace.sdk import DEAD_LETTER_REASON, DeadLettering, InvalidInput

from .conftest import Broker

pytestmark = pytest.mark.needs("kafka")

CONSUME = connector.get_trigger("consume")
SETTLE = 30  # seconds for an event: the first ones come once the consumer group settled
FAST = {"sessionTimeout": 2}  # a short session: the broker lets a group settle within it


def consuming(topics: str, group: str, **values: object) -> dict[str, object]:
    """The trigger's values for ``group`` reading ``topics`` with a short session, and ``values``."""
    return {"topics": topics, "group": group, **FAST, **values}


async def test_n_records_in_give_n_events_committed_only_once_acked(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, group = await broker.topic(), unique("billing")
    await broker.put(topic, *[f"order {n}".encode() for n in range(25)])
    async with aclosing(CONSUME.start(conn, consuming(topic, group))) as events:
        received = await take(events, 25, SETTLE)
        assert [event.payload.raw for event in received] == [f"order {n}".encode() for n in range(25)]
        assert [event.attributes["offset"] for event in received] == list(range(25))
        # The backlog behind each record (from the watermark of the last fetch): the last leaves none.
        lags = [event.lag for event in received]
        assert lags[-1] == 0 and all(lag is not None and lag >= 0 for lag in lags), lags
        assert lags == sorted(lags, reverse=True), lags
        assert await broker.committed(group, topic) is None  # nothing committed before the test says
        for event in received:
            await event.ack()
        assert await broker.committed(group, topic) == 25


async def test_an_ack_out_of_order_does_not_commit_past_an_earlier_unacked_record(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, group = await broker.topic(), unique("billing")
    await broker.put(topic, b"a", b"b", b"c")
    async with aclosing(CONSUME.start(conn, consuming(topic, group))) as events:
        first, second, third = await take(events, 3, SETTLE)
        await second.ack()
        await third.ack()
        assert await broker.committed(group, topic) is None
        await first.ack()
        assert await broker.committed(group, topic) == 3


async def test_unacked_records_come_again_when_the_group_reconnects(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, group = await broker.topic(), unique("billing")
    await broker.put(topic, b"a", b"b", b"c", b"d")
    values = consuming(topic, group)
    events = CONSUME.start(conn, values)
    first, _second, third, _fourth = await take(events, 4, SETTLE)
    await first.ack()
    await third.ack()  # held back by the unacked second
    await events.aclose()
    assert await broker.committed(group, topic) == 1

    async with aclosing(CONSUME.start(conn, values)) as again:
        redelivered = await take(again, 3, SETTLE)
        assert [event.payload.raw for event in redelivered] == [b"b", b"c", b"d"]
        for event in redelivered:
            await event.ack()
        assert await broker.committed(group, topic) == 4


async def test_a_nacked_record_is_read_again_and_later_ones_are_not_repeated(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, group = await broker.topic(), unique("billing")
    await broker.put(topic, b"retry me", b"fine", b"also fine")
    async with aclosing(CONSUME.start(conn, consuming(topic, group))) as events:
        failed, fine, also = await take(events, 3, SETTLE)
        await fine.ack()
        await failed.nack(requeue=True)
        (again,) = await take(events, 1, SETTLE)
        assert (again.payload.raw, again.attributes["offset"]) == (b"retry me", 0)
        assert await broker.committed(group, topic) is None
        await again.ack()
        assert await broker.committed(group, topic) == 2
        await also.ack()
        assert await broker.committed(group, topic) == 3
        await broker.put(topic, b"next")
        (following,) = await take(events, 1, SETTLE)  # not "fine" or "also fine" a second time
        assert following.payload.raw == b"next"
        await following.ack()


async def test_a_nack_without_requeue_goes_to_the_dead_letter_topic_and_is_committed(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, dead, group = await broker.topic(), await broker.topic("dead"), unique("billing")
    await broker.put(topic, b"poison", key=b"p-1")
    async with aclosing(CONSUME.start(conn, consuming(topic, group, deadLetterTopic=dead))) as events:
        (poison,) = await take(events, 1, SETTLE)
        await poison.nack(requeue=False)
        assert await broker.committed(group, topic) == 1
    (parked,) = await broker.read(dead, 1)
    assert (parked.value, parked.key) == (b"poison", b"p-1")  # type: ignore[attr-defined]
    assert dict(parked.headers) == {  # type: ignore[attr-defined]
        "x-source-topic": topic.encode(),
        "x-source-partition": b"0",
        "x-source-offset": b"0",
        "x-group": group.encode(),
    }


async def test_dead_lettering_keys_the_record_by_its_offset_and_adds_the_reason(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, dead, group = await broker.topic(), await broker.topic("dead"), unique("billing")
    await broker.put(topic, b"poison", key=b"p-1")
    async with aclosing(CONSUME.start(conn, consuming(topic, group, deadLetterTopic=dead))) as events:
        (first,) = await take(events, 1, SETTLE)
        await first.nack(requeue=True)
        (again,) = await take(events, 1, SETTLE)
        assert first.key == again.key == f"{topic}/0/0"
        assert isinstance(again.delivery, DeadLettering)
        assert await again.delivery.dead_letter("failed 2 of 2 attempts")
        assert await broker.committed(group, topic) == 1
    (parked,) = await broker.read(dead, 1)
    assert parked.value == b"poison"  # type: ignore[attr-defined]
    assert dict(parked.headers)[DEAD_LETTER_REASON] == b"failed 2 of 2 attempts"  # type: ignore[attr-defined]


async def test_a_nack_without_requeue_or_dead_letter_topic_drops_the_record(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, group = await broker.topic(), unique("billing")
    await broker.put(topic, b"poison", b"next")
    async with aclosing(CONSUME.start(conn, consuming(topic, group))) as events:
        poison, following = await take(events, 2, SETTLE)
        await poison.nack(requeue=False)
        assert await broker.committed(group, topic) == 1
        await following.ack()
        assert await broker.committed(group, topic) == 2


async def test_no_more_than_max_in_flight_records_are_handed_out(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic, group = await broker.topic(), unique("billing")
    await broker.put(topic, *[str(n).encode() for n in range(5)])
    async with aclosing(CONSUME.start(conn, consuming(topic, group, maxInFlight=2))) as events:
        held = await take(events, 2, SETTLE)
        third = asyncio.ensure_future(anext(events))
        waiting = await waiting_for_room(events)
        await waiting_for_room(events, after=waiting)  # a keep-alive poll later, it still hands out nothing
        assert not third.done()
        await held[0].ack()
        event = await within(third, 30)
        assert event.payload.raw == b"2"
        await held[1].ack()
        await event.ack()
        assert await broker.committed(group, topic) == 3


async def test_records_of_several_topics_and_partitions_carry_their_facts(
    conn: KafkaConnection, broker: Broker
) -> None:
    orders, refunds, group = await broker.topic(partitions=2), await broker.topic("refunds"), unique("b")
    await broker.put(orders, b"o0", key=b"k0", partition=0)
    await broker.put(orders, b"o1", partition=1)
    await broker.put(refunds, b"r0")
    async with aclosing(
        CONSUME.start(conn, {"topics": f"{orders}, {refunds}", "group": group, **FAST})
    ) as events:
        received = await take(events, 3, SETTLE)
        facts = {
            (event.attributes["topic"], event.attributes["partition"], event.attributes["key"])
            for event in received
        }
        assert facts == {(orders, 0, "k0"), (orders, 1, None), (refunds, 0, None)}
        assert all(event.attributes["group"] == group for event in received)
        assert all(event.attributes["timestamp"] for event in received)
        for event in received:
            await event.ack()
        assert [await broker.committed(group, orders, p) for p in (0, 1)] == [1, 1]
        assert await broker.committed(group, refunds) == 1


async def test_a_dead_letter_topic_that_is_consumed_is_invalid_input(conn: KafkaConnection) -> None:
    events = CONSUME.start(conn, {"topics": "orders", "group": "g", "deadLetterTopic": "orders"})
    with pytest.raises(InvalidInput, match="deadLetterTopic must not be a consumed topic"):
        await anext(events)
