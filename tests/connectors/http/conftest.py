"""A recording HTTP server on loopback: what the connector sent, and answers chosen per path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from tests.support import serving_app

from interlace.connectors.http import HttpConfig, HttpConnection


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    peer: object


@dataclass
class ApiServer:
    """Every request under ``/v1`` is recorded; the path picks the answer (see ``_answer``)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def last(self) -> Received:
        return self.requests[-1]

    def connection(self, **settings: object) -> HttpConnection:
        config = HttpConfig.model_validate({"base-url": f"{self.url}/v1", **settings})
        return HttpConnection(config, name="orders")


async def _answer(server: ApiServer, request: web.Request) -> web.StreamResponse:
    body = await request.read()
    server.requests.append(
        Received(
            request.method,
            request.raw_path.partition("?")[0],
            list(request.query.items()),
            dict(request.headers),
            body,
            request.transport.get_extra_info("peername") if request.transport else None,
        )
    )
    tail = request.match_info["tail"]
    if tail.startswith("status/"):
        status = int(tail.removeprefix("status/"))
        headers = {"Retry-After": "7"} if status in (429, 503) else {}
        return web.json_response({"error": f"status {status}"}, status=status, headers=headers)
    if tail == "text":
        return web.Response(text="plain words", content_type="text/plain", charset="iso-8859-1")
    if tail == "xml":
        return web.Response(text="<order id='1'/>", content_type="application/xml")
    if tail == "bytes":
        return web.Response(body=b"\x00\x01\x02", content_type="image/png")
    if tail == "empty":
        return web.Response(status=204)
    if tail == "slow":
        await server.release.wait()
        return web.json_response({})
    if tail == "moved":
        raise web.HTTPFound(f"{server.url}/v1/echo")
    return web.json_response(
        {"method": request.method, "path": tail, "echo": body.decode("utf-8", "replace")},
        headers={"X-Order-Ref": "r-1"},
    )


@pytest.fixture
async def api() -> AsyncIterator[ApiServer]:
    server = ApiServer()

    async def handle(request: web.Request) -> web.StreamResponse:
        return await _answer(server, request)

    app = web.Application()
    app.router.add_route("*", "/v1/{tail:.*}", handle)
    async with serving_app(app) as url:
        server.url = url
        try:
            yield server
        finally:
            server.release.set()
