"""A forwarding processor claims its next messages and acknowledges its delivered ones while it delivers:
the order, at-least-once and the messages it holds are kept all the same."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from interlace.endpoints import HttpClient
from interlace.processors import EndpointTarget, ForwardingProcessor
from interlace.services import IntervalSchedule, Supervisor
from interlace.stores import MemoryStore, MessageStore
from interlace.stores.sqlite import SqliteStore
from tests.support import eventually

from .conftest import FAST, MakeForwarder, endpoint_to
from .receiver import Receiver, message

Supervise = Callable[..., Supervisor]


@pytest.fixture
async def sqlite_orders(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """Orders in an SQLite file: each claim and acknowledgement is a commit, as users run it."""
    store = SqliteStore("orders", tmp_path / "stores.sqlite")
    await store.open()
    async with contextlib.aclosing(store):
        yield store


def forwarding(
    store: MessageStore, receiver: Receiver, client: HttpClient, **options: object
) -> ForwardingProcessor:
    target = EndpointTarget(endpoint_to(receiver.url, client), frozenset(range(200, 300)), frozenset())
    return ForwardingProcessor(
        "Forwarder",
        store,
        target,
        schedule=IntervalSchedule(0.01),
        backoff=FAST,
        **options,  # type: ignore[arg-type]
    )


def numbers(receiver: Receiver) -> list[int]:
    return [body["n"] for body in receiver.bodies]  # type: ignore[index]


async def test_messages_stored_while_an_in_order_processor_runs_arrive_in_order_once(
    receiver: Receiver, client: HttpClient, sqlite_orders: SqliteStore, supervise: Supervise
) -> None:
    supervisor = supervise(forwarding(sqlite_orders, receiver, client))
    for number in range(1, 121):
        await sqlite_orders.put(message(number))

    await receiver.wait_for(120)
    assert numbers(receiver) == list(range(1, 121))
    await eventually(lambda: supervisor.state("processor", "Forwarder").delivered == 120)
    assert await sqlite_orders.size() == 0


async def test_the_messages_claimed_behind_a_failing_one_keep_their_places(
    receiver: Receiver, client: HttpClient, sqlite_orders: SqliteStore, supervise: Supervise
) -> None:
    failures = {20: 2, 33: 1}  # message n fails this many times, then is accepted

    def rule(request: object) -> int:
        number = request.json["n"]  # type: ignore[attr-defined]
        if failures.get(number, 0) > 0:
            failures[number] -= 1
            return 503
        return 200

    receiver.rule = rule  # type: ignore[assignment]
    for number in range(1, 61):
        await sqlite_orders.put(message(number))
    supervisor = supervise(forwarding(sqlite_orders, receiver, client))

    await receiver.wait_for(60)
    assert numbers(receiver) == list(range(1, 61))
    assert supervisor.state("processor", "Forwarder").failed_attempts == 3


async def test_stopping_gives_back_the_messages_claimed_ahead_in_order(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder
) -> None:
    for number in range(1, 41):
        await orders.put(message(number))
    receiver.hold, receiver.hold_after = asyncio.Event(), 5
    supervisor = Supervisor([forwarder()], graceful_timeout=5.0)
    supervisor.start()
    await eventually(lambda: receiver.arrivals == 6)  # the sixth is in flight, more are claimed ahead
    closing = asyncio.create_task(supervisor.stop())
    await eventually(lambda: not supervisor.is_running("processor", "Forwarder"))
    receiver.hold.set()
    await closing

    assert numbers(receiver) == list(range(1, 7))
    assert [m.id for m in await orders.fetch(100)] == [f"m{n:03d}" for n in range(7, 41)]


async def test_concurrent_workers_on_sqlite_deliver_every_message_once(
    receiver: Receiver, client: HttpClient, sqlite_orders: SqliteStore, supervise: Supervise
) -> None:
    supervisor = supervise(forwarding(sqlite_orders, receiver, client, concurrency=8))
    await asyncio.gather(*(sqlite_orders.put(message(number)) for number in range(1, 301)))

    await receiver.wait_for(300)
    assert sorted(numbers(receiver)) == list(range(1, 301))
    await eventually(lambda: supervisor.state("processor", "Forwarder").delivered == 300)
    assert await sqlite_orders.size() == 0
