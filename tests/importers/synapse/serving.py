"""Serving a Synapse case (``cases/NAME.xml``) as the project it converts to, for end-to-end runs."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from interlace.http.listener import dispatch_routes
from interlace.http.server import HttpServer
from interlace.importers.synapse import ProjectTree, convert_synapse, write_project
from interlace.runtime import Runtime
from tests.support import serving_app

__all__ = ["CASES", "json_sink", "serve_case"]

CASES = Path(__file__).parent / "cases"
_MAX_BODY = 64 * 1024


@asynccontextmanager
async def serve_case(
    case: str,
    tmp_path: Path,
    configs: Mapping[str, str] | None = None,
    edit: Callable[[ProjectTree], None] = lambda tree: None,
) -> AsyncIterator[aiohttp.ClientSession]:
    """A client of the running project that ``cases/CASE.xml`` converts to, with ``configs`` changed
    (as an operator points a project at its back-ends) and ``edit`` applied to the converted tree (a
    listener's port, a watched folder)."""
    source = tmp_path / "synapse-config"
    source.mkdir(exist_ok=True)
    shutil.copy(CASES / f"{case}.xml", source / f"{case}.xml")
    tree, _ = convert_synapse(source)
    tree.configs.update(configs or {})
    edit(tree)
    project = tmp_path / "project"
    write_project(tree, project)
    async with (
        Runtime(project, None, env={}, http_dispatch=dispatch_routes) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, _MAX_BODY) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        yield client


@asynccontextmanager
async def json_sink(*paths: str) -> AsyncIterator[tuple[str, asyncio.Queue[Any]]]:
    """A fake back-end answering posts to ``paths``: its base URL, and the queue of the JSON bodies it got
    (other bodies are answered, not queued)."""
    received: asyncio.Queue[Any] = asyncio.Queue()

    async def take(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            await received.put(await request.json())
        return web.json_response({})

    app = web.Application()
    for path in paths:
        app.router.add_post(path, take)
    async with serving_app(app) as base:
        yield base, received
