"""The sampling processor (one message per tick, at most once) and the interval and cron schedules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from interlace.endpoints import HttpClient
from interlace.processors import EndpointTarget, ForwardingProcessor, SamplingProcessor
from interlace.services import CronSchedule, IntervalSchedule, Supervisor
from interlace.stores import MemoryStore
from tests.support import deadline, eventually

from .conftest import endpoint_to
from .receiver import Receiver, message

Supervise = Callable[..., Supervisor]
TWO_XX = frozenset(range(200, 300))


class RecordingWait:
    """Records every wait a processor asks for; returns at once, and reports "stopped" after ``limit``."""

    def __init__(self, limit: int) -> None:
        self.delays: list[float] = []
        self.limit = limit

    async def __call__(self, stop: asyncio.Event, seconds: float) -> bool:
        self.delays.append(seconds)
        await asyncio.sleep(0)
        return len(self.delays) > self.limit


def sampler(
    store: MemoryStore, receiver: Receiver, client: HttpClient, **options: object
) -> SamplingProcessor:
    target = EndpointTarget(endpoint_to(receiver.url, client), TWO_XX, frozenset())
    return SamplingProcessor("Sampler", store, target, **options)  # type: ignore[arg-type]


async def test_sampling_takes_one_message_per_interval(
    receiver: Receiver, client: HttpClient, orders: MemoryStore
) -> None:
    for number in range(1, 4):
        await orders.put(message(number))
    wait = RecordingWait(limit=2)
    processor = sampler(orders, receiver, client, schedule=IntervalSchedule(0.5), wait=wait)
    await processor.run(asyncio.Event())
    assert receiver.bodies == [{"n": 1}, {"n": 2}]
    assert wait.delays == [0.0, 0.5, 0.5]
    assert [m.id for m in await orders.browse()] == ["m003"]
    assert processor.state().status == "inactive"


async def test_sampling_acks_before_delivering_so_a_failed_message_is_lost(
    receiver: Receiver, client: HttpClient, orders: MemoryStore, supervise: Supervise
) -> None:
    receiver.rule = lambda r: 500 if r.json == {"n": 1} else 200
    await orders.put(message(1))
    await orders.put(message(2))
    supervisor = supervise(sampler(orders, receiver, client, schedule=IntervalSchedule(0.01)))
    assert await receiver.wait_for(1) == [{"n": 2}]
    await eventually(lambda: supervisor.state("processor", "Sampler").delivered == 1)
    state = supervisor.state("processor", "Sampler")
    assert (state.kind, state.delivered, state.failed_attempts) == ("sampling", 1, 1)
    assert "500" in (state.last_error or "")
    assert await orders.size() == 0


def test_an_interval_schedule_looks_at_once_then_every_interval() -> None:
    schedule = IntervalSchedule(2.5)
    assert (schedule.first_delay(), schedule.next_delay()) == (0.0, 2.5)


def test_a_cron_schedule_waits_for_the_next_tick_in_local_time() -> None:
    now = datetime(2025, 4, 2, 10, 2, 30).timestamp()
    schedule = CronSchedule("*/5 * * * *", clock=lambda: now)
    assert schedule.first_delay() == 150.0
    assert CronSchedule("0 12 * * *", clock=lambda: now).next_delay() == (1 * 3600 + 57 * 60 + 30)


async def test_a_cron_forwarder_drains_the_store_at_each_tick(
    receiver: Receiver, client: HttpClient, orders: MemoryStore
) -> None:
    for number in range(1, 4):
        await orders.put(message(number))
    now = datetime(2025, 4, 2, 10, 4, 0).timestamp()
    wait = RecordingWait(limit=1)
    target = EndpointTarget(endpoint_to(receiver.url, client), TWO_XX, frozenset())
    processor = ForwardingProcessor(
        "Forwarder", orders, target, schedule=CronSchedule("*/5 * * * *", clock=lambda: now), wait=wait
    )
    await processor.run(asyncio.Event())
    # One wait for the first tick, then every message at once, then a wait for the next tick.
    assert wait.delays == [60.0, 60.0]
    assert receiver.bodies == [{"n": 1}, {"n": 2}, {"n": 3}]


async def test_an_interval_forwarder_polls_an_empty_store_at_its_interval(
    receiver: Receiver, client: HttpClient, orders: MemoryStore
) -> None:
    wait = RecordingWait(limit=3)
    target = EndpointTarget(endpoint_to(receiver.url, client), TWO_XX, frozenset())
    processor = ForwardingProcessor("Forwarder", orders, target, schedule=IntervalSchedule(0.5), wait=wait)
    await processor.run(asyncio.Event())
    assert wait.delays == [0.0, 0.5, 0.5, 0.5]


async def test_stopping_interrupts_a_long_interval(
    receiver: Receiver, client: HttpClient, orders: MemoryStore
) -> None:
    target = EndpointTarget(endpoint_to(receiver.url, client), TWO_XX, frozenset())
    processor = ForwardingProcessor("Forwarder", orders, target, schedule=IntervalSchedule(3600))
    supervisor = Supervisor([processor], graceful_timeout=5.0)
    supervisor.start()
    await eventually(lambda: processor.state().status == "active")
    async with deadline(2):
        await supervisor.stop()
    assert processor.state().status == "inactive"
