"""OAuth2 tokens of a connection, against a token endpoint that follows Google's wire format (the
development mailbox) and a bearer-protected API (its Gmail API)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from interlace.sdk.errors import FatalError, RetryableError
from interlace.sdk.oauth2 import OAuth2Settings, OAuth2Tokens

CLIENT, SECRET, REFRESH = "interlace-dev", "dev-secret", "dev-refresh-token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class MemoryTokenStore:
    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    async def load(self, key: str) -> str | None:
        return self.tokens.get(key)

    async def save(self, key: str, refresh_token: str) -> None:
        self.tokens[key] = refresh_token


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None, token_lifetime=600) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def settings(mailbox: DevMailbox, **changes: object) -> OAuth2Settings:
    values: dict[str, object] = {
        "token_url": mailbox.token_url,
        "client_id": CLIENT,
        "client_secret": SECRET,
        "refresh_token": REFRESH,
    }
    values.update(changes)
    return OAuth2Settings(**values)  # type: ignore[arg-type]


async def profile(session: aiohttp.ClientSession, mailbox: DevMailbox, token: str) -> int:
    url = f"{mailbox.url}/gmail/v1/users/me/profile"
    async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
        await response.read()
        return response.status


async def test_fifty_concurrent_operations_with_no_token_cause_exactly_one_refresh(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    tokens = OAuth2Tokens("patientMail", settings(mailbox), session)
    statuses = await asyncio.gather(
        *(tokens.authorized(lambda t: profile(session, mailbox, t), lambda s: s == 401) for _ in range(50))
    )
    assert statuses == [200] * 50
    assert mailbox.refresh_count == 1
    assert tokens.refreshes == 1


async def test_a_token_is_refreshed_before_it_expires(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    clock = Clock()
    tokens = OAuth2Tokens("patientMail", settings(mailbox, skew=60.0), session, clock=clock)
    first = await tokens.token()
    clock.now += 500  # 600 s lifetime: still 100 s left, more than the skew
    assert await tokens.token() == first
    clock.now += 50  # 50 s left: inside the skew
    assert await tokens.token() != first
    assert mailbox.refresh_count == 2


async def test_a_401_causes_one_refresh_and_one_retry(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    tokens = OAuth2Tokens("patientMail", settings(mailbox), session)
    await tokens.token()
    mailbox.expire_access_tokens()
    calls: list[str] = []

    async def call(token: str) -> int:
        calls.append(token)
        return await profile(session, mailbox, token)

    assert await tokens.authorized(call, lambda status: status == 401) == 200
    assert len(calls) == 2 and calls[0] != calls[1]
    assert mailbox.refresh_count == 2


async def test_a_second_401_is_returned_not_retried_forever(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    tokens = OAuth2Tokens("patientMail", settings(mailbox), session)
    attempts = 0

    async def always_unauthorized(token: str) -> int:
        nonlocal attempts
        attempts += 1
        return 401

    assert await tokens.authorized(always_unauthorized, lambda status: status == 401) == 401
    assert attempts == 2


async def test_a_rotated_refresh_token_is_saved_and_used_after_a_restart(
    session: aiohttp.ClientSession,
) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None, rotate_refresh_tokens=True) as mailbox:
        store = MemoryTokenStore()
        await OAuth2Tokens("patientMail", settings(mailbox), session, store=store).token()
        rotated = store.tokens["patientMail"]
        assert rotated != REFRESH
        # The configured token was rotated away; a new process must use the stored one.
        restarted = OAuth2Tokens("patientMail", settings(mailbox), session, store=store)
        assert await restarted.token()
        assert store.tokens["patientMail"] not in (REFRESH, rotated)


async def test_a_revoked_grant_fails_clearly_naming_the_connection(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    mailbox.revoke(REFRESH)
    tokens = OAuth2Tokens("patientMail", settings(mailbox), session)
    with pytest.raises(FatalError, match=r"connection patientMail: .*revoked or expired \(invalid_grant\)"):
        await tokens.token()


async def test_a_wrong_client_secret_fails_clearly(
    mailbox: DevMailbox, session: aiohttp.ClientSession
) -> None:
    tokens = OAuth2Tokens("patientMail", settings(mailbox, client_secret="wrong"), session)
    with pytest.raises(FatalError, match="client id or secret is wrong"):
        await tokens.token()


async def test_the_client_credentials_grant(mailbox: DevMailbox, session: aiohttp.ClientSession) -> None:
    tokens = OAuth2Tokens("svc", settings(mailbox, grant="client_credentials", refresh_token=None), session)
    assert await profile(session, mailbox, await tokens.token()) == 200


async def test_an_unreachable_token_endpoint_is_retryable(session: aiohttp.ClientSession) -> None:
    unreachable = OAuth2Settings("http://127.0.0.1:9/token", CLIENT, SECRET, refresh_token=REFRESH, timeout=2)
    with pytest.raises(RetryableError, match="patientMail: the OAuth2 token endpoint did not answer"):
        await OAuth2Tokens("patientMail", unreachable, session).token()
