"""A real ISO 8583 peer on loopback for the tests: an asyncio TCP server that reads 2-byte length frames,
unpacks each request with the 1987 ASCII definitions and answers it as the test says (a 0210 response
by default), written here without the connector's own framing or client."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import iso8583
from iso8583.specs import default_ascii

Request = dict[str, str]
Answer = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


def response_to(request: Request, **fields: str) -> bytes:
    """The 0210 response to ``request``: its STAN and terminal echoed, approved unless ``fields`` say."""
    document = {"t": "0210", "11": request["11"], "39": "00"}
    if "41" in request:
        document["41"] = request["41"]
    document.update(fields)
    data, _ = iso8583.encode(document, default_ascii)
    return bytes(data)


def framed(message: bytes) -> bytes:
    return struct.pack(">H", len(message)) + message


async def approve(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(framed(response_to(request)))
    await writer.drain()


@dataclass
class Peer:
    """The server's address and the requests it has read (unpacked), in order."""

    host: str
    port: int
    requests: list[Request] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


@asynccontextmanager
async def serving_peer(answer: Answer = approve, *, ascii_header: bool = False) -> AsyncIterator[Peer]:
    """A peer on a free loopback port that calls ``answer`` for each request it reads; requests come
    after a 2-byte binary length, or 4 ASCII digits with ``ascii_header``."""
    peer = Peer("127.0.0.1", 0)
    handlers: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                try:
                    header = await reader.readexactly(4 if ascii_header else 2)
                    (length,) = (int(header),) if ascii_header else struct.unpack(">H", header)
                    message = await reader.readexactly(length)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request, _ = iso8583.decode(message, default_ascii)
                peer.requests.append(request)
                peer.arrived.set()
                await answer(request, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    peer.port = server.sockets[0].getsockname()[1]
    try:
        yield peer
    finally:
        server.close()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
