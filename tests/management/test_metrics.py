"""GET /metrics on the management port: exact figures after a known sequence of requests, endpoint
calls, connector operations and stored messages; labels from the project, never from requests."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from interlace.http.server import HttpServer
from interlace.management import ManagementServer
from interlace.observability.metrics import Metrics
from interlace.runtime import Runtime
from tests.management.conftest import ENV, REGISTRY, make_users
from tests.management.conftest import PROJECT as SHOP
from tests.support import write_project

PROJECT = {
    **SHOP,  # OrdersAPI: POST /orders/{id} stores into Orders; Backend refuses (suspended after 1 failure)
    "apis/stock.yaml": """\
        api: StockAPI
        context: /stock
        resources:
          - methods: [GET]
            uri-template: /{id}
            flow:
              - kv.getValue: {connection: cache, key: "${params.pathParams.id}"}
              - respond: {status: 404, json: {missing: true}}
          - methods: [DELETE]
            uri-template: /{id}
            flow:
              - call: {endpoint: Backend}
        """,
}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@dataclass
class Served:
    api: aiohttp.ClientSession
    management: aiohttp.ClientSession

    async def scrape(self, headers: dict[str, str] | None = None) -> Samples:
        async with self.management.get("/metrics", headers=headers) as answer:
            assert answer.status == 200, await answer.text()
            text = await answer.text()
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


@contextlib.asynccontextmanager
async def serve(root: Path, token: str | None = None) -> AsyncIterator[Served]:
    async with Runtime(root, env=ENV, connectors=REGISTRY, metrics=Metrics()) as runtime:
        http = HttpServer(runtime, "127.0.0.1", 0, 1 << 20)
        management = ManagementServer(runtime, make_users(), port=0, connectors=REGISTRY, metrics_token=token)
        async with (
            http,
            management,
            aiohttp.ClientSession(f"http://127.0.0.1:{http.port}") as api,
            aiohttp.ClientSession(management.url) as admin,
        ):
            yield Served(api, admin)


def labels(**values: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


async def test_scrape_counts_requests_calls_operations_and_stored_messages_exactly(tmp_path: Path) -> None:
    async with serve(write_project(tmp_path / "shop", PROJECT)) as served:
        for order in ("1", "2", "3"):
            async with served.api.post(f"/orders/{order}", json={"n": order}) as answer:
                assert answer.status == 200
        for item in ("1", "x\ny"):
            async with served.api.get(f"/stock/{item}") as answer:
                assert answer.status == 404
        async with served.api.delete("/stock/1") as answer:
            assert answer.status == 502  # the back-end's port refuses
        async with served.api.get("/nowhere") as answer:
            assert answer.status == 404  # no resource: no label from the path

        figures = await served.scrape()

    post = labels(api="OrdersAPI", resource="/{id}", method="POST")
    get = labels(api="StockAPI", resource="/{id}", method="GET")
    delete = labels(api="StockAPI", resource="/{id}", method="DELETE")
    requests = {key: value for key, value in figures.items() if key[0] == "interlace_api_requests_total"}
    assert requests[("interlace_api_requests_total", labels(**dict(post), status_class="2xx"))] == 3
    assert requests[("interlace_api_requests_total", labels(**dict(get), status_class="4xx"))] == 2
    assert requests[("interlace_api_requests_total", labels(**dict(delete), status_class="5xx"))] == 1
    assert sum(requests.values()) == 6
    assert figures[("interlace_api_request_duration_seconds_count", post)] == 3
    assert figures[("interlace_api_request_duration_seconds_count", get)] == 2
    assert figures[("interlace_endpoint_calls_total", labels(endpoint="Backend"))] == 1
    assert figures[("interlace_endpoint_failures_total", labels(endpoint="Backend"))] == 1
    assert figures[("interlace_endpoint_call_duration_seconds_count", labels(endpoint="Backend"))] == 1
    assert figures[("interlace_endpoint_circuit_state", labels(endpoint="Backend", state="suspended"))] == 1
    cache = labels(connector="kv", connection="cache")
    assert figures[("interlace_connection_operations_total", cache)] == 2
    assert figures[("interlace_connection_errors_total", cache)] == 0
    assert figures[("interlace_store_stored_total", labels(store="Orders"))] == 3
    assert figures[("interlace_store_depth", labels(store="Orders"))] == 3
    assert figures[("interlace_store_max_messages", labels(store="Orders"))] == 10000
    assert figures[("interlace_store_oldest_message_age_seconds", labels(store="Orders"))] >= 0
    forward = labels(processor="ForwardOrders", store="Orders")
    assert figures[("interlace_processor_forwarded_total", forward)] == 0
    assert figures[("interlace_processor_dead_lettered_total", forward)] == 0
    assert figures[("interlace_service_active", labels(kind="processor", name="ForwardOrders"))] == 0
    assert figures[("interlace_deployments_total", labels(project="shop", outcome="deployed"))] == 1
    assert not any("x\ny" in value or "nowhere" in value for _, pairs in figures for _, value in pairs)


async def test_metrics_need_the_token_when_one_is_set(tmp_path: Path) -> None:
    async with serve(write_project(tmp_path / "shop", PROJECT), token="scrape-secret") as served:
        async with served.management.get("/metrics") as answer:
            assert answer.status == 401
            assert (await answer.json())["error"]["code"] == "UNAUTHORIZED"
        async with served.management.get("/metrics", headers={"Authorization": "Bearer wrong"}) as answer:
            assert answer.status == 401
        figures = await served.scrape({"Authorization": "Bearer scrape-secret"})
        assert ("interlace_store_depth", labels(store="Orders")) in figures


@pytest.mark.parametrize("first", [True, False])
async def test_each_server_counts_apart(tmp_path: Path, first: bool) -> None:
    # Two servers in one process (or two tests) share no registry: each starts from zero.
    async with serve(write_project(tmp_path / "shop", PROJECT)) as served:
        async with served.api.post("/orders/1", json={}) as answer:
            assert answer.status == 200
        figures = await served.scrape()
    key = labels(api="OrdersAPI", resource="/{id}", method="POST", status_class="2xx")
    assert figures[("interlace_api_requests_total", key)] == 1


PAGE = Path(__file__).resolve().parents[2] / "docs" / "observability.md"


async def test_the_observability_page_lists_every_family_the_server_serves(tmp_path: Path) -> None:
    documented = set(re.findall(r"^\| `(interlace_\w+)` \| (\w+) \|", PAGE.read_text(), re.MULTILINE))
    async with (
        serve(write_project(tmp_path / "shop", PROJECT)) as served,
        served.management.get("/metrics") as answer,
    ):
        text = await answer.text()
    served_families = {
        (family.name + ("_total" if family.type == "counter" else ""), family.type)
        for family in text_string_to_metric_families(text)
        if not family.name.endswith("_created")
    }
    assert documented == served_families
