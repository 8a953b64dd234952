"""Requests that are not valid HTTP, or whose body cannot be read, over raw sockets: each is answered
4xx in the default error shape, never with text/plain or a trace, and logged without a traceback."""

from __future__ import annotations

import gzip
import logging

import pytest

from tests.http.conftest import Port
from tests.support import eventually

MALFORMED = {
    "bad request line": b"GET\r\n\r\n",
    "not http at all": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "bad method": b"G(T /echo/items/1 HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad version": b"GET /echo/items/1 HTTP/9.x\r\nHost: x\r\n\r\n",
    "header without colon": b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n",
    "control character in a header": b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    "header too long": b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 9000 + b"\r\n\r\n",
    "request line too long": b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "content-length not a number": b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
    "two content-lengths": (
        b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
    ),
    "content-length with chunked": (
        b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ),
    "bad chunk size": (
        b"POST /echo/body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n"
    ),
    "gzip body that is not gzip": (
        b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!"
    ),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_request_is_answered_400_in_the_default_error_shape(
    port: Port, data: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await port.exchange(data)
    assert 400 <= answer.status < 500
    error = answer.error()
    assert "Traceback" not in error["message"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


async def test_a_gzip_body_that_is_gzip_is_read(port: Port) -> None:
    body = gzip.compress(b"hello")
    answer = await port.exchange(
        b"POST /echo/body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    assert (answer.status, answer.body) == (200, b"hello")


async def test_a_client_that_drops_its_upload_is_logged_once_at_debug(
    port: Port, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _, writer = await port.connect()
    writer.write(b"POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
    await writer.drain()
    server = port.server._server
    assert server is not None
    writer.close()
    await writer.wait_closed()
    await eventually(lambda: any("closed the connection" in r.getMessage() for r in caplog.records))
    await eventually(lambda: not server.open_connections)
    dropped = [r for r in caplog.records if "closed the connection" in r.getMessage()]
    assert [r.levelno for r in dropped] == [logging.DEBUG]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("depth", [255, 600, 1023, 1100])
async def test_json_nested_beyond_the_limit_is_refused_with_400_naming_the_limit(
    port: Port, depth: int
) -> None:
    body = _nested(depth)
    answer = await port.exchange(
        b"POST /echo/stored HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    assert answer.status == 400
    assert "nested" in answer.error()["message"]
    assert "200" in answer.error()["message"]


async def test_json_nested_within_the_limit_is_stored(port: Port) -> None:
    body = _nested(150)
    answer = await port.exchange(
        b"POST /echo/stored HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    assert answer.status == 200


async def test_a_binary_body_that_a_flow_puts_into_json_is_a_400_not_a_500(port: Port) -> None:
    answer = await port.exchange(
        b"POST /echo/stored HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/jon\r\n"
        b'Content-Length: 7\r\n\r\n{"a":1}'
    )
    assert answer.status == 400
    assert "cannot be written as JSON" in answer.error()["message"]
