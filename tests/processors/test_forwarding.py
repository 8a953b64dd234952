"""The forwarding processor against a real HTTP receiver: in order, at least once, retries, exhaustion."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import orjson

from interlace.observability.logging import json_formatter
from interlace.processors import ExhaustedPolicy
from interlace.services import Supervisor
from interlace.stores import MemoryStore
from tests.support import eventually

from .conftest import MakeForwarder
from .receiver import Receiver, message

Supervise = Callable[..., Supervisor]


async def fill(store: MemoryStore, count: int) -> None:
    for number in range(1, count + 1):
        await store.put(message(number))


async def test_forwarding_delivers_every_message_in_order_and_acks_it(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    await fill(orders, 20)
    supervisor = supervise(forwarder())
    assert await receiver.wait_for(20) == [{"n": n} for n in range(1, 21)]
    await eventually(lambda: supervisor.state("processor", "Forwarder").delivered == 20)
    assert await orders.size() == 0


async def test_forwarding_sends_the_stored_id_as_idempotency_key(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    await fill(orders, 2)
    supervise(forwarder())
    await receiver.wait_for(2)
    assert [r.headers["Idempotency-Key"] for r in receiver.received] == ["m001", "m002"]


async def test_forwarding_takes_messages_stored_while_it_runs(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    supervise(forwarder())
    await orders.put(message(1))
    await receiver.wait_for(1)
    await orders.put(message(2))
    assert await receiver.wait_for(2) == [{"n": 1}, {"n": 2}]


async def test_back_end_down_for_a_while_then_up_gets_every_message_in_order(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    await receiver.stop()
    await fill(orders, 10)
    supervisor = supervise(forwarder(max_attempts=1000))
    await eventually(lambda: supervisor.state("processor", "Forwarder").failed_attempts >= 3)
    assert "connection refused" in (supervisor.state("processor", "Forwarder").last_error or "")
    assert (await orders.get("m001")).attempts >= 3  # type: ignore[union-attr]
    await receiver.start()
    assert await receiver.wait_for(10) == [{"n": n} for n in range(1, 11)]
    await eventually(lambda: supervisor.state("processor", "Forwarder").delivered == 10)
    assert await orders.size() == 0


async def test_forwarding_moves_a_poison_message_to_the_dead_letter_store_after_max_attempts(
    receiver: Receiver,
    orders: MemoryStore,
    dead_letters: MemoryStore,
    forwarder: MakeForwarder,
    supervise: Supervise,
) -> None:
    receiver.rule = lambda r: 500 if r.json == {"n": 3} else 200
    await fill(orders, 6)
    supervisor = supervise(forwarder(max_attempts=4, exhausted=ExhaustedPolicy("dead-letter", dead_letters)))
    assert await receiver.wait_for(5) == [{"n": n} for n in (1, 2, 4, 5, 6)]
    await eventually(lambda: supervisor.state("processor", "Forwarder").delivered == 5)
    [dead] = await dead_letters.browse()
    assert dead.id == "m003"
    assert orjson.loads(dead.payload) == {"n": 3}
    assert dead.attempts == 4
    assert dead.origin == "orders"
    assert "answered 500" in (dead.last_error or "")
    state = supervisor.state("processor", "Forwarder")
    assert (state.dead_lettered, state.failed_attempts, state.status) == (1, 4, "active")
    assert await orders.size() == 0


async def test_a_never_retry_status_goes_to_the_exhausted_action_at_once(
    receiver: Receiver,
    orders: MemoryStore,
    dead_letters: MemoryStore,
    forwarder: MakeForwarder,
    supervise: Supervise,
) -> None:
    receiver.rule = lambda r: 422 if r.json == {"n": 1} else 200
    await fill(orders, 2)
    exhausted = ExhaustedPolicy("dead-letter", dead_letters)
    supervise(forwarder(max_attempts=10, never_retry=frozenset({422}), exhausted=exhausted))
    assert await receiver.wait_for(1) == [{"n": 2}]
    [dead] = await dead_letters.browse()
    assert (dead.id, dead.attempts) == ("m001", 1)


async def test_the_drop_action_deletes_the_exhausted_message_and_goes_on(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    receiver.rule = lambda r: 503 if r.json == {"n": 1} else 200
    await fill(orders, 2)
    supervisor = supervise(forwarder(max_attempts=2, exhausted=ExhaustedPolicy("drop")))
    assert await receiver.wait_for(1) == [{"n": 2}]
    await eventually(lambda: supervisor.state("processor", "Forwarder").delivered == 1)
    assert supervisor.state("processor", "Forwarder").dropped == 1
    assert await orders.size() == 0


async def test_the_deactivate_action_stops_the_processor_and_keeps_the_message_first(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    receiver.rule = lambda r: 503
    await fill(orders, 2)
    supervisor = supervise(forwarder(max_attempts=3, exhausted=ExhaustedPolicy("deactivate")))
    await eventually(lambda: supervisor.state("processor", "Forwarder").status == "failed")
    assert not supervisor.is_running("processor", "Forwarder")
    first, second = await orders.browse()
    assert (first.id, first.attempts, second.attempts) == ("m001", 3, 0)
    assert "503" in (supervisor.state("processor", "Forwarder").last_error or "")

    receiver.rule = lambda r: 200
    assert (await supervisor.activate("processor", "Forwarder")).status == "active"
    assert await receiver.wait_for(2) == [{"n": 1}, {"n": 2}]


async def test_the_exhausted_sequence_runs_on_the_message_under_the_processors_name(
    receiver: Receiver,
    orders: MemoryStore,
    forwarder: MakeForwarder,
    supervise: Supervise,
) -> None:
    seen: list[str] = []
    logged_as: list[str | None] = []

    class Alert:
        location = None

        async def mediate(self, ctx: object) -> bool:
            seen.append(ctx.headers["Idempotency-Key"])  # type: ignore[attr-defined]
            line = logging.LogRecord(
                "interlace.test.alert", logging.WARNING, __file__, 1, "alerting", None, None
            )
            logged_as.append(orjson.loads(json_formatter().format(line)).get("artifact"))
            return True

    receiver.rule = lambda r: 500
    await orders.put(message(1))
    policy = ExhaustedPolicy("drop", sequence=Alert(), sequence_name="Alert")  # type: ignore[arg-type]
    supervisor = supervise(forwarder(max_attempts=1, exhausted=policy))
    await eventually(lambda: supervisor.state("processor", "Forwarder").dropped == 1)
    assert seen == ["m001"]
    assert logged_as == ["Forwarder"]  # its log lines name the processor


async def test_concurrency_above_one_delivers_every_message(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder, supervise: Supervise
) -> None:
    await fill(orders, 30)
    supervise(forwarder(concurrency=4))
    assert sorted(b["n"] for b in await receiver.wait_for(30)) == list(range(1, 31))  # type: ignore[index]


async def test_graceful_shutdown_finishes_the_message_in_flight(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder
) -> None:
    receiver.hold = asyncio.Event()
    await fill(orders, 2)
    supervisor = Supervisor([forwarder()], graceful_timeout=5.0)
    supervisor.start()
    await eventually(lambda: supervisor.state("processor", "Forwarder").in_flight == 1)
    closing = asyncio.create_task(supervisor.stop())
    await eventually(lambda: not supervisor.is_running("processor", "Forwarder"))  # asked to stop
    assert not closing.done()  # it waits for the delivery under way
    receiver.hold.set()
    await closing
    assert receiver.bodies == [{"n": 1}]
    assert [m.id for m in await orders.browse()] == ["m002"]
    assert supervisor.state("processor", "Forwarder").status == "inactive"


async def test_shutdown_out_of_patience_gives_the_in_flight_message_back_unchanged(
    receiver: Receiver, orders: MemoryStore, forwarder: MakeForwarder
) -> None:
    receiver.hold = asyncio.Event()
    await fill(orders, 1)
    supervisor = Supervisor([forwarder()], graceful_timeout=0.05)
    supervisor.start()
    await eventually(lambda: supervisor.state("processor", "Forwarder").in_flight == 1)
    await supervisor.stop()
    receiver.hold.set()
    [returned] = await orders.fetch(1)  # claimable again: it was given back
    assert (returned.id, returned.attempts) == ("m001", 0)
