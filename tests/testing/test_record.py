"""Recording: cases run once against a real back-end; its answers become mocks (redacted) that replay
offline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from interlace.testing import run_project_suites
from interlace.testing.record import record_project_suites
from tests.testing.shop import shop

SUITE = """
    suite: Stock
    cases:
      - case: an item in stock is available
        request: {method: GET, path: /shop/items/pen}
        expect: {status: 200, json-paths: {$.available: true}}
      - case: a sold-out item is not
        request: {method: GET, path: /shop/items/ink}
        expect: {status: 404}
"""


async def _stock(request: web.Request) -> web.Response:
    count = 2 if request.match_info["item"] == "pen" else 0
    body = {"count": count, "token": "s3cret-value", "owner": {"card": "4111"}}
    return web.json_response(body, headers={"X-Server": "stock/1.0"})


async def test_recorded_answers_replay_offline_with_secrets_and_marked_fields_redacted(
    tmp_path: Path, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> None:
    app = web.Application()
    app.router.add_get("/stock/{item}", _stock)
    server = await aiohttp_server(app)
    root = shop(tmp_path, {"tests/stock.yaml": SUITE})
    toml = root / "interlace.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "http://stock.example", str(server.make_url("")).rstrip("/")
    )
    toml.write_text(text + '\n[profiles.dev.secrets]\nSTOCK_TOKEN = "s3cret-value"\n', encoding="utf-8")

    (written,) = await record_project_suites(root, "dev", redact=["$.owner.card"])
    await server.close()

    assert written == root / "tests" / "stock.recorded.yaml"
    recorded: Any = yaml.safe_load(written.read_text(encoding="utf-8"))
    first = recorded["cases"][0]
    assert first["mocks"] == {
        "endpoints": {
            "StockEP": {
                "status": 200,
                "json": {"count": 2, "token": "[redacted]", "owner": {"card": "[redacted]"}},
                "headers": {"Content-Type": "application/json; charset=utf-8"},
            }
        }
    }
    assert first["expect"] == {"status": 200, "json-paths": {"$.available": True}}
    run = await run_project_suites(root, "dev")
    replayed = [(result.suite, result.case, result.failures) for result in run.results]
    assert replayed[:2] == [
        ("Stock (recorded)", "an item in stock is available", ()),
        ("Stock (recorded)", "a sold-out item is not", ()),
    ]
