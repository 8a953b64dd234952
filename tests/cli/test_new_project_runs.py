"""A project made by `interlace new` runs as it is and answers its example requests."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from interlace.cli.scaffold import scaffold_project
from interlace.http.server import HttpServer
from interlace.runtime import Runtime


async def test_a_new_project_serves_its_greeting_api(tmp_path: Path) -> None:
    root = tmp_path / "greetings"
    scaffold_project(root)
    runtime = Runtime(root, "dev", env={})
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1024 * 1024) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        async with client.get("/greeting/Ada") as answer:
            assert answer.status == 200
            assert await answer.json() == {"message": "Hello from dev, Ada!"}
        async with client.post("/greeting", json={"name": "Grace"}) as answer:
            assert answer.status == 201
            assert await answer.json() == {"message": "Hello from dev, Grace!"}
        async with client.post("/greeting", json={"nom": "Grace"}) as answer:
            assert answer.status == 400
            assert (await answer.json())["error"]["code"] == "VALIDATION_ERROR"
