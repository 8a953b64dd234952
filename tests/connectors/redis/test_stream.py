"""redis.stream against the local server: every entry once, acknowledged only when the test says, nacked
entries delivered again or dead-lettered, idle entries of a lost consumer taken over, and no more in
flight than ``count``."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest
import redis.asyncio as aioredis
from tests.support import lags_while_acking, take, waiting_for_room, within

from interlace.connectors.redis import RedisConnection, connector
from interlace.sdk import DEAD_LETTER_REASON, DeadLettering, FatalError

from .server import Keys

pytestmark = pytest.mark.needs("redis")

STREAM = connector.get_trigger("stream")


async def pending(plain: aioredis.Redis, stream: str, group: str) -> int:
    summary = await plain.xpending(stream, group)
    return int(summary["pending"])


async def add_for_billing(plain: aioredis.Redis, stream: str, *orders: str) -> list[bytes]:
    """Create the group ``billing`` on ``stream`` (from its end), then add an entry for each of ``orders``."""
    await plain.xgroup_create(stream, "billing", "$", mkstream=True)
    return [await plain.xadd(stream, {"order": order}) for order in orders]


def billing(stream: str, **values: object) -> dict[str, object]:
    """The trigger's values for the group ``billing`` on ``stream``, blocking briefly, and ``values``."""
    return {"stream": stream, "group": "billing", "block": 0.2, **values}


async def test_n_entries_in_give_n_events_and_acked_ones_leave_the_pending_list(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    ids = await add_for_billing(plain, stream, *[str(n) for n in range(25)])
    async with aclosing(STREAM.start(conn, billing(stream, count=25))) as events:
        received = await take(events, 25)
        assert [event.payload.json() for event in received] == [{"order": str(n)} for n in range(25)]
        assert [event.attributes["id"] for event in received] == [entry.decode() for entry in ids]
        assert await pending(plain, stream, "billing") == 25  # nothing acknowledged before the test says
        for event in received:
            await event.ack()
    assert await pending(plain, stream, "billing") == 0


async def test_a_created_group_can_start_at_the_first_entry_and_the_payload_can_be_one_field(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    await plain.xadd(stream, {"payload": '{"id": 7}', "source": "clinic"})
    values = billing(stream, startId="0")
    async with aclosing(
        STREAM.start(conn, {**values, "payloadField": "payload", "contentType": "application/json"})
    ) as events:
        (event,) = await take(events, 1)
        assert event.payload.json() == {"id": 7}
        assert event.headers == {"source": "clinic"}
        assert event.attributes["redelivered"] is False
        await event.ack()
    assert await pending(plain, stream, "billing") == 0


async def test_unacknowledged_entries_come_again_when_the_consumer_restarts(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    await add_for_billing(plain, stream, "a", "b", "c")
    values = billing(stream, consumer="node-1")
    events = STREAM.start(conn, values)
    await take(events, 3)
    await events.aclose()  # stopped with nothing acknowledged

    async with aclosing(STREAM.start(conn, values)) as again:
        redelivered = await take(again, 3)
        assert [event.payload.json()["order"] for event in redelivered] == ["a", "b", "c"]
        assert all(event.attributes["redelivered"] for event in redelivered)
        for event in redelivered:
            await event.ack()
    assert await pending(plain, stream, "billing") == 0


async def test_a_nacked_entry_is_delivered_again(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    await add_for_billing(plain, stream, "retry me")
    async with aclosing(STREAM.start(conn, billing(stream))) as events:
        (failed,) = await take(events, 1)
        await failed.nack(requeue=True)
        (again,) = await take(events, 1)
        assert again.attributes["id"] == failed.attributes["id"]
        assert again.attributes["redelivered"] is True
        await again.ack()
    assert await pending(plain, stream, "billing") == 0


async def test_a_nack_without_requeue_moves_the_entry_to_the_dead_letter_stream(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream, dead = keys("orders"), keys("dead")
    (entry_id,) = await add_for_billing(plain, stream, "poison")
    async with aclosing(STREAM.start(conn, billing(stream, deadLetterStream=dead))) as events:
        (poison,) = await take(events, 1)
        await poison.nack(requeue=False)
    assert await pending(plain, stream, "billing") == 0
    ((_, fields),) = await plain.xrange(dead)
    assert fields == {
        b"order": b"poison",
        b"x-source-stream": stream.encode(),
        b"x-source-id": entry_id,
        b"x-group": b"billing",
    }


async def test_dead_lettering_moves_the_entry_with_its_reason_and_keys_it_by_stream_and_id(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream, dead = keys("orders"), keys("dead")
    (entry_id,) = await add_for_billing(plain, stream, "poison")
    async with aclosing(STREAM.start(conn, billing(stream, deadLetterStream=dead))) as events:
        (first,) = await take(events, 1)
        await first.nack(requeue=True)
        (again,) = await take(events, 1)
        assert first.key == again.key == f"{stream}/{entry_id.decode()}"
        assert (first.attempt, again.attempt) == (1, 2)
        assert isinstance(again.delivery, DeadLettering)
        assert await again.delivery.dead_letter("failed 2 of 2 attempts")
    assert await pending(plain, stream, "billing") == 0
    ((_, fields),) = await plain.xrange(dead)
    assert (fields[b"order"], fields[DEAD_LETTER_REASON.encode()]) == (b"poison", b"failed 2 of 2 attempts")


async def test_entries_idle_with_a_lost_consumer_are_taken_over(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    await add_for_billing(plain, stream, "x", "y")
    lost = STREAM.start(conn, billing(stream, consumer="node-1"))
    await take(lost, 2)
    await lost.aclose()

    async with aclosing(STREAM.start(conn, billing(stream, consumer="node-2", claimIdle=0))) as other:
        taken = await take(other, 2)
        assert [event.payload.json()["order"] for event in taken] == ["x", "y"]
        assert all(event.attributes["consumer"] == "node-2" for event in taken)
        for event in taken:
            await event.ack()
    assert await pending(plain, stream, "billing") == 0


async def test_no_more_than_count_entries_are_in_flight(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    await add_for_billing(plain, stream, *[str(n) for n in range(5)])
    async with aclosing(STREAM.start(conn, billing(stream, count=2))) as events:
        held = await take(events, 2)
        third = asyncio.ensure_future(anext(events))
        await waiting_for_room(events)  # full: it waits for room instead of reading
        assert not third.done()
        assert await pending(plain, stream, "billing") == 2
        await held[0].ack()
        event = await within(third)
        assert event.payload.json() == {"order": "2"}
        assert await pending(plain, stream, "billing") == 2


async def test_a_missing_group_without_creating_it_is_fatal(conn: RedisConnection, keys: Keys) -> None:
    stream = keys("orders")
    events = STREAM.start(conn, {"stream": stream, "group": "nobody", "createGroup": False, "block": 0.2})
    with pytest.raises(
        FatalError,
        match=rf"reading stream '{stream}' .* on connection cache: the stream or the group does not exist",
    ):
        await anext(events)


async def test_events_carry_the_group_lag_which_drops_to_zero_once_consumed(
    conn: RedisConnection, plain: aioredis.Redis, keys: Keys
) -> None:
    stream = keys("orders")
    await add_for_billing(plain, stream, *[str(n) for n in range(30)])
    async with aclosing(STREAM.start(conn, billing(stream, count=5))) as events:
        lags = await lags_while_acking(events, 30)
    # XINFO GROUPS: the entries not yet delivered to the group; the first read took five.
    assert lags[0] == 25, lags
    assert all(lag is not None and lag >= 0 for lag in lags), lags
    assert lags[-1] == 0, lags
