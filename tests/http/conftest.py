"""A running HTTP port over raw sockets: clients that write bytes as they like (slowly, malformed, or
not at all) and read the answer until the server closes the connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from interlace.serving import ConnectionLimits
from tests.support import deadline

PROJECT = {
    "interlace.toml": '[project]\nname = "guards"\n',
    "apis/echo.yaml": """\
api: EchoAPI
context: /echo
resources:
  - methods: [POST]
    uri-template: /body
    flow:
      - respond: {}
  - methods: [POST]
    uri-template: /logged
    flow:
      - log: {message: "got ${payload}", full: true}
      - respond: {}
  - methods: [POST]
    uri-template: /stored
    flow:
      - payload: {json: {wrapped: "${payload}"}}
      - store: Kept
      - respond: {json: {stored: true}}
  - methods: [GET]
    uri-template: /items/{id}
    flow:
      - log: {message: "item ${params.pathParams.id} q=${params.queryParams.q} ua=${headers['User-Agent']}"}
      - respond: {json: {id: "${params.pathParams.id}"}}
""",
    "stores/kept.yaml": "store: Kept\nmemory: {}\n",
}

SHORT = ConnectionLimits(header_timeout=0.3, body_timeout=0.3, keepalive_timeout=0.6, max_connections=3)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a raw client read: the status, the head's lines and the body."""

    status: int
    head: list[str]
    body: bytes

    def error(self) -> dict[str, str]:
        """The body as the default error shape; fails when it is not that shape."""
        assert any(line.lower() == "content-type: application/json" for line in self.head), self.head
        error: dict[str, str] = orjson.loads(self.body)["error"]
        assert set(error) == {"code", "message", "correlationId"}, error
        return error


def parse_answer(raw: bytes) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return Answer(int(lines[0].split()[1]), lines[1:], body)


async def read_until_closed(reader: asyncio.StreamReader, within: float = 10.0) -> bytes:
    """Everything the server writes until it closes the connection (fails after ``within`` seconds)."""
    chunks: list[bytes] = []
    async with deadline(within):
        while chunk := await reader.read(65536):
            chunks.append(chunk)
    return b"".join(chunks)


async def exchange(port: int, data: bytes) -> Answer:
    """Write ``data`` on a new connection to ``port`` and read the answer until the server closes it."""
    return await exchange_on(await asyncio.open_connection("127.0.0.1", port), data)


async def exchange_on(streams: tuple[asyncio.StreamReader, asyncio.StreamWriter], data: bytes) -> Answer:
    """Write ``data`` on a connection and read the answer until the server closes it."""
    reader, writer = streams
    try:
        writer.write(data)
        await writer.drain()
        return parse_answer(await read_until_closed(reader))
    finally:
        writer.close()


Connect = Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@dataclass
class Port:
    server: HttpServer
    connect: Connect

    async def exchange(self, data: bytes) -> Answer:
        """Write ``data`` on a new connection and read the answer until the server closes it."""
        return await exchange_on(await self.connect(), data)


def write_project(root: Path) -> Path:
    for relative, text in PROJECT.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
async def port(tmp_path: Path) -> AsyncIterator[Port]:
    """The project's APIs on a loopback port with short timeouts and at most 3 connections."""
    async with (
        Runtime(write_project(tmp_path)) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1 << 20, limits=SHORT) as server,
    ):
        writers: list[asyncio.StreamWriter] = []

        async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writers.append(writer)
            return reader, writer

        yield Port(server, connect)
        for writer in writers:
            writer.close()
