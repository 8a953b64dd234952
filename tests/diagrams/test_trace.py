"""A message trace laid over a flow diagram: the nodes the message ran with their timing, the branches it
did not take dimmed, and the node where it failed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from lxml import etree

from interlace.diagrams import find_flow, layout_graph, overlay_trace, render_svg
from interlace.http.server import HttpServer
from interlace.observability.tracing import MESSAGE_TRACER, MessageTrace
from interlace.runtime import Runtime
from tests.diagrams.projects import ORDERS, ORDERS_FLOW, orders
from tests.support import write_project

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    MESSAGE_TRACER.switch("api", "OrdersAPI", True)
    root = write_project(tmp_path / "orders", ORDERS)
    async with (
        Runtime(root) as runtime,
        HttpServer(runtime, "127.0.0.1", 0, 1 << 20) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session,
    ):
        yield session


async def _trace(client: aiohttp.ClientSession, order: object) -> tuple[int, MessageTrace]:
    async with client.post("/orders", json=order) as answer:
        await answer.read()
        status, correlation_id = answer.status, answer.headers["X-Correlation-ID"]
    [trace] = MESSAGE_TRACER.find(correlation_id=correlation_id, kind="api")
    # as the management API serves it (GET /management/traces/ID)
    return status, MessageTrace.model_validate(trace.model_dump(by_alias=True, mode="json"))


def _states(svg: str) -> dict[tuple[str, str], set[str]]:
    root = etree.fromstring(svg.encode())
    return {
        (group.get("data-kind", ""), group.get("data-location", "")): set(group.get("class", "").split())
        for group in root.iter(f"{SVG}g")
        if group.get("data-node")
    }


async def test_the_path_of_a_message_is_marked_and_the_branches_it_skipped_are_dimmed(
    client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    status, trace = await _trace(
        client, {"priority": "high", "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]}
    )
    assert status == 200
    graph = find_flow(orders(tmp_path / "drawn"), ORDERS_FLOW)
    overlay = overlay_trace(graph, trace)

    by_kind = {(node.kind, node.location.line): node.id for node in graph.nodes()}  # lines of ORDERS
    header, log = by_kind[("header", 14)], by_kind[("log", 16)]
    assert overlay.state_of(header) == "visited" and overlay.state_of(log) == "unvisited"
    payload = overlay.visits[by_kind[("payload", 24)]]
    assert len(payload.steps) == 2  # once per element of the loop
    assert overlay.state_of(by_kind[("throw-error", 23)]) == "unvisited"
    assert overlay.state_of(by_kind[("respond", 31)]) == "stopped"
    assert overlay.state_of(by_kind[("sequence", 29)]) == "visited"
    assert overlay.state_of(by_kind[("store", 30)]) == "visited"
    assert overlay.state_of(by_kind[("respond", 33)]) == "unvisited"  # the on-error flow did not run
    assert all(visit.duration_ms >= 0 for visit in overlay.visits.values())

    layout = layout_graph(graph)
    svg = render_svg(layout, overlay)
    states = _states(svg)
    assert {"state-visited", "visited"} <= states[("header", "apis/orders.yaml:14")]
    assert {"state-unvisited", "unvisited"} <= states[("log", "apis/orders.yaml:16")]
    assert "state-stopped" in states[("respond", "apis/orders.yaml:31")]
    root = etree.fromstring(svg.encode())
    assert "traced" in root.get("class", "").split()
    node = next(g for g in root.iter(f"{SVG}g") if g.get("data-node") == by_kind[("payload", 24)])
    assert node.get("data-steps") == " ".join(map(str, payload.steps))
    followed = {
        (e.get("data-source"), e.get("data-target"))
        for e in root.iter(f"{SVG}path")
        if "followed" in e.get("class", "")
    }
    filter_node = by_kind[("filter", 11)]
    assert (filter_node, header) in followed and (filter_node, log) not in followed


async def test_the_node_where_a_message_failed_is_marked_failed(
    client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    status, trace = await _trace(client, {"items": [{"sku": "a", "qty": 0}]})
    assert status == 500
    graph = find_flow(orders(tmp_path / "drawn"), ORDERS_FLOW)
    overlay = overlay_trace(graph, trace)

    failed = [node_id for node_id, visit in overlay.visits.items() if visit.state == "failed"]
    [thrown] = [node for node in graph.nodes() if node.kind == "throw-error"]
    assert failed == [thrown.id]  # not the filter nor the loop that held it
    assert "bad quantity 0" in (overlay.visits[thrown.id].error or "")
    on_error = graph.on_error.nodes[0] if graph.on_error else None
    assert on_error is not None and overlay.state_of(on_error.id) == "stopped"
    assert overlay.state_of(graph.flow.nodes[3].id) == "unvisited"  # scatter-gather never ran

    root = etree.fromstring(render_svg(layout_graph(graph), overlay).encode())
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-node") == thrown.id)
    assert "state-failed" in group.get("class", "").split()
    assert "bad quantity 0" in (group.get("data-error") or "")
