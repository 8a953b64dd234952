"""A processor delivering to a sequence reads the flow's result the one documented way: delivered when it
settles (an error its on-error flow handled included), retried when an error escapes it, given up at once
when that error's status is a never-retry status."""

from __future__ import annotations

import asyncio

from interlace.errors import MediationError, SourceLocation
from interlace.mediators import SequenceMediator
from interlace.message import MessageContext
from interlace.processors import ForwardingProcessor, SamplingProcessor
from interlace.processors.delivery import SequenceTarget
from interlace.services import IntervalSchedule
from interlace.stores import MemoryStore
from tests.support import eventually

from .receiver import message

HERE = SourceLocation("sequences/deliver.yaml", 1)


class Failing:
    """Fails with ``status`` the first ``times`` messages, then lets them through."""

    location = HERE

    def __init__(self, times: int, status: int = 500) -> None:
        self.times = times
        self.status = status
        self.seen = 0

    async def mediate(self, ctx: MessageContext) -> bool:
        self.seen += 1
        if self.seen <= self.times:
            raise MediationError(f"attempt {self.seen} failed", code="E_DOWN", status=self.status)
        return True


class Rethrow:
    """An on-error flow that asks for a retry by raising again."""

    location = HERE

    async def mediate(self, ctx: MessageContext) -> bool:
        raise MediationError("retry, please", status=503)


class Note:
    location = HERE

    async def mediate(self, ctx: MessageContext) -> bool:
        return True


def target(
    *mediators: object, on_error: object = None, never_retry: frozenset[int] = frozenset()
) -> SequenceTarget:
    sequence = SequenceMediator("Deliver", HERE, mediators, on_error)  # type: ignore[arg-type]
    return SequenceTarget("Deliver", sequence, never_retry)


async def test_a_finished_sequence_is_a_delivery() -> None:
    outcome = await target(Note()).deliver(message(1))
    assert (outcome.delivered, outcome.error) == (True, None)


async def test_an_error_the_on_error_flow_handled_is_a_delivery() -> None:
    outcome = await target(Failing(1), on_error=Note()).deliver(message(1))
    assert outcome.delivered


async def test_an_error_that_escapes_the_sequence_is_retried() -> None:
    outcome = await target(Failing(1)).deliver(message(1))
    assert (outcome.delivered, outcome.retry) == (False, True)
    assert outcome.error is not None and "attempt 1 failed" in outcome.error


async def test_an_error_raised_by_the_on_error_flow_is_retried() -> None:
    outcome = await target(Failing(1), on_error=Rethrow()).deliver(message(1))
    assert (outcome.delivered, outcome.retry) == (False, True)
    assert outcome.error is not None and "retry, please" in outcome.error


async def test_a_never_retry_status_gives_up_at_once() -> None:
    outcome = await target(Failing(1, status=422), never_retry=frozenset({422})).deliver(message(1))
    assert (outcome.delivered, outcome.retry) == (False, False)


async def test_forwarding_retries_a_rethrown_error_until_the_sequence_delivers(orders: MemoryStore) -> None:
    await orders.put(message(1))
    failing = Failing(2)
    processor = ForwardingProcessor(
        "Forwarder",
        orders,
        target(failing, on_error=Rethrow()),
        schedule=IntervalSchedule(0.01),
        max_attempts=5,
        wait=_no_wait,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(processor.run(stop))
    await eventually(lambda: processor.state().delivered == 1)
    stop.set()
    await running
    assert (failing.seen, processor.state().failed_attempts, await orders.size()) == (3, 2, 0)


async def _no_wait(stop: asyncio.Event, seconds: float) -> bool:
    await asyncio.sleep(0)
    return stop.is_set()


async def test_sampling_counts_a_handled_error_as_delivered_and_an_escaped_one_as_lost(
    orders: MemoryStore,
) -> None:
    await orders.put(message(1))
    await orders.put(message(2))
    failing = Failing(2)
    sampler = SamplingProcessor(
        "Sampler",
        orders,
        target(failing, on_error=_HandleFirstOnly()),
        schedule=IntervalSchedule(0.01),
        wait=_no_wait,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(sampler.run(stop))
    await eventually(lambda: sampler.state().delivered + sampler.state().failed_attempts == 2)
    stop.set()
    await running
    state = sampler.state()
    assert (state.delivered, state.failed_attempts, await orders.size()) == (1, 1, 0)


class _HandleFirstOnly:
    """Handles the first error; raises again on the second (the message is then lost: at most once)."""

    location = HERE

    def __init__(self) -> None:
        self.calls = 0

    async def mediate(self, ctx: MessageContext) -> bool:
        self.calls += 1
        if self.calls > 1:
            raise MediationError("not this time")
        return True
