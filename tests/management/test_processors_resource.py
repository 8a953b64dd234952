"""Message processors through the management API: state, and an operator stopping and starting them."""

from __future__ import annotations

import pytest

from tests.management.conftest import Managed

PROCESSOR = "/management/processors/ForwardOrders"


async def test_processors_are_listed_with_their_state_and_counts(managed: Managed, monitor: str) -> None:
    [processor] = (await managed.call("GET", "/management/processors", token=monitor)).json["items"]
    assert processor == {
        "project": "shop",
        "name": "ForwardOrders",
        "kind": "forwarding",
        "status": "inactive",
        "coordinated": False,
        "restarts": 0,
        "store": "Orders",
        "targetKind": "endpoint",
        "target": "Backend",
        "delivered": 0,
        "failedAttempts": 0,
        "deadLettered": 0,
        "dropped": 0,
        "inFlight": 0,
        "lastError": None,
    }
    assert (await managed.call("GET", PROCESSOR, token=monitor)).json == processor


async def test_a_processor_is_activated_and_deactivated(managed: Managed, admin: str) -> None:
    activated = await managed.call("POST", f"{PROCESSOR}/activate", token=admin)
    assert activated.json["status"] == "active"
    assert managed.runtime.services.state("processor", "ForwardOrders").status == "active"
    deactivated = await managed.call("POST", f"{PROCESSOR}/deactivate", token=admin)
    assert deactivated.json["status"] == "inactive"
    assert managed.runtime.services.state("processor", "ForwardOrders").status == "inactive"


@pytest.mark.parametrize(("method", "action"), [("GET", ""), ("POST", "/activate"), ("POST", "/deactivate")])
async def test_an_unknown_processor_is_not_found(
    managed: Managed, admin: str, method: str, action: str
) -> None:
    answer = await managed.call(method, f"/management/processors/Nope{action}", token=admin)
    assert answer.status == 404
    assert answer.json["error"]["message"] == "no processor named 'Nope' (processors: ForwardOrders)"
