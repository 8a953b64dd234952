"""The fixed files of a package made from an OpenAPI description: packaging, README and tests."""

from __future__ import annotations

from interlace.sdk.openapi import ApiDescription

__all__ = ["CONFORMANCE", "OPERATIONS_TEST", "PYPROJECT", "readme"]

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "interlace-@DIST@"
version = "0.1.0"
description = @DESCRIPTION@
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["interlace>=@SDK@"]

[project.optional-dependencies]
test = ["pytest>=8", "pytest-asyncio>=0.24"]

# How Interlace finds the connector: the entry point's name is the connector's name in flows.
[project.entry-points."interlace.connectors"]
@NAME@ = "interlace_@NAME@:connector"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
"*" = ["*.json"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
"""

CONFORMANCE = '''\
"""The connector keeps the promises Interlace users rely on."""

from interlace.sdk.testing import assert_connector_conforms

from @MODULE@ import connector


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector)


def test_every_operation_of_the_description_is_an_operation() -> None:
    assert connector.name == "@NAME@"
    assert len(connector.operations) == @COUNT@
'''

OPERATIONS_TEST = '''\
"""Each operation sends its request where the description says, with the connection's credentials,
against a fake API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import test_utils, web

from @MODULE@ import @CLASS@Config, @CLASS@Connection, connector

CASES: list[tuple[str, dict[str, Any], str, str]] = [
@CASES@
]
CREDENTIALS: dict[str, dict[str, str]] = @CREDENTIALS@


class FakeApi:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    async def token(self, request: web.Request) -> web.Response:
        return web.json_response({"access_token": "test-access", "expires_in": 3600})

    async def answer(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.raw_path.partition("?")[0]))
        return web.json_response({})


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeApi, str]]:
    api = FakeApi()
    app = web.Application()
    app.router.add_post("/oauth-token-for-tests", api.token)
    app.router.add_route("*", "/{tail:.*}", api.answer)
    server = test_utils.TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield api, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.mark.parametrize(("operation", "values", "method", "path"), CASES)
async def test_the_operation_sends_its_request(
    fake: tuple[FakeApi, str], operation: str, values: dict[str, Any], method: str, path: str
) -> None:
    api, url = fake
    credentials = {
        key: {**value, "token-url": f"{url}/oauth-token-for-tests"} if "client-id" in value else value
        for key, value in CREDENTIALS.items()
    }
    config = @CLASS@Config.model_validate({"base-url": url, **credentials})
    async with @CLASS@Connection(config, name="test") as conn:
        result = await connector.get_operation(operation).invoke(conn, values)
    assert api.requests == [(method, path)]
    assert result.attributes["status"] == 200
'''


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def readme(api: ApiDescription, name: str, base_url: str, fields: dict[str, str]) -> str:
    """The README: what the package is, how to install, configure and use it, and what was left out."""
    first = api.operations[0] if api.operations else None
    credentials = "".join(
        f"{field.replace('_', '-')}: {{...}}  # {scheme}\n" for scheme, field in fields.items()
    )
    example = ""
    if first is not None:
        required = [p.key for p in first.parameters if p.required]
        params = "".join(f", {key}: ..." for key in required)
        example = f"- {name}.{first.name}: {{connection: {name}{params}}}\n"
    operations = "".join(
        f"- `{name}.{op.name}` ({op.method} `{op.path}`): {op.summary or op.description.split(chr(10))[0]}\n"
        for op in api.operations
    )
    notes = "".join(f"- {note}\n" for note in api.notes) or "- nothing\n"
    return f"""\
# interlace-{name.replace("_", "-")}

The `{name}` connector for Interlace, made by `interlace connector from-openapi` from the OpenAPI
description of {api.title or name} {api.version}. {_first_line(api.description)}

## Install

```
interlace connector add .
python -m pytest   # the operations against a fake API on loopback
```

## Use

A connection (`connections/{name}.yaml`); the credentials are those of the API's security schemes:

```yaml
connection: {name}
connector: {name}
base-url: {base_url or "https://..."}
{credentials}```

In a flow:

```yaml
{example}```

## Operations

{operations}
## What the description held that the package does not use as it is

{notes}"""
