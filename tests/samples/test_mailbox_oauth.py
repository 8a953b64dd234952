"""The development mailbox's OAuth2 token endpoint, called over real HTTP like a connection would."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from interlace.samples.mailbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DevMailbox,
    start_dev_mailbox,
)

REFRESH = {
    "grant_type": "refresh_token",
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
    "refresh_token": DEFAULT_REFRESH_TOKEN,
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def post_token(
    session: aiohttp.ClientSession, mailbox: DevMailbox, form: dict[str, str], **kwargs: Any
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    async with session.post(mailbox.token_url, data=form, **kwargs) as response:
        return response.status, await response.json(), response


async def profile_status(session: aiohttp.ClientSession, mailbox: DevMailbox, access_token: str) -> int:
    headers = {"Authorization": f"Bearer {access_token}"}
    async with session.get(f"{mailbox.url}/gmail/v1/users/me/profile", headers=headers) as response:
        return response.status


async def test_refresh_token_grant_answers_a_bearer_token_like_google(session: aiohttp.ClientSession) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None, token_lifetime=1200) as mailbox:
        status, body, response = await post_token(session, mailbox, REFRESH)

        assert status == 200
        assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 1200
        assert body["scope"] == "https://mail.google.com/"
        assert response.headers["Cache-Control"] == "no-store"
        assert await profile_status(session, mailbox, body["access_token"]) == 200
        assert mailbox.refresh_count == 1
        assert [(r.grant_type, r.client_id, r.outcome) for r in mailbox.token_requests] == [
            ("refresh_token", DEFAULT_CLIENT_ID, "issued")
        ]


async def test_client_credentials_grant_issues_a_token_without_refresh_token(
    session: aiohttp.ClientSession,
) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        form = {
            "grant_type": "client_credentials",
            "client_id": "interlace-dev",
            "client_secret": "dev-secret",
        }
        status, body, _ = await post_token(session, mailbox, form)

        assert status == 200
        assert "refresh_token" not in body
        assert await profile_status(session, mailbox, body["access_token"]) == 200
        assert mailbox.refresh_count == 0


async def test_client_may_authenticate_with_http_basic(session: aiohttp.ClientSession) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        basic = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()
        form = {"grant_type": "refresh_token", "refresh_token": DEFAULT_REFRESH_TOKEN}
        status, _, _ = await post_token(session, mailbox, form, headers={"Authorization": f"Basic {basic}"})

        assert status == 200


async def test_wrong_secret_or_unknown_client_answers_invalid_client_401(
    session: aiohttp.ClientSession,
) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        wrong_secret = await post_token(session, mailbox, {**REFRESH, "client_secret": "nope"})
        unknown = await post_token(session, mailbox, {**REFRESH, "client_id": "someone-else"})
        broken_basic = await post_token(
            session, mailbox, REFRESH, headers={"Authorization": "Basic " + base64.b64encode(b"x:y").decode()}
        )

        for status, body, _ in (wrong_secret, unknown, broken_basic):
            assert status == 401
            assert body["error"] == "invalid_client"
        assert mailbox.refresh_count == 0


async def test_unknown_refresh_token_answers_invalid_grant(session: aiohttp.ClientSession) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        status, body, _ = await post_token(session, mailbox, {**REFRESH, "refresh_token": "made-up"})

        assert status == 400
        assert body == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        assert mailbox.token_requests[-1].outcome == "invalid_grant"


async def test_revoked_grant_refuses_refresh_and_its_access_tokens(session: aiohttp.ClientSession) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        _, issued, _ = await post_token(session, mailbox, REFRESH)

        assert mailbox.revoke(DEFAULT_REFRESH_TOKEN) is True
        status, body, _ = await post_token(session, mailbox, REFRESH)

        assert status == 400
        assert body["error"] == "invalid_grant"
        assert await profile_status(session, mailbox, issued["access_token"]) == 401


async def test_revoke_endpoint_ends_a_grant(session: aiohttp.ClientSession) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        async with session.post(f"{mailbox.url}/revoke", data={"token": DEFAULT_REFRESH_TOKEN}) as response:
            assert response.status == 200
        async with session.post(f"{mailbox.url}/revoke", data={"token": DEFAULT_REFRESH_TOKEN}) as response:
            assert response.status == 400
            assert (await response.json())["error"] == "invalid_token"

        status, _, _ = await post_token(session, mailbox, REFRESH)
        assert status == 400


async def test_rotation_answers_a_new_refresh_token_and_retires_the_old(
    session: aiohttp.ClientSession,
) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None, rotate_refresh_tokens=True) as mailbox:
        _, first, _ = await post_token(session, mailbox, REFRESH)
        rotated = first["refresh_token"]

        reused_status, reused, _ = await post_token(session, mailbox, REFRESH)
        second_status, second, _ = await post_token(session, mailbox, {**REFRESH, "refresh_token": rotated})

        assert rotated != DEFAULT_REFRESH_TOKEN
        assert (reused_status, reused["error"]) == (400, "invalid_grant")
        assert second_status == 200
        assert second["refresh_token"] not in (rotated, DEFAULT_REFRESH_TOKEN)
        assert mailbox.refresh_count == 2


async def test_access_token_expires_after_its_lifetime(session: aiohttp.ClientSession) -> None:
    clock = Clock()
    async with await start_dev_mailbox(port=0, smtp_port=None, token_lifetime=60, clock=clock) as mailbox:
        _, issued, _ = await post_token(session, mailbox, REFRESH)

        clock.advance(59)
        assert await profile_status(session, mailbox, issued["access_token"]) == 200
        clock.advance(1)
        assert await profile_status(session, mailbox, issued["access_token"]) == 401


async def test_expire_access_tokens_forces_the_next_call_to_401(session: aiohttp.ClientSession) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        _, issued, _ = await post_token(session, mailbox, REFRESH)

        mailbox.expire_access_tokens()

        assert await profile_status(session, mailbox, issued["access_token"]) == 401
        status, _, _ = await post_token(session, mailbox, REFRESH)
        assert status == 200


async def test_missing_and_unsupported_parameters_are_invalid_requests(
    session: aiohttp.ClientSession,
) -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        no_grant = await post_token(session, mailbox, {"client_id": DEFAULT_CLIENT_ID})
        other_grant = await post_token(session, mailbox, {**REFRESH, "grant_type": "password"})
        no_refresh = await post_token(session, mailbox, {**REFRESH, "refresh_token": ""})
        no_client = await post_token(session, mailbox, {"grant_type": "refresh_token"})

        assert [(s, b["error"]) for s, b, _ in (no_grant, other_grant, no_refresh, no_client)] == [
            (400, "invalid_request"),
            (400, "unsupported_grant_type"),
            (400, "invalid_request"),
            (400, "invalid_request"),
        ]


async def test_configured_clients_and_refresh_tokens_replace_the_defaults(
    session: aiohttp.ClientSession,
) -> None:
    async with await start_dev_mailbox(
        port=0, smtp_port=None, clients={"app": "s3"}, refresh_tokens=["rt-1"]
    ) as mailbox:
        configured = {"grant_type": "refresh_token", "client_id": "app", "client_secret": "s3"}
        default_status, _, _ = await post_token(session, mailbox, REFRESH)
        first_status, _, _ = await post_token(session, mailbox, {**configured, "refresh_token": "rt-1"})
        mailbox.authority.add_refresh_token("rt-2")
        added_status, _, _ = await post_token(session, mailbox, {**configured, "refresh_token": "rt-2"})

        assert (default_status, first_status, added_status) == (401, 200, 200)
