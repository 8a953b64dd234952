"""Endpoints through the management API: their state, and an operator switching them off and on."""

from __future__ import annotations

import pytest

from interlace.errors import EndpointError, EndpointSuspendedError
from interlace.message import MessageContext
from tests.management.conftest import Managed

BACKEND = "/management/endpoints/Backend"


async def test_endpoints_are_listed_with_their_state_and_members(managed: Managed, monitor: str) -> None:
    items = (await managed.call("GET", "/management/endpoints", token=monitor)).json["items"]
    assert [(e["name"], e["kind"], e["state"]) for e in items] == [
        ("Backend", "http", "active"),
        ("Pair", "failover", "active"),
    ]
    assert items[0]["url"] == "http://127.0.0.1:9/orders"
    assert [member["name"] for member in items[1]["members"]] == ["Backend"]
    assert (await managed.call("GET", BACKEND, token=monitor)).json == items[0]


async def test_a_deactivated_endpoint_refuses_calls_until_it_is_activated(
    managed: Managed, admin: str
) -> None:
    endpoint = managed.runtime.artifacts.endpoints["Backend"]
    shown = (await managed.call("POST", f"{BACKEND}/deactivate", token=admin)).json
    assert (shown["state"], shown["deactivated"], shown["resumesIn"]) == ("suspended", True, None)
    with pytest.raises(EndpointSuspendedError) as refused:
        await endpoint.send(MessageContext())
    assert refused.value.message == (
        "endpoint Backend is deactivated; it takes calls again when an operator activates it"
    )
    assert refused.value.detail["deactivated"] is True
    shown = (await managed.call("POST", f"{BACKEND}/activate", token=admin)).json
    assert (shown["state"], shown["deactivated"]) == ("active", False)


async def test_activating_ends_a_suspension_by_the_circuit_breaker(managed: Managed, admin: str) -> None:
    endpoint = managed.runtime.artifacts.endpoints["Backend"]
    with pytest.raises(EndpointError):
        await endpoint.send(MessageContext())  # nothing listens on port 9: one failure suspends it
    suspended = (await managed.call("GET", BACKEND, token=admin)).json
    assert (suspended["state"], suspended["consecutiveFailures"]) == ("suspended", 1)
    assert suspended["resumesIn"] > 0
    shown = (await managed.call("POST", f"{BACKEND}/activate", token=admin)).json
    assert (shown["state"], shown["consecutiveFailures"], shown["resumesIn"]) == ("active", 0, None)


async def test_a_group_is_switched_off_on_its_own_and_its_members_stay_usable(
    managed: Managed, admin: str
) -> None:
    shown = (await managed.call("POST", "/management/endpoints/Pair/deactivate", token=admin)).json
    assert (shown["state"], shown["deactivated"]) == ("suspended", True)
    assert shown["members"][0]["state"] == "active"
    with pytest.raises(EndpointSuspendedError, match="endpoint Pair is deactivated"):
        await managed.runtime.artifacts.endpoints["Pair"].send(MessageContext())
    assert (await managed.call("GET", BACKEND, token=admin)).json["deactivated"] is False
    activated = (await managed.call("POST", "/management/endpoints/Pair/activate", token=admin)).json
    assert activated["state"] == "active"


@pytest.mark.parametrize("action", ["", "/activate", "/deactivate"])
async def test_an_unknown_endpoint_is_not_found(managed: Managed, admin: str, action: str) -> None:
    answer = await managed.call(
        "GET" if not action else "POST", f"/management/endpoints/Nope{action}", token=admin
    )
    assert answer.status == 404
    assert answer.json["error"]["message"] == "no endpoint named 'Nope' (endpoints: Backend, Pair)"
