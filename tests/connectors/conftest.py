"""Fixtures shared by the connectors' suites: ``keys``, an RSA key pair (private key and public key, PEM)
for the OAuth2 JWT bearer grant, as a connected app or a service account holds one; ``sleep``, the
``sleep`` seam of a web API connection, which records in ``waits`` the seconds it was asked to wait
instead of waiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@pytest.fixture(scope="session")
def keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def sleep(waits: list[float]) -> Callable[[float], Awaitable[None]]:
    async def record(seconds: float) -> None:
        waits.append(seconds)

    return record
