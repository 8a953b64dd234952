"""A Gmail connection against the development mailbox (its Gmail API and token endpoint on loopback),
with credentials of its own so that tests can look for them in logs and errors.

Fixtures: ``mailbox`` (started with those credentials, 600 s tokens), ``start_mailbox(**options)``
(another one), ``config_for(mailbox, **changes)`` (settings with kebab-case keys, as a user writes
them), ``gmail`` (an opened connection named ``patientMail``), ``credentials`` and ``token_store``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from interlace.connectors.gmail import GmailConfig, GmailConnection
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox


@dataclass(frozen=True)
class Credentials:
    client_id: str = "gmail-tests"
    client_secret: str = "client-secret-7Qm2-never-shown"
    refresh_token: str = "refresh-token-Zk81-never-shown"

    @property
    def secrets(self) -> tuple[str, str]:
        return (self.client_secret, self.refresh_token)


CREDENTIALS = Credentials()


class MemoryTokenStore:
    """A TokenStore keeping refresh tokens in a dict (the runtime's keeps them encrypted on disk)."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.saves = 0

    async def load(self, key: str) -> str | None:
        return self.tokens.get(key)

    async def save(self, key: str, refresh_token: str) -> None:
        self.saves += 1
        self.tokens[key] = refresh_token


async def _start(**options: object) -> DevMailbox:
    values: dict[str, object] = {
        "clients": {CREDENTIALS.client_id: CREDENTIALS.client_secret},
        "refresh_tokens": (CREDENTIALS.refresh_token,),
        "token_lifetime": 600,
        **options,
    }
    return await start_dev_mailbox(port=0, smtp_port=None, **values)  # type: ignore[arg-type]


def _config_for(mailbox: DevMailbox, **changes: object) -> GmailConfig:
    values: dict[str, object] = {
        "api-url": mailbox.url,
        "token-url": mailbox.token_url,
        "client-id": CREDENTIALS.client_id,
        "client-secret": CREDENTIALS.client_secret,
        "refresh-token": CREDENTIALS.refresh_token,
        "timeout": 5,
    }
    values.update(changes)
    return GmailConfig.model_validate({key: value for key, value in values.items() if value is not None})


@pytest.fixture
def credentials() -> Credentials:
    return CREDENTIALS


@pytest.fixture
def token_store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def start_mailbox() -> Callable[..., Awaitable[DevMailbox]]:
    return _start


@pytest.fixture
def config_for() -> Callable[..., GmailConfig]:
    return _config_for


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await _start() as running:
        yield running


@pytest.fixture
async def gmail(mailbox: DevMailbox) -> AsyncIterator[GmailConnection]:
    async with GmailConnection(_config_for(mailbox), name="patientMail") as connection:
        yield connection
