"""nats.consume against the local JetStream: every message once, acknowledged only when the test says,
nacked messages delivered again after the delay or terminated, and no more in flight than
``maxAckPending``."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from tests.support import eventually, take

from interlace.connectors.nats import NatsConnection, connector
from interlace.sdk import DEAD_LETTER_REASON, DeadLettering, FatalError

from .conftest import Stream

pytestmark = pytest.mark.needs("nats")

CONSUME = connector.get_trigger("consume")


def billing(stream: Stream, **values: object) -> dict[str, object]:
    """The trigger's values for the durable consumer ``billing`` of ``stream``, and ``values``."""
    return {"stream": stream.name, "durable": "billing", **values}


async def put_poison(stream: Stream) -> str:
    """Publish ``poison`` (with a header) on the orders subject; the dead-letter subject to use."""
    await stream.js.publish(f"{stream.prefix}.orders", b"poison", headers={"Source": "clinic"})
    return f"{stream.prefix}.dead"


async def put(stream: Stream, *bodies: bytes, subject: str = "orders") -> None:
    for body in bodies:
        await stream.js.publish(f"{stream.prefix}.{subject}", body)


async def ack_pending(stream: Stream, durable: str) -> tuple[int, int]:
    """(delivered and not acknowledged, not delivered yet) of the consumer."""
    info = await stream.js.consumer_info(stream.name, durable)
    return int(info.num_ack_pending or 0), int(info.num_pending or 0)


async def settles_to(stream: Stream, durable: str, expected: tuple[int, int]) -> tuple[int, int]:
    """The consumer's counts once they are ``expected`` (JetStream applies a ``term`` asynchronously), or
    as they are at the deadline."""
    counts = [await ack_pending(stream, durable)]

    async def settled() -> bool:
        counts.append(await ack_pending(stream, durable))
        return counts[-1] == expected

    with contextlib.suppress(AssertionError):
        await eventually(settled)
    return counts[-1]


async def test_n_messages_in_give_n_events_and_acked_ones_are_done(
    conn: NatsConnection, stream: Stream
) -> None:
    await put(stream, *[f"order {n}".encode() for n in range(30)])
    async with contextlib.aclosing(CONSUME.start(conn, billing(stream))) as events:
        received = await take(events, 30)
        assert [event.payload.raw for event in received] == [f"order {n}".encode() for n in range(30)]
        assert [event.attributes["streamSequence"] for event in received] == list(range(1, 31))
        # The backlog behind each message, as JetStream counts it: the last one leaves none.
        assert [event.lag for event in received] == list(range(29, -1, -1))
        assert await ack_pending(stream, "billing") == (30, 0)  # nothing acknowledged before the test says
        for event in received:
            await event.ack()
    assert await ack_pending(stream, "billing") == (0, 0)


async def test_unacknowledged_messages_come_again_after_the_ack_wait_when_the_consumer_restarts(
    conn: NatsConnection, stream: Stream
) -> None:
    await put(stream, b"a", b"b", b"c")
    values = billing(stream, ackWait=1)
    events = CONSUME.start(conn, values)
    await take(events, 3)
    await events.aclose()  # stopped with nothing acknowledged

    again = CONSUME.start(conn, values)
    seen: set[bytes] = set()
    try:
        # At least once: a redelivery may also have gone to the stopped consumer's expiring pull, and
        # comes once more after another ackWait.
        while seen != {b"a", b"b", b"c"}:
            (event,) = await take(again, 1)
            seen.add(event.payload.raw)
            await event.ack()
    finally:
        await again.aclose()


async def test_a_nacked_message_is_delivered_again_after_the_delay(
    conn: NatsConnection, stream: Stream
) -> None:
    await put(stream, b"retry me")
    async with contextlib.aclosing(CONSUME.start(conn, billing(stream, nakDelay=0.5))) as events:
        (failed,) = await take(events, 1)
        nacked_at = asyncio.get_running_loop().time()
        await failed.nack(requeue=True)
        (again,) = await take(events, 1)
        assert asyncio.get_running_loop().time() - nacked_at >= 0.4
        assert again.payload.raw == b"retry me"
        assert again.attributes["deliveries"] == 2
        await again.ack()


