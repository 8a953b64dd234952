"""Large bodies pass through unread: a request body goes on to the back-end as it arrives, and a
back-end's answer goes back to the client as it arrives, whatever the body-size limit; a flow that
reads the payload still gets it, within the limit."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import web

from interlace.http.server import HttpServer
from interlace.observability.tracing import MESSAGE_TRACER
from interlace.runtime import Runtime
from tests.support import deadline, serving_app, write_project

LIMIT = 64 * 1024
CHUNK = 64 * 1024
CHUNKS = 64  # 4 MiB: 64 times the limit

PROJECT = {
    "interlace.toml": '[project]\nname = "streaming"\n',
    "apis/pass.yaml": """\
api: PassAPI
context: /pass
resources:
  - methods: [POST]
    uri-template: /through
    flow:
      - log: {message: "passing ${headers['X-Tag']}"}
      - header: {name: X-Passed, value: "yes"}
      - call: Sink
      - respond: {}
  - methods: [POST]
    uri-template: /read
    flow:
      - variable: {name: size, value: "${length(payload)}"}
      - call: Sink
      - respond: {}
  - methods: [POST]
    uri-template: /logged
    flow:
      - log: {message: "got", full: true}
      - call: Sink
      - respond: {}
  - methods: [POST]
    uri-template: /stored
    flow:
      - store: Kept
      - respond: {json: {stored: true}}
  - methods: [POST]
    uri-template: /echo
    flow:
      - respond: {}
  - methods: [GET]
    uri-template: /download
    flow:
      - call: Source
      - respond: {}
  - methods: [GET]
    uri-template: /stalled
    flow:
      - call: Stalling
      - respond: {}
  - methods: [GET]
    uri-template: /download-implicitly
    flow:
      - call: Source
  - methods: [GET]
    uri-template: /download-read
    flow:
      - call: Source
      - respond: {status: 200, json: {size: "${length(payload)}"}}
