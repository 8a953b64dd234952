"""``interlace connector from-openapi``: a package with one typed operation per operation of the
description, a connection from its servers and security schemes, a README, and tests that pass as
generated; the report says how many operations it made and which it left out, and why."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.connectors.openapi.conftest import SPECS, FakeApi
from typer.testing import CliRunner

from interlace.cli import app
from interlace.sdk import Connector
from interlace.sdk.testing import assert_connector_conforms


def generate(spec: str, folder: Path, *options: str) -> str:
    result = CliRunner().invoke(
        app,
        ["connector", "from-openapi", str(SPECS / spec), "-o", str(folder), *options],
        env={"NO_COLOR": "1"},
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def load() -> Iterator[Any]:
    """Imports a generated package from its folder, and forgets it afterwards."""
    loaded: list[tuple[str, str]] = []

    def load_package(folder: Path, module: str) -> ModuleType:
        sys.path.insert(0, str(folder / "src"))
        loaded.append((str(folder / "src"), module))
        return importlib.import_module(module)

    yield load_package
    for path, module in loaded:
        sys.path.remove(path)
        for name in [name for name in sys.modules if name == module or name.startswith(f"{module}.")]:
            del sys.modules[name]


def test_the_report_counts_operations_and_names_what_was_left_out_and_why(tmp_path: Path) -> None:
    output = generate("petstore30.yaml", tmp_path / "pets")
    assert "generated 7 operations of connector pet_store" in output and "skipped 1" in output
    assert "GET /shelters/{shelterId}: skipped: its path parameter(s) shelterId are not declared" in output
    assert "DELETE /pets/{petId}: generated: it has no operationId" in output
    assert "POST /adoptions: approximated: its body is oneOf 2 shapes" in output
    assert "security scheme openId: skipped" in output
    readme = (tmp_path / "pets" / "README.md").read_text()
    assert "`pet_store.findPetsByStatus` (GET `/pets`): Find pets by status." in readme
    assert "shelterId are not declared" in readme


def test_a_folder_with_files_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "pets").mkdir()
    (tmp_path / "pets" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(
        app, ["connector", "from-openapi", str(SPECS / "petstore30.yaml"), "-o", str(tmp_path / "pets")]
    )
    assert result.exit_code == 1 and "exists and is not empty" in result.output


def test_operations_are_typed_from_the_description(tmp_path: Path, load: Any) -> None:
    generate("petstore30.yaml", tmp_path / "pets", "--name", "pets")
    connector: Connector = load(tmp_path / "pets", "interlace_pets").connector
    assert_connector_conforms(connector)
    find = connector.get_operation("findPetsByStatus")
    assert [(p.name, p.type_name, p.required) for p in find.parameters] == [
        ("status", "'available' | 'pending' | 'sold'", True),
        ("tags", "list of string", False),
        ("limit", "integer", False),
        ("x_request_id", "string", False),
    ]
    assert find.parameter("status").description == "Which pets to list."
    assert find.summary == "Find pets by status."
    problems = {p.key: p.message for p in find.validate_static({"status": "lost", "limt": 2})}
    assert "'available'" in problems["status"] and "unknown parameter" in problems["limt"]
    add = connector.get_operation("addPet")
    assert [p.message for p in add.validate_static({"body": {"name": "Rex"}})] == [
        "parameter 'body' of pets.addPet: value error, 'status' is a required property (got {'name': 'Rex'})"
    ]
    assert add.validate_static({"body": {"name": "Rex", "status": "sold"}}) == []
    tricks = connector.get_operation("addPet_2")
    assert [p.name for p in tricks.parameters] == ["class", "page_size", "page_size_2"]
    settings = connector.config_class.model_json_schema(by_alias=True)["properties"]
    assert settings["base-url"]["default"] == "https://eu.pets.example/v1"
    assert {"api-key", "pet-auth"} <= set(settings)


async def test_generated_operations_call_the_api_with_each_kind_of_credentials(
    tmp_path: Path, load: Any, fake_api: FakeApi
) -> None:
    generate("store31.json", tmp_path / "store")
    generate("legacy20.yaml", tmp_path / "legacy")
    store = load(tmp_path / "store", "interlace_store")
    config = store.StoreConfig.model_validate(
        {
            "base-url": fake_api.url + "/api",
            "bearer": {"token": "t-1"},
            "basic": {"username": "ann", "password": "pw"},
            "user-auth": {
                "client-id": "c",
                "client-secret": "s",
                "refresh-token": "r-1",
                "token-url": fake_api.url + "/oauth/token",
            },
        }
    )
    async with store.StoreConnection(config, name="store") as conn:
        run = store.connector.get_operation
        await run("getOrder").invoke(conn, {"order_id": "a/1", "session": "s 1", "expand": True})
        await run("logIn").invoke(conn, {"body": {"user": "ann", "remember": True}})
        await run("getUser").invoke(conn, {"userId": 7})
    order, login, user = fake_api.requests
    assert (order.path, order.query, order.headers["Cookie"]) == (
        "/api/orders/a%2F1",
        [("expand", "true")],
        "session=s%201",
    )
    assert order.headers["Authorization"] == "Bearer t-1"
    assert login.headers["Authorization"].startswith("Basic ") and login.body == b"user=ann&remember=true"
    assert user.headers["Authorization"] == "Bearer token-1"
    assert fake_api.token_requests[0]["grant_type"] == "refresh_token"
    assert store.connector.authorization.authorization_url == "https://store.example/authorize"
    assert store.connector.get_operation("getUser").scopes == ("profile",)

    legacy = load(tmp_path / "legacy", "interlace_legacy")
    config = legacy.LegacyConfig.model_validate(
        {
            "base-url": fake_api.url + "/rest",
            "query-key": {"value": "k&1"},
            "basic-auth": {"username": "u", "password": "p"},
            "code-auth": {
                "client-id": "c",
                "client-secret": "s",
                "refresh-token": "r-2",
                "token-url": fake_api.url + "/oauth/token",
            },
        }
    )
    async with legacy.LegacyConnection(config, name="legacy") as conn:
        run = legacy.connector.get_operation
        await run("items_list_all").invoke(conn, {"ids": [1, 2]})
        await run("createItem").invoke(conn, {"body": {"name": "box", "size": None}})
        await run("createItem_2").invoke(conn, {"id": 3, "body": {"file": b"\x00\x01", "label": "x"}})
    listed, created, uploaded = fake_api.requests[3:]
    assert listed.query == [("ids", "1"), ("ids", "2")]
    assert created.query == [("api_key", "k&1")] and created.body == b'{"name":"box","size":null}'
    assert uploaded.path == "/rest/items/3/file"
    assert uploaded.headers["Content-Type"].startswith("multipart/form-data")
    assert b"\x00\x01" in uploaded.body and uploaded.headers["Authorization"] == "Bearer token-2"


def test_the_generated_tests_pass_as_generated(tmp_path: Path) -> None:
    generate("petstore30.yaml", tmp_path / "pets")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path / "pets",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 passed" in result.stdout
