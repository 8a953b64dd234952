"""Every error answer has one shape, {"error": {code, message, correlationId[, details]}}, and each way a
flow ends maps to its HTTP answer (over a real socket)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from interlace.http.server import HttpServer
from interlace.runtime import Runtime

API = """\
api: ShopAPI
context: /shop
resources:
  - methods: [GET]
    uri-template: /closed
    flow:
      - throw-error: {message: "order 7 is closed", code: ORDER_CLOSED, status: 409, detail: {id: 7}}
  - methods: [GET]
    uri-template: /handled-with-reply
    flow:
      - throw-error: {message: broken, code: BROKEN, status: 500}
    on-error:
      - respond: {status: 503, json: {sorry: "${error.code}"}}
  - methods: [GET]
    uri-template: /handled-without-reply
    flow:
      - throw-error: {message: "no stock", code: NO_STOCK, status: 409, detail: [a, b]}
    on-error:
      - log: {message: "handled ${error.code}"}
  - methods: [POST]
    uri-template: /only-post
    flow:
      - respond: {}
"""


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    (tmp_path / "apis").mkdir()
    (tmp_path / "interlace.toml").write_text('[project]\nname = "errors"\n')
    (tmp_path / "apis" / "shop.yaml").write_text(API)
    async with (
        Runtime(tmp_path, env={}) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, 64) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session,
    ):
        yield session


async def answer_of(
    client: aiohttp.ClientSession, method: str, path: str, data: bytes | None = None
) -> tuple[int, object, str]:
    async with client.request(method, path, data=data, headers={"X-Correlation-ID": "c-42"}) as r:
        assert r.headers["X-Correlation-ID"] == "c-42"
        return r.status, await r.json(), r.content_type


async def test_an_unhandled_error_answers_its_status_code_message_and_details(
    client: aiohttp.ClientSession,
) -> None:
    status, body, content_type = await answer_of(client, "GET", "/shop/closed")
    assert (status, content_type) == (409, "application/json")
    assert body == {
        "error": {
            "code": "ORDER_CLOSED",
            "message": "order 7 is closed",
            "correlationId": "c-42",
            "details": {"id": 7},
        }
    }


async def test_an_on_error_flow_that_responds_gives_its_reply(client: aiohttp.ClientSession) -> None:
    status, body, _ = await answer_of(client, "GET", "/shop/handled-with-reply")
    assert (status, body) == (503, {"sorry": "BROKEN"})


async def test_an_on_error_flow_without_reply_gives_the_error_answer(client: aiohttp.ClientSession) -> None:
    status, body, _ = await answer_of(client, "GET", "/shop/handled-without-reply")
    assert status == 409
    assert body == {
        "error": {"code": "NO_STOCK", "message": "no stock", "correlationId": "c-42", "details": ["a", "b"]}
    }


async def test_routing_answers_404_405_and_413_in_the_same_shape(client: aiohttp.ClientSession) -> None:
    status, body, _ = await answer_of(client, "GET", "/nowhere")
    assert status == 404
    assert body == {
        "error": {"code": "NOT_FOUND", "message": "no resource matches GET /nowhere", "correlationId": "c-42"}
    }
    status, body, _ = await answer_of(client, "GET", "/shop/only-post")
    assert status == 405
    assert body == {
        "error": {
            "code": "METHOD_NOT_ALLOWED",
            "message": "GET is not allowed on /shop/only-post; allowed: POST",
            "correlationId": "c-42",
        }
    }
    status, body, _ = await answer_of(client, "POST", "/shop/only-post", data=b"x" * 65)
    assert status == 413
    assert body == {
        "error": {
            "code": "PAYLOAD_TOO_LARGE",
            "message": "the request body must be at most 64 bytes (got 65 bytes)",
            "correlationId": "c-42",
        }
    }
