"""``interlace connector new``: a connector package, ready to test and publish, that works as it is.

The package talks to a small HTTP API of JSON items, so it shows what every connector needs: documented
settings with a :class:`~interlace.sdk.Secret`, a connection that opens, pings and closes one client,
operations described by their signatures, sorted errors, packaging with the entry point, and tests
(conformance, and the operations against a real server on loopback).
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from interlace import __version__

__all__ = ["connector_folder", "scaffold_connector"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "interlace-@DIST@"
version = "0.1.0"
description = "The @NAME@ connector for Interlace."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["interlace>=@SDK@", "aiohttp>=3.9"]

[project.optional-dependencies]
test = ["pytest>=8", "pytest-asyncio>=0.24"]

# How Interlace finds the connector: the entry point's name is the connector's name in flows.
[project.entry-points."interlace.connectors"]
@NAME@ = "interlace_@NAME@:connector"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"

[tool.ruff]
line-length = 110
"""

_README = """\
# interlace-@DIST@

The `@NAME@` connector for Interlace: it stores and reads JSON items in an HTTP API (`PUT` and `GET`
on `{base-url}/items/{key}`, with an optional bearer API key). It is a starting point: replace the
settings and operations in `src/interlace_@NAME@/__init__.py` with your system's, and keep the tests
passing.

## Install

Into the environment Interlace runs in, from this folder:

```
interlace connector add .
interlace connector info @NAME@
```

`interlace connector remove @NAME@` uninstalls it again. Once published, `interlace connector add
interlace-@DIST@` installs it by name.

## Use

A connection (`connections/items.yaml`):

```yaml
connection: items
connector: @NAME@
base-url: https://items.example.com/api
api-key: ${secret.ITEMS_API_KEY}
```

A flow step:

```yaml
- @NAME@.putItem: {connection: items, key: "${payload.id}", item: "${payload}"}
```

## Test

```
python -m pip install -e ".[test]"
python -m pytest
```

`tests/test_conformance.py` checks what Interlace users rely on (documented settings, operations and
parameters; secrets that never show); `tests/test_operations.py` runs the operations against a real HTTP
server on loopback.
"""

_CONNECTOR = '''\
"""The @NAME@ connector for Interlace: JSON items in an HTTP API.

Replace the settings and operations with your system's; ``interlace connector info @NAME@`` shows what
users will see, generated from the docstrings and signatures below.
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import quote

import aiohttp
from interlace.sdk import (
    Connection,
    ConnectionConfig,
    Connector,
    FatalError,
    InvalidInput,
    Param,
    RetryableError,
    Secret,
)

__all__ = ["@CLASS@Config", "@CLASS@Connection", "connector"]


class @CLASS@Config(ConnectionConfig):
    """Where the items API is and how to sign in to it."""

    base_url: str = "http://127.0.0.1:8080"
    """The API's base URL; the items are at ``{base-url}/items/{key}``."""

    api_key: Secret | None = None
    """The API key, sent as ``Authorization: Bearer ...``; leave it out if the API is open."""

    timeout: float = 10.0
    """Seconds to wait for an answer; a call that takes longer fails and may be retried."""


class @CLASS@Connection(Connection[@CLASS@Config]):
    """One aiohttp session (sockets pooled per host) shared by every operation on the connection; safe to
    use from concurrent tasks."""

    _session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        headers = {"Accept": "application/json"}
        if self.config.api_key is not None:
            headers["Authorization"] = f"Bearer {self.config.api_key.reveal()}"
        self._session = aiohttp.ClientSession(
            headers=headers, timeout=aiohttp.ClientTimeout(total=self.config.timeout)
        )

    async def ping(self) -> None:
        """GET the base URL: any answer but a refusal (401, 403) or a failure (429, 5xx) will do."""
        await self.send("GET", "", operation="ping")

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def send(self, method: str, path: str, *, operation: str, body: object = None) -> tuple[int, bytes]:
        """Send one request and return the answer's status and body, unless the answer is an error for
        any operation: 401 and 403 are a FatalError (the settings are wrong), no answer, 429 and 5xx a
        RetryableError (it may work later)."""
        where = f"@NAME@.{operation} on connection {self.name}"
        if self._session is None:
            raise FatalError(f"{where}: the connection is not open")
        url = f"{self.config.base_url.rstrip('/')}/{path}"
        try:
            async with self._session.request(method, url, json=body) as response:
                status, answer = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(
                f"{where}: {method} {url} got no answer ({type(exc).__name__}: {exc})"
            ) from exc
        if status in (401, 403):
            raise FatalError(f"{where}: {method} {url} refused the credentials (status {status})")
        if status == 429 or status >= 500:
            raise RetryableError(f"{where}: {method} {url} answered status {status}")
        return status, answer


connector = Connector(
    "@NAME@",
    version="0.1.0",
    connection=@CLASS@Connection,
    description="Store and read JSON items in an HTTP API.",
)


@connector.operation(name="putItem")
async def put_item(
    conn: @CLASS@Connection,
    key: Annotated[str, Param("The key to store the item under.", example="order-1")],
    item: Annotated[object, Param("The item: any JSON value.", example={"quantity": 2})],
) -> object:
    """Store *item* under *key*, replacing what the key held.

    Returns:
        What the API answers: the stored item.
    """
    status, body = await conn.send("PUT", _item_path(key), operation="putItem", body=item)
    return _read_json(conn, "putItem", status, body)


@connector.operation(name="getItem")
async def get_item(
    conn: @CLASS@Connection, key: Annotated[str, Param("The key of the item.", example="order-1")]
) -> object:
    """Read the item stored under *key*.

    Returns:
        The item, as it was stored.
    """
    status, body = await conn.send("GET", _item_path(key), operation="getItem")
    if status == 404:
        raise InvalidInput(f"@NAME@.getItem on connection {conn.name}: no item has the key {key!r}")
    return _read_json(conn, "getItem", status, body)


def _item_path(key: str) -> str:
    return "items/" + quote(key, safe="")


def _read_json(conn: @CLASS@Connection, operation: str, status: int, body: bytes) -> object:
    where = f"@NAME@.{operation} on connection {conn.name}"
    if status >= 400:
        text = body[:200].decode(errors="replace")
        raise InvalidInput(f"{where}: the API refused the input with status {status}: {text}")
    try:
        return json.loads(body) if body else None
    except ValueError as exc:
        raise FatalError(f"{where}: the API answered something that is not JSON (status {status})") from exc
'''

