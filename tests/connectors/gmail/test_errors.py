"""How failures of the Gmail API reach the flow: sorted into Retryable, Fatal and InvalidInput errors.

A scripted Gmail API on loopback answers what each test asks (Google's error shape), behind a token
endpoint that always issues a token; the development mailbox covers the real-API cases.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from tests.support import scaled, unused_port

from interlace.connectors.gmail import GmailConfig, GmailConnection, connector
from interlace.samples.mailbox import DevMailbox
from interlace.sdk import FatalError, InvalidInput, RetryableError

ConfigFor = Callable[..., GmailConfig]


@dataclass
class ScriptedApi:
    """Answers every API call with ``status``, ``body`` and ``headers``; counts calls and refreshes."""

    url: str = ""
    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    calls: int = 0
    refreshes: int = 0
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def google_error(self, status: int, state: str, message: str, reason: str) -> None:
        self.status = status
        self.body = {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
                "status": state,
            }
        }

    async def token(self, request: web.Request) -> web.Response:
        self.refreshes += 1
        return web.json_response({"access_token": f"at-{self.refreshes}", "expires_in": 3600})

    async def api(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.hang:
            await self.release.wait()  # answers only at teardown; the client's timeout ends the call
        if isinstance(self.body, bytes):
            return web.Response(status=self.status, body=self.body, headers=self.headers)
        return web.json_response(self.body, status=self.status, headers=self.headers)


@pytest.fixture
async def api() -> AsyncIterator[ScriptedApi]:
    scripted = ScriptedApi()
    app = web.Application()
    app.router.add_post("/token", scripted.token)
    app.router.add_route("*", "/gmail/v1/{tail:.*}", scripted.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    scripted.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield scripted
    scripted.release.set()
    await runner.cleanup()


def scripted_config(api: ScriptedApi, timeout: float = 5) -> GmailConfig:
    return GmailConfig.model_validate(
        {
            "api-url": api.url,
            "token-url": f"{api.url}/token",
            "client-id": "c",
            "client-secret": "s",
            "refresh-token": "r",
            "timeout": timeout,
        }
    )


@pytest.fixture
async def gmail(api: ScriptedApi) -> AsyncIterator[GmailConnection]:
    async with GmailConnection(scripted_config(api), name="patientMail") as connection:
        yield connection


async def read(conn: GmailConnection) -> Any:
    return await connector.get_operation("readMail").invoke(conn, {"id": "0123456789abcdef"})


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_throttling_and_server_errors_are_retryable_with_retry_after(
    gmail: GmailConnection, api: ScriptedApi, status: int
) -> None:
    api.google_error(status, "UNAVAILABLE", "The service is currently unavailable.", "backendError")
    api.headers = {"Retry-After": "7"}

    with pytest.raises(
        RetryableError, match=f"gmail.readMail on connection patientMail: .*{status}"
    ) as caught:
        await read(gmail)

    assert caught.value.retry_after == 7.0
    assert api.calls == 1


async def test_retry_after_may_be_an_http_date(gmail: GmailConnection, api: ScriptedApi) -> None:
    api.google_error(503, "UNAVAILABLE", "busy", "backendError")
    api.headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}  # in the past: retry now

    with pytest.raises(RetryableError) as caught:
        await read(gmail)

    assert caught.value.retry_after == 0.0


async def test_a_403_rate_limit_is_retryable(gmail: GmailConnection, api: ScriptedApi) -> None:
    api.google_error(403, "PERMISSION_DENIED", "User-rate limit exceeded.", "userRateLimitExceeded")

    with pytest.raises(RetryableError, match=r"User-rate limit exceeded"):
        await read(gmail)


async def test_a_403_is_fatal(gmail: GmailConnection, api: ScriptedApi) -> None:
    api.google_error(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.", "forbidden")

    with pytest.raises(
        FatalError, match=r"403 PERMISSION_DENIED: Request had insufficient authentication scopes"
    ):
        await read(gmail)


async def test_a_401_after_the_retry_is_fatal_and_names_the_connection(
    gmail: GmailConnection, api: ScriptedApi
) -> None:
    api.google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "authError")

    with pytest.raises(FatalError, match=r"gmail.readMail on connection patientMail: .*even after a refresh"):
        await read(gmail)

    assert api.calls == 2
    assert api.refreshes == 2


async def test_a_google_404_is_invalid_input(gmail: GmailConnection, api: ScriptedApi) -> None:
    api.google_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")

    with pytest.raises(InvalidInput, match=r"404 NOT_FOUND"):
        await read(gmail)


async def test_a_404_from_something_that_is_not_the_gmail_api_is_fatal(
    gmail: GmailConnection, api: ScriptedApi
) -> None:
    api.status, api.body = 404, b"<html>Not Found</html>"

    with pytest.raises(FatalError, match=f"{api.url}/gmail/v1/users/me/messages/.* is not the Gmail API"):
        await read(gmail)


async def test_an_answer_that_is_not_json_is_fatal(gmail: GmailConnection, api: ScriptedApi) -> None:
    api.status, api.body = 200, b"<html>a login page</html>"

    with pytest.raises(FatalError, match=r"answered 200 without a JSON object"):
        await read(gmail)


async def test_an_api_that_does_not_answer_in_time_is_retryable(api: ScriptedApi) -> None:
    api.hang = True

    # Long enough for the token endpoint (answered at once) on a busy machine; the API never answers.
    async with GmailConnection(scripted_config(api, timeout=scaled(1)), name="patientMail") as gmail:
        with pytest.raises(
            RetryableError, match=r"gmail.readMail on connection patientMail: .*did not answer"
        ):
            await read(gmail)


async def test_an_unreachable_api_is_retryable(mailbox: DevMailbox, config_for: ConfigFor) -> None:
    config = config_for(mailbox, **{"api-url": f"http://127.0.0.1:{unused_port()}"})

    async with GmailConnection(config, name="patientMail") as gmail:
        with pytest.raises(
            RetryableError, match=r"gmail.sendMail on connection patientMail: the Gmail API at"
        ):
            await connector.get_operation("sendMail").invoke(gmail, {"to": "a@example.com"})
        with pytest.raises(RetryableError, match=r"gmail.ping on connection patientMail"):
            await gmail.ping()


async def test_an_unreachable_token_endpoint_is_retryable(mailbox: DevMailbox, config_for: ConfigFor) -> None:
    config = config_for(mailbox, **{"token-url": f"http://127.0.0.1:{unused_port()}/token"})

    async with GmailConnection(config, name="patientMail") as gmail:
        with pytest.raises(RetryableError, match=r"gmail.sendMail: connection patientMail: the OAuth2 token"):
            await connector.get_operation("sendMail").invoke(gmail, {"to": "a@example.com"})


async def test_another_users_mailbox_is_fatal(mailbox: DevMailbox, config_for: ConfigFor) -> None:
    async with GmailConnection(config_for(mailbox, **{"user-id": "someone@else.example"})) as gmail:
        with pytest.raises(
            FatalError, match=r"403 PERMISSION_DENIED: Delegation denied for someone@else.example"
        ):
            await gmail.ping()


async def test_an_operation_on_a_closed_connection_is_fatal(
    mailbox: DevMailbox, config_for: ConfigFor
) -> None:
    gmail = GmailConnection(config_for(mailbox), name="patientMail")

    with pytest.raises(FatalError, match=r"gmail connection patientMail is not open"):
        await gmail.ping()
    await gmail.aclose()
    await gmail.aclose()  # closing twice, or without opening, is harmless
