"""Inbound endpoints imported from Synapse take messages where MI took them: an HTTP inbound endpoint's
port runs its sequence for every request, and a file inbound endpoint's folder feeds its sequence, the
file moved away after it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from interlace.importers.synapse import ProjectTree
from tests.importers.synapse.serving import serve_case
from tests.support import eventually, serving_app, unused_port, wait_for_port, within


async def test_an_http_inbound_endpoint_serves_its_sequence_on_its_port(tmp_path: Path) -> None:
    port = unused_port()

    def on_free_port(tree: ProjectTree) -> None:
        tree.documents["inbound/QuoteListener.yaml"].data["http"]["port"] = port
        tree.documents["inbound/QuoteFiles.yaml"].data["file"]["folder"] = str(tmp_path / "in")

    async with serve_case("inbound-http", tmp_path, edit=on_free_port):
        await wait_for_port(port)
        async with (
            aiohttp.ClientSession() as client,
            client.post(f"http://127.0.0.1:{port}/any/path", json={"symbol": "ACME"}) as answer,
        ):
            assert answer.status == 200
            assert await answer.json() == {"symbol": "ACME", "price": 42}


async def test_a_file_inbound_endpoint_feeds_its_sequence_and_moves_the_file(tmp_path: Path) -> None:
    received: asyncio.Queue[Any] = asyncio.Queue()

    async def quote(request: web.Request) -> web.Response:
        await received.put(await request.json())
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/quotes", quote)
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "other.json").write_text("{}")

    def in_tmp(tree: ProjectTree) -> None:
        tree.documents["inbound/QuoteListener.yaml"].data["http"]["port"] = unused_port()
        tree.documents["inbound/QuoteFiles.yaml"].data["file"]["folder"] = str(inbox)

    async with (
        serving_app(app) as backend,
        serve_case("inbound-http", tmp_path, {"url_quotes_example_com_9000": backend}, in_tmp),
    ):
        (inbox / "quote-1.json").write_text(json.dumps({"symbol": "ACME", "price": 7}))
        assert await within(received.get()) == {"symbol": "ACME", "price": 7}
        await eventually(lambda: (inbox / "done" / "quote-1.json").is_file())
    assert (inbox / "other.json").is_file()
