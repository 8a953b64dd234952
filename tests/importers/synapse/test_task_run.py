"""Scheduled tasks imported from Synapse inject their message into the named sequence on schedule: the
sequence's call reaches the back-end with the task's payload."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.importers.synapse.serving import serve_case
from tests.support import serving_app, within


async def test_an_imported_task_injects_its_message_into_its_sequence(tmp_path: Path) -> None:
    received: asyncio.Queue[Any] = asyncio.Queue()

    async def report(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            await received.put(await request.json())
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/reports", report)
    app.router.add_post("/ping", report)
    async with serving_app(app) as backend:
        configs = {"url_inventory_example_com_9000": backend, "url_partner_example_com_8080": backend}
        async with serve_case("task", tmp_path, configs):
            first = await within(received.get())
            second = await within(received.get())
    assert first == second == {"warehouse": "north", "count": 3}
