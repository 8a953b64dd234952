"""Hostile values in a request (encoded newlines, NULs, ANSI escapes in the path, the query, headers and
the body) never reach a log as raw control characters: every line written while serving them is a
record of its own or an indented continuation, and no client can forge a line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from interlace.observability.logging import configure_logging
from tests.conftest import RAW_CONTROL
from tests.http.conftest import Port
from tests.observability.test_logging import TIMESTAMP

FORGED = "2026-01-01 00:00:00,000 INFO    interlace.management.audit [-] admin deleted everything"
ENCODED_FORGERY = "%0A" + FORGED.replace(" ", "%20")

# Headers may carry UTF-8 text: NEL (U+0085) and LINE SEPARATOR (U+2028) break lines in some viewers.
SEPARATORS = "\u0085\u2028".encode()
BODY = f"z\x00\r\n\x1b[0m{FORGED}".encode()
HOSTILE_REQUESTS = [
    f"GET /echo/items/x{ENCODED_FORGERY}?q=%00%1B[31mred%0D HTTP/1.1\r\nHost: x\r\n".encode()
    + b"User-Agent: agent"
    + SEPARATORS
    + b"\r\nConnection: close\r\n\r\n",
    b"POST /echo/logged HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nX-Sep: a"
    + SEPARATORS
    + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)
    + BODY,
    f"GET /nowhere/{ENCODED_FORGERY} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
    # refused by the parser, and logged
    b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\nUser-Agent: agent\x1b[2J\r\n\r\n",
    b"GET /echo/items/1 HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",
    b"GET /echo/items/1\x1b[31m HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging("DEBUG", stream=stream)
    yield stream
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_interlace", False):
            root.removeHandler(handler)


async def test_hostile_values_are_written_escaped_and_forge_no_line(port: Port, written: io.StringIO) -> None:
    for request in HOSTILE_REQUESTS:
        await port.exchange(request)
    lines = written.getvalue().splitlines()
    assert any("got z\\x00\\r\\n\\x1b[0m" in line for line in lines), "the log mediator's line is missing"
    assert any("q=\\x00\\x1b[31mred\\r ua=agent\\x85\\u2028" in line for line in lines)
    assert any("X-Sep: a\\x85\\u2028" in line for line in lines)
    assert not [line for line in lines if RAW_CONTROL.search(line)]
    assert all(line.startswith(" ") or TIMESTAMP.match(line) for line in lines)
    assert not [line for line in lines if line.startswith(FORGED[:23])]