_TEST_CONFORMANCE = '''\
"""The connector keeps the promises Interlace users rely on."""

from interlace.sdk.testing import assert_connector_conforms

from interlace_@NAME@ import connector


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector)


def test_the_connector_is_registered_under_its_name() -> None:
    assert connector.name == "@NAME@"
    assert set(connector.operations) == {"getItem", "putItem"}
'''

_TEST_OPERATIONS = '''\
"""The operations, run as the runtime runs them, against a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import test_utils, web
from aiohttp.typedefs import Handler
from interlace.sdk import FatalError, InvalidInput

from interlace_@NAME@ import @CLASS@Config, @CLASS@Connection, connector

API_KEY = "key-for-tests"


@web.middleware
async def _require_api_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.headers.get("Authorization") != f"Bearer {API_KEY}":
        raise web.HTTPUnauthorized()
    return await handler(request)


def _items_api() -> web.Application:
    items: dict[str, object] = {}

    async def put(request: web.Request) -> web.Response:
        items[request.match_info["key"]] = await request.json()
        return web.json_response(items[request.match_info["key"]])

    async def get(request: web.Request) -> web.Response:
        if request.match_info["key"] not in items:
            raise web.HTTPNotFound()
        return web.json_response(items[request.match_info["key"]])

    app = web.Application(middlewares=[_require_api_key])
    app.router.add_put("/items/{key}", put)
    app.router.add_get("/items/{key}", get)
    return app


@pytest.fixture
async def server() -> AsyncIterator[test_utils.TestServer]:
    server = test_utils.TestServer(_items_api(), host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


def _config(server: test_utils.TestServer, api_key: str) -> @CLASS@Config:
    return @CLASS@Config.model_validate({"base-url": str(server.make_url("/")), "api-key": api_key})


async def test_an_item_put_is_read_back(server: test_utils.TestServer) -> None:
    async with @CLASS@Connection(_config(server, API_KEY), name="items") as conn:
        await conn.ping()
        await connector.get_operation("putItem").invoke(conn, {"key": "order 1", "item": {"quantity": 2}})
        item = await connector.get_operation("getItem").invoke(conn, {"key": "order 1"})
    assert item == {"quantity": 2}


async def test_a_missing_item_is_invalid_input(server: test_utils.TestServer) -> None:
    async with @CLASS@Connection(_config(server, API_KEY), name="items") as conn:
        with pytest.raises(InvalidInput, match="no item has the key 'nothing'"):
            await connector.get_operation("getItem").invoke(conn, {"key": "nothing"})


async def test_a_wrong_api_key_is_fatal_and_not_shown(server: test_utils.TestServer) -> None:
    async with @CLASS@Connection(_config(server, "wrong-key"), name="items") as conn:
        with pytest.raises(FatalError, match="refused the credentials") as raised:
            await conn.ping()
    assert "wrong-key" not in str(raised.value)
'''


def connector_folder(name: str, parent: Path) -> Path:
    """Where :func:`scaffold_connector` writes the package of connector ``name``."""
    return parent / f"interlace-{name}"


def scaffold_connector(name: str, parent: Path) -> list[Path]:
    """Write the package of a new connector ``name`` into ``parent/interlace-NAME`` and return its files.

    ``ValueError`` if ``name`` is not a lowercase Python identifier (it names the module
    ``interlace_NAME``); ``FileExistsError`` if the folder exists and is not empty (nothing is written).
    """
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ValueError(
            "a connector name is a lowercase identifier: a letter, then letters, digits or '_'"
            f" (got {name!r})"
        )
    folder = connector_folder(name, parent)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not empty; choose another --dir or remove it")
    replacements = {
        "@NAME@": name,
        "@DIST@": name.replace("_", "-"),
        "@CLASS@": "".join(part.capitalize() for part in name.split("_")),
        "@SDK@": ".".join(__version__.split(".")[:2]),
    }
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"src/interlace_{name}/__init__.py": _CONNECTOR,
        "tests/test_conformance.py": _TEST_CONFORMANCE,
        "tests/test_operations.py": _TEST_OPERATIONS,
    }
    written = []
    for relative, template in files.items():
        text = template
        for marker, value in replacements.items():
            text = text.replace(marker, value)
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
