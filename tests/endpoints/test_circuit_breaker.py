from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from interlace.endpoints import CircuitBreaker, HttpClient, HttpEndpoint, SuspendPolicy
from interlace.errors import EndpointError, EndpointSuspendedError
from interlace.message import MessageContext
from tests.support import within

from .conftest import StartBackend
from .fakes import ManualClock, Text

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

POLICY = SuspendPolicy(after_failures=2, initial_duration=10.0, factor=3.0, max_duration=60.0)


def test_breaker_opens_after_consecutive_failures_only(clock: ManualClock) -> None:
    breaker = CircuitBreaker(POLICY, clock)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert (breaker.state, breaker.admit()) == ("active", True)

    breaker.record_failure()

    assert breaker.state == "suspended"
    assert not breaker.admit()
    assert breaker.resumes_in() == 10.0


def test_breaker_admits_one_trial_when_the_suspension_ends(clock: ManualClock) -> None:
    breaker = CircuitBreaker(POLICY, clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.advance(10.0)

    assert breaker.state == "half-open"
    assert breaker.admit()
    assert not breaker.admit()  # the trial is under way
    breaker.record_success()
    assert (breaker.state, breaker.consecutive_failures, breaker.resumes_in()) == ("active", 0, None)


def test_failed_trial_suspends_longer_up_to_the_cap(clock: ManualClock) -> None:
    breaker = CircuitBreaker(POLICY, clock)
    breaker.record_failure()
    breaker.record_failure()
    durations = []
    for _ in range(3):
        clock.advance(breaker.resumes_in() or 0.0)
        assert breaker.admit()
        breaker.record_failure()
        durations.append(breaker.resumes_in())

    assert durations == [30.0, 60.0, 60.0]


def test_released_trial_lets_the_next_caller_try(clock: ManualClock) -> None:
    breaker = CircuitBreaker(POLICY, clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.advance(10.0)
    assert breaker.admit()

    breaker.release()

    assert breaker.state == "half-open" and breaker.admit()


async def test_endpoint_suspends_rejects_fast_then_recovers_after_a_trial(
    start_backend: StartBackend, client: HttpClient, clock: ManualClock
) -> None:
    backend, base = await start_backend(503, 503, 503)
    endpoint = HttpEndpoint("Flaky", url=Text(base), suspend=POLICY, clock=clock, client=client)

    for _ in range(2):
        with pytest.raises(EndpointError, match="answered 503"):
            await endpoint.send(MessageContext(method="GET"))
    with pytest.raises(EndpointSuspendedError) as caught:
        await endpoint.send(MessageContext(method="GET"))

    assert len(backend.seen) == 2  # the suspended call never reached the backend
    assert str(caught.value) == (
        "endpoint Flaky is suspended after 2 consecutive failures; it takes calls again in 10s"
    )
    assert caught.value.detail["resumes_in"] == 10.0
    assert endpoint.state().state == "suspended"

    clock.advance(10.0)
    assert endpoint.state().state == "half-open"
    with pytest.raises(EndpointError, match="answered 503"):  # failed trial: suspended 3x longer
        await endpoint.send(MessageContext(method="GET"))
    assert endpoint.state().resumes_in == 30.0

    clock.advance(30.0)
    response = await endpoint.send(MessageContext(method="GET"))  # successful trial

    assert response.status == 200
    state = endpoint.state()
    assert (state.state, state.consecutive_failures, state.resumes_in) == ("active", 0, None)
    assert len(backend.seen) == 4


async def test_statuses_outside_on_status_do_not_count(
    start_backend: StartBackend, client: HttpClient, clock: ManualClock
) -> None:
    _, base = await start_backend(500, 500, 500)
    endpoint = HttpEndpoint("A", url=Text(base), suspend=POLICY, clock=clock, client=client)

    statuses = [(await endpoint.send(MessageContext())).status for _ in range(3)]

    assert statuses == [500, 500, 500]
    assert endpoint.state().state == "active"


async def due_for_trial(
    aiohttp_server: AiohttpServer, handler: Handler, client: HttpClient, clock: ManualClock
) -> HttpEndpoint:
    """An endpoint to a server answering GET / with ``handler``, suspended by two failures, now due for its
    trial call."""
    app = web.Application()
    app.router.add_get("/", handler)
    server = await aiohttp_server(app)
    endpoint = HttpEndpoint(
        "A", url=Text(str(server.make_url("/"))), suspend=POLICY, clock=clock, client=client
    )
    assert endpoint.breaker is not None
    endpoint.breaker.record_failure()
    endpoint.breaker.record_failure()
    clock.advance(10.0)
    return endpoint


async def test_only_one_trial_call_goes_out_while_half_open(
    aiohttp_server: AiohttpServer, client: HttpClient, clock: ManualClock
) -> None:
    entered = asyncio.Event()
    release = asyncio.Event()
    calls = 0

    async def slow_ok(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        entered.set()
        await release.wait()
        return web.Response(text="ok")

    endpoint = await due_for_trial(aiohttp_server, slow_ok, client, clock)

    trial = asyncio.create_task(endpoint.send(MessageContext(method="GET")))
    await within(entered.wait())
    with pytest.raises(EndpointSuspendedError, match="a trial call is under way"):
        await endpoint.send(MessageContext(method="GET"))
    release.set()

    assert (await trial).status == 200
    assert calls == 1 and endpoint.state().state == "active"


async def test_cancelled_trial_frees_the_slot(
    aiohttp_server: AiohttpServer, client: HttpClient, clock: ManualClock
) -> None:
    entered = asyncio.Event()
    release = asyncio.Event()

    async def stalled(request: web.Request) -> web.Response:
        entered.set()
        await release.wait()
        return web.Response()

    endpoint = await due_for_trial(aiohttp_server, stalled, client, clock)

    trial = asyncio.create_task(endpoint.send(MessageContext(method="GET")))
    await within(entered.wait())
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial
    release.set()

    assert endpoint.state().state == "half-open"
