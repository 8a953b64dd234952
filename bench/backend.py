"""A minimal HTTP/1.1 echo back-end (raw asyncio protocol, uvloop when present): every request gets
200 with the request's body as ``application/json``. Kept as cheap as possible so that it takes little
of the CPU it shares with the load generator.

Run: ``python bench/backend.py --port 9700 --core 1``
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import cast

__all__ = ["serve_echo"]

_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"


def content_length(head: bytes) -> int | None:
    """The Content-Length of a header block (status or request line included), or None without one."""
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        return None
    start = at + len(b"\r\ncontent-length:")
    end = lower.find(b"\r\n", start)
    return int(lower[start : end if end >= 0 else len(lower)])


class _Echo(asyncio.Protocol):
    """One keep-alive connection; requests must carry Content-Length (clients here always send one)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.Transport, but have its interface.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = content_length(bytes(buffer[:end])) or 0
            total = end + 4 + length
            if len(buffer) < total:
                return
            body = bytes(buffer[end + 4 : total])
            del buffer[:total]
            assert self._transport is not None
            self._transport.write(_HEAD % len(body) + body)


async def serve_echo(host: str, port: int) -> None:
    """Serve the echo back-end at host:port until cancelled."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Echo, host, port, reuse_address=True, backlog=1024)
    async with server:
        await server.serve_forever()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9700)
    parser.add_argument("--core", type=int, default=None, help="pin this process to one CPU core")
    args = parser.parse_args()
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve_echo(args.host, args.port))
    else:
        uvloop.run(serve_echo(args.host, args.port))


if __name__ == "__main__":
    _main()
