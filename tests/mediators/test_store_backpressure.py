"""A full message store over HTTP: the client gets 503 with Retry-After (or waits for room), and what
it was answered 200 for is stored."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from interlace.runtime import Runtime
from tests.http.serving import serve_files
from tests.support import eventually, within

PROJECT = {
    "interlace.toml": '[project]\nname = "bounded"\n',
    "apis/orders.yaml": """\
api: OrdersAPI
context: /orders
resources:
  - methods: [POST]
    uri-template: /plain
    flow:
      - store: Orders
      - respond: {json: {stored: true}}
  - methods: [POST]
    uri-template: /handled
    flow:
      - store: Orders
      - respond: {json: {stored: true}}
    on-error:
      - respond: {status: "${error.status}", json: {error: "${error.message}"}}
  - methods: [POST]
    uri-template: /calling
    flow:
      - call: Audit
      - store: Orders
      - respond: {json: {stored: true}}
  - methods: [POST]
    uri-template: /logged
    flow:
      - store: Orders
      - respond: {json: {stored: true}}
    on-error:
      - log: {level: error, message: "OrdersAPI failed: ${error.code} ${error.message}"}
  - methods: [POST]
    uri-template: /patient
    flow:
      - store: Patient
      - respond: {json: {stored: true}}
""",
    "endpoints/audit.yaml": """\
endpoint: Audit
http: {url: "${env.UPSTREAM}/audit", method: POST}
""",
    "stores/orders.yaml": """\
store: Orders
sqlite: {path: data/orders.sqlite}
max-messages: 2
retry-after: 3s
""",
    "stores/patient.yaml": """\
store: Patient
memory: {}
max-messages: 1
when-full: wait
full-wait: 20s
""",
}


async def recording_backend(server: AiohttpServer, *paths: str) -> tuple[str, dict[str, list[bytes]]]:
    """A back-end answering POSTs to ``paths`` with JSON: its URL, and the bodies each path received."""
    calls: dict[str, list[bytes]] = {path: [] for path in paths}

    async def record(request: web.Request) -> web.Response:
        calls[request.path].append(await request.read())
        return web.json_response({"ok": True})

    app = web.Application()
    for path in paths:
        app.router.add_post(path, record)
    backend = await server(app)
    return str(backend.make_url("")).rstrip("/"), calls


@pytest.fixture
async def audit_calls(aiohttp_server: AiohttpServer) -> tuple[str, list[bytes]]:
    """The back-end the /calling resource calls before storing: its URL, and the bodies it received."""
    url, calls = await recording_backend(aiohttp_server, "/audit")
    return url, calls["/audit"]


@pytest.fixture
async def served(
    tmp_path: Path, audit_calls: tuple[str, list[bytes]]
) -> AsyncIterator[tuple[Runtime, aiohttp.ClientSession]]:
    async with serve_files(tmp_path, PROJECT, env={"UPSTREAM": audit_calls[0]}) as running:
        yield running


async def test_a_full_store_answers_503_with_retry_after_and_no_internal_detail(
    served: tuple[Runtime, aiohttp.ClientSession],
) -> None:
    runtime, client = served
    for number in range(2):
        async with client.post("/orders/plain", json={"n": number}) as answer:
            assert answer.status == 200

    async with client.post("/orders/plain", json={"n": 2}) as answer:
        assert answer.status == 503
        assert answer.headers["Retry-After"] == "3"
        error = (await answer.json())["error"]

    assert error["code"] == "STORE_FULL"
    assert error["message"] == "message store Orders is full: try again in 3s"
    assert await runtime.message_store("Orders").size() == 2


async def test_an_on_error_flow_answering_the_errors_status_keeps_retry_after(
    served: tuple[Runtime, aiohttp.ClientSession],
) -> None:
    runtime, client = served
    store = runtime.message_store("Orders")
    for number in range(2):
        async with client.post("/orders/handled", json={"n": number}) as answer:
            assert answer.status == 200

    async with client.post("/orders/handled", json={"n": 2}) as answer:
        assert (answer.status, answer.headers["Retry-After"]) == (503, "3")
        assert await answer.json() == {"error": "message store Orders is full: try again in 3s"}

    [first] = await store.fetch()
    await store.ack(first.id)
    await post_until_stored(client, "/orders/handled", {"n": 3})


async def post_until_stored(client: aiohttp.ClientSession, path: str, body: object) -> None:
    """POST until the answer is 200, not 503: the gate notices room within a fraction of a second."""

    async def stored() -> bool:
        async with client.post(path, json=body) as answer:
            if answer.status == 503:
                return False
            assert (answer.status, answer.headers.get("Retry-After")) == (200, None)
            return True

    await eventually(stored, every=0.05, what=f"POST {path} answered 200 once the store had room")


async def test_while_the_store_is_full_requests_are_refused_before_the_flow_calls_anything(
    served: tuple[Runtime, aiohttp.ClientSession], audit_calls: tuple[str, list[bytes]]
) -> None:
    runtime, client = served
    calls = audit_calls[1]
    store = runtime.message_store("Orders")
    for number in range(2):
        async with client.post("/orders/calling", json={"n": number}) as answer:
            assert answer.status == 200
    async with client.post("/orders/calling", json={"n": 2}) as answer:  # runs the flow, refused at the store
        assert answer.status == 503
    calls_before = len(calls)

    for number in range(5):
        async with client.post("/orders/calling", json={"n": 3 + number}) as answer:
            assert (answer.status, answer.headers["Retry-After"]) == (503, "3")

    assert len(calls) == calls_before == 3  # refused at the gate: the back-end was not called again
    [first] = await store.fetch()
    await store.ack(first.id)
    await post_until_stored(client, "/orders/calling", {"n": 9})


async def test_a_request_the_gate_refuses_is_answered_before_its_body_is_read(
    served: tuple[Runtime, aiohttp.ClientSession],
) -> None:
    _, client = served
    undecodable = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    async with client.post("/orders/patient", data=b"not gzip", headers=undecodable) as answer:
        assert answer.status == 400  # read, this body cannot be decoded
    for number in range(3):  # the third is refused at the store: the gate refuses from then on
        async with client.post("/orders/plain", json={"n": number}) as answer:
            assert answer.status == (200 if number < 2 else 503)

    async with client.post("/orders/plain", data=b"not gzip", headers=undecodable) as answer:
        assert (answer.status, answer.headers["Retry-After"]) == (503, "3")
        assert (await answer.json())["error"]["code"] == "STORE_FULL"  # refused, never read


async def test_a_full_store_refusing_many_requests_logs_a_bounded_number_of_lines(
    served: tuple[Runtime, aiohttp.ClientSession], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, client = served
    for number in range(3):  # the third is refused at the store: the gate refuses from then on
        async with client.post("/orders/logged", json={"n": number}) as answer:
            assert answer.status == (200 if number < 2 else 503)
    caplog.clear()

    with caplog.at_level(logging.INFO):
        for number in range(40):
            async with client.post("/orders/logged", json={"n": 3 + number}) as answer:
                assert (answer.status, answer.headers["Retry-After"]) == (503, "3")
                assert (await answer.json())["error"]["code"] == "STORE_FULL"

    lines = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert len(lines) <= 1, [record.getMessage() for record in lines]  # not a line (or two) each
    assert all("message store Orders refused" in record.getMessage() for record in lines)
    assert [m.payload for m in await runtime.message_store("Orders").browse()] == [b'{"n": 0}', b'{"n": 1}']


async def test_with_when_full_wait_the_request_is_answered_once_there_is_room(
    served: tuple[Runtime, aiohttp.ClientSession],
) -> None:
    runtime, client = served
    store = runtime.message_store("Patient")
    async with client.post("/orders/patient", json={"n": 0}) as answer:
        assert answer.status == 200

    async def second() -> int:
        async with client.post("/orders/patient", json={"n": 1}) as answer:
            return answer.status

    waiting = asyncio.create_task(second())
    [first] = await store.fetch()
    await store.ack(first.id)

    assert await within(waiting, 15) == 200
    assert [m.payload for m in await store.browse()] == [b'{"n": 1}']


HAMMERED = {
    "interlace.toml": '[project]\nname = "hammered"\n\n[server]\ngraceful-timeout = 2\n',
    "apis/orders.yaml": """\
