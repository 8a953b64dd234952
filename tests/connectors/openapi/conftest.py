"""A recording fake API on loopback: every request is kept; ``/oauth/token`` hands out access tokens;
a path under ``/status/CODE`` answers that status; everything else echoes what it received as JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

SPECS = Path(__file__).parent / "specs"


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeApi:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def last(self) -> Received:
        return self.requests[-1]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeApi]:
    fake = FakeApi()

    async def token(request: web.Request) -> web.Response:
        fake.token_requests.append(dict(await request.post()))  # type: ignore[arg-type]
        number = len(fake.token_requests)
        return web.json_response({"access_token": f"token-{number}", "expires_in": 3600})

    async def answer(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        raw_path = request.raw_path.partition("?")[0]
        fake.requests.append(
            Received(request.method, raw_path, list(request.query.items()), dict(request.headers), body)
        )
        parts = raw_path.split("/")
        if "status" in parts:
            status = int(parts[parts.index("status") + 1])
            return web.json_response({"error": "no"}, status=status, headers={"Retry-After": "3"})
        return web.json_response({"method": request.method, "path": raw_path, "query": dict(request.query)})

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield fake
    finally:
        await runner.cleanup()
