"""Message tracing through the management API: switched by admins at run time, read by any user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlace.message import MessageContext
from interlace.observability.tracing import MESSAGE_TRACER
from tests.management.conftest import Managed


@pytest.fixture(autouse=True)
def tracer() -> Iterator[None]:
    MESSAGE_TRACER.reset()
    yield
    MESSAGE_TRACER.reset()


async def test_an_admin_switches_tracing_of_an_artifact_and_a_monitor_reads_the_traces(
    managed: Managed, admin: str, monitor: str
) -> None:
    path = "/management/tracing/sequence/Audit"
    refused = await managed.call("PUT", path, token=monitor, json={"enabled": True})
    assert refused.status == 403
    switched = await managed.call("PUT", path, token=admin, json={"enabled": True})
    assert switched.json == {"kind": "sequence", "name": "Audit", "enabled": True}
    listed = await managed.call("GET", "/management/tracing", token=monitor)
    assert listed.json == {"items": [{"kind": "sequence", "name": "Audit", "enabled": True}]}

    ctx = MessageContext(correlation_id="c0ffee")
    assert await managed.runtime.artifacts.sequences["Audit"].mediate(ctx)

    summaries = await managed.call(
        "GET", "/management/traces", token=monitor, params={"correlationId": "c0ffee"}
    )
    [summary] = summaries.json["items"]
    assert (summary["kind"], summary["name"], summary["outcome"], summary["stepCount"]) == (
        "sequence",
        "Audit",
        "finished",
        2,
    )
    trace = await managed.call("GET", f"/management/traces/{summary['id']}", token=monitor)
    assert [(step["kind"], step["location"]) for step in trace.json["steps"]] == [
        ("log", "sequences/audit.yaml:3"),
        ("log", "sequences/audit.yaml:4"),
    ]

    off = await managed.call("PUT", path, token=admin, json={"enabled": False})
    assert off.json["enabled"] is False
    state = await managed.call("GET", path, token=monitor)
    assert state.json == {"kind": "sequence", "name": "Audit", "enabled": False}


async def test_switching_an_unknown_artifact_is_not_found(managed: Managed, admin: str) -> None:
    unknown = await managed.call(
        "PUT", "/management/tracing/api/NoSuchAPI", token=admin, json={"enabled": True}
    )
    assert unknown.status == 404
    assert "NoSuchAPI" in unknown.json["error"]["message"]
    wrong_kind = await managed.call("GET", "/management/tracing/gadget/Audit", token=admin)
    assert wrong_kind.status == 404
    missing = await managed.call("GET", "/management/traces/99", token=admin)
    assert missing.status == 404
