"""Reading OpenAPI 3.0, 3.1 and Swagger 2.0 descriptions: operations, typed parameters, bodies and
security schemes, with every name made up or changed and every construct left out reported."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from interlace.errors import ConfigError
from interlace.sdk.openapi import ApiDescription, read_document, read_openapi
from interlace.sdk.openapi.source import load_document
from interlace.sdk.openapi.types import annotation_of

SPECS = Path(__file__).parents[2] / "connectors" / "openapi" / "specs"


def notes(api: ApiDescription) -> list[str]:
    return [str(note) for note in api.notes]


def test_the_test_descriptions_are_valid_where_they_mean_to_be() -> None:
    validate(load_document(SPECS / "store31.json"))
    # The others break the rules on purpose: a reader meets such descriptions in the wild.
    with pytest.raises(OpenAPIValidationError, match="shelterId"):
        validate(load_document(SPECS / "petstore30.yaml"))
    with pytest.raises(OpenAPIValidationError, match="createItem"):
        validate(load_document(SPECS / "legacy20.yaml"))


def test_openapi_30_operations_parameters_and_bodies() -> None:
    api = read_openapi(SPECS / "petstore30.yaml")
    assert (api.title, api.version, api.spec_version) == ("Pet Store", "1.2.0", "3.0.3")
    assert api.servers == ("https://eu.pets.example/v1",)
    assert [op.name for op in api.operations] == [
        "findPetsByStatus", "addPet", "getPetById", "delete_pets_pet_id", "upload_pet_photo", "adopt", "addPet_2",
    ]  # fmt: skip
    find = api.operation("findPetsByStatus")
    assert [(p.key, p.name, p.location, p.required) for p in find.parameters] == [
        ("status", "status", "query", True),
        ("tags", "tags", "query", False),
        ("limit", "limit", "query", False),
        ("x_request_id", "X-Request-ID", "header", False),
    ]
    assert annotation_of(find.parameters[0].schema) == Literal["available", "pending", "sold"]
    assert find.parameters[1].explode is False and find.parameters[2].schema["default"] == 20
    assert find.security == (("apiKey",),)
    assert api.operation("getPetById").parameters[0].location == "path"
    add = api.operation("addPet").body
    assert add is not None and (add.kind, add.content_type, add.required) == (
        "json",
        "application/json",
        True,
    )
    assert add.schema["required"] == ["name", "status"]
    assert add.schema["properties"]["tag"]["type"] == ["string", "null"]
    assert add.schema["properties"]["parent"] == {}  # the recursive reference: any value
    photo = api.operation("upload_pet_photo").body
    assert photo is not None and (photo.kind, photo.content_type) == ("binary", "image/png")
    assert api.operation("delete_pets_pet_id").security == (("petAuth",),)


def test_openapi_30_reports_what_it_named_changed_approximated_and_left_out() -> None:
    assert notes(read_openapi(SPECS / "petstore30.yaml")) == [
        "security scheme petAuth: approximated: the OAuth2 flow(s) implicit are not used (a server cannot)",
        "security scheme openId: skipped: the scheme type 'openIdConnect' is not supported"
        " (apiKey, http basic/bearer and oauth2 are)",
        "GET /pets: renamed: parameter 'X-Request-ID' is not an identifier; it is 'x_request_id'",
        "findPetsByStatus: approximated: response links (nextPage, such as pagination) are not followed:"
        " call the linked operation with values from the payload",
        "DELETE /pets/{petId}: generated: it has no operationId; it is named 'delete_pets_pet_id'",
        "PUT /pets/{petId}/photo: renamed: operationId 'upload-pet-photo' is not an identifier;"
        " it is 'upload_pet_photo'",
        "POST /adoptions: approximated: its body is oneOf 2 shapes: any value is accepted and checked against"
        " the schema",
        "GET /shelters/{shelterId}: skipped: its path parameter(s) shelterId are not declared",
        "GET /tricks: renamed: parameter 'page-size' is not an identifier; it is 'page_size'",
        "GET /tricks: renamed: parameter 'page_size' is taken; it is 'page_size_2'",
        "GET /tricks: renamed: operationId 'addPet' is taken; it is 'addPet_2'",
    ]


def test_openapi_31_types_cookies_forms_and_schemes() -> None:
    api = read_openapi(SPECS / "store31.json")
    assert api.servers == ("/api",)
    get = api.operation("getOrder")
    assert [(p.key, p.name, p.location) for p in get.parameters] == [
        ("order_id", "order id", "path"),
        ("session", "session", "cookie"),
        ("expand", "expand", "query"),
    ]
    assert annotation_of(get.parameters[2].schema) == bool | None
    form = api.operation("logIn")
    assert form.body is not None and form.body.kind == "form"
    assert form.security == (("basic",), ())
    assert {name: s.kind for name, s in api.schemes.items()} == {
        "bearer": "bearer", "basic": "basic", "userAuth": "oauth2",
    }  # fmt: skip
    user = api.schemes["userAuth"]
    assert (user.grants, user.authorization_url, user.token_url, user.scopes) == (
        ("authorization_code",), "https://store.example/authorize", "https://store.example/token", ("profile",),
    )  # fmt: skip
    assert "security scheme digest: skipped" in notes(api)[0]


def test_swagger_20_bodies_forms_and_schemes() -> None:
    api = read_openapi(SPECS / "legacy20.yaml")
    assert (api.spec_version, api.servers) == ("2.0", ("https://legacy.example/rest",))
    listing = api.operation("items_list_all")
    assert [(p.key, p.explode) for p in listing.parameters] == [("kind", False), ("ids", True)]
    assert annotation_of(listing.parameters[1].schema) == list[int]
    create = api.operation("createItem")
    assert create.body is not None and create.body.kind == "json" and create.body.required
    assert create.body.schema["properties"]["size"]["type"] == ["integer", "null"]
    assert create.security == (("queryKey",),)
    upload = api.operation("createItem_2")
    assert upload.body is not None and (upload.body.kind, upload.body.content_type) == (
        "multipart", "multipart/form-data",
    )  # fmt: skip
    assert upload.body.schema["properties"]["file"]["format"] == "binary"
    assert api.schemes["codeAuth"].grants == ("authorization_code",)
    assert api.schemes["queryKey"].location == "query"
    assert "security scheme passwordAuth: skipped" in notes(api)[0]


def test_something_that_is_no_openapi_description_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"neither 'openapi: 3\.x' nor 'swagger: 2\.0'"):
        read_document({"asyncapi": "2.6.0"}, "file:///x.yaml")


def test_a_reference_that_cannot_be_resolved_skips_only_its_operation() -> None:
    document = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"get": {"operationId": "a", "parameters": [{"$ref": "#/components/parameters/Nope"}]}},
            "/b": {"get": {"operationId": "b"}},
        },
    }
    api = read_document(document, "file:///x.yaml")
    assert [op.name for op in api.operations] == ["b"]
    assert "GET /a: skipped: the reference '#/components/parameters/Nope' cannot be resolved" in notes(api)[0]
