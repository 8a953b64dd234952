"""An operator's deactivation of a processor, an inbound endpoint or a task holds across a redeploy and a
restart of the server (it is kept in the server's .interlace/ folder), until the operator activates it
again; driven over the management API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from interlace.management import ManagementServer, TokenIssuer, default_throttle
from interlace.runtime import Runtime
from tests.management.conftest import ADMIN_PASSWORD, ENV, PROJECT, REGISTRY, make_users
from tests.support import write_project

SERVICES = {
    "processor": "/management/processors/ForwardOrders",
    "task": "/management/tasks/Tick",
    "inbound": "/management/inbound/Inbox",
}
FILES = {
    **PROJECT,
    "processors/forward.yaml": "processor: ForwardOrders\nforwarding: {store: Orders, endpoint: Backend}\n",
    "tasks/tick.yaml": "task: Tick\ninterval: 1h\nsequence: Audit\n",
    "inbound/inbox.yaml": "inbound: Inbox\ntrigger: {kv.changes: {connection: cache}}\nsequence: Audit\n",
}


class Operator:
    """An admin's session with one server."""

    def __init__(self, session: aiohttp.ClientSession, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self.token = ""

    async def login(self) -> None:
        async with self.session.post(
            "/management/login", json={"user": "admin", "password": ADMIN_PASSWORD}
        ) as answer:
            self.token = (await answer.json())["token"]

    async def status(self, path: str, action: str = "") -> str:
        method = "POST" if action else "GET"
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.request(method, path + action, headers=headers) as answer:
            assert answer.status == 200, await answer.text()
            return str((await answer.json())["status"])

    async def statuses(self) -> dict[str, str]:
        return {kind: await self.status(path) for kind, path in SERVICES.items()}


@contextlib.asynccontextmanager
async def server(root: Path) -> AsyncIterator[Operator]:
    async with Runtime(root, env=ENV, connectors=REGISTRY) as runtime:
        management = ManagementServer(
            runtime,
            make_users(),
            port=0,
            tokens=TokenIssuer(b"k" * 32, 3600.0),
            throttle=default_throttle(),
            connectors=REGISTRY,
        )
        async with management, aiohttp.ClientSession(management.url) as session:
            operator = Operator(session, runtime)
            await operator.login()
            yield operator


async def test_deactivated_services_stay_inactive_across_a_redeploy_and_a_restart(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop", FILES)
    (root / "inbox").mkdir()
    everything_active = {"processor": "active", "task": "active", "inbound": "active"}
    everything_inactive = {"processor": "inactive", "task": "inactive", "inbound": "inactive"}
    async with server(root) as operator:
        assert await operator.statuses() == everything_active
        for path in SERVICES.values():
            assert await operator.status(path, "/deactivate") == "inactive"
        await operator.runtime.redeploy()
        assert await operator.statuses() == everything_inactive
    async with server(root) as operator:
        assert await operator.statuses() == everything_inactive
        assert await operator.status(SERVICES["task"], "/activate") == "active"
    async with server(root) as operator:
        assert await operator.statuses() == {**everything_inactive, "task": "active"}
