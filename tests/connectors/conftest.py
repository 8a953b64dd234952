"""Fixtures shared by the connectors' suites: ``keys``, an RSA key pair (private key and public key, PEM)
for the OAuth2 JWT bearer grant, as a connected app or a service account holds one; ``sleep``, the
``sleep`` seam of a web API connection, which records in ``waits`` the seconds it was asked to wait
instead of waiting; ``local``, a connection's local folder for transfers from and to files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from tests.support import rsa_key_pair


@pytest.fixture
def keys() -> tuple[str, str]:
    return rsa_key_pair()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def sleep(waits: list[float]) -> Callable[[float], Awaitable[None]]:
    async def record(seconds: float) -> None:
        waits.append(seconds)

    return record


@pytest.fixture
def local(tmp_path: Path) -> Path:
    folder = tmp_path / "local"
    folder.mkdir()
    return folder
