"""The management port keeps the read timeouts of the ``[server]`` table, over raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from interlace.management import ManagementServer
from interlace.runtime import Runtime
from interlace.serving import ConnectionLimits
from tests.http.conftest import exchange, parse_answer, read_until_closed
from tests.management.conftest import ENV, PROJECT, REGISTRY, make_users
from tests.support import write_project

SERVER = '\n[server]\nheader-timeout = "300ms"\nbody-timeout = "300ms"\nkeepalive-timeout = "500ms"\n'


@pytest.fixture
async def management(tmp_path: Path) -> AsyncIterator[ManagementServer]:
    files = {
        **PROJECT,
        "interlace.toml": PROJECT["interlace.toml"].replace("\n[server]\nport = 8290\n", "") + SERVER,
    }
    root = write_project(tmp_path / "shop", files)
    async with (
        Runtime(root, env=ENV, connectors=REGISTRY) as runtime,
        ManagementServer(runtime, make_users(), port=0, connectors=REGISTRY) as server,
    ):
        yield server


def test_the_limits_come_from_the_server_table(management: ManagementServer) -> None:
    assert management.limits == ConnectionLimits(0.3, 0.3, 0.5, 1024)


async def test_a_client_dribbling_its_headers_is_cut_off_with_408(management: ManagementServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", management.port)
    writer.write(b"POST /management/login HTTP/1.1\r\nHost: x\r\n")

    async def dribble() -> None:
        with contextlib.suppress(ConnectionError):
            while not writer.is_closing():
                writer.write(b"X-Slow: 1\r\n")
                await writer.drain()
                await asyncio.sleep(0.05)

    dribbler = asyncio.create_task(dribble())
    try:
        answer = parse_answer(await read_until_closed(reader))
    finally:
        dribbler.cancel()
        writer.close()
    assert answer.status == 408
    assert answer.error()["code"] == "REQUEST_TIMEOUT"


async def test_a_client_dribbling_its_body_is_cut_off(management: ManagementServer) -> None:
    answer = await exchange(
        management.port,
        b"POST /management/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 500\r\n\r\n{",
    )
    assert answer.status == 408


async def test_a_malformed_request_is_answered_400_json(management: ManagementServer) -> None:
    answer = await exchange(management.port, b"GET /management/health HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n")
    assert answer.status == 400
    assert answer.error()["code"] == "BAD_REQUEST"


async def test_an_idle_connection_is_closed(management: ManagementServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", management.port)
    try:
        assert await read_until_closed(reader) == b""
    finally:
        writer.close()


async def test_a_body_that_cannot_be_decoded_is_a_4xx_without_an_error_logged(
    management: ManagementServer, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await exchange(
        management.port,
        b"POST /management/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Encoding: gzip\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot gzip!",
    )
    assert answer.status == 400
    # the management API's own error shape: code and message
    assert orjson.loads(answer.body)["error"]["code"] == "BAD_REQUEST"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_token_with_bytes_that_are_not_text_is_a_401(management: ManagementServer) -> None:
    answer = await exchange(
        management.port,
        b"GET /management/apis HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Authorization: Bearer abc.def\xd7ghi\r\n\r\n",
    )
    assert answer.status == 401
