"""sqs.receive against moto's server: every message once, deleted only when the test acks, made visible
again or left to the redrive policy when nacked, and no more in flight than ``maxInFlight``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from tests.support import eventually, lags_while_acking, take, waiting_for_room, within

from interlace.connectors.sqs import SqsConnection, connector
from interlace.sdk import DEAD_LETTER_REASON, DeadLettering, FatalError

from .conftest import Queues

pytestmark = pytest.mark.needs("sqs")

RECEIVE = connector.get_trigger("receive")
RECEIVED = 20  # seconds for an event: moto answers slowly on a busy machine


async def test_n_messages_in_give_n_events_deleted_only_once_acked(
    conn: SqsConnection, queues: Queues
) -> None:
    queue = await queues.create()
    await queues.put(queue, *[f"order {n}" for n in range(25)])
    async with contextlib.aclosing(
        RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1, "maxInFlight": 25})
    ) as events:
        received = await take(events, 25, RECEIVED)
        assert sorted(event.payload.text() for event in received) == sorted(f"order {n}" for n in range(25))
        assert await queues.count(queue) == (0, 25)  # nothing deleted before the test says
        for event in received:
            await event.ack()
    assert await queues.count(queue) == (0, 0)


async def test_a_nacked_message_is_received_again_at_once(conn: SqsConnection, queues: Queues) -> None:
    queue = await queues.create(VisibilityTimeout="300")
    await queues.put(queue, "retry me")
    async with contextlib.aclosing(RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1})) as events:
        (failed,) = await take(events, 1, RECEIVED)
        assert failed.attributes["receiveCount"] == 1
        await failed.nack(requeue=True)
        (again,) = await take(events, 1, RECEIVED)  # well within the 300 s visibility timeout
        assert again.attributes["messageId"] == failed.attributes["messageId"]
        assert again.attributes["receiveCount"] == 2
        await again.ack()
    assert await queues.count(queue) == (0, 0)


async def test_a_nack_without_requeue_leaves_the_message_to_the_redrive_policy(
    conn: SqsConnection, queues: Queues
) -> None:
    queue, dead = await queues.with_dead_letters(max_receive_count=2)
    await queues.put(queue, "poison")
    async with contextlib.aclosing(RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1})) as events:
        for attempt in (1, 2):
            (poison,) = await take(events, 1, RECEIVED)
            assert poison.attributes["receiveCount"] == attempt
            await poison.nack(requeue=False)
            assert await queues.count(queue) == (0, 1)  # hidden until its visibility timeout ends
        # The third receive finds it past maxReceiveCount: the queue moves it to the dead-letter queue.
        third = asyncio.ensure_future(anext(events))
        (parked,) = await queues.take(dead, wait=10)
        assert parked["Body"] == "poison"
        assert not third.done()  # moved, not delivered a third time
        third.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await third


async def test_dead_lettering_sends_the_message_with_its_reason_to_the_dead_letter_queue(
    conn: SqsConnection, queues: Queues
) -> None:
    queue, dead = await queues.create(VisibilityTimeout="300"), await queues.create("dead")
    await queues.put(queue, "poison")
    async with contextlib.aclosing(
        RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1, "deadLetterQueueUrl": dead})
    ) as events:
        (first,) = await take(events, 1, RECEIVED)
        await first.nack(requeue=True)
        (again,) = await take(events, 1, RECEIVED)
        assert (first.attempt, again.attempt) == (1, 2)
        assert isinstance(again.delivery, DeadLettering)
        assert await again.delivery.dead_letter("failed 2 of 2 attempts")
    (parked,) = await queues.take(dead, wait=10)
    assert parked["Body"] == "poison"
    assert parked["MessageAttributes"][DEAD_LETTER_REASON]["StringValue"] == "failed 2 of 2 attempts"
    assert await queues.count(queue) == (0, 0)


async def test_a_held_message_stays_hidden_past_its_visibility_timeout_until_settled(
    conn: SqsConnection, queues: Queues
) -> None:
    queue = await queues.create()
    await queues.put(queue, "slow")
    extended = Extensions(conn)
    async with contextlib.aclosing(
        RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1, "visibilityTimeout": 1})
    ) as events:
        (held,) = await take(events, 1, RECEIVED)
        # Extended every third of a second: after six, the first second is long over.
        await eventually(lambda: len(extended.calls) >= 6, RECEIVED, what="six extensions")
        assert await queues.take(queue, wait=0) == []  # still hidden from another consumer
        assert await queues.count(queue) == (0, 1)
        await held.ack()
        await queues.put(queue, "next")
        (following,) = await take(events, 1, RECEIVED)
        settled = len(extended.calls)
        await eventually(lambda: len(extended.calls) > settled, RECEIVED, what="an extension of the next")
        assert len(extended.calls[-1]) == 1  # the settled message is no longer extended
        await following.ack()
    assert await queues.count(queue) == (0, 0)


class Extensions:
    """Records the receipt handles of each visibility extension the connection's client makes."""

    def __init__(self, conn: SqsConnection) -> None:
        self.calls: list[list[str]] = []
        client = conn.client
        extend = client.change_message_visibility_batch

        async def recorded(**request: Any) -> Any:
            self.calls.append([entry["ReceiptHandle"] for entry in request["Entries"]])
            return await extend(**request)

        client.change_message_visibility_batch = recorded


