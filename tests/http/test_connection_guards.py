"""Read timeouts and the connection limit of the HTTP port, over raw sockets: a client that dribbles
its headers or its body is cut off, an idle connection is closed, and connections beyond the limit are
answered 503. Timeouts are short here (see ``SHORT``); every wait has a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

import pytest

from interlace.model.load import load_project
from interlace.serving import ConnectionLimits
from tests.http.conftest import SHORT, Port, parse_answer, read_until_closed
from tests.support import deadline, eventually


async def _dribble(writer: asyncio.StreamWriter, piece: bytes, every: float) -> None:
    """Write ``piece`` every ``every`` seconds until the server closes the connection."""
    with contextlib.suppress(ConnectionError):
        while not writer.is_closing():
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(every)


async def test_a_client_dribbling_its_headers_is_answered_408_and_cut_off(port: Port) -> None:
    reader, writer = await port.connect()
    started = time.monotonic()
    writer.write(b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\n")
    dribbler = asyncio.create_task(_dribble(writer, b"X-Slow: 1\r\n", 0.05))
    try:
        answer = parse_answer(await read_until_closed(reader))
    finally:
        dribbler.cancel()
    assert time.monotonic() - started >= SHORT.header_timeout
    assert answer.status == 408
    assert answer.error()["code"] == "REQUEST_TIMEOUT"
    assert "Connection: close" in answer.head


async def test_a_client_dribbling_its_body_is_answered_408_and_cut_off(port: Port) -> None:
    reader, writer = await port.connect()
    writer.write(b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n")
    dribbler = asyncio.create_task(_dribble(writer, b"x" * 10, 0.05))
    try:
        answer = parse_answer(await read_until_closed(reader))
    finally:
        dribbler.cancel()
    assert answer.status == 408
    assert "body" in answer.error()["message"]


async def test_a_request_that_arrives_in_time_is_answered_and_the_connection_kept(port: Port) -> None:
    reader, writer = await port.connect()
    for _ in range(2):
        writer.write(b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        async with deadline(5):
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            assert await reader.readexactly(2) == b"hi"


async def test_an_idle_keep_alive_connection_is_closed_after_the_keepalive_timeout(port: Port) -> None:
    reader, writer = await port.connect()
    writer.write(b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\n\r\n")
    async with deadline(5):
        await reader.readuntil(b"\r\n\r\n")
    answered = time.monotonic()
    rest = await read_until_closed(reader)
    assert time.monotonic() - answered >= SHORT.keepalive_timeout * 0.9
    assert b"HTTP/1.1" not in rest


async def test_a_connection_that_never_sends_a_request_is_closed_after_the_keepalive_timeout(
    port: Port,
) -> None:
    reader, _ = await port.connect()
    assert await read_until_closed(reader) == b""


async def _open_connections(port: Port, count: int) -> None:
    """Wait until the server holds ``count`` connections."""
    server = port.server._server
    assert server is not None
    await eventually(lambda: server.open_connections >= count)


async def test_connections_beyond_the_limit_are_answered_503_and_closed(
    port: Port, caplog: pytest.LogCaptureFixture
) -> None:
    held = [await port.connect() for _ in range(SHORT.max_connections)]
    await _open_connections(port, SHORT.max_connections)
    for _ in range(4):
        reader, writer = await port.connect()
        writer.write(b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = parse_answer(await read_until_closed(reader))
        assert answer.status == 503
        assert answer.error()["code"] == "SERVER_BUSY"
        assert "Retry-After: 1" in answer.head
    # refusals are counted, and warned about once in a while rather than once each
    assert [r.levelno for r in caplog.records if "refused" in r.getMessage()] == [logging.WARNING]
    # the connections held are served as usual
    first_reader, first_writer = held[0]
    first_writer.write(b"GET /echo/items/7 HTTP/1.1\r\nHost: x\r\n\r\n")
    async with deadline(5):
        assert (await first_reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")


async def test_a_connection_is_accepted_again_once_one_under_the_limit_closed(port: Port) -> None:
    held = [await port.connect() for _ in range(SHORT.max_connections)]
    await _open_connections(port, SHORT.max_connections)
    held[0][1].close()
    server = port.server._server
    assert server is not None
    await eventually(lambda: server.open_connections < SHORT.max_connections)
    answer = await port.exchange(b"GET /echo/items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.status == 200


def test_the_limits_are_read_from_the_server_table_and_checked_at_their_line(tmp_path: Path) -> None:
    toml = (
        '[project]\nname = "x"\n\n[server]\nheader-timeout = "2s"\nbody-timeout = 30\n'
        'keepalive-timeout = "1m"\nmax-connections = 50\n'
    )
    (tmp_path / "interlace.toml").write_text(toml)
    project = load_project(tmp_path, env={})
    assert ConnectionLimits.of(project.server) == ConnectionLimits(2.0, 30.0, 60.0, 50)

    (tmp_path / "interlace.toml").write_text(toml.replace('"2s"', '"-2s"').replace("= 50", "= 0"))
    problems = [(str(p.location), p.message.split(":")[0]) for p in load_project(tmp_path, env={}).problems]
    assert problems == [
        ("interlace.toml:5", "server.header-timeout"),
        ("interlace.toml:8", "server.max-connections"),
    ]
