"""A replaced version drains its requests: a request in flight during a redeploy finishes on the version
it started on, and the change answers how many finished; one that outlasts the graceful timeout is cut."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from tests.http.serving import serve_files
from tests.support import eventually, within


def version(number: str, *, slow: bool) -> dict[str, str]:
    flow = "      - call: Slow\n" if slow else ""
    return {
        "interlace.toml": f'[project]\nname = "drained"\nversion = "{number}"\n\n'
        "[server]\ngraceful-timeout = 2\n",
        "apis/answer.yaml": "api: AnswerAPI\ncontext: /answer\nresources:\n  - methods: [GET, POST]\n"
        f"    flow:\n{flow}      - respond: {{json: {{version: '{number}'}}}}\n",
        "endpoints/slow.yaml": 'endpoint: Slow\nhttp: {url: "${env.UPSTREAM}/slow", method: GET, timeout: 60s}\n',
    }


class SlowUpstream:
    """A back-end that holds each request until ``release`` is set; ``arrived`` is set by the first."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.release.wait()
        return web.json_response({"slow": True})


@pytest.fixture
async def upstream(aiohttp_server: AiohttpServer) -> tuple[str, SlowUpstream]:
    slow = SlowUpstream()
    app = web.Application()
    app.router.add_get("/slow", slow.handle)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/"), slow


async def _get(client: aiohttp.ClientSession) -> tuple[int, object]:
    async with client.get("/answer") as answer:
        return answer.status, await answer.json()


async def _post(client: aiohttp.ClientSession) -> tuple[int, object]:
    """As :func:`_get`, but never sent again by the client when the connection drops (not idempotent)."""
    async with client.post("/answer") as answer:
        return answer.status, await answer.json()


async def _slow_request_then_version_two(
    root: Path, slow: SlowUpstream, request: Coroutine[None, None, tuple[int, object]]
) -> asyncio.Task[tuple[int, object]]:
    """``request`` under way (held by the back-end), and version 2.0.0 written over the project."""
    in_flight = asyncio.create_task(request)
    await within(slow.arrived.wait())
    for relative, text in version("2.0.0", slow=False).items():
        (root / relative).write_text(text)
    return in_flight


async def test_a_request_in_flight_during_a_redeploy_finishes_with_the_old_versions_answer(
    tmp_path: Path, upstream: tuple[str, SlowUpstream]
) -> None:
    url, slow = upstream
    async with serve_files(tmp_path, version("1.0.0", slow=True), env={"UPSTREAM": url}) as (runtime, client):
        in_flight = await _slow_request_then_version_two(tmp_path, slow, _get(client))
        redeploy = asyncio.create_task(runtime.deployments.redeploy("drained"))

        # the new version answers new requests while the old one still drains its own
        async def answers_two() -> bool:
            return await _get(client) == (200, {"version": "2.0.0"})

        await eventually(answers_two, what="version 2.0.0 answering")
        assert not redeploy.done()
        slow.release.set()

        assert await within(in_flight) == (200, {"version": "1.0.0"})
        info = await within(redeploy)
    assert info.version == "2.0.0"
    assert info.notes == ("1.0.0 finished 1 of its 1 requests in flight",)


async def test_a_request_outlasting_the_graceful_timeout_is_cut_and_the_answer_says_so(
    tmp_path: Path, upstream: tuple[str, SlowUpstream]
) -> None:
    url, slow = upstream
    async with serve_files(tmp_path, version("1.0.0", slow=True), env={"UPSTREAM": url}) as (runtime, client):
        in_flight = await _slow_request_then_version_two(tmp_path, slow, _post(client))

        info = await within(runtime.deployments.redeploy("drained"))  # waits the 2 s graceful timeout

        assert info.notes == ("1.0.0 finished 0 of its 1 requests in flight; 1 were cut",)
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await within(in_flight)
        assert await _get(client) == (200, {"version": "2.0.0"})
        slow.release.set()