api: OrdersAPI
context: /orders
resources:
  - methods: [POST]
    uri-template: /calling
    flow:
      - call: Audit
      - store: Orders
      - respond: {json: {stored: true}}
""",
    "endpoints/audit.yaml": PROJECT["endpoints/audit.yaml"],
    "endpoints/settle.yaml": """\
endpoint: Settle
http: {url: "${env.UPSTREAM}/settle", method: POST}
""",
    "stores/orders.yaml": """\
store: Orders
sqlite: {path: data/orders.sqlite}
max-messages: 3
""",
    "processors/settle.yaml": """\
processor: SettleOrders
forwarding: {store: Orders, endpoint: Settle, interval: 50ms}
""",
}
CLIENTS = 16


async def test_clients_resending_at_once_after_503_neither_starve_the_processor_nor_run_refused_flows(
    tmp_path: Path, aiohttp_server: AiohttpServer
) -> None:
    upstream, calls = await recording_backend(aiohttp_server, "/audit", "/settle")
    audited, settled = calls["/audit"], calls["/settle"]
    answers: Counter[int] = Counter()
    stop = asyncio.Event()

    async def hammer(client: aiohttp.ClientSession, number: int) -> None:
        while not stop.is_set():  # a 503 is sent again at once, Retry-After ignored
            async with client.post("/orders/calling", json={"client": number}) as answer:
                await answer.read()
                answers[answer.status] += 1

    async with serve_files(tmp_path, HAMMERED, env={"UPSTREAM": upstream}) as (_, client):
        clients = [asyncio.create_task(hammer(client, number)) for number in range(CLIENTS)]
        try:
            await eventually(lambda: answers[503] >= 50, what="the store full and refusing")
            settled_while_full, refused_before = len(settled), answers[503]
            await eventually(
                lambda: len(settled) >= settled_while_full + 30, within=30, what="the processor settling"
            )
            assert answers[503] > refused_before  # settled while the store was refusing, not after
        finally:
            stop.set()
            await asyncio.gather(*clients)
        # nothing stored is lost: every request answered 200 is settled
        await eventually(lambda: len(settled) >= answers[200], within=30, what="every stored order settled")

    assert answers.keys() <= {200, 503}
    # A flow runs (and calls the back-end) only when its message can be stored: what the gate let through
    # was stored, bar the flows under way when the store first filled up.
    assert len(audited) - answers[200] <= 2 * CLIENTS
