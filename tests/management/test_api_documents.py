"""The management API serves each API's OpenAPI document, with the API's full URL as its server."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests.management.conftest import Managed


async def test_an_apis_openapi_document_is_served_by_the_management_api(
    managed: Managed, monitor: str
) -> None:
    answer = await managed.call("GET", "/management/apis/OrdersAPI/openapi", token=monitor)
    assert answer.status == 200
    document = answer.json
    validate(document)
    assert document["info"] == {"title": "OrdersAPI", "version": "2.0.0"}
    assert document["servers"] == [{"url": "http://localhost:8290/orders"}]
    assert set(document["paths"]) == {"/{id}", "/"}
    missing = await managed.call("GET", "/management/apis/Nope/openapi", token=monitor)
    assert missing.status == 404
    assert missing.json["error"]["message"] == "no API named 'Nope' (APIs: OrdersAPI)"
