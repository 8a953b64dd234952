"""Each way an http connection logs in, as the server receives it; OAuth2 against the development
mailbox's token endpoint, with its Gmail API as the bearer-protected resource."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

from interlace.connectors.http import HttpConfig, HttpConnection, connector
from interlace.samples.mailbox import DevMailbox, start_dev_mailbox
from interlace.sdk import FatalError, OperationResult, RetryableError

from .conftest import ApiServer

CLIENT, SECRET, REFRESH = "interlace-dev", "dev-secret", "dev-refresh-token"
PASSWORD = "pa55-w0rd-0f-the-api"


async def get(conn: HttpConnection, path: str = "echo") -> OperationResult:
    result = await connector.get_operation("get").invoke(conn, {"path": path})
    assert isinstance(result, OperationResult)
    return result


async def test_no_auth_sends_no_credentials(api: ApiServer) -> None:
    async with api.connection(auth={"type": "none"}) as conn:
        await get(conn)
    assert "Authorization" not in api.last.headers


async def test_basic_auth_sends_the_encoded_user_and_password(api: ApiServer) -> None:
    async with api.connection(auth={"type": "basic", "username": "clinic", "password": PASSWORD}) as conn:
        await get(conn)
    expected = base64.b64encode(f"clinic:{PASSWORD}".encode()).decode()
    assert api.last.headers["Authorization"] == f"Basic {expected}"


async def test_bearer_auth_sends_the_token(api: ApiServer) -> None:
    async with api.connection(auth={"type": "bearer", "token": PASSWORD}) as conn:
        await get(conn)
    assert api.last.headers["Authorization"] == f"Bearer {PASSWORD}"


async def test_an_api_key_goes_in_a_header_by_default(api: ApiServer) -> None:
    async with api.connection(auth={"type": "api-key", "name": "X-API-Key", "value": PASSWORD}) as conn:
        await get(conn)
    assert api.last.headers["X-API-Key"] == PASSWORD
    assert api.last.query == []


async def test_an_api_key_can_go_in_the_query(api: ApiServer) -> None:
    auth = {"type": "api-key", "name": "key", "value": PASSWORD, "in": "query"}
    async with api.connection(auth=auth) as conn:
        await connector.get_operation("get").invoke(conn, {"path": "echo?a=1", "query": {"key": "forged"}})
    assert api.last.query == [("a", "1"), ("key", PASSWORD)]


async def test_configured_auth_wins_over_a_requests_header(api: ApiServer) -> None:
    async with api.connection(auth={"type": "bearer", "token": PASSWORD}) as conn:
        await connector.get_operation("get").invoke(conn, {"headers": {"Authorization": "Bearer other"}})
    assert api.last.headers["Authorization"] == f"Bearer {PASSWORD}"


async def test_a_query_api_key_never_shows_in_errors(api: ApiServer) -> None:
    auth = {"type": "api-key", "name": "key", "value": PASSWORD, "in": "query"}
    async with api.connection(auth=auth, timeout=0.2) as conn:
        for path in ("status/503", "status/401", "slow"):
            with pytest.raises((RetryableError, FatalError)) as caught:
                await get(conn, path)
            assert PASSWORD not in str(caught.value)
            assert PASSWORD not in repr(caught.value.detail)


def test_credentials_never_show_in_the_settings() -> None:
    for auth in (
        {"type": "basic", "username": "u", "password": PASSWORD},
        {"type": "bearer", "token": PASSWORD},
        {"type": "api-key", "name": "k", "value": PASSWORD},
        {"type": "oauth2", "token-url": "http://t", "client-id": "c", "client-secret": PASSWORD},
    ):
        config = HttpConfig.model_validate({"base-url": "https://api.example.com", "auth": auth})
        shown = [repr(config), str(config), config.model_dump_json(), str(config.model_dump())]
        assert not [text for text in shown if PASSWORD in text]


def test_a_mistyped_credential_is_not_repeated_in_the_error() -> None:
    with pytest.raises(ValueError) as caught:
        HttpConfig.model_validate(
            {"base-url": "https://a.example", "auth": {"type": "bearer", "token": PASSWORD, "x": PASSWORD}}
        )
    assert PASSWORD not in str(caught.value)


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None, token_lifetime=600) as running:
        yield running


def oauth2_connection(mailbox: DevMailbox, **auth: object) -> HttpConnection:
    settings = {
        "base-url": f"{mailbox.url}/gmail/v1/users/me",
        "auth": {
            "type": "oauth2",
            "token-url": mailbox.token_url,
            "client-id": CLIENT,
            "client-secret": SECRET,
            **auth,
        },
    }
    return HttpConnection(HttpConfig.model_validate(settings), name="gmailApi")


async def test_oauth2_client_credentials_get_a_token_and_call_the_api(mailbox: DevMailbox) -> None:
    async with oauth2_connection(mailbox) as conn:
        result = await get(conn, "profile")
    assert result.attributes["status"] == 200
    assert result.payload["emailAddress"] == mailbox.address
    assert [(r.grant_type, r.client_id, r.outcome) for r in mailbox.token_requests] == [
        ("client_credentials", CLIENT, "issued")
    ]


async def test_oauth2_refresh_token_grant_reuses_its_token(mailbox: DevMailbox) -> None:
    async with oauth2_connection(mailbox, grant="refresh_token", **{"refresh-token": REFRESH}) as conn:
        for _ in range(3):
            assert (await get(conn, "profile")).attributes["status"] == 200
    assert mailbox.refresh_count == 1


async def test_oauth2_a_401_causes_one_refresh_and_one_retry(mailbox: DevMailbox) -> None:
    async with oauth2_connection(mailbox, grant="refresh_token", **{"refresh-token": REFRESH}) as conn:
        await get(conn, "profile")
        mailbox.expire_access_tokens()
        result = await get(conn, "profile")
    assert result.attributes["status"] == 200
    assert mailbox.refresh_count == 2


async def test_oauth2_a_revoked_grant_fails_naming_the_connection(mailbox: DevMailbox) -> None:
    async with oauth2_connection(mailbox, grant="refresh_token", **{"refresh-token": REFRESH}) as conn:
        await get(conn, "profile")
        mailbox.revoke(REFRESH)
        with pytest.raises(FatalError, match=r"connection gmailApi: the OAuth2 grant is revoked"):
            await get(conn, "profile")


async def test_oauth2_a_wrong_client_secret_fails_clearly(mailbox: DevMailbox) -> None:
    async with oauth2_connection(mailbox, **{"client-secret": PASSWORD}) as conn:
        with pytest.raises(FatalError, match=r"connection gmailApi: the OAuth2 client id or secret is wrong"):
            await get(conn, "profile")


async def test_ping_with_oauth2_checks_the_credentials(mailbox: DevMailbox) -> None:
    async with oauth2_connection(mailbox, **{"client-secret": PASSWORD}) as conn:
        with pytest.raises(FatalError, match=r"gmailApi"):
            await conn.ping()


async def test_oauth2_retries_a_401_once_only_then_fails(api: ApiServer, mailbox: DevMailbox) -> None:
    auth = {"type": "oauth2", "token-url": mailbox.token_url, "client-id": CLIENT, "client-secret": SECRET}
    async with api.connection(auth=auth) as conn:
        with pytest.raises(FatalError, match=r"connection orders: GET .* refused the credentials \(401"):
            await get(conn, "status/401")
    tokens = [request.headers["Authorization"] for request in api.requests]
    assert len(tokens) == 2
    assert tokens[0] != tokens[1]
    assert len(mailbox.token_requests) == 2
