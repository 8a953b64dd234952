from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from interlace.endpoints import FailoverEndpoint, HttpClient, HttpEndpoint, LoadBalanceEndpoint, SuspendPolicy
from interlace.errors import EndpointError, EndpointSuspendedError
from interlace.message import MessageContext

from .conftest import StartBackend
from .fakes import ManualClock, Text

SUSPEND_AT_ONCE = SuspendPolicy(after_failures=1, initial_duration=30.0)


def member(name: str, url: str, client: HttpClient, clock: ManualClock) -> HttpEndpoint:
    return HttpEndpoint(
        name, url=Text(url), url_text=url, suspend=SUSPEND_AT_ONCE, clock=clock, client=client
    )


async def served_by(endpoint: LoadBalanceEndpoint | FailoverEndpoint) -> str:
    response = await endpoint.send(MessageContext(method="GET"))
    return str(response.payload.json()["served-by"])


async def test_load_balance_takes_members_in_turn(
    start_backend: StartBackend, client: HttpClient, clock: ManualClock
) -> None:
    urls = [(await start_backend(name=name))[1] for name in ("b1", "b2", "b3")]
    group = LoadBalanceEndpoint("Group", [member(f"EP{i}", url, client, clock) for i, url in enumerate(urls)])

    order = [await served_by(group) for _ in range(6)]

    assert order == ["b1", "b2", "b3", "b1", "b2", "b3"]


async def test_load_balance_spreads_concurrent_calls_evenly(
    start_backend: StartBackend, client: HttpClient, clock: ManualClock
) -> None:
    urls = [(await start_backend(name=name))[1] for name in ("b1", "b2")]
    group = LoadBalanceEndpoint("Group", [member(f"EP{i}", url, client, clock) for i, url in enumerate(urls)])

    counts = Counter(await asyncio.gather(*(served_by(group) for _ in range(10))))

    assert counts == {"b1": 5, "b2": 5}


async def test_load_balance_skips_a_suspended_member(
    start_backend: StartBackend, refused_url: str, client: HttpClient, clock: ManualClock
) -> None:
    _, url = await start_backend(name="healthy")
    down = member("Down", refused_url, client, clock)
    group = LoadBalanceEndpoint("Group", [down, member("Up", url, client, clock)])
    with pytest.raises(EndpointError, match="connection refused"):
        await group.send(MessageContext())  # the first turn is Down's: it fails and is suspended

    order = [await served_by(group) for _ in range(4)]

    assert order == ["healthy"] * 4
    state = group.state()
    assert (state.kind, state.state) == ("load-balance", "active")
    assert [(m.name, m.state) for m in state.members] == [("Down", "suspended"), ("Up", "active")]


async def test_load_balance_with_every_member_suspended_fails_at_once(
    refused_url: str, client: HttpClient, clock: ManualClock
) -> None:
    first, second = member("A", refused_url, client, clock), member("B", refused_url, client, clock)
    for endpoint in (first, second):
        with pytest.raises(EndpointError):
            await endpoint.send(MessageContext())
    clock.advance(12.5)
    group = LoadBalanceEndpoint("Group", [first, second])

    with pytest.raises(EndpointSuspendedError) as caught:
        await group.send(MessageContext())

    assert (
        str(caught.value)
        == "endpoint Group: all 2 members are suspended; one of them takes calls again in 17.5s"
    )
    assert group.state().state == "suspended"


async def test_failover_goes_to_the_second_when_the_first_is_down(
    start_backend: StartBackend, refused_url: str, client: HttpClient, clock: ManualClock
) -> None:
    backend, url = await start_backend(name="secondary")
    group = FailoverEndpoint(
        "HA", [member("Primary", refused_url, client, clock), member("Secondary", url, client, clock)]
    )

    assert await served_by(group) == "secondary"
    assert await served_by(group) == "secondary"  # Primary is suspended now: skipped without a call

    assert len(backend.seen) == 2
    assert [m.state for m in group.state().members] == ["suspended", "active"]


async def test_failover_stays_on_the_first_while_it_answers(
    start_backend: StartBackend, client: HttpClient, clock: ManualClock
) -> None:
    _, first = await start_backend(name="primary")
    _, second = await start_backend(name="secondary")
    group = FailoverEndpoint("HA", [member("P", first, client, clock), member("S", second, client, clock)])

    assert [await served_by(group) for _ in range(3)] == ["primary"] * 3


async def test_failover_lists_each_members_failure_when_all_fail(
    start_backend: StartBackend, refused_url: str, client: HttpClient, clock: ManualClock
) -> None:
    _, url = await start_backend(503)
    failing = HttpEndpoint(
        "Busy", url=Text(url), suspend=SuspendPolicy(after_failures=5), clock=clock, client=client
    )
    group = FailoverEndpoint("HA", [member("Primary", refused_url, client, clock), failing])

    with pytest.raises(EndpointError) as caught:
        await group.send(MessageContext(method="GET"))

    assert type(caught.value) is EndpointError
    assert str(caught.value) == (
        f"endpoint HA: all 2 members failed (Primary: endpoint Primary: GET {refused_url} failed: connection "
        f"refused; Busy: endpoint Busy: GET {url} answered 503 Service Unavailable)"
    )
    assert set(caught.value.detail["failures"]) == {"Primary", "Busy"}


async def test_failover_with_every_member_suspended_is_suspended(
    refused_url: str, client: HttpClient, clock: ManualClock
) -> None:
    group = FailoverEndpoint(
        "HA", [member("A", refused_url, client, clock), member("B", refused_url, client, clock)]
    )
    with pytest.raises(EndpointError):
        await group.send(MessageContext())

    with pytest.raises(EndpointSuspendedError, match="endpoint HA: all 2 members are suspended"):
        await group.send(MessageContext())


async def test_groups_nest(
    start_backend: StartBackend, refused_url: str, client: HttpClient, clock: ManualClock
) -> None:
    _, url = await start_backend(name="deep")
    inner = FailoverEndpoint(
        "Inner", [member("Down", refused_url, client, clock), member("Up", url, client, clock)]
    )
    outer = LoadBalanceEndpoint("Outer", [inner])

    assert await served_by(outer) == "deep"
    assert outer.state().members[0].members[0].state == "suspended"


def test_groups_need_members() -> None:
    with pytest.raises(ValueError, match="needs at least one member"):
        LoadBalanceEndpoint("Empty", [])
    with pytest.raises(ValueError, match="needs at least one member"):
        FailoverEndpoint("Empty", [])