""",
    "endpoints/sink.yaml": 'endpoint: Sink\nhttp:\n  url: "${env.BACKEND}/sink"\n  timeout: 30s\n',
    "endpoints/source.yaml": 'endpoint: Source\nhttp:\n  url: "${env.BACKEND}/source"\n  timeout: 30s\n',
    "endpoints/stalling.yaml": 'endpoint: Stalling\nhttp:\n  url: "${env.BACKEND}/stalled"\n  timeout: 1s\n',
    "stores/kept.yaml": "store: Kept\nmemory: {}\n",
}


@dataclass
class Backend:
    """A back-end that takes bodies as they arrive and answers what it got; ``/source`` answers a
    large body in chunks, the rest of it only once ``go_on`` is set."""

    url: str = ""
    first_chunk: asyncio.Event = field(default_factory=asyncio.Event)
    go_on: asyncio.Event = field(default_factory=asyncio.Event)
    chunked: list[bool] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024**3)
        app.router.add_post("/sink", self._sink)
        app.router.add_get("/source", self._source)
        app.router.add_get("/stalled", self._stalled)
        return app

    async def _sink(self, request: web.Request) -> web.Response:
        self.chunked.append(request.headers.get("Transfer-Encoding", "").lower() == "chunked")
        digest, size = hashlib.sha256(), 0
        async for chunk in request.content.iter_any():
            self.first_chunk.set()
            digest.update(chunk)
            size += len(chunk)
        body = {"size": size, "sha256": digest.hexdigest(), "passed": request.headers.get("X-Passed")}
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def _source(self, request: web.Request) -> web.StreamResponse:
        answer = web.StreamResponse(headers={"Content-Type": "text/plain"})
        answer.enable_chunked_encoding()
        await answer.prepare(request)
        await answer.write(_chunk(0))
        await self.go_on.wait()
        for index in range(1, CHUNKS):
            await answer.write(_chunk(index))
        await answer.write_eof()
        return answer

    async def _stalled(self, request: web.Request) -> web.StreamResponse:
        answer = web.StreamResponse(headers={"Content-Type": "text/plain"})
        answer.enable_chunked_encoding()
        await answer.prepare(request)
        await answer.write(_chunk(0))
        await self.stopping.wait()  # nothing more: the endpoint's timeout ends the exchange
        return answer


def _chunk(index: int) -> bytes:
    return bytes([65 + index % 26]) * CHUNK


def _whole() -> bytes:
    return b"".join(_chunk(index) for index in range(CHUNKS))


@pytest.fixture
async def backend() -> AsyncIterator[Backend]:
    peer = Backend()
    async with serving_app(peer.app()) as url:
        peer.url = url
        yield peer
        peer.stopping.set()


@pytest.fixture
async def client(tmp_path: Path, backend: Backend) -> AsyncIterator[aiohttp.ClientSession]:
    runtime = Runtime(write_project(tmp_path, PROJECT), env={"BACKEND": backend.url})
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, LIMIT) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session,
    ):
        yield session


async def _body_waiting_for(event: asyncio.Event) -> AsyncIterator[bytes]:
    """The whole body: its first chunk, then the rest only once ``event`` is set."""
    yield _chunk(0)
    await event.wait()
    for index in range(1, CHUNKS):
        yield _chunk(index)


async def test_a_body_far_above_the_limit_passes_through_unbuffered_and_byte_identical(
    client: aiohttp.ClientSession, backend: Backend
) -> None:
    # The client sends the rest only after the back-end got the first chunk: a server that held the
    # body before calling would wait for the rest forever.
    async with (
        deadline(30),
        client.post(
            "/pass/through",
            data=_body_waiting_for(backend.first_chunk),
            headers={"Content-Type": "application/octet-stream", "X-Tag": "big"},
        ) as r,
    ):
        answer = await r.json()
    assert r.status == 200
    whole = _whole()
    assert answer == {"size": len(whole), "sha256": hashlib.sha256(whole).hexdigest(), "passed": "yes"}
    assert backend.chunked == [True]


async def test_a_body_with_a_length_passes_through_with_that_length(
    client: aiohttp.ClientSession, backend: Backend
) -> None:
    whole = _whole()
    async with deadline(30), client.post("/pass/through", data=whole) as r:
        answer = await r.json()
    assert answer["size"] == len(whole)
    assert answer["sha256"] == hashlib.sha256(whole).hexdigest()
    assert backend.chunked == [False]


async def test_a_gzip_body_passes_through_decoded(client: aiohttp.ClientSession, backend: Backend) -> None:
    whole = _whole()
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/octet-stream"}
    async with deadline(30), client.post("/pass/through", data=gzip.compress(whole), headers=headers) as r:
        answer = await r.json()
    assert answer["sha256"] == hashlib.sha256(whole).hexdigest()


async def test_a_flow_that_reads_the_payload_gets_it_within_the_limit(
    client: aiohttp.ClientSession, backend: Backend
) -> None:
    body = b"x" * LIMIT
    headers = {"Content-Type": "text/plain"}
    async with client.post("/pass/read", data=_pieces(body, 1000), headers=headers) as r:  # chunked
        answer = await r.json()
    assert answer["sha256"] == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("path", ["/pass/read", "/pass/logged", "/pass/stored", "/pass/echo"])
@pytest.mark.parametrize("with_length", [True, False])
async def test_a_flow_that_reads_an_oversized_body_answers_413_in_the_error_shape(
    client: aiohttp.ClientSession, backend: Backend, path: str, with_length: bool
) -> None:
    # just above the limit, so that the client has sent it all when the answer comes
    body = b"x" * (LIMIT + 1)
    data = body if with_length else _pieces(body, 1000)
    headers = {"X-Correlation-ID": "c-413", "Content-Type": "text/plain"}
    async with client.post(path, data=data, headers=headers) as r:
        assert r.status == 413
        error = (await r.json())["error"]
    got = f" (got {len(body)} bytes)" if with_length else ""
    assert error == {
        "code": "PAYLOAD_TOO_LARGE",
        "message": f"the request body must be at most {LIMIT} bytes{got}",
        "correlationId": "c-413",
    }
    assert not backend.chunked  # nothing reached the back-end


async def _pieces(body: bytes, size: int) -> AsyncIterator[bytes]:
    for at in range(0, len(body), size):
        yield body[at : at + size]


async def test_the_back_ends_answer_streams_back_to_the_client(
    client: aiohttp.ClientSession, backend: Backend
) -> None:
    # The back-end sends the rest only after the client got the first chunk.
    for path in ("/pass/download", "/pass/download-implicitly"):
        backend.go_on.clear()
        received = bytearray()
        async with deadline(30), client.get(path) as r:
            assert r.status == 200
            assert r.headers["Content-Type"] == "text/plain"
            async for chunk in r.content.iter_any():
                received += chunk
                if len(received) >= CHUNK:
                    backend.go_on.set()
        assert bytes(received) == _whole()


async def test_a_flow_that_reads_the_answer_gets_it_whole(
    client: aiohttp.ClientSession, backend: Backend
) -> None:
    backend.go_on.set()
    async with deadline(30), client.get("/pass/download-read") as r:
        assert await r.json() == {"size": CHUNK * CHUNKS}


@pytest.fixture
def traced() -> Iterator[None]:
    MESSAGE_TRACER.reset()
    MESSAGE_TRACER.configure(buffer_size=10, max_payload_size=64, max_steps=50)
    MESSAGE_TRACER.switch("api", "PassAPI", True)
    yield
    MESSAGE_TRACER.reset()


async def test_a_traced_pass_through_shows_the_body_it_read_within_the_limit(
    client: aiohttp.ClientSession, backend: Backend, traced: None
) -> None:
    body = b"y" * 5000
    headers = {"Content-Type": "text/plain", "X-Correlation-ID": "c-traced"}
    async with client.post("/pass/through", data=_pieces(body, 1000), headers=headers) as r:
        assert (await r.json())["sha256"] == hashlib.sha256(body).hexdigest()
    [trace] = MESSAGE_TRACER.find(correlation_id="c-traced", kind="api")
    first = trace.steps[0]
    assert first.before.payload.size == len(body)
    assert first.before.payload.body == "y" * 64
    async with client.post("/pass/through", data=_pieces(b"z" * (LIMIT + 1), 1000), headers=headers) as r:
        assert r.status == 413  # a traced message shows its body: it is read, within the limit
    assert not backend.chunked[1:]


async def test_an_answer_cut_short_by_the_endpoint_timeout_reaches_the_client_cut_short(
    client: aiohttp.ClientSession,
) -> None:
    received = bytearray()
    async with deadline(30), client.get("/pass/stalled") as r:
        assert r.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            async for chunk in r.content.iter_any():
                received += chunk
    assert bytes(received) == _chunk(0)  # what came, and then no end of the body: never taken as whole
