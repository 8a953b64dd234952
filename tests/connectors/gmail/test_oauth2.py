"""OAuth2 on a Gmail connection: single-flight refresh, one retry after 401, revoked grants, rotation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from interlace.connectors.gmail import GmailConfig, GmailConnection, connector
from interlace.samples.mailbox import DevMailbox
from interlace.sdk import FatalError

ConfigFor = Callable[..., GmailConfig]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def send(conn: GmailConnection, number: int = 0) -> Any:
    values = {"to": "john.doe@example.com", "subject": f"Payment {number}", "messageBody": "settled"}
    return await connector.get_operation("sendMail").invoke(conn, values)


async def test_fifty_concurrent_sends_without_a_token_refresh_once(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    answers = await asyncio.gather(*(send(gmail, n) for n in range(50)))

    assert len({answer["id"] for answer in answers}) == 50
    assert len(mailbox.messages) == 50
    assert mailbox.refresh_count == 1
    assert gmail.tokens.refreshes == 1


async def test_fifty_concurrent_sends_with_an_expired_token_refresh_exactly_once(
    mailbox: DevMailbox, config_for: ConfigFor
) -> None:
    clock = Clock()
    async with GmailConnection(config_for(mailbox), name="patientMail", clock=clock) as gmail:
        await send(gmail)
        clock.now += 600  # the 600 s token has expired

        await asyncio.gather(*(send(gmail, n) for n in range(50)))

    assert mailbox.refresh_count == 2
    assert len(mailbox.messages) == 51


def counting_session(paths: list[str]) -> aiohttp.ClientSession:
    """A session that notes the path of every request it starts."""

    async def started(
        session: aiohttp.ClientSession, context: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        paths.append(params.url.path)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(started)
    return aiohttp.ClientSession(trace_configs=[trace])


async def test_a_401_causes_one_refresh_and_one_retry(mailbox: DevMailbox, config_for: ConfigFor) -> None:
    paths: list[str] = []
    async with counting_session(paths) as session:
        async with GmailConnection(config_for(mailbox), name="patientMail", session=session) as gmail:
            await send(gmail)
            mailbox.expire_access_tokens()  # the API forgets the token the connection still holds
            paths.clear()

            await send(gmail, 1)

        assert not session.closed  # an injected session belongs to whoever injected it
    send_path = "/gmail/v1/users/me/messages/send"
    assert paths == [send_path, "/token", send_path]
    assert mailbox.refresh_count == 2
    assert [m.subject for m in mailbox.messages] == ["Payment 1", "Payment 0"]


async def test_fifty_concurrent_401s_cause_one_refresh(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    await send(gmail)
    mailbox.expire_access_tokens()

    await asyncio.gather(*(send(gmail, n) for n in range(50)))

    assert mailbox.refresh_count == 2
    assert len(mailbox.messages) == 51


async def test_a_revoked_grant_is_fatal_and_names_the_operation_and_the_connection(
    gmail: GmailConnection, mailbox: DevMailbox, credentials: Any
) -> None:
    mailbox.revoke(credentials.refresh_token)

    with pytest.raises(FatalError) as caught:
        await send(gmail)

    message = str(caught.value)
    assert message.startswith("gmail.sendMail: connection patientMail: ")
    assert "revoked or expired (invalid_grant)" in message
    assert mailbox.messages == []


async def test_a_grant_revoked_while_in_use_fails_after_one_retry(
    gmail: GmailConnection, mailbox: DevMailbox, credentials: Any
) -> None:
    await send(gmail)
    mailbox.revoke(credentials.refresh_token)  # its access tokens stop working too

    with pytest.raises(FatalError, match=r"connection patientMail: .*invalid_grant"):
        await send(gmail, 1)

    assert len(mailbox.messages) == 1


async def test_a_rotated_refresh_token_is_saved_and_used_after_a_restart(
    start_mailbox: Callable[..., Awaitable[DevMailbox]], config_for: ConfigFor, token_store: Any,
    credentials: Any,
) -> None:  # fmt: skip
    async with await start_mailbox(rotate_refresh_tokens=True) as mailbox:
        first = GmailConnection(config_for(mailbox), name="patientMail")
        first.token_store = token_store
        async with first:
            await send(first)
        rotated = token_store.tokens["patientMail"]
        assert rotated != credentials.refresh_token

        # The configured refresh token was rotated away: only the stored one still works.
        async with GmailConnection(config_for(mailbox), name="patientMail", token_store=token_store) as again:
            await send(again, 1)

        assert token_store.tokens["patientMail"] not in (rotated, credentials.refresh_token)
        assert token_store.saves == 2
        assert len(mailbox.messages) == 2


async def test_a_stored_refresh_token_is_enough_without_one_configured(
    mailbox: DevMailbox, config_for: ConfigFor, token_store: Any, credentials: Any
) -> None:
    token_store.tokens["patientMail"] = credentials.refresh_token
    config = config_for(mailbox, **{"refresh-token": None})

    async with GmailConnection(config, name="patientMail", token_store=token_store) as gmail:
        await send(gmail)

    assert len(mailbox.messages) == 1


async def test_without_a_refresh_token_or_a_store_opening_fails_clearly(
    mailbox: DevMailbox, config_for: ConfigFor
) -> None:
    gmail = GmailConnection(config_for(mailbox, **{"refresh-token": None}), name="patientMail")

    with pytest.raises(
        FatalError, match=r"connection patientMail: the refresh_token grant needs a refresh token"
    ):
        await gmail.open()
    with pytest.raises(FatalError, match="is not open"):  # and it holds no session
        await gmail.ping()


async def test_a_wrong_client_secret_is_fatal(mailbox: DevMailbox, config_for: ConfigFor) -> None:
    async with GmailConnection(
        config_for(mailbox, **{"client-secret": "wrong"}), name="patientMail"
    ) as gmail:
        with pytest.raises(
            FatalError, match=r"gmail.sendMail: connection patientMail: .*client id or secret"
        ):
            await send(gmail)


async def test_the_client_credentials_grant(mailbox: DevMailbox, config_for: ConfigFor) -> None:
    config = config_for(mailbox, grant="client_credentials", **{"refresh-token": None})

    async with GmailConnection(config, name="service") as gmail:
        await gmail.ping()
        await send(gmail)

    assert len(mailbox.messages) == 1
    assert [r.grant_type for r in mailbox.token_requests] == ["client_credentials"]
