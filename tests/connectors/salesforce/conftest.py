"""A Salesforce connection against a local fake org, with credentials the suite's log guard watches for
(``s3cret``, ``t0ken``).

Fixtures: ``fake`` (the fake org serving), ``config_for(fake, **changes)`` (settings with kebab-case
keys, as a user writes them; the JWT bearer grant with the ``keys`` of tests/connectors/conftest.py
unless changed) and ``salesforce`` (an opened connection named ``crm``, whose waits for throttling go
to ``waits``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from tests.connectors.salesforce.fakesalesforce import FakeSalesforce, serving

from interlace.connectors.salesforce import SalesforceConfig, SalesforceConnection

CLIENT_ID = "3MVG9consumer-key"
CLIENT_SECRET = "consumer-s3cret-never-shown"
REFRESH_TOKEN = "refresh-t0ken-never-shown"
USERNAME = "integration@example.com"


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
async def salesforce(
    fake: FakeSalesforce, keys: tuple[str, str], sleep: Callable[[float], Awaitable[None]]
) -> AsyncIterator[SalesforceConnection]:
    async with SalesforceConnection(_config_for(fake, keys[0]), name="crm", sleep=sleep) as connection:
        yield connection
