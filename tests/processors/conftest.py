"""Fixtures for processor tests: a real receiver, an HTTP client, and processors built over memory stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from interlace.endpoints import HttpClient, HttpEndpoint
from interlace.expressions import compile_template
from interlace.processors import EndpointTarget, ExhaustedPolicy, ForwardingProcessor
from interlace.services import Backoff, IntervalSchedule, Supervisor
from interlace.stores import MemoryStore

from .receiver import Receiver

FAST = Backoff(initial=0.01, factor=2.0, maximum=0.05)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    running = Receiver()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    async with HttpClient() as http_client:
        yield http_client


@pytest.fixture
async def orders() -> AsyncIterator[MemoryStore]:
    store = MemoryStore("orders")
    await store.open()
    yield store
    await store.aclose()


@pytest.fixture
async def dead_letters() -> AsyncIterator[MemoryStore]:
    store = MemoryStore("dead-letters")
    await store.open()
    yield store
    await store.aclose()


def endpoint_to(url: str, client: HttpClient, name: str = "ReceiverEP") -> HttpEndpoint:
    return HttpEndpoint(name, url=compile_template(url), client=client, method="POST", timeout=5.0)


MakeForwarder = Callable[..., ForwardingProcessor]


@pytest.fixture
def forwarder(receiver: Receiver, client: HttpClient, orders: MemoryStore) -> MakeForwarder:
    """``forwarder(**options)``: a forwarding processor from ``orders`` to the receiver, fast backoff."""

    def make(
        *,
        never_retry: frozenset[int] = frozenset(),
        exhausted: ExhaustedPolicy | None = None,
        **options: Any,
    ) -> ForwardingProcessor:
        target = EndpointTarget(endpoint_to(receiver.url, client), frozenset(range(200, 300)), never_retry)
        options.setdefault("schedule", IntervalSchedule(0.01))
        options.setdefault("backoff", FAST)
        return ForwardingProcessor("Forwarder", orders, target, exhausted=exhausted, **options)

    return make


@pytest.fixture
async def supervise() -> AsyncIterator[Callable[..., Supervisor]]:
    """``supervise(processor, graceful_timeout=...)``: a started supervisor, stopped after the test."""
    started: list[Supervisor] = []

    def start(*processors: Any, graceful_timeout: float = 5.0) -> Supervisor:
        supervisor = Supervisor(processors, graceful_timeout=graceful_timeout)
        supervisor.start()
        started.append(supervisor)
        return supervisor

    yield start
    await asyncio.gather(*(supervisor.stop() for supervisor in started))
