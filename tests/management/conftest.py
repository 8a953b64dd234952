"""A real management server on loopback around a real runtime of a small shop project: an API that
stores orders, an inactive forwarding processor (so stored orders stay to be browsed), endpoints, and
two connections of the test key-value connector (one that opens, one whose password is refused).

Clocks are injected: ``wall`` for token expiry, ``mono`` for the login throttle; tests move them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
from argon2 import PasswordHasher

from interlace.management import ManagementServer, TokenIssuer, UserStore, default_throttle
from interlace.management.app import all_routes
from interlace.management.openapi import ERROR_SCHEMA
from interlace.management.resources import SCHEMAS
from interlace.management.routes import Route
from interlace.management.server import Extension
from interlace.runtime import Runtime
from interlace.sdk import ConnectorRegistry
from interlace.sdk.testing import connector_entry_point
from tests.sdk.kv import connector as kv
from tests.support import write_project

# Both are among the suite's watched secrets: a log line holding one fails the run.
ADMIN_PASSWORD = "hunter2-secret"
MONITOR_PASSWORD = "s3cret-of-the-monitor"
REGISTRY = ConnectorRegistry(lambda: [connector_entry_point(kv)])
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ENV = {"KV_PASSWORD": "open-sesame", "LOCKED_PASSWORD": "not-the-password"}

PROJECT = {
    "interlace.toml": '[project]\nname = "shop"\nversion = "2.0.0"\n\n[server]\nport = 8290\n',
    "apis/orders.yaml": """\
api: OrdersAPI
context: /orders
resources:
  - methods: [POST]
    uri-template: /{id}
    flow:
      - store: Orders
      - respond: {json: {stored: true}}
  - methods: [GET]
    uri-template: /
    flow:
      - respond: {json: []}
""",
    "sequences/audit.yaml": "sequence: Audit\nflow:\n  - log: audit\n  - log: done\n",
    "endpoints/backend.yaml": """\
endpoint: Backend
http:
  url: http://127.0.0.1:9/orders
  suspend: {after-failures: 1, initial-duration: 30s}
""",
    "endpoints/pair.yaml": "endpoint: Pair\nfailover: {members: [Backend]}\n",
    "stores/orders.yaml": "store: Orders\nmemory: {}\n",
    "stores/dead.yaml": "store: DeadLetters\nmemory: {}\n",
    "processors/forward.yaml": """\
processor: ForwardOrders
forwarding:
  store: Orders
  endpoint: Backend
  active: false
""",
    "connections/cache.yaml": "connection: cache\nconnector: kv\npassword: ${secret.KV_PASSWORD}\n",
    "connections/locked.yaml": "connection: locked\nconnector: kv\npassword: ${secret.LOCKED_PASSWORD}\n",
}


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_users() -> UserStore:
    users = UserStore(hasher=FAST_HASHER)
    users.add("admin", ADMIN_PASSWORD, "admin")
    users.add("watcher", MONITOR_PASSWORD, "monitor")
    return users


def _pattern(route: Route) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(route.path)) + "$")


_ROUTES = [(route, _pattern(route)) for route in all_routes()]


def assert_documented(method: str, path: str, status: int, body: Any) -> None:
    """The answer matches what the OpenAPI document promises for the route (every test answer is checked)."""
    for route, pattern in _ROUTES:
        if route.method == method and pattern.match(path):
            assert status == route.status or status in route.error_statuses(), (route.name, status, body)
            schema = route.response if status == route.status else ERROR_SCHEMA
            jsonschema.validate(
                body, {**schema, "components": {"schemas": {**SCHEMAS, "Error": ERROR_SCHEMA}}}
            )
            return
    jsonschema.validate(body, ERROR_SCHEMA)


@dataclass
class Answer:
    status: int
    json: Any
    headers: dict[str, str]

    @property
    def error_code(self) -> str:
        return str(self.json["error"]["code"])


@dataclass
class Managed:
    """The running server as the tests drive it."""

    runtime: Runtime
    server: ManagementServer
    session: aiohttp.ClientSession
    wall: ManualClock
    mono: ManualClock

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        async with self.session.request(method, path, json=json, params=params, data=data, headers=sent) as r:
            body = await r.json(content_type=None)
            assert r.content_type == "application/json"
            assert_documented(method, path, r.status, body)
            return Answer(r.status, body, dict(r.headers))

    async def login(self, user: str = "admin", password: str | None = None) -> Answer:
        if password is None:
            password = ADMIN_PASSWORD if user == "admin" else MONITOR_PASSWORD
        return await self.call("POST", "/management/login", json={"user": user, "password": password})

    async def token(self, user: str = "admin") -> str:
        answer = await self.login(user)
        assert answer.status == 200, answer.json
        return str(answer.json["token"])


@pytest.fixture
async def managed(tmp_path: Path) -> AsyncIterator[Managed]:
    async with serve(write_project(tmp_path / "shop", PROJECT)) as served:
        yield served


@contextlib.asynccontextmanager
async def serve(root: Path, extensions: Sequence[Extension] = ()) -> AsyncIterator[Managed]:
    """The runtime of the project at ``root`` and its management server (with ``extensions``), as the
    tests drive them."""
    wall, mono = ManualClock(1_700_000_000.0), ManualClock(1000.0)
    async with Runtime(root, env=ENV, connectors=REGISTRY, clock=wall) as runtime:
        server = ManagementServer(
            runtime,
            make_users(),
            port=0,
            tokens=TokenIssuer(b"k" * 32, 3600.0, clock=wall),
            throttle=default_throttle(mono),
            connectors=REGISTRY,
            clock=wall,
            extensions=extensions,
        )
        async with server, aiohttp.ClientSession(server.url) as session:
            yield Managed(runtime, server, session, wall, mono)


@pytest.fixture
async def admin(managed: Managed) -> str:
    return await managed.token("admin")


@pytest.fixture
async def monitor(managed: Managed) -> str:
    return await managed.token("watcher")
