"""Fixtures that run the healthcare example for real: the sample hospital back-end and Interlace, both on
loopback ports chosen by the system, driven over HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from interlace.http.server import HttpServer
from interlace.runtime import Runtime
from interlace.samples.hospital import HospitalBackend, start_hospital_backend

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "healthcare"
MAX_BODY = 64 * 1024


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def backend() -> AsyncIterator[HospitalBackend]:
    async with await start_hospital_backend(port=0) as running:
        yield running


async def _serve(backend_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    runtime = Runtime(EXAMPLE, "prod", env={"HOSPITAL_BACKEND_URL": backend_url})
    async with (
        runtime,
        HttpServer(runtime, "127.0.0.1", 0, MAX_BODY) as server,
        aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as client,
    ):
        yield client


@pytest.fixture
async def healthcare(backend: HospitalBackend) -> AsyncIterator[aiohttp.ClientSession]:
    """A client of HealthcareAPI, served by Interlace in front of a running back-end."""
    async for client in _serve(backend.url):
        yield client


@pytest.fixture
async def healthcare_without_backend() -> AsyncIterator[aiohttp.ClientSession]:
    """A client of HealthcareAPI whose back-end address has nothing listening."""
    async for client in _serve(f"http://127.0.0.1:{unused_port()}"):
        yield client