async def test_unacked_messages_come_again_after_the_visibility_timeout(
    conn: SqsConnection, queues: Queues
) -> None:
    queue = await queues.create()
    await queues.put(queue, "a", "b")
    events = RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1, "visibilityTimeout": 1})
    first = await take(events, 2, RECEIVED)
    await events.aclose()  # stopped with nothing deleted

    async with contextlib.aclosing(RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 2})) as again:
        redelivered = await take(again, 2, RECEIVED)
        assert sorted(event.payload.text() for event in redelivered) == ["a", "b"]
        assert {event.attributes["messageId"] for event in redelivered} == {
            event.attributes["messageId"] for event in first
        }
        for event in redelivered:
            await event.ack()
    assert await queues.count(queue) == (0, 0)


async def test_no_more_than_max_in_flight_messages_are_received(conn: SqsConnection, queues: Queues) -> None:
    queue = await queues.create()
    await queues.put(queue, *[str(n) for n in range(5)])
    async with contextlib.aclosing(
        RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 1, "maxInFlight": 2})
    ) as events:
        held = await take(events, 2, RECEIVED)
        third = asyncio.ensure_future(anext(events))
        await waiting_for_room(events)  # full: it waits for room instead of receiving
        assert not third.done()
        assert await queues.count(queue) == (3, 2)
        await held[0].ack()
        await within(third, 20)
        assert await queues.count(queue) == (2, 2)


async def test_a_missing_queue_is_fatal(conn: SqsConnection, endpoint: str) -> None:
    queue = f"{endpoint}/123456789012/missing-queue"
    events = RECEIVE.start(conn, {"queueUrl": queue, "waitTime": 0})
    with pytest.raises(
        FatalError, match=r"receiving from queue .*missing-queue on connection jobs: the queue does not exist"
    ):
        await anext(events)


async def test_events_carry_the_queue_backlog_which_drops_to_zero_once_consumed(
    conn: SqsConnection, queues: Queues
) -> None:
    queue = await queues.create()
    await queues.put(queue, *[f"order {n}" for n in range(30)])
    values = {"queueUrl": queue, "waitTime": 1, "maxMessages": 5, "maxInFlight": 5}
    async with contextlib.aclosing(RECEIVE.start(conn, values)) as events:
        lags = await lags_while_acking(events, 30, RECEIVED)
    # ApproximateNumberOfMessages: the visible ones; the first receive took five.
    assert lags[0] == 25, lags
    assert all(lag is not None and lag >= 0 for lag in lags), lags
    assert lags[-1] == 0, lags
