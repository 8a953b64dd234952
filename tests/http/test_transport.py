"""The HTTP transport: dispatching to resources of several APIs, payload kinds, default answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from tests.support import write_project

PROJECT = {
    "interlace.toml": '[project]\nname = "transport"\n\n[configs]\nbackend = "http://127.0.0.1:1"\n',
    "apis/echo.yaml": """\
api: EchoAPI
context: /echo
resources:
  - methods: [POST, PUT]
    uri-template: /body
    flow:
      - respond: {}
  - methods: [GET]
    uri-template: /items/{id}?verbose={verbose}
    flow:
      - respond: {json: {id: "${params.pathParams.id}", verbose: "${params.pathParams.verbose}"}}
  - methods: [GET]
    uri-template: /items/{id}
    flow:
      - respond: {json: {id: "${params.pathParams.id}", q: "${params.queryParams.q}"}}
  - methods: [GET]
    uri-template: /files/*
    flow:
      - respond: {text: "tail=${params.pathParams['*']}"}
  - methods: [GET]
    uri-template: /implicit
    flow:
      - payload: {json: {answered: implicitly}}
      - property: {name: status, value: 201, scope: transport}
  - methods: [GET]
    uri-template: /dropped
    flow:
      - drop
  - methods: [GET]
    uri-template: /failing
    flow:
      - throw-error: {message: "out of stock", code: OUT_OF_STOCK, status: 409}
""",
    "apis/versioned.yaml": """\
api: VersionedAPI
context: /shop
version: v2
resources:
  - uri-template: /
    flow:
      - respond: {json: {version: 2}}
""",
    "apis/proxy.yaml": """\
api: ProxyAPI
context: /proxy
resources:
  - methods: [POST]
    uri-template: /
    flow:
      - call: Upstream
      - respond: {}
""",
    "endpoints/upstream.yaml": """\
endpoint: Upstream
http:
  url: "${env.UPSTREAM}/upstream"
  timeout: 5s
""",
}


@pytest.fixture
async def upstream(aiohttp_server: Callable[..., object]) -> AsyncIterator[str]:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(
            status=207,
            body=body[::-1],
            content_type="application/octet-stream",
            headers={"X-Seen-Correlation": request.headers.get("X-Correlation-ID", "")},
        )

    app = web.Application()
    app.router.add_post("/upstream", handle)
    server = await aiohttp_server(app)  # type: ignore[operator]
    yield str(server.make_url("")).rstrip("/")


@pytest.fixture
async def client(tmp_path: Path, upstream: str) -> AsyncIterator[aiohttp.ClientSession]:
    runtime = Runtime(write_project(tmp_path, PROJECT), env={"UPSTREAM": upstream})
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1024) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session,
    ):
        yield session


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"a": [1, 2]}'),
        ("application/xml", b"<a><b>1</b></a>"),
        ("text/plain; charset=utf-8", "h\u00e9llo".encode()),
        ("application/octet-stream", bytes(range(256))),
    ],
)
async def test_a_payload_goes_back_byte_for_byte_with_its_content_type(
    client: aiohttp.ClientSession, content_type: str, body: bytes
) -> None:
    async with client.post("/echo/body", data=body, headers={"Content-Type": content_type}) as r:
        assert r.status == 200
        assert await r.read() == body
        assert r.headers["Content-Type"] == content_type


async def test_path_and_query_parameters_reach_the_flow(client: aiohttp.ClientSession) -> None:
    async with client.get("/echo/items/a%20b?q=x&q=y") as r:
        assert await r.json() == {"id": "a b", "q": "x"}
    async with client.get("/echo/items/7?verbose=yes") as r:
        assert await r.json() == {"id": "7", "verbose": "yes"}


async def test_a_wildcard_tail_is_a_path_parameter(client: aiohttp.ClientSession) -> None:
    async with client.get("/echo/files/docs/readme.md") as r:
        assert await r.text() == "tail=docs/readme.md"


async def test_a_versioned_api_is_served_under_its_version(client: aiohttp.ClientSession) -> None:
    async with client.get("/shop/v2") as r:
        assert await r.json() == {"version": 2}
    async with client.get("/shop") as r:
        assert r.status == 404


async def test_a_flow_without_respond_answers_its_current_message(client: aiohttp.ClientSession) -> None:
    async with client.get("/echo/implicit") as r:
        assert r.status == 201
        assert await r.json() == {"answered": "implicitly"}


async def test_a_dropped_message_answers_202_without_body(client: aiohttp.ClientSession) -> None:
    async with client.get("/echo/dropped") as r:
        assert r.status == 202
        assert await r.read() == b""


async def test_an_error_without_on_error_answers_the_default_json_error(
    client: aiohttp.ClientSession,
) -> None:
    async with client.get("/echo/failing", headers={"X-Correlation-ID": "c-1"}) as r:
        assert r.status == 409
        assert await r.json() == {
            "error": {"code": "OUT_OF_STOCK", "message": "out of stock", "correlationId": "c-1"}
        }


async def test_unknown_paths_and_methods_answer_json_404_and_405(client: aiohttp.ClientSession) -> None:
    async with client.get("/nowhere") as r:
        assert r.status == 404
        assert (await r.json())["error"]["code"] == "NOT_FOUND"
    async with client.delete("/echo/body") as r:
        assert r.status == 405
        assert r.headers["Allow"] == "POST, PUT"
        assert (await r.json())["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_body_over_the_limit_answers_413(client: aiohttp.ClientSession) -> None:
    async with client.post("/echo/body", data=b"x" * 1025) as r:
        assert r.status == 413


async def test_a_call_passes_the_answer_and_its_status_through(client: aiohttp.ClientSession) -> None:
    headers = {"Content-Type": "application/octet-stream", "X-Correlation-ID": "trace-9"}
    async with client.post("/proxy", data=b"abc", headers=headers) as r:
        assert r.status == 207
        assert await r.read() == b"cba"
        assert r.headers["X-Correlation-ID"] == "trace-9"


async def test_one_connection_serves_several_requests(client: aiohttp.ClientSession) -> None:
    assert client._base_url is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client._base_url.port)
    try:
        for _ in range(3):
            writer.write(b"GET /shop/v2 HTTP/1.1\r\nHost: test\r\n\r\n")
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            length = int(
                next(
                    line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
                ).split(b":")[1]
            )
            assert await reader.readexactly(length) == b'{"version":2}'
    finally:
        writer.close()
