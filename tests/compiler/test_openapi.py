"""The OpenAPI 3.1 document of an API: made from its resources, URI templates, validate mediators'
schemas and what resources declare; served at CONTEXT?openapi.json and ?swagger.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from interlace.compiler.compile import compile_project
from interlace.compiler.openapi import api_document
from interlace.model.load import load_project
from tests.http.serving import serve_files
from tests.support import write_project

HEALTHCARE = Path(__file__).resolve().parents[2] / "examples" / "healthcare"

ORDER_SCHEMA = {"type": "object", "required": ["item"], "properties": {"item": {"type": "string"}}}

FILES = {
    "interlace.toml": '[project]\nname = "shop"\nversion = "3.1.4"\n',
    "apis/orders.yaml": """\
api: OrdersAPI
context: /orders
version: v2
description: Orders of the shop.
resources:
  - methods: [POST]
    uri-template: /{customer}/items
    description: Add an item to the customer's order.
    flow:
      - log: "adding an item"
      - validate:
          schema: {type: object, required: [item], properties: {item: {type: string}}}
      - respond: {status: 201, json: {added: true}}
  - methods: [GET]
    uri-template: /search?q={query}&kind=book
    flow:
      - respond: {json: []}
  - methods: [PUT]
    uri-template: /{customer}/note.{ext}
    request:
      content-type: text/plain
      schema: {type: string}
      example: deliver after noon
    responses:
      204: {description: The note was kept.}
      409:
        description: A note is already there.
        schema: {type: object}
        example: {error: {code: CONFLICT, message: there is a note, correlationId: c-1}}
    flow:
      - drop: {}
  - methods: [POST]
    uri-template: /files/*
    flow:
      - payload: {json: {}}
      - validate: {schema: {type: object}}
      - respond: {}
""",
}


def _document(root: Path, api: str) -> dict[str, Any]:
    artifacts = compile_project(load_project(root))
    found = next(item for item in artifacts.apis if item.name == api)
    return api_document(found, artifacts.version)


def test_the_healthcare_apis_document_is_valid_openapi_3_1() -> None:
    document = _document(HEALTHCARE, "HealthcareAPI")
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/healthcare"}]
    reserve = document["paths"]["/categories/{category}/reserve"]
    assert reserve["parameters"] == [
        {"name": "category", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert reserve["post"]["summary"].startswith("Reserve an appointment")
    assert reserve["post"]["responses"]["default"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "get" in document["paths"]["/querydoctor/{category}"]


def test_the_document_shows_parameters_schemas_and_declared_answers(tmp_path: Path) -> None:
    document = _document(write_project(tmp_path / "shop", FILES), "OrdersAPI")
    validate(document)
    assert document["info"] == {"title": "OrdersAPI", "version": "v2", "description": "Orders of the shop."}
    assert document["servers"] == [{"url": "/orders/v2"}]
    paths = document["paths"]
    items = paths["/{customer}/items"]["post"]
    # the validate mediator checks the payload before the flow changes it: its schema is the request's
    assert items["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": ORDER_SCHEMA}},
    }
    assert [(p["name"], p["in"], p["schema"]) for p in paths["/search"]["parameters"]] == [
        ("q", "query", {"type": "string"}),  # what a client sends: the key, not the variable
        ("kind", "query", {"const": "book"}),
    ]
    note = paths["/{customer}/note.{ext}"]
    assert [p["name"] for p in note["parameters"]] == ["customer", "ext"]
    assert note["put"]["requestBody"]["content"] == {
        "text/plain": {"schema": {"type": "string"}, "example": "deliver after noon"}
    }
    assert note["put"]["responses"]["204"] == {"description": "The note was kept."}
    assert (
        note["put"]["responses"]["409"]["content"]["application/json"]["example"]["error"]["code"]
        == "CONFLICT"
    )
    # after the payload changed, a validate says nothing of the request
    files = paths["/files/{rest}"]
    assert "requestBody" not in files["post"]
    assert files["parameters"][0]["name"] == "rest"


async def test_an_api_serves_its_document_at_openapi_json_and_swagger_json(tmp_path: Path) -> None:
    async with serve_files(tmp_path, FILES) as (_, session):
        async with session.get("/orders/v2?openapi.json") as answer:
            assert answer.status == 200
            assert answer.content_type == "application/json"
            document = await answer.json()
        async with session.get("/orders/v2/?swagger.json") as answer:
            assert await answer.json() == document
        async with session.get("/orders/v2/search?openapi.json") as answer:
            assert answer.status == 404  # a resource's path is not the API's
    assert document["info"]["title"] == "OrdersAPI"
    validate(document)
