"""Contract tests: schemathesis generates requests from the served OpenAPI document (valid and invalid
ones) for every operation and checks each answer against the document: never a 500, only documented
statuses, bodies that match their schemas.

The server runs in a thread with its own event loop, since schemathesis calls it synchronously."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from interlace.management import ManagementServer
from interlace.management.app import all_routes
from interlace.runtime import Runtime
from interlace.stores import StoredMessage
from tests.management.conftest import ENV, PROJECT, REGISTRY, make_users
from tests.support import write_project


@dataclass
class Served:
    server: ManagementServer
    loop: asyncio.AbstractEventLoop
    stop: asyncio.Event

    @property
    def url(self) -> str:
        return self.server.url

    def token(self, user: str = "admin") -> str:
        context = self.server.context
        found = context.users.get(user)
        assert found is not None
        return context.tokens.issue(found).token


def _serve(root: Path, ready: threading.Event, out: dict[str, Any]) -> None:
    async def main() -> None:
        async with Runtime(root, env=ENV, connectors=REGISTRY) as runtime:
            store = runtime.message_store("Orders")
            for number in range(3):
                await store.put(StoredMessage(f"order-{number}", b'{"n": %d}' % number, "application/json"))
            await store.put(StoredMessage("binary", b"\xff\x00", "application/octet-stream"))
            async with ManagementServer(runtime, make_users(), port=0, connectors=REGISTRY) as server:
                stop = asyncio.Event()
                out["served"] = Served(server, asyncio.get_running_loop(), stop)
                ready.set()
                await stop.wait()

    try:
        asyncio.run(main())
    except BaseException as exc:
        out["error"] = exc
        ready.set()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = write_project(tmp_path_factory.mktemp("contract") / "shop", PROJECT)
    levels = {name: logger.level for name, logger in _loggers().items()}
    ready, out = threading.Event(), {}
    thread = threading.Thread(target=_serve, args=(root, ready, out), daemon=True)
    thread.start()
    assert ready.wait(30), "the management server did not start"
    if "error" in out:
        raise out["error"]
    running: Served = out["served"]
    yield running
    running.loop.call_soon_threadsafe(running.stop.set)
    thread.join(30)
    # Generated requests may have changed log levels: give the rest of the suite its levels back.
    for name, logger in _loggers().items():
        logger.setLevel(levels.get(name, logging.NOTSET))


def _loggers() -> dict[str, logging.Logger]:
    found = {n: g for n, g in logging.root.manager.loggerDict.items() if isinstance(g, logging.Logger)}
    return {"": logging.getLogger(), **found}


FRAMING = {"content-length", "transfer-encoding", "host", "connection", "expect", "upgrade", "te"}


@pytest.fixture(scope="module")
def api_schema(served: Served) -> Any:
    return schemathesis.openapi.from_url(f"{served.url}/management/openapi.json")


def _cases() -> list[tuple[str, GenerationMode]]:
    """Every operation with valid input, and with invalid input where it takes any (a token counts)."""
    cases = []
    for route in all_routes():
        cases.append((route.name, GenerationMode.POSITIVE))
        takes_input = route.path_params or route.query or route.body is not None
        if takes_input or route.required_access != "public":
            cases.append((route.name, GenerationMode.NEGATIVE))
    return cases


@pytest.mark.parametrize(("operation_id", "mode"), _cases())
def test_every_operation_keeps_its_contract(
    operation_id: str, mode: GenerationMode, api_schema: Any, served: Served
) -> None:
    operation = api_schema.find_operation_by_id(operation_id)
    # An upload's schema admits any bytes, and only a real bundle is accepted: a schema-valid upload may
    # rightly be refused (400 INVALID_BUNDLE), so it is not held to being accepted.
    uploads = {route.name for route in all_routes() if route.uploads is not None}
    excluded = [positive_data_acceptance] if operation_id in uploads else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def keeps_contract(case: Any) -> None:
        # A case whose headers are the invalid part keeps them (a missing or broken token); every other
        # gets a valid token, a new one each time since logging out revokes the token it is sent with.
        headers = {}
        if case.meta is None or not case.meta.is_negative_at(ParameterLocation.HEADER):
            headers["Authorization"] = f"Bearer {served.token('admin')}"
        # Generated headers may include the message's framing (Content-Length, say): a broken one is the
        # HTTP server's to refuse (400) before any operation runs, which no operation documents.
        for name in [name for name in case.headers or {} if name.lower() in FRAMING]:
            del case.headers[name]
        case.call_and_validate(base_url=served.url, headers=headers, excluded_checks=excluded)

    keeps_contract()