async def test_a_nack_without_requeue_terminates_and_copies_to_the_dead_letter_subject(
    conn: NatsConnection, stream: Stream
) -> None:
    dead = await put_poison(stream)
    async with contextlib.aclosing(
        CONSUME.start(
            conn,
            billing(stream, subject=f"{stream.prefix}.orders", deadLetterSubject=dead),
        )
    ) as events:
        (poison,) = await take(events, 1)
        await poison.nack(requeue=False)
    copy = await stream.js.get_last_msg(stream.name, dead)
    assert copy.data == b"poison"
    assert copy.headers is not None
    assert copy.headers["Source"] == "clinic"
    assert copy.headers["Nats-Source-Sequence"] == "1"
    assert copy.headers["Nats-Source-Stream"] == stream.name
    assert await settles_to(stream, "billing", (0, 0)) == (0, 0)  # terminated: never delivered again


async def test_dead_lettering_counts_deliveries_and_copies_the_reason_to_the_dead_letter_subject(
    conn: NatsConnection, stream: Stream
) -> None:
    dead = await put_poison(stream)
    async with contextlib.aclosing(
        CONSUME.start(
            conn,
            billing(stream, subject=f"{stream.prefix}.orders", nakDelay=0, deadLetterSubject=dead),
        )
    ) as events:
        (first,) = await take(events, 1)
        await first.nack(requeue=True)
        (second,) = await take(events, 1)
        assert (first.attempt, second.attempt) == (1, 2)
        assert isinstance(second.delivery, DeadLettering)
        assert await second.delivery.dead_letter("failed 2 of 2 attempts")
    copy = await stream.js.get_last_msg(stream.name, dead)
    assert copy.data == b"poison"
    assert copy.headers is not None
    assert (copy.headers["Source"], copy.headers[DEAD_LETTER_REASON]) == ("clinic", "failed 2 of 2 attempts")
    assert await settles_to(stream, "billing", (0, 0)) == (0, 0)


async def test_no_more_than_max_ack_pending_messages_are_in_flight(
    conn: NatsConnection, stream: Stream
) -> None:
    await put(stream, *[str(n).encode() for n in range(5)])
    async with contextlib.aclosing(CONSUME.start(conn, billing(stream, maxAckPending=2))) as events:
        held = await take(events, 2)
        assert await ack_pending(stream, "billing") == (2, 3)
        await held[0].ack()
        (third,) = await take(events, 1)
        assert third.payload.raw == b"2"
        assert await ack_pending(stream, "billing") == (2, 2)


async def test_an_event_carries_the_content_type_headers_and_subject(
    conn: NatsConnection, stream: Stream
) -> None:
    subject = f"{stream.prefix}.orders.new"
    await stream.js.publish(
        subject, b'{"id": 3}', headers={"Content-Type": "application/json", "Source": "clinic"}
    )
    async with contextlib.aclosing(
        CONSUME.start(conn, billing(stream, subject=f"{stream.prefix}.orders.>"))
    ) as events:
        (event,) = await take(events, 1)
        assert event.payload.json() == {"id": 3}
        assert event.headers["Source"] == "clinic"
        assert event.attributes["subject"] == subject
        assert event.attributes["redelivered"] is False
        await event.ack()


async def test_a_missing_stream_is_fatal(conn: NatsConnection) -> None:
    events = CONSUME.start(conn, {"stream": "NO_SUCH_STREAM_4f1", "durable": "billing"})
    with pytest.raises(
        FatalError,
        match="consuming stream 'NO_SUCH_STREAM_4f1' as durable 'billing' on connection events: not found",
    ):
        await anext(events)
