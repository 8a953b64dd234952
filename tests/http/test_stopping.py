"""A stopping server: new connections are refused, and a request sent on a kept-alive connection as the
server stops is answered (with ``Connection: close``) rather than cut, since a proxy does not send a
POST again once it went out."""

from __future__ import annotations

import asyncio
from pathlib import Path

from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from tests.support import eventually, within, write_project

API = """
    api: Hello
    context: /hello
    resources:
      - methods: [POST]
        flow:
          - respond: {json: {hello: "${payload.name}"}}
    """


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines if line)
    }
    body = await reader.readexactly(int(headers["content-length"]))
    return status.encode(), headers, body


def _post(name: str) -> bytes:
    body = f'{{"name": "{name}"}}'.encode()
    head = f"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def test_a_request_on_a_kept_alive_connection_is_answered_while_the_server_stops(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path / "project", {"apis/hello.yaml": API})
    async with Runtime(root, env={}) as runtime:
        server = HttpServer(runtime, "127.0.0.1", 0, 1 << 20, graceful_timeout=5.0)
        await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(_post("first"))
        status, headers, _ = await within(_answer(reader))
        assert status.endswith(b"200 OK") and headers.get("connection", "").lower() != "close"

        stopping = asyncio.create_task(server.aclose())

        async def refused() -> bool:
            try:
                _, probe = await asyncio.open_connection("127.0.0.1", server.port)
            except OSError:
                return True
            probe.close()
            return False

        await eventually(refused, what="new connections refused")
        writer.write(_post("second"))
        status, headers, body = await within(_answer(reader))
        assert status.endswith(b"200 OK"), status
        assert headers.get("connection", "").lower() == "close"
        assert body == b'{"hello":"second"}'
        assert await within(reader.read()) == b""  # then the server closes the connection
        writer.close()
        await within(stopping)
