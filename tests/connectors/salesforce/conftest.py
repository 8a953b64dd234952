"""A Salesforce connection against a local fake org, with credentials the suite's log guard watches for
(``s3cret``, ``t0ken``).

Fixtures: ``keys`` (an RSA key pair: the connected app's private key and its certificate's public key),
``fake`` (the fake org serving), ``config_for(fake, **changes)`` (settings with kebab-case keys, as a user
writes them; the JWT bearer grant unless changed), ``waits`` (the seconds the connection waited out
throttling) and ``salesforce`` (an opened connection named ``crm``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.connectors.salesforce.fakesalesforce import FakeSalesforce, serving

from interlace.connectors.salesforce import SalesforceConfig, SalesforceConnection

CLIENT_ID = "3MVG9consumer-key"
CLIENT_SECRET = "consumer-s3cret-never-shown"
REFRESH_TOKEN = "refresh-t0ken-never-shown"
USERNAME = "integration@example.com"


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


def _config_for(fake: FakeSalesforce, private_key: str, **changes: object) -> SalesforceConfig:
    values: dict[str, object] = {
        "login-url": fake.url,
        "client-id": CLIENT_ID,
        "username": USERNAME,
        "private-key": private_key,
        "timeout": 5,
    }
    values.update(changes)
    return SalesforceConfig.model_validate({key: value for key, value in values.items() if value is not None})


@pytest.fixture
async def fake(keys: tuple[str, str]) -> AsyncIterator[FakeSalesforce]:
    org = FakeSalesforce(
        client_id=CLIENT_ID, public_key=keys[1], username=USERNAME, client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
    )  # fmt: skip
    async with serving(org):
        yield org


@pytest.fixture
def config_for(keys: tuple[str, str]) -> Callable[..., SalesforceConfig]:
    return lambda fake, **changes: _config_for(fake, keys[0], **changes)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
async def salesforce(
    fake: FakeSalesforce, keys: tuple[str, str], waits: list[float]
) -> AsyncIterator[SalesforceConnection]:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with SalesforceConnection(_config_for(fake, keys[0]), name="crm", sleep=sleep) as connection:
        yield connection
