from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer
from pytest_aiohttp import AiohttpServer

from interlace.endpoints import HttpClient

from .fakes import Backend, ManualClock, RecordingSleep

StartBackend = Callable[..., Awaitable[tuple[Backend, str]]]


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    async with HttpClient() as http_client:
        yield http_client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def start_backend(aiohttp_server: AiohttpServer) -> StartBackend:
    """Starts a recording backend; returns it and its base URL (``http://127.0.0.1:PORT``)."""

    async def start(*statuses: int, name: str = "backend") -> tuple[Backend, str]:
        backend = Backend(list(statuses), name=name)
        server: TestServer = await aiohttp_server(backend.app())
        return backend, str(server.make_url("")).rstrip("/")

    return start


@pytest.fixture
def refused_url(unused_tcp_port: int) -> str:
    """A loopback URL nothing listens on."""
    return f"http://127.0.0.1:{unused_tcp_port}"
