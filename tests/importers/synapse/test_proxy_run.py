"""A proxy service imported from Synapse answers at ``/services/NAME``, as MI serves it: the inSequence,
the target endpoint's call and the outSequence, in that order."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from tests.importers.synapse.serving import serve_case
from tests.support import serving_app


async def test_a_proxy_is_served_at_services_name(tmp_path: Path) -> None:
    async def quote(request: web.Request) -> web.Response:
        symbol = (await request.json())["symbol"]
        return web.json_response({"symbol": symbol, "price": 12.5})

    app = web.Application()
    app.router.add_post("/quote", quote)
    async with (
        serving_app(app) as backend,
        serve_case("proxy", tmp_path, {"url_quotes_example_com_9000": backend}) as client,
    ):
        for path in ("/services/StockQuoteProxy", "/services/StockQuoteProxy/getQuote"):
            async with client.post(path, json={"symbol": "ACME"}) as answer:
                assert answer.status == 200
                assert await answer.json() == {"quote": 12.5, "via": "proxy"}
