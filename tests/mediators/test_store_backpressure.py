"""A full message store over HTTP: the client gets 503 with Retry-After (or waits for room), and what
it was answered 200 for is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from interlace.runtime import Runtime
from tests.http.serving import serve_files

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
    uri-template: /patient
    flow:
      - store: Patient
      - respond: {json: {stored: true}}
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


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Runtime, aiohttp.ClientSession]]:
    async with serve_files(tmp_path, PROJECT) as running:
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
    async with client.post("/orders/handled", json={"n": 3}) as answer:
        assert answer.status == 200
        assert "Retry-After" not in answer.headers


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

    assert await asyncio.wait_for(waiting, 15) == 200
    assert [m.payload for m in await store.browse()] == [b'{"n": 1}']
