from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from interlace.endpoints import HttpClient, HttpEndpoint, RetryPolicy
from interlace.errors import EndpointError, EndpointTimeoutError
from interlace.message import MessageContext
from interlace.model.base import validate_definition
from interlace.model.endpoint import EndpointDefinition
from interlace.model.yamlsource import load_yaml

from .conftest import StartBackend
from .fakes import ManualClock, RecordingSleep, Text


def retrying(sleep: RecordingSleep, attempts: int = 3, **overrides: object) -> RetryPolicy:
    settings: dict[str, object] = {
        "max_attempts": attempts,
        "backoff": 0.2,
        "max_backoff": 5.0,
        "on_status": frozenset({502, 503, 504}),
        "sleep": sleep,
    }
    settings.update(overrides)
    return RetryPolicy(**settings)  # type: ignore[arg-type]


async def test_retries_a_503_then_returns_the_success(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep
) -> None:
    backend, base = await start_backend(503, 503)
    endpoint = HttpEndpoint("A", url=Text(base), retry=retrying(sleep), client=client)

    response = await endpoint.send(MessageContext(method="GET"))

    assert response.status == 200
    assert response.payload.json()["attempt"] == 3
    assert len(backend.seen) == 3
    assert sleep.delays == [0.2, 0.4]


async def test_a_status_not_listed_is_returned_without_retry(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep
) -> None:
    backend, base = await start_backend(400)
    endpoint = HttpEndpoint("A", url=Text(base), retry=retrying(sleep), client=client)

    response = await endpoint.send(MessageContext(method="GET"))

    assert response.status == 400
    assert len(backend.seen) == 1 and sleep.delays == []


async def test_gives_up_after_max_attempts_with_the_last_status(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep
) -> None:
    backend, base = await start_backend(503, 503, 502)
    endpoint = HttpEndpoint("A", url=Text(f"{base}/x"), retry=retrying(sleep), client=client)

    with pytest.raises(EndpointError) as caught:
        await endpoint.send(MessageContext(method="GET"))

    assert str(caught.value) == f"endpoint A: GET {base}/x answered 502 Bad Gateway (after 3 attempts)"
    assert caught.value.detail["status"] == 502 and caught.value.detail["attempts"] == 3
    assert len(backend.seen) == 3


async def test_backoff_doubles_up_to_its_cap(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep
) -> None:
    _, base = await start_backend(*[503] * 6)
    policy = retrying(sleep, attempts=6, backoff=1.0, max_backoff=5.0)
    endpoint = HttpEndpoint("A", url=Text(base), retry=policy, client=client)

    with pytest.raises(EndpointError):
        await endpoint.send(MessageContext(method="GET"))

    assert sleep.delays == [1.0, 2.0, 4.0, 5.0, 5.0]


async def test_a_post_is_not_repeated_after_a_failing_answer(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep
) -> None:
    backend, base = await start_backend(503, 503)
    endpoint = HttpEndpoint("A", url=Text(base), retry=retrying(sleep), client=client)

    with pytest.raises(EndpointError, match=r"answered 503 Service Unavailable$"):
        await endpoint.send(MessageContext(method="POST"))

    assert len(backend.seen) == 1


async def test_a_post_is_repeated_when_non_idempotent_retries_are_allowed(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep
) -> None:
    backend, base = await start_backend(503)
    policy = retrying(sleep, retry_non_idempotent=True)
    endpoint = HttpEndpoint("A", url=Text(base), retry=policy, client=client)

    assert (await endpoint.send(MessageContext(method="POST"))).status == 200
    assert len(backend.seen) == 2


async def test_a_refused_connection_is_retried_for_any_method(
    refused_url: str, client: HttpClient, sleep: RecordingSleep
) -> None:
    endpoint = HttpEndpoint("A", url=Text(refused_url), retry=retrying(sleep), client=client)

    with pytest.raises(EndpointError, match=r"failed: connection refused \(after 3 attempts\)$"):
        await endpoint.send(MessageContext(method="POST"))

    assert sleep.delays == [0.2, 0.4]


