"""The ``openapi`` connector in a project: a connection names a description, each of its operations is
``openapi.NAME``, checked when the project loads and calling the API with the connection's credentials."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.connectors.openapi.conftest import SPECS, FakeApi
from tests.support import write_project

from interlace.compiler import compile_project
from interlace.compiler.diagnostics import format_problem
from interlace.endpoints import HttpClient
from interlace.message import MessageContext, Payload
from interlace.model import load_project
from interlace.runtime import Runtime
from interlace.sdk import RetryableError

PETS = """\
connection: pets
connector: openapi
spec: specs/petstore30.yaml
base-url: ${env.API}/v1
credentials:
  apiKey: {value: "${secret.PETS_KEY}"}
  petAuth: {client-id: shop, client-secret: "${secret.PETS_CLIENT_SECRET}", token-url: "${env.API}/oauth/token"}
"""
ENV = {"PETS_KEY": "k-123", "PETS_CLIENT_SECRET": "s-456"}


def project(root: Path, flow: str, connection: str = PETS) -> Path:
    (root / "specs").mkdir(parents=True)
    shutil.copy(SPECS / "petstore30.yaml", root / "specs")
    return write_project(
        root,
        {"connections/pets.yaml": connection, "sequences/pets.yaml": "sequence: Pets\nflow:\n" + flow},
        name="pets",
    )


def problems(root: Path) -> list[str]:
    try:
        compile_project(load_project(root, env={"API": "http://127.0.0.1:9", **ENV}), HttpClient())
    except Exception as exc:  # ConfigError with every problem
        return [format_problem(problem) for problem in getattr(exc, "detail", [exc])]
    return []


def test_wrong_values_for_an_operation_of_the_description_are_reported_at_their_lines(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """\
  - openapi.findPetsByStatus: {connection: pets, status: lost, limt: 3}
  - openapi.getPetById: {connection: pets}
  - openapi.findPetByStatus: {connection: pets, status: sold}
  - openapi.addPet: {connection: pets, body: {name: Rex, status: adopted}}
""",
    )
    found = problems(root)
    assert any(
        "sequences/pets.yaml:3" in p and "parameter 'status'" in p and "'available'" in p for p in found
    )
    assert any(
        "sequences/pets.yaml:3" in p and "unknown parameter 'limt'" in p and "'limit'" in p for p in found
    )
    assert any("sequences/pets.yaml:4" in p and "missing required parameter 'petId'" in p for p in found)
    assert any(
        "sequences/pets.yaml:5" in p and "has no operation 'findPetByStatus'" in p and "findPetsByStatus" in p
        for p in found
    )
    assert any("sequences/pets.yaml:6" in p and "parameter 'body'" in p and "adopted" in p for p in found)
    assert len(found) == 5, found


def test_credentials_for_a_scheme_the_description_lacks_are_reported(tmp_path: Path) -> None:
    connection = PETS.replace("  apiKey:", "  apikey:")
    root = project(tmp_path, "  - openapi.getPetById: {connection: pets, petId: '1'}\n", connection)
    (found,) = problems(root)
    assert "credentials name 'apikey'" in found and "apiKey" in found


def test_a_missing_description_is_reported_where_an_operation_uses_it(tmp_path: Path) -> None:
    root = project(tmp_path, "  - openapi.getPetById: {connection: pets, petId: '1'}\n")
    (root / "specs" / "petstore30.yaml").unlink()
    (found,) = problems(root)
    assert "sequences/pets.yaml:3" in found
    assert "cannot read the OpenAPI description specs/petstore30.yaml: No such file" in found


async def test_operations_call_the_api_with_encoded_values_and_the_connection_credentials(
    tmp_path: Path, fake_api: FakeApi
) -> None:
    root = project(
        tmp_path,
        """\
  - variable: {name: id, value: "${payload.id}"}
  - openapi.findPetsByStatus: {connection: pets, status: available, tags: [a b, "c,d"], x_request_id: r-1}
  - openapi.getPetById: {connection: pets, petId: "${vars.id}", response-variable: pet}
  - openapi.addPet: {connection: pets, body: {name: Rex, status: available}}
  - openapi.delete_pets_pet_id: {connection: pets, petId: "1"}
  - openapi.delete_pets_pet_id: {connection: pets, petId: "1"}
""",
    )
    async with Runtime(root, env={"API": fake_api.url, **ENV}) as runtime:
        ctx = MessageContext(Payload.of_json({"id": "../a/b?c"}))
        await runtime.artifacts.sequences["Pets"].mediate(ctx)
    find, get, add, delete, again = fake_api.requests
    assert (find.method, find.path) == ("GET", "/v1/pets")
    assert find.query == [("status", "available"), ("tags", "a b,c,d")]
    assert find.headers["X-Request-ID"] == "r-1" and find.headers["X-API-Key"] == "k-123"
    assert get.path == "/v1/pets/..%2Fa%2Fb%3Fc"
    assert ctx.variables["pet"]["attributes"]["status"] == 200
    assert (add.method, add.headers["Content-Type"]) == ("POST", "application/json")
    assert add.body == b'{"name":"Rex","status":"available"}'
    assert delete.headers["Authorization"] == again.headers["Authorization"] == "Bearer token-1"
    assert "X-API-Key" not in delete.headers
    assert fake_api.token_requests == [
        {"grant_type": "client_credentials", "client_id": "shop", "client_secret": "s-456"}
    ]


async def test_a_server_error_is_retryable_with_its_retry_after(tmp_path: Path, fake_api: FakeApi) -> None:
    root = project(
        tmp_path,
        "  - openapi.getPetById: {connection: pets, petId: x}\n",
        PETS.replace("base-url: ${env.API}/v1", "base-url: ${env.API}/status/503"),
    )
    async with Runtime(root, env={"API": fake_api.url, **ENV}) as runtime:
        with pytest.raises(RetryableError) as caught:
            await runtime.artifacts.sequences["Pets"].mediate(MessageContext())
    assert caught.value.retry_after == 3
