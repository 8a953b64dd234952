"""Flow diagrams through the management API: drawn from the running project, read by any user."""

from __future__ import annotations

from interlace.message import MessageContext
from interlace.observability.tracing import MESSAGE_TRACER
from tests.management.conftest import Managed
from tests.observability.test_message_traces import tracer

__all__ = ["tracer"]  # autouse: no message traced before or after each test


async def test_a_monitor_lists_the_flows_and_draws_one(managed: Managed, monitor: str) -> None:
    listed = await managed.call("GET", "/management/diagrams", token=monitor, params={"project": "shop"})
    assert listed.json == {
        "items": [
            {"flow": "OrdersAPI/{id}", "kind": "resource", "artifact": "OrdersAPI"},
            {"flow": "OrdersAPI/", "kind": "resource", "artifact": "OrdersAPI"},
            {"flow": "sequence:Audit", "kind": "sequence", "artifact": "Audit"},
        ]
    }
    drawn = await managed.call(
        "GET", "/management/diagrams", token=monitor, params={"project": "shop", "flow": "OrdersAPI/{id}"}
    )
    assert drawn.json["flow"] == "OrdersAPI/{id}"
    svg = drawn.json["svg"]
    assert svg.startswith("<svg") and 'data-kind="store"' in svg and 'data-kind="respond"' in svg
    assert 'data-location="apis/orders.yaml:7"' in svg


async def test_a_trace_is_laid_over_the_diagram(managed: Managed, monitor: str) -> None:
    MESSAGE_TRACER.switch("sequence", "Audit", True)
    assert await managed.runtime.artifacts.sequences["Audit"].mediate(MessageContext(correlation_id="c0ffee"))
    drawn = await managed.call(
        "GET",
        "/management/diagrams",
        token=monitor,
        params={"flow": "sequence:Audit", "trace": "c0ffee"},
    )
    assert drawn.json["trace"] >= 1
    assert drawn.json["svg"].count("data-steps=") == 2
    missing = await managed.call(
        "GET", "/management/diagrams", token=monitor, params={"flow": "sequence:Audit", "trace": "999"}
    )
    assert missing.status == 404


async def test_an_unknown_flow_or_project_is_not_found_with_a_hint(managed: Managed, monitor: str) -> None:
    unknown = await managed.call(
        "GET", "/management/diagrams", token=monitor, params={"project": "shop", "flow": "sequence:Audi"}
    )
    assert unknown.status == 404
    assert "did you mean 'Audit'" in unknown.json["error"]["message"]
    project = await managed.call("GET", "/management/diagrams", token=monitor, params={"project": "shoe"})
    assert project.status == 404


async def test_diagrams_need_a_login(managed: Managed) -> None:
    anonymous = await managed.call("GET", "/management/diagrams", params={"flow": "sequence:Audit"})
    assert anonymous.status == 401
