"""A Google Sheets connection against a local fake of the Sheets API and Google's token endpoint, with
credentials the suite's log guard watches for (``s3cret``, ``t0ken``).

Fixtures: ``fake`` (serving, with a spreadsheet ``fake.admissions`` whose sheet ``Patients`` has a
header row and two patients), ``config_for(fake, **changes)`` (OAuth2 settings with kebab-case keys
unless changed), ``service_account_config`` (a service account's key) and ``sheets`` (an opened
connection named ``ward``, whose waits for throttling go to ``waits``: see tests/connectors/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from tests.connectors.sheets.fakesheets import FakeSheets, serving

from interlace.connectors.sheets import SheetsConfig, SheetsConnection

CLIENT_ID = "1234-sheets.apps.googleusercontent.com"
CLIENT_SECRET = "client-s3cret-never-shown"
REFRESH_TOKEN = "refresh-t0ken-never-shown"
SERVICE_ACCOUNT = "interlace@example-project.iam.gserviceaccount.com"


def _config_for(fake: FakeSheets, **changes: object) -> SheetsConfig:
    values: dict[str, object] = {
        "api-url": fake.url, "token-url": f"{fake.url}/token", "client-id": CLIENT_ID,
        "client-secret": CLIENT_SECRET, "refresh-token": REFRESH_TOKEN, "timeout": 5,
    }  # fmt: skip
    values.update(changes)
    return SheetsConfig.model_validate({key: value for key, value in values.items() if value is not None})


def key_file(private_key: str) -> str:
    """A service account's JSON key, as Google's console downloads it."""
    return json.dumps(
        {
            "type": "service_account", "project_id": "example-project", "private_key_id": "0123abcd",
            "private_key": private_key, "client_email": SERVICE_ACCOUNT, "client_id": "1098",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )  # fmt: skip


@pytest.fixture
async def fake(keys: tuple[str, str]) -> AsyncIterator[FakeSheets]:
    google = FakeSheets(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SERVICE_ACCOUNT, keys[1])
    google.admissions = google.add_spreadsheet(
        "Admissions", Patients=[["id", "name", "age"], ["P-1", "Ann", 42], ["P-2", "Ben", 7]], Beds=[]
    )
    async with serving(google):
        yield google


@pytest.fixture
def config_for() -> Callable[..., SheetsConfig]:
    return _config_for


@pytest.fixture
def service_account_config(fake: FakeSheets, keys: tuple[str, str]) -> SheetsConfig:
    return _config_for(
        fake, auth="service_account", **{"client-id": None, "client-secret": None, "refresh-token": None,
                                          "service-account-key": key_file(keys[0])},
    )  # fmt: skip


@pytest.fixture
async def sheets(
    fake: FakeSheets, sleep: Callable[[float], Awaitable[None]]
) -> AsyncIterator[SheetsConnection]:
    async with SheetsConnection(_config_for(fake), name="ward", sleep=sleep) as connection:
        yield connection
