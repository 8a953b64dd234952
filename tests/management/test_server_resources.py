"""Server info, readiness, deployments, APIs, sequences, connectors and connections: each resource's
answer and its not-found answer."""

from __future__ import annotations

import pytest

from tests.management.conftest import Managed


async def test_server_info_names_the_project_and_counts_uptime_on_the_injected_clock(
    managed: Managed, admin: str
) -> None:
    managed.wall.advance(90.5)
    info = (await managed.call("GET", "/management/server", token=admin)).json
    assert info["name"] == "shop"
    assert info["version"] == "2.0.0"
    assert info["profile"] is None
    assert info["uptime"] == 90.5
    assert info["startedAt"] == "2023-11-14T22:13:20.000Z"
    assert info["apiUrl"] == "http://localhost:8290"


async def test_the_active_deployment_is_listed_with_when_it_became_active(
    managed: Managed, admin: str
) -> None:
    managed.wall.advance(5)
    listed = (await managed.call("GET", "/management/deployments", token=admin)).json["items"]
    assert listed == [
        {
            "name": "shop",
            "version": "2.0.0",
            "profile": None,
            "deployedAt": "2023-11-14T22:13:20.000Z",
            "active": True,
            "bundle": False,
            "created": None,
            "source": str(managed.runtime.root.resolve()),
            "artifacts": {
                "apis": 1,
                "sequences": 1,
                "endpoints": 2,
                "stores": 2,
                "processors": 1,
                "connections": 2,
                "tasks": 0,
                "inbound": 0,
            },
        }
    ]
    named = (await managed.call("GET", "/management/deployments/shop", token=admin)).json
    assert named == {"name": "shop", "active": "2.0.0", "versions": listed}
    missing = await managed.call("GET", "/management/deployments/other", token=admin)
    assert missing.status == 404
    assert missing.json["error"]["message"] == "no deployment named 'other' (deployments: shop)"


async def test_a_redeploy_is_dated_when_it_is_first_seen(managed: Managed, admin: str) -> None:
    managed.wall.advance(60)
    await managed.runtime.redeploy()
    [deployment] = (await managed.call("GET", "/management/deployments", token=admin)).json["items"]
    assert deployment["deployedAt"] == "2023-11-14T22:14:20.000Z"


async def test_apis_are_listed_with_their_urls_and_resources(managed: Managed, admin: str) -> None:
    [api] = (await managed.call("GET", "/management/apis", token=admin)).json["items"]
    assert (api["name"], api["project"]) == ("OrdersAPI", "shop")
    assert api["url"] == "http://localhost:8290/orders"
    assert api["location"] == "apis/orders.yaml:1"
    assert [(r["methods"], r["uriTemplate"], r["url"]) for r in api["resources"]] == [
        (["POST"], "/{id}", "http://localhost:8290/orders/{id}"),
        (["GET"], "/", "http://localhost:8290/orders/"),
    ]
    assert (await managed.call("GET", "/management/apis/OrdersAPI", token=admin)).json == api
    missing = await managed.call(
        "GET", "/management/apis/Orders", token=admin, headers={"X-Correlation-ID": "look-1"}
    )
    assert missing.status == 404
    assert missing.json == {
        "error": {
            "code": "NOT_FOUND",
            "message": "no API named 'Orders' (APIs: OrdersAPI)",
            "correlationId": "look-1",
        }
    }


async def test_sequences_are_listed_and_shown(managed: Managed, admin: str) -> None:
    audit = {
        "name": "Audit",
        "project": "shop",
        "mediators": 2,
        "onError": False,
        "location": "sequences/audit.yaml:1",
    }
    assert (await managed.call("GET", "/management/sequences", token=admin)).json == {"items": [audit]}
    assert (await managed.call("GET", "/management/sequences/Audit", token=admin)).json == audit
    assert (await managed.call("GET", "/management/sequences/Nope", token=admin)).status == 404


async def test_installed_connectors_are_listed_with_their_operations(managed: Managed, monitor: str) -> None:
    [kv] = (await managed.call("GET", "/management/connectors", token=monitor)).json["items"]
    assert (kv["name"], kv["version"], kv["package"]) == ("kv", "1.2.0", "local")
    assert {"name": "put", "summary": "Keep *value* under *key*."} in kv["operations"]
    assert [trigger["name"] for trigger in kv["triggers"]] == ["changes"]
    assert (await managed.call("GET", "/management/connectors/kv", token=monitor)).json == kv
    missing = await managed.call("GET", "/management/connectors/redis", token=monitor)
    assert missing.status == 404
    assert missing.json["error"]["message"] == "no connector 'redis' is installed (installed: kv)"


async def test_connections_show_their_state_and_a_test_says_whether_the_ping_worked(
    managed: Managed, admin: str
) -> None:
    listed = (await managed.call("GET", "/management/connections", token=admin)).json["items"]
    assert [(c["name"], c["state"]) for c in listed] == [("cache", "idle"), ("locked", "idle")]
    ok = (await managed.call("POST", "/management/connections/cache/test", token=admin)).json
    assert (ok["ok"], ok["error"], ok["connection"]["state"]) == (True, None, "open")
    failed = (await managed.call("POST", "/management/connections/locked/test", token=admin)).json
    assert failed["ok"] is False
    assert failed["error"] == "the store refused the password of connection locked"
    shown = (await managed.call("GET", "/management/connections/locked", token=admin)).json
    assert shown == {
        "name": "locked",
        "project": "shop",
        "connector": "kv",
        "state": "failed",
        "lastError": "the store refused the password of connection locked",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/management/connections/nope"), ("POST", "/management/connections/nope/test")],
)
async def test_an_unknown_connection_is_not_found(
    managed: Managed, admin: str, method: str, path: str
) -> None:
    answer = await managed.call(method, path, token=admin)
    assert answer.status == 404
    assert answer.json["error"]["message"] == "no connection named 'nope' (connections: cache, locked)"


async def test_an_unknown_route_and_an_undeclared_method_answer_json_errors(
    managed: Managed, admin: str
) -> None:
    unknown = await managed.call("GET", "/management/widgets", token=admin)
    assert unknown.status == 404
    assert unknown.json["error"]["message"] == "no such route: GET /management/widgets"
    wrong_method = await managed.call("DELETE", "/management/apis", token=admin)
    assert wrong_method.status == 405
    assert wrong_method.error_code == "METHOD_NOT_ALLOWED"
    assert wrong_method.headers["Allow"] == "GET"


async def test_an_unknown_query_parameter_is_a_bad_request(managed: Managed, admin: str) -> None:
    answer = await managed.call(
        "GET", "/management/logs", token=admin, params={"limit": "5", "colour": "red"}
    )
    assert answer.status == 400
    assert (
        answer.json["error"]["message"]
        == "unknown query parameter 'colour' (parameters: limit, level, logger, after)"
    )
