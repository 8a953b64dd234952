"""A ServiceNow connection against a local fake instance, with credentials the suite's log guard watches
for (``s3cret``, ``t0ken``).

Fixtures: ``fake`` (the fake instance serving), ``config_for(fake, **changes)`` (basic auth settings
with kebab-case keys unless changed), ``oauth2_config`` (OAuth2 settings) and ``servicenow`` (an
opened connection named ``itsm``, basic auth, whose waits for throttling go to ``waits``: see
tests/connectors/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from tests.connectors.servicenow.fakeservicenow import FakeServiceNow, serving

from interlace.connectors.servicenow import ServiceNowConfig, ServiceNowConnection

USERNAME = "integration"
PASSWORD = "basic-s3cret-never-shown"
CLIENT_ID = "snow-client"
CLIENT_SECRET = "client-s3cret-never-shown"
REFRESH_TOKEN = "refresh-t0ken-never-shown"


def _config_for(fake: FakeServiceNow, **changes: object) -> ServiceNowConfig:
    values: dict[str, object] = {
        "instance-url": fake.url,
        "username": USERNAME,
        "password": PASSWORD,
        "timeout": 5,
    }
    values.update(changes)
    return ServiceNowConfig.model_validate({key: value for key, value in values.items() if value is not None})


@pytest.fixture
async def fake() -> AsyncIterator[FakeServiceNow]:
    instance = FakeServiceNow(USERNAME, PASSWORD, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    async with serving(instance):
        yield instance


@pytest.fixture
def config_for() -> Callable[..., ServiceNowConfig]:
    return _config_for


@pytest.fixture
def oauth2_config(fake: FakeServiceNow) -> ServiceNowConfig:
    return _config_for(
        fake, auth="oauth2", username=None, password=None,
        **{"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET, "refresh-token": REFRESH_TOKEN},
    )  # fmt: skip


@pytest.fixture
async def servicenow(
    fake: FakeServiceNow, sleep: Callable[[float], Awaitable[None]]
) -> AsyncIterator[ServiceNowConnection]:
    async with ServiceNowConnection(_config_for(fake), name="itsm", sleep=sleep) as connection:
        yield connection
