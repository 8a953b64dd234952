"""Fixtures that run the healthcare example for real: the sample hospital back-end (behind a proxy that
can make the payments route fail) and Interlace, both on loopback ports chosen by the system, driven
over HTTP. The example runs from a copy, so its message stores live in the test's temporary folder."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from yarl import URL

from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from interlace.samples.hospital import HospitalService, create_app
from interlace.samples.hospital.app import SERVICE_KEY
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from tests.support import deadline, unused_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "healthcare"
MAX_BODY = 64 * 1024
PAYMENTS = "/healthcare/payments"


async def _serve_app(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class Backend:
    """The sample back-end as the tests see it: its URL (the proxy's), its state, and the proxy's switches.

    ``lose_payment_answers`` > 0: that many payment requests reach the back-end (and are settled) but
    their answers are replaced by 503, as if lost on the way back. ``payments_down``: payment requests
    are answered 503 without reaching the back-end. ``payment_answers`` holds the answers that got through.
    """

    url: str
    service: HospitalService
    lose_payment_answers: int = 0
    payments_down: bool = False
    payment_requests: list[dict[str, str]] = field(default_factory=list)
    payment_answers: list[dict[str, Any]] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    """Every request's method and path as it arrived (percent-encoding kept), with its query."""
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def settled(self, count: int, within: float = 10.0) -> list[dict[str, Any]]:
        """The payment answers once ``count`` got through to Interlace."""
        async with deadline(within):
            while len(self.payment_answers) < count:
                await self.changed.wait()
                self.changed.clear()
        return self.payment_answers


def _proxy(backend_url: str, state: Backend) -> web.Application:
    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        state.received.append(f"{request.method} {request.raw_path}")
        is_payment = request.method == "POST" and request.path == PAYMENTS
        if is_payment:
            state.payment_requests.append(dict(request.headers))
            if state.payments_down:
                return web.json_response({"error": "payments are down"}, status=503)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, URL(backend_url + request.raw_path, encoded=True), data=body, headers=headers
            ) as answer,
        ):
            raw = await answer.read()
            status, content_type = answer.status, answer.content_type
        if is_payment:
            if state.lose_payment_answers > 0:
                state.lose_payment_answers -= 1
                return web.json_response({"error": "answer lost"}, status=503)
            state.payment_answers.append(orjson.loads(raw))
            state.changed.set()
        return web.Response(status=status, body=raw, content_type=content_type)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


@pytest.fixture
async def backend() -> AsyncIterator[Backend]:
    app = create_app()
    backend_runner, backend_url = await _serve_app(app)
    state = Backend("", app[SERVICE_KEY])
    proxy_runner, state.url = await _serve_app(_proxy(backend_url, state))
    yield state
    await proxy_runner.cleanup()
    await backend_runner.cleanup()


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example (without any message stores left from running it in place)."""
    return Path(
        shutil.copytree(EXAMPLE, tmp_path / "healthcare", ignore=shutil.ignore_patterns(".interlace"))
    )


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    """The development mailbox standing in for Gmail (its API and its OAuth2 token endpoint)."""
    async with await start_dev_mailbox(port=0, smtp_port=None) as running:
        yield running


def prod_env(backend_url: str, mailbox: DevMailbox) -> dict[str, str]:
    """The prod profile's environment: addresses and credentials as an operator would give them."""
    return {
        "HOSPITAL_BACKEND_URL": backend_url,
        "GMAIL_API_URL": mailbox.url,
        "GMAIL_TOKEN_URL": mailbox.token_url,
        "GMAIL_CLIENT_ID": "interlace-dev",
        "GMAIL_CLIENT_SECRET": "dev-secret",
        "GMAIL_REFRESH_TOKEN": "dev-refresh-token",
    }


async def _serve(
    root: Path, backend_url: str, mailbox: DevMailbox
) -> AsyncIterator[tuple[Runtime, aiohttp.ClientSession]]:
    runtime = Runtime(root, "prod", env=prod_env(backend_url, mailbox))
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, MAX_BODY) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        yield runtime, client


@pytest.fixture
async def running(
    example: Path, backend: Backend, mailbox: DevMailbox
) -> AsyncIterator[tuple[Runtime, aiohttp.ClientSession]]:
    """The runtime and a client of HealthcareAPI, served by Interlace in front of a running back-end."""
    async for served in _serve(example, backend.url, mailbox):
        yield served


@pytest.fixture
def healthcare(running: tuple[Runtime, aiohttp.ClientSession]) -> aiohttp.ClientSession:
    """A client of HealthcareAPI, served by Interlace in front of a running back-end."""
    return running[1]


@pytest.fixture
async def healthcare_without_backend(
    example: Path, mailbox: DevMailbox
) -> AsyncIterator[aiohttp.ClientSession]:
    """A client of HealthcareAPI whose back-end address has nothing listening."""
    async for _, client in _serve(example, f"http://127.0.0.1:{unused_port()}", mailbox):
        yield client
