"""The ``path`` of http operations in a flow is a URL template: values from a request arrive at the API
percent-encoded, as one segment or one query value; ``${+...}`` inserts raw URL text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from tests.connectors.http.conftest import ApiServer
from yarl import URL

from interlace.http.server import HttpServer
from interlace.runtime import Runtime

PROJECT = {
    "interlace.toml": '[project]\nname = "urls"\n',
    "connections/orders.yaml": "connection: orders\nconnector: http\nbase-url: ${env.API}/v1\n",
    "apis/shop.yaml": """\
api: ShopAPI
context: /shop
resources:
  - methods: [GET]
    uri-template: /orders/{id}
    flow:
      - http.get: {connection: orders, path: "orders/${params.pathParams.id}/lines?q=${params.queryParams.q}"}
      - respond: {}
  - methods: [GET]
    uri-template: /raw/{id}
    flow:
      - variable: {name: path, value: "orders/${params.pathParams.id}/lines"}
      - http.get: {connection: orders, path: "${+vars.path}"}
      - respond: {}
""",
}


@pytest.fixture
async def shop(tmp_path: Path, api: ApiServer) -> AsyncIterator[aiohttp.ClientSession]:
    for relative, text in PROJECT.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    async with (
        Runtime(tmp_path, env={"API": api.url}) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1 << 20) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        yield client


@pytest.mark.parametrize(
    ("sent", "path"),
    [
        ("a%2Fb", "/v1/orders/a%2Fb/lines"),
        ("..%2F..%2Fadmin%3Fx=1%26y", "/v1/orders/..%2F..%2Fadmin%3Fx%3D1%26y/lines"),
        ("%23frag", "/v1/orders/%23frag/lines"),
    ],
)
async def test_a_path_parameter_arrives_as_one_encoded_segment(
    shop: aiohttp.ClientSession, api: ApiServer, sent: str, path: str
) -> None:
    async with shop.get(URL(f"/shop/orders/{sent}?q=x%26admin%3Dtrue", encoded=True)) as r:
        assert r.status == 200
    assert api.last.path == path
    assert api.last.query == [("q", "x&admin=true")]


async def test_a_dot_segment_from_a_value_is_refused(shop: aiohttp.ClientSession, api: ApiServer) -> None:
    async with shop.get(URL("/shop/orders/%2E%2E?q=1", encoded=True)) as r:
        assert r.status == 400
    assert api.requests == []


async def test_reserved_expansion_inserts_the_value_as_url_text(
    shop: aiohttp.ClientSession, api: ApiServer
) -> None:
    async with shop.get("/shop/raw/7") as r:
        assert r.status == 200
    assert api.last.path == "/v1/orders/7/lines"
