"""A Slack connection against a local fake of the Web API, with credentials the suite's log guard
watches for (``t0ken``, ``s3cret``).

Fixtures: ``fake`` (the fake Web API serving, with channels ``C0GENERAL`` and ``C0ALERTS`` and a user
``jane@example.com``), ``config_for(fake, **changes)`` (settings with kebab-case keys, as a user writes
them) and ``slack`` (an opened connection named ``alerts``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from tests.connectors.slack.fakeslack import FakeSlack, serving

from interlace.connectors.slack import SlackConfig, SlackConnection

TOKEN = "xoxb-slack-t0ken-never-shown"
SIGNING_SECRET = "slack-signing-s3cret-never-shown"


def _config_for(fake: FakeSlack, **changes: object) -> SlackConfig:
    values: dict[str, object] = {
        "token": TOKEN,
        "signing-secret": SIGNING_SECRET,
        "api-url": f"{fake.url}/api",
        "timeout": 5,
    }
    values.update(changes)
    return SlackConfig.model_validate({key: value for key, value in values.items() if value is not None})


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(token=TOKEN)
    slack.add_channel("C0GENERAL", "general")
    slack.add_channel("C0ALERTS", "alerts")
    slack.users["jane@example.com"] = {
        "id": "U0JANE",
        "name": "jane",
        "profile": {"email": "jane@example.com", "display_name": "Jane"},
    }
    async with serving(slack):
        yield slack


@pytest.fixture
def config_for() -> Callable[..., SlackConfig]:
    return _config_for


@pytest.fixture
async def slack(fake: FakeSlack) -> AsyncIterator[SlackConnection]:
    async with SlackConnection(_config_for(fake), name="alerts") as connection:
        yield connection
