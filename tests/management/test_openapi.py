"""The OpenAPI document describes exactly the routes the server serves, and every reference resolves."""

from __future__ import annotations

import re
from typing import Any

from interlace.management import create_app
from interlace.management.app import all_routes
from tests.management.conftest import Managed


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


async def test_every_served_route_is_in_the_document_and_every_documented_one_is_served(
    managed: Managed,
) -> None:
    document = (await managed.call("GET", "/management/openapi.json")).json
    served = {
        (route.method, route.resource.canonical)
        for route in create_app(managed.server.context).router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert served == documented
    assert len(served) == len(all_routes())


async def test_every_reference_resolves_and_operation_ids_are_unique(managed: Managed) -> None:
    document = (await managed.call("GET", "/management/openapi.json")).json
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    ids = [operation["operationId"] for item in document["paths"].values() for operation in item.values()]
    assert len(ids) == len(set(ids))


async def test_protected_operations_document_their_auth_errors_and_public_ones_need_no_token(
    managed: Managed,
) -> None:
    document = (await managed.call("GET", "/management/openapi.json")).json
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security") == []:
                assert operation["x-required-role"] == "public"
                continue
            assert "401" in responses, (method, path)
            if method != "get" and path != "/management/logout":
                assert "403" in responses, (method, path)
                assert operation["x-required-role"] in ("operator", "admin")
            if re.search(r"\{\w+\}", path):
                assert "404" in responses, (method, path)