def test_retry_policy_from_definition_defaults_to_a_single_attempt() -> None:
    single = RetryPolicy.from_definition(None)
    assert single.max_attempts == 1 and single.on_status == frozenset()


async def test_endpoint_built_from_a_definition_follows_its_policies(
    start_backend: StartBackend, client: HttpClient, sleep: RecordingSleep, clock: ManualClock
) -> None:
    backend, base = await start_backend(503, 503, 503)
    text = (
        "endpoint: Reserve\n"
        "http:\n"
        "  url: BASE/reserve\n"
        "  method: put\n"
        "  headers: {X-Source: interlace}\n"
        "  retry: {max-attempts: 3, backoff: 1s, on-status: [503]}\n"
        "  suspend: {after-failures: 1, initial-duration: 1m}\n"
    )
    definition = validate_definition(
        EndpointDefinition, load_yaml(text, "endpoints/r.yaml"), "endpoints/r.yaml"
    )
    assert definition.http is not None
    endpoint = HttpEndpoint.from_definition(
        definition,
        url=Text(definition.http.url.replace("BASE", base)),
        headers={name: Text(value) for name, value in definition.http.headers.items()},
        client=client,
        clock=clock,
        sleep=sleep,
    )

    with pytest.raises(
        EndpointError, match=r"PUT .*/reserve answered 503 Service Unavailable \(after 3 attempts\)"
    ):
        await endpoint.send(MessageContext())

    assert [seen.method for seen in backend.seen] == ["PUT"] * 3
    assert backend.seen[0].headers["X-Source"] == "interlace"
    assert sleep.delays == [1.0, 2.0]
    assert (endpoint.state().state, endpoint.state().resumes_in, endpoint.state().url) == (
        "suspended",
        60.0,
        "BASE/reserve",
    )


def test_from_definition_refuses_a_group() -> None:
    definition = EndpointDefinition.model_validate({"endpoint": "G", "failover": {"members": ["A"]}})
    with pytest.raises(ValueError, match="'G' is a failover endpoint, not http"):
        HttpEndpoint.from_definition(definition, url=Text("http://x"), headers={}, client=HttpClient())


class Stalled:
    """A back-end that never answers, counting the requests it got."""

    def __init__(self) -> None:
        self.requests = 0
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        await self.release.wait()
        return web.Response()


def deadline_endpoint(url: str, client: HttpClient, retry: str) -> HttpEndpoint:
    text = f"endpoint: Slow\nhttp:\n  url: {url}\n  timeout: 300ms\n  retry: {retry}\n"
    definition = validate_definition(
        EndpointDefinition, load_yaml(text, "endpoints/s.yaml"), "endpoints/s.yaml"
    )
    assert definition.http is not None
    return HttpEndpoint.from_definition(definition, url=Text(url), headers={}, client=client)


async def test_a_timed_out_attempt_is_not_repeated_past_the_calls_deadline(
    aiohttp_server: AiohttpServer, client: HttpClient
) -> None:
    stalled = Stalled()
    app = web.Application()
    app.router.add_get("/slow", stalled.handle)
    url = str((await aiohttp_server(app)).make_url("/slow"))
    by_default = deadline_endpoint(url, client, "{max-attempts: 3, backoff: 100ms}")
    longer = deadline_endpoint(url, client, "{max-attempts: 5, backoff: 100ms, deadline: 1s}")

    try:
        with pytest.raises(EndpointTimeoutError) as once:
            await by_default.send(MessageContext(method="GET"))
        assert stalled.requests == 1  # the deadline is the timeout: no second wait of 300ms
        with pytest.raises(EndpointTimeoutError) as twice:
            await longer.send(MessageContext(method="GET"))
    finally:
        stalled.release.set()

    assert "(1 attempt; no time left for another in the call's 300ms deadline)" in str(once.value)
    # 300ms + 100ms + 300ms + 200ms, then a third attempt with the 100ms left: 3 of the 5 allowed
    # (2 on a machine slow enough to have used up the deadline sooner).
    assert 1 + 2 <= stalled.requests <= 1 + 3
    assert "deadline" in str(twice.value)
