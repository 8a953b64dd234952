"""The access log: one line per request of an API that asks for it, with the common fields."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from interlace.observability.access_log import ACCESS_LOGGER
from interlace.observability.logging import json_formatter
from tests.http.serving import serve_files

FILES = {
    "interlace.toml": '[project]\nname = "shop"\n',
    "apis/orders.yaml": """\
api: OrdersAPI
context: /orders
access-log: true
resources:
  - methods: [POST]
    uri-template: /{id}
    flow:
      - log: {message: "order ${params.pathParams.id}"}
      - respond: {status: 201, json: {stored: true}}
""",
    "apis/quiet.yaml": """\
api: QuietAPI
context: /quiet
resources:
  - uri-template: /
    flow:
      - respond: {json: {}}
""",
}


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_request_of_an_api_with_an_access_log_is_logged_in_one_json_line(
    tmp_path: Path, lines: io.StringIO
) -> None:
    async with serve_files(tmp_path, FILES) as (_, session):
        sent = {"X-Correlation-ID": "c-42"}
        async with session.post("/orders/7?key=secret-key", json={}, headers=sent) as answer:
            assert answer.status == 201
            body = await answer.read()
        async with session.get("/quiet") as answer:
            assert answer.status == 200

    records = [orjson.loads(line) for line in lines.getvalue().splitlines()]
    access = [record for record in records if record["logger"] == ACCESS_LOGGER]
    assert len(access) == 1  # QuietAPI keeps none
    line = access[0]
    assert {key: line[key] for key in ("client", "method", "path", "status", "bytes", "correlationId")} == {
        "client": "127.0.0.1",
        "method": "POST",
        "path": "/orders/7",  # the query string may carry keys: never logged
        "status": 201,
        "bytes": len(body),
        "correlationId": "c-42",
    }
    assert line["artifact"] == "OrdersAPI" and line["level"] == "INFO"
    assert 0 <= line["duration"] < 60 and line["time"].endswith("Z")
    assert "secret-key" not in lines.getvalue()
    # a line the flow logged carries the request's correlation id and the API without passing them
    flow_line = next(record for record in records if record["message"].startswith("order 7"))
    assert flow_line["correlationId"] == "c-42" and flow_line["artifact"] == "OrdersAPI"
