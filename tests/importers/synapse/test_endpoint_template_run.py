"""Endpoints made from a Synapse endpoint template call the address their parameters give."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from tests.importers.synapse.serving import serve_case
from tests.support import serving_app


async def test_endpoints_from_a_template_call_their_own_addresses(tmp_path: Path) -> None:
    async def doctors(request: web.Request) -> web.Response:
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_get("/doctors", doctors)
    app.router.add_get("/doctors/{hospital}", doctors)
    async with serving_app(app) as backend:
        configs = {"url_grandoak_example_com_9090": backend, "url_clemency_example_com_9090": backend}
        async with serve_case("endpoint-template", tmp_path, configs) as client:
            async with client.get("/doctors/grandoak") as answer:
                assert answer.status == 200
                assert await answer.json() == {"path": "/doctors/grandoak"}
            async with client.get("/doctors/clemency/any") as answer:
                assert answer.status == 200
                assert await answer.json() == {"path": "/doctors"}
